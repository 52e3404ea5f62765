"""Procurements: create, edit, open, close, delete a draft, re-pin to a newer method.

A procurement is pinned to a catalogue version and a profile; every offer in
it is scored by the same rules, so changing them is all or nothing. Only
leads open and close one, whatever a form or a payload asks; every change is
in the record.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from scoring import adjustments
from scoring import overlays as jurisdiction
from scoring.models import Catalogue, Criterion, Profile

from .. import signals
from ..models import Answer, Assessment, Organisation, Procurement
from ..record import Action as Recorded
from ..record import Event, changes_between, record
from . import roles
from .assessments import apply_snapshot, profile_in
from .providers import ProcurementClosed, clean_but_unique, save_unique
from .roles import Action

# What ``update_procurement`` may change; the status has its own services.
PROCUREMENT_FIELDS = frozenset(
    {"title", "reference", "description", "deadline", "profile"}
)


def create_procurement(
    *,
    user,
    organisation: Organisation,
    title: str,
    profile: Profile,
    reference: str = "",
    description: str = "",
    deadline: datetime.date | None = None,
    status: str | None = None,
) -> Procurement:
    """Create a procurement pinned to the profile's published catalogue version.

    A lead's procurement opens at once unless they ask for a draft; an
    evaluator's starts as a draft, which a lead opens. Only a lead may create
    one open or closed.
    """
    roles.require(user, Action.EDIT, organisation)
    is_lead = roles.can(user, Action.LEAD, organisation)
    if status is None:
        status = Procurement.Status.OPEN if is_lead else Procurement.Status.DRAFT
    if status != Procurement.Status.DRAFT and not is_lead:
        raise PermissionDenied(
            _("Only a lead may open or close a procurement; create it as a draft.")
        )
    if not profile.catalogue.is_published:
        raise ValidationError({"profile": _("Only a published catalogue can be used.")})
    procurement = Procurement(
        organisation=organisation,
        title=title,
        reference=reference,
        description=description,
        catalogue=profile.catalogue,
        profile=profile,
        deadline=deadline,
        status=status,
        created_by=user,
    )
    clean_but_unique(procurement, field="reference")
    with transaction.atomic():
        save_unique(
            procurement,
            field="reference",
            message=_(
                "This organisation already has a procurement with this reference."
            ),
        )
        _record(procurement, user, Recorded.PROCUREMENT_CREATED, {})
    return procurement


def _values(procurement: Procurement) -> dict:
    """What the record shows of a procurement (the profile and version by name)."""
    return {
        "title": procurement.title,
        "reference": procurement.reference,
        "description": procurement.description,
        "deadline": procurement.deadline,
        "status": procurement.status,
        "profile": procurement.profile.code,
        "catalogue": f"{procurement.catalogue.slug} {procurement.catalogue.version}",
        "pillar_weights": procurement.pillar_weights,
        "lowered_thresholds": procurement.lowered_thresholds,
        "overlays": procurement.overlays,
    }


def _forget_adjustment(procurement: Procurement) -> None:
    """Another profile or version: the adjustment made for the old one goes."""
    procurement.pillar_weights, procurement.lowered_thresholds = {}, {}
    procurement.overlays = []
    procurement.adjustment_reason = ""


def _record(
    procurement: Procurement, user, action, before: dict, reason: str = "", extra=()
) -> None:
    changes = changes_between(before, _values(procurement))
    record(
        procurement.organisation_id,
        user=user,
        events=[
            Event(
                action,
                str(procurement),
                procurement=procurement.pk,
                changes=changes,
                reason=reason,
            ),
            *extra,
        ],
    )


def update_procurement(procurement: Procurement, *, user, **fields) -> Procurement:
    """Change a procurement's title, reference, description, deadline or profile.

    Evaluators and leads. The profile (and with it the catalogue version) can
    change only while no offer is under assessment: every assessment is
    pinned to the profile it was started with.
    """
    unknown = set(fields) - PROCUREMENT_FIELDS
    if unknown:
        raise TypeError(f"update_procurement() cannot change {sorted(unknown)}.")
    roles.require(user, Action.EDIT, procurement.organisation)
    with transaction.atomic():
        # Lock the row so that an offer cannot be added between the check
        # that none is under assessment and the change of profile.
        locked = (
            Procurement.objects.select_for_update(of=("self",))
            .select_related("profile", "catalogue")
            .get(pk=procurement.pk)
        )
        before = _values(locked)
        profile = fields.pop("profile", None)
        if profile is not None and profile.pk != locked.profile_id:
            _check_profile_change(locked, profile)
            locked.profile, locked.catalogue = profile, profile.catalogue
            _forget_adjustment(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        clean_but_unique(locked, field="reference")
        save_unique(
            locked,
            field="reference",
            message=_(
                "This organisation already has a procurement with this reference."
            ),
        )
        if changes_between(before, _values(locked)):
            _record(locked, user, Recorded.PROCUREMENT_CHANGED, before)
    return locked


def _check_profile_change(procurement: Procurement, profile: Profile) -> None:
    if procurement.assessments.exists():
        raise ValidationError(
            {
                "profile": _(
                    "The profile and catalogue version are pinned once an offer "
                    "is under assessment."
                )
            }
        )
    if not profile.catalogue.is_published:
        raise ValidationError({"profile": _("Only a published catalogue can be used.")})


def open_procurement(
    procurement: Procurement, *, user, reason: str = ""
) -> Procurement:
    """Open a draft procurement, or reopen a closed one (leads)."""
    return _set_procurement_status(
        procurement,
        user=user,
        status=Procurement.Status.OPEN,
        action=Recorded.PROCUREMENT_OPENED,
        event="procurement.opened",
        refusal=_("This procurement is already open."),
        reason=reason,
    )


def close_procurement(
    procurement: Procurement, *, user, reason: str = ""
) -> Procurement:
    """Close a procurement: nothing in it changes until a lead reopens it (leads)."""
    return _set_procurement_status(
        procurement,
        user=user,
        status=Procurement.Status.CLOSED,
        action=Recorded.PROCUREMENT_CLOSED,
        event="procurement.closed",
        refusal=_("This procurement is already closed."),
        reason=reason,
    )


def _set_procurement_status(
    procurement: Procurement,
    *,
    user,
    status: str,
    action,
    event: str,
    refusal: str,
    reason: str,
) -> Procurement:
    roles.require(user, Action.LEAD, procurement.organisation)
    with transaction.atomic():
        locked = (
            Procurement.objects.select_for_update(of=("self",))
            .select_related("profile", "catalogue")
            .get(pk=procurement.pk)
        )
        if locked.status == status:
            raise ValidationError(refusal)
        before = _values(locked)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        _record(locked, user, action, before, reason=reason)
        signals.announce(event, locked)
    return locked


def delete_procurement(procurement: Procurement, *, user, reason: str = "") -> None:
    """Delete a draft procurement in which nothing was submitted (leads).

    Its draft assessments go with it; its entries stay in the record, and a
    last one says who deleted it and why. Anything submitted, approved or
    withdrawn is never deleted.
    """
    roles.require(user, Action.LEAD, procurement.organisation)
    with transaction.atomic():
        locked = (
            Procurement.objects.select_for_update(of=("self",))
            .select_related("profile", "catalogue")
            .get(pk=procurement.pk)
        )
        if locked.status != Procurement.Status.DRAFT:
            raise ValidationError(_("Only a draft procurement can be deleted."))
        if locked.assessments.exclude(status=Assessment.Status.DRAFT).exists():
            raise ValidationError(
                _(
                    "An assessment of this procurement was submitted: it stays "
                    "on record and the procurement cannot be deleted."
                )
            )
        _record(locked, user, Recorded.PROCUREMENT_DELETED, _values(locked), reason)
        locked.delete()


def repin_procurement(
    procurement: Procurement, *, catalogue: Catalogue, user
) -> Procurement:
    """Move a procurement and all its assessments to another catalogue version.

    Every offer of a procurement is scored by the same rules, so the move is
    all or nothing, by a lead, while every assessment is still a draft (a
    submitted or approved score must not change under its approver's feet).
    Answers carry over by criterion code; answers to dropped criteria go.
    """
    roles.require(user, Action.LEAD, procurement.organisation)
    profile = profile_in(catalogue, procurement.catalogue, procurement.profile.code)
    if catalogue.pk == procurement.catalogue_id:
        raise ValidationError(_("The procurement already uses this catalogue version."))
    new_criteria = {c.code: c for c in Criterion.objects.filter(catalogue=catalogue)}
    spec = catalogue.to_spec()
    with transaction.atomic():
        locked = (
            Procurement.objects.select_for_update(of=("self",))
            .select_related("profile", "catalogue")
            .get(pk=procurement.pk)
        )
        if locked.status == Procurement.Status.CLOSED:
            raise ProcurementClosed()
        before = _values(locked)
        assessments = list(
            Assessment.objects.select_for_update()
            .filter(procurement=locked)
            .select_related("offer")
            .order_by("pk")
        )
        not_drafts = [
            str(a.offer) for a in assessments if a.status != Assessment.Status.DRAFT
        ]
        if not_drafts:
            raise ValidationError(
                _(
                    "Send these assessments back to draft first, since their "
                    "scores would change: %(offers)s."
                )
                % {"offers": ", ".join(not_drafts)}
            )
        answers = Answer.objects.filter(assessment__in=assessments).select_related(
            "criterion"
        )
        dropped = answers.exclude(criterion__code__in=new_criteria)
        dropped_codes = sorted(set(dropped.values_list("criterion__code", flat=True)))
        dropped.delete()
        for answer in answers.filter(criterion__code__in=new_criteria):
            answer.criterion = new_criteria[answer.criterion.code]
            answer.save(update_fields=["criterion"])
        # What the move changed for each offer, kept in the record: the
        # procurement page shows this delta from one version to the next.
        scores_before = {a.pk: _scores(a) for a in assessments}
        for assessment in assessments:
            assessment.catalogue, assessment.profile = catalogue, profile
            assessment.version += 1
            apply_snapshot(assessment, spec, assessment.answer_inputs())
            assessment.save()
        locked.catalogue, locked.profile = catalogue, profile
        _forget_adjustment(locked)
        locked.save(
            update_fields=[
                "catalogue",
                "profile",
                "pillar_weights",
                "lowered_thresholds",
                "overlays",
                "adjustment_reason",
                "updated_at",
            ]
        )
        _record(
            locked,
            user,
            Recorded.PROCUREMENT_REPINNED,
            before,
            reason=_("Answers to criteria the new version drops: %(codes)s.")
            % {"codes": ", ".join(dropped_codes)}
            if dropped_codes
            else "",
            extra=[
                Event(
                    Recorded.ASSESSMENT_REPINNED,
                    str(assessment.offer),
                    procurement=locked.pk,
                    assessment=assessment.pk,
                    offer=assessment.offer_id,
                    changes=[
                        {
                            "field": "catalogue",
                            "before": before["catalogue"],
                            "after": f"{catalogue.slug} {catalogue.version}",
                        },
                        *(
                            {"field": name, "before": value, "after": after}
                            for (name, value), after in zip(
                                scores_before[assessment.pk].items(),
                                _scores(assessment).values(),
                                strict=True,
                            )
                        ),
                    ],
                )
                for assessment in assessments
            ],
        )
    # The new version's certification schemes may presume levels the old one
    # did not. Imported here: presumptions save answers, whose module imports
    # this one.
    from .presumptions import apply_presumptions

    for assessment in assessments:
        apply_presumptions(assessment, user=user)
    return locked


def _scores(assessment: Assessment) -> dict[str, object]:
    """The snapshot figures a change of method version moves."""
    return {
        "global_score": str(assessment.global_score),
        "trust_level": assessment.trust_level,
        "eligible": assessment.eligible,
    }


def adjust_method(
    procurement: Procurement,
    *,
    user,
    pillar_weights: dict[str, int],
    lowered_thresholds: dict[str, int],
    reason: str,
    overlays: list[str] | None = None,
) -> Procurement:
    """Adjust the profile for this procurement (leads, drafts only), with a reason.

    Pillar weights move within the catalogue's limit, summing as the
    profile's do; knock-out thresholds may only go down. Empty values put
    the profile back as published. Every offer is scored again at once.
    """
    roles.require(user, Action.LEAD, procurement.organisation)
    reason = reason.strip()
    if (pillar_weights or lowered_thresholds) and not reason:
        raise ValidationError(
            _("Say why the profile is adjusted for this procurement.")
        )
    with transaction.atomic():
        locked = (
            Procurement.objects.select_for_update(of=("self",))
            .select_related("profile", "catalogue")
            .get(pk=procurement.pk)
        )
        if locked.status != Procurement.Status.DRAFT:
            raise ValidationError(
                _("The profile is adjusted before the procurement opens, not after.")
            )
        code = locked.profile.code
        base = next(
            p
            for p in locked.catalogue.to_spec().profiles
            if p.code == locked.profile.code
        )
        problems = []
        if pillar_weights:
            problems += adjustments.weight_problems(
                base.pillar_weights,
                pillar_weights,
                locked.catalogue.weight_adjustment_limit,
            )
        problems += adjustments.threshold_problems(base.thresholds, lowered_thresholds)
        chosen = sorted(set(overlays or []))
        problems += jurisdiction.check(chosen, locked.catalogue.slug, code)
        if problems:
            raise ValidationError(problems)
        assessments = list(
            Assessment.objects.select_for_update().filter(procurement=locked)
        )
        if any(a.status != Assessment.Status.DRAFT for a in assessments):
            raise ValidationError(
                _(
                    "Send every assessment back to draft first: their scores "
                    "would change."
                )
            )
        before = _values(locked)
        locked.pillar_weights = {
            code: weight
            for code, weight in (pillar_weights or {}).items()
            if weight != base.pillar_weights.get(code)
        }
        locked.lowered_thresholds = dict(lowered_thresholds)
        locked.overlays = chosen
        locked.adjustment_reason = reason
        locked.save(
            update_fields=[
                "pillar_weights",
                "lowered_thresholds",
                "overlays",
                "adjustment_reason",
                "updated_at",
            ]
        )
        spec = locked.scoring_spec()
        for assessment in assessments:
            assessment.procurement = locked
            apply_snapshot(assessment, spec, assessment.answer_inputs())
            assessment.save()
        _record(locked, user, Recorded.PROCUREMENT_CHANGED, before, reason=reason)
    return locked
