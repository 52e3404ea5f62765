"""Procurements: create, edit, open and close them, and re-pin them to a newer method.

A procurement is pinned to a catalogue version and a profile; every offer in
it is scored by the same rules, so changing them is all or nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from scoring import engine
from scoring.models import Catalogue, Criterion, Profile

from ..models import Answer, Assessment, Organisation, Procurement
from . import roles
from .assessments import apply_snapshot, profile_in
from .providers import save_unique
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
    status: str = Procurement.Status.OPEN,
) -> Procurement:
    """Open a procurement pinned to the profile's published catalogue version."""
    roles.require(user, Action.EDIT, organisation)
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
    procurement.full_clean()
    return save_unique(
        procurement,
        field="reference",
        message=_("This organisation already has a procurement with this reference."),
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
        locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
        profile = fields.pop("profile", None)
        if profile is not None and profile.pk != locked.profile_id:
            _check_profile_change(locked, profile)
            locked.profile, locked.catalogue = profile, profile.catalogue
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        save_unique(
            locked,
            field="reference",
            message=_(
                "This organisation already has a procurement with this reference."
            ),
        )
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


def open_procurement(procurement: Procurement, *, user) -> Procurement:
    """Open a draft or closed procurement to new offers (leads)."""
    return _set_procurement_status(
        procurement,
        user=user,
        status=Procurement.Status.OPEN,
        refusal=_("This procurement is already open."),
    )


def close_procurement(procurement: Procurement, *, user) -> Procurement:
    """Close a procurement: no new offer can be put under assessment (leads)."""
    return _set_procurement_status(
        procurement,
        user=user,
        status=Procurement.Status.CLOSED,
        refusal=_("This procurement is already closed."),
    )


def _set_procurement_status(
    procurement: Procurement, *, user, status: str, refusal: str
) -> Procurement:
    roles.require(user, Action.LEAD, procurement.organisation)
    with transaction.atomic():
        locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
        if locked.status == status:
            raise ValidationError(refusal)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
    return locked


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
        locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
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
        answers.exclude(criterion__code__in=new_criteria).delete()
        for answer in answers.filter(criterion__code__in=new_criteria):
            answer.criterion = new_criteria[answer.criterion.code]
            answer.save(update_fields=["criterion"])
        for assessment in assessments:
            assessment.catalogue, assessment.profile = catalogue, profile
            assessment.version += 1
            apply_snapshot(
                assessment, engine.score(spec, profile.code, assessment.answer_inputs())
            )
            assessment.save()
        locked.catalogue, locked.profile = catalogue, profile
        locked.save(update_fields=["catalogue", "profile", "updated_at"])
    return locked
