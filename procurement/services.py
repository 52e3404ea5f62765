"""Workflows that change several rows: procurements, assessments, answers.

Every function checks the caller's role here (not only in views), does its
writes in one transaction, and refreshes the assessment's stored scorecard
snapshot in the same transaction as the answers it reflects. Scores always
come from ``scoring.engine``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring import engine
from scoring.models import Catalogue, Criterion, Profile

from .models import (
    Answer,
    Assessment,
    Certification,
    Membership,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)

EDIT_ROLES = (Membership.Role.EVALUATOR, Membership.Role.LEAD)
# What ``update_procurement`` may change; the status has its own services.
PROCUREMENT_FIELDS = frozenset(
    {"title", "reference", "description", "deadline", "profile"}
)


class StaleAssessment(Exception):
    """Someone saved the assessment after the caller read it."""

    def __init__(self, assessment: Assessment):
        self.assessment = assessment
        self.current_version = assessment.version
        super().__init__(
            _(
                "This assessment was changed by someone else (it is now at version "
                "%(version)s). Nothing was saved: review their changes and save again."
            )
            % {"version": assessment.version}
        )


class InvalidAnswers(Exception):
    """Some answers are invalid; ``errors`` lines up with the answers given."""

    def __init__(self, errors: list[dict[str, list[str]]]):
        self.errors = errors
        super().__init__(_("Some answers are invalid; nothing was saved."))


@dataclass(frozen=True)
class AnswerData:
    """One answer as a form or an API payload gives it."""

    criterion: str
    level: int | None = None
    evidence: str = Answer.Evidence.DECLARED
    not_applicable: bool = False
    justification: str = ""
    evidence_reference: str = ""
    facts: Sequence[int] | None = None  # ids of the provider's facts it cites


@dataclass(frozen=True)
class RankingRow:
    assessment: Assessment
    rank: int | None
    tied: bool

    @property
    def excluded(self) -> bool:
        return not self.assessment.eligible


@dataclass(frozen=True)
class Ranking:
    procurement: Procurement
    rows: tuple[RankingRow, ...]

    @property
    def eligible(self) -> tuple[RankingRow, ...]:
        return tuple(r for r in self.rows if not r.excluded)

    @property
    def excluded(self) -> tuple[RankingRow, ...]:
        return tuple(r for r in self.rows if r.excluded)

    @property
    def has_ties(self) -> bool:
        return any(r.tied for r in self.rows)


@dataclass(frozen=True)
class CriterionChange:
    code: str
    before: int | None  # effective level; None if absent or N/A
    after: int | None


@dataclass(frozen=True)
class Rescore:
    """An assessment's scorecard under its own catalogue and under another."""

    assessment: Assessment
    catalogue: Catalogue
    before: engine.Scorecard
    after: engine.Scorecard
    dropped: tuple[str, ...]  # answered criteria the new catalogue no longer has
    added: tuple[str, ...]  # new criteria, unanswered so far
    changes: tuple[CriterionChange, ...] = field(default=())

    @property
    def global_delta(self) -> Decimal:
        return self.after.global_score - self.before.global_score


def role_in(user, organisation: Organisation) -> str | None:
    """The user's role in an organisation, or None if not a member."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def require_role(user, organisation: Organisation, roles: Iterable[str]) -> str:
    """Refuse the action unless the user holds one of ``roles`` there."""
    role = role_in(user, organisation)
    if role not in roles:
        raise PermissionDenied(
            _("Your role in %(organisation)s does not allow this.")
            % {"organisation": organisation}
        )
    return role


def create_provider(
    *, user, organisation: Organisation, name: str, **fields
) -> Provider:
    """Record a provider in an organisation's register (evaluators and leads).

    A name is recorded once per organisation (whatever its case), so that a
    double submit or a second colleague does not split one provider's facts
    and offers over two records.
    """
    require_role(user, organisation, EDIT_ROLES)
    provider = Provider(organisation=organisation, name=name, **fields)
    provider.full_clean()
    return _save_unique(
        provider,
        field="name",
        message=_("Your organisation already has a provider named %(name)s.")
        % {"name": name},
    )


def _save_unique(instance, *, field: str, message: str, **save):
    """Save, turning a uniqueness race lost to another request into a message."""
    try:
        with transaction.atomic():
            instance.save(**save)
    except IntegrityError as exc:
        raise ValidationError({field: message}) from exc
    return instance


def update_provider(provider: Provider, *, user, **fields) -> Provider:
    """Change a provider's record (evaluators and leads of its organisation).

    Only the fields given are written, on a fresh copy read under a lock, so
    that two people editing different fields at once both keep their change.
    """
    _require_provider_editor(user, provider)
    with transaction.atomic():
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=[*fields, "updated_at"])
    return locked


def add_fact(provider: Provider, *, user, **fields) -> ProviderFact:
    """Record a dated, sourced fact about a provider."""
    _require_provider_editor(user, provider)
    fact = ProviderFact(provider=provider, **fields)
    fact.full_clean()
    fact.save()
    return fact


def create_offer(provider: Provider, *, user, name: str, **fields) -> Offer:
    """Add a service of a provider that can then be assessed."""
    _require_provider_editor(user, provider)
    offer = Offer(provider=provider, name=name, **fields)
    offer.full_clean()
    offer.save()
    return offer


def update_offer(offer: Offer, *, user, **fields) -> Offer:
    """Change an offer (evaluators and leads of its provider's organisation).

    Like ``update_provider``: only the given fields, on a locked fresh copy.
    """
    _require_provider_editor(user, offer.provider)
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields))
    return locked


def add_certification(offer: Offer, *, user, **fields) -> Certification:
    """Record a certification of an offer (evaluators and leads)."""
    _require_provider_editor(user, offer.provider)
    certification = Certification(offer=offer, **fields)
    _check_validity_period(certification)
    certification.full_clean()
    certification.save()
    return certification


def remove_certification(certification: Certification, *, user) -> None:
    """Delete a certification of an offer (evaluators and leads)."""
    _require_provider_editor(user, certification.offer.provider)
    certification.delete()


def certifications_with_expiry(
    today: datetime.date | None = None,
) -> QuerySet[Certification]:
    """Certifications annotated with ``expired`` (valid_to before today)."""
    today = today or timezone.localdate()
    return Certification.objects.annotate(
        expired=ExpressionWrapper(
            Q(valid_to__isnull=False, valid_to__lt=today),
            output_field=BooleanField(),
        )
    ).order_by("scheme", "pk")


def _check_validity_period(certification: Certification) -> None:
    """Say which field is wrong, rather than the constraint's generic message."""
    start, end = certification.valid_from, certification.valid_to
    if start and end and end < start:
        raise ValidationError(
            {"valid_to": _("A certification cannot end before it starts.")}
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
    require_role(user, organisation, EDIT_ROLES)
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
    return _save_unique(
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
    require_role(user, procurement.organisation, EDIT_ROLES)
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
        _save_unique(
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
    require_role(user, procurement.organisation, (Membership.Role.LEAD,))
    with transaction.atomic():
        locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
        if locked.status == status:
            raise ValidationError(refusal)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
    return locked


def start_assessment(
    *, user, procurement: Procurement, offer: Offer, as_of: datetime.date | None = None
) -> Assessment:
    """Put an offer under assessment in a procurement, scored from the start."""
    require_role(user, procurement.organisation, EDIT_ROLES)
    if offer.provider.organisation_id != procurement.organisation_id:
        raise ValidationError(
            {"offer": _("The offer must come from your organisation's providers.")}
        )
    try:
        with transaction.atomic():
            # Read the procurement again under a lock: a concurrent close,
            # profile change or re-pin must not slip in before the insert.
            locked = (
                Procurement.objects.select_for_update(of=("self",))
                .select_related("catalogue", "profile")
                .get(pk=procurement.pk)
            )
            if locked.status == Procurement.Status.CLOSED:
                raise ValidationError(_("This procurement is closed."))
            assessment = Assessment(
                offer=offer,
                procurement=locked,
                catalogue=locked.catalogue,
                profile=locked.profile,
                as_of=as_of or timezone.localdate(),
                created_by=user,
            )
            _apply_snapshot(
                assessment,
                engine.score(locked.catalogue.to_spec(), locked.profile.code, []),
            )
            with transaction.atomic():
                assessment.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"offer": _("This offer is already under assessment in this procurement.")}
        ) from exc
    return assessment


def start_assessment_of_new_offer(
    *,
    user,
    procurement: Procurement,
    provider: dict,
    offer: dict,
) -> Assessment:
    """Record a new provider and its offer, and put it under assessment.

    All or nothing: a refused step leaves no provider or offer behind.
    ``provider`` and ``offer`` are the fields of each (``name`` required).
    """
    with transaction.atomic():
        new_provider = create_provider(
            user=user, organisation=procurement.organisation, **provider
        )
        new_offer = create_offer(new_provider, user=user, **offer)
        return start_assessment(user=user, procurement=procurement, offer=new_offer)


def record_answers(
    assessment: Assessment, *, user, version: int, answers: Sequence[AnswerData]
) -> Assessment:
    """Save many answers at once and re-score, refusing stale or late edits.

    ``version`` is the assessment version the caller read. If anyone saved
    since, nothing is written and ``StaleAssessment`` says the current version,
    so that no one silently overwrites a colleague's edit.
    """
    _require_editor(user, assessment)
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(catalogue_id=assessment.catalogue_id)
    }
    citable = (
        set(assessment.offer.provider.facts.values_list("pk", flat=True))
        if any(data.facts for data in answers)
        else set()
    )
    errors = [_answer_errors(data, criteria, citable) for data in answers]
    seen: set[str] = set()
    for data, problems in zip(answers, errors, strict=True):
        if data.criterion in seen:
            problems.setdefault("criterion", []).append(
                _("Answered twice in one save.")
            )
        seen.add(data.criterion)
    if any(errors):
        raise InvalidAnswers(errors)
    spec = assessment.catalogue.to_spec()
    now = timezone.now()
    with transaction.atomic():
        # Lock the row so two saves cannot both pass the version check.
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.version != version:
            raise StaleAssessment(locked)
        if locked.status != Assessment.Status.DRAFT:
            raise ValidationError(_("A submitted assessment is read-only."))
        _upsert_answers(locked, answers, criteria, user=user, now=now)
        locked.version += 1
        scorecard = engine.score(spec, locked.profile.code, locked.answer_inputs())
        _apply_snapshot(locked, scorecard)
        locked.save()
    return locked


def _upsert_answers(
    assessment: Assessment,
    answers: Sequence[AnswerData],
    criteria: dict[str, Criterion],
    *,
    user,
    now: datetime.datetime,
) -> None:
    """Insert or update the answers in one statement, then their cited facts."""
    Answer.objects.bulk_create(
        [
            Answer(
                assessment=assessment,
                criterion=criteria[data.criterion],
                level=None if data.not_applicable else data.level,
                not_applicable=data.not_applicable,
                evidence=data.evidence,
                justification=data.justification,
                evidence_reference=data.evidence_reference,
                answered_by=user,
                answered_at=now,
            )
            for data in answers
        ],
        update_conflicts=True,
        unique_fields=["assessment", "criterion"],
        update_fields=[
            "level",
            "not_applicable",
            "evidence",
            "justification",
            "evidence_reference",
            "answered_by",
            "answered_at",
        ],
    )
    cited = {data.criterion: data.facts for data in answers if data.facts is not None}
    if not cited:
        return
    answer_ids = dict(
        assessment.answers.filter(criterion__code__in=cited).values_list(
            "criterion__code", "pk"
        )
    )
    links = Answer.facts.through
    links.objects.filter(answer_id__in=answer_ids.values()).delete()
    links.objects.bulk_create(
        links(answer_id=answer_ids[code], providerfact_id=fact)
        for code, facts in cited.items()
        for fact in dict.fromkeys(facts)
    )


def submit_assessment(
    assessment: Assessment, *, user, version: int | None = None
) -> Assessment:
    """Hand a draft over for approval; from now on it is read-only."""
    return _transition(
        assessment,
        user=user,
        roles=EDIT_ROLES,
        source=Assessment.Status.DRAFT,
        target=Assessment.Status.SUBMITTED,
        version=version,
        refusal=_("Only a draft can be submitted."),
    )


def approve_assessment(
    assessment: Assessment, *, user, version: int | None = None
) -> Assessment:
    """Approve a submitted assessment; only the organisation's leads may."""
    return _transition(
        assessment,
        user=user,
        roles=(Membership.Role.LEAD,),
        source=Assessment.Status.SUBMITTED,
        target=Assessment.Status.APPROVED,
        version=version,
        refusal=_("Only a submitted assessment can be approved."),
    )


def reopen_assessment(
    assessment: Assessment, *, user, version: int | None = None
) -> Assessment:
    """Send a submitted assessment back to draft so it can be corrected (leads)."""
    return _transition(
        assessment,
        user=user,
        roles=(Membership.Role.LEAD,),
        source=Assessment.Status.SUBMITTED,
        target=Assessment.Status.DRAFT,
        version=version,
        refusal=_("Only a submitted assessment can be sent back to draft."),
    )


def rank_procurement(procurement: Procurement) -> Ranking:
    """Eligible offers by evidenced score, excluded ones below; ties stated.

    Reads only the stored snapshots: one query, whatever the number of offers.
    """
    assessments = list(
        procurement.assessments.select_related("offer__provider", "profile").order_by(
            "offer__provider__name", "offer__name", "pk"
        )
    )
    ranked = engine.rank(
        [
            engine.RankInput(a.pk, a.eligible, a.global_score, a.trust_level)
            for a in assessments
        ]
    )
    by_pk = {a.pk: a for a in assessments}
    return Ranking(
        procurement=procurement,
        rows=tuple(RankingRow(by_pk[r.key], r.rank, r.tied) for r in ranked),
    )


def rescore_assessment(assessment: Assessment, *, catalogue: Catalogue) -> Rescore:
    """Score an assessment under another catalogue version and show the change.

    A preview only: answers carry over by criterion code, criteria the new
    version drops are listed, new ones start unknown. Moving to the new
    version is ``repin_procurement``, for the whole procurement at once.
    """
    profile = _profile_in(catalogue, assessment.catalogue, assessment.profile.code)
    old_spec, new_spec = assessment.catalogue.to_spec(), catalogue.to_spec()
    inputs = assessment.answer_inputs()
    carried = [a for a in inputs if a.criterion in new_spec.criteria_by_code]
    before = engine.score(old_spec, assessment.profile.code, inputs)
    after = engine.score(new_spec, profile.code, carried)
    return Rescore(
        assessment=assessment,
        catalogue=catalogue,
        before=before,
        after=after,
        dropped=tuple(a.criterion for a in inputs if a not in carried),
        added=tuple(
            code
            for code in new_spec.criteria_by_code
            if code not in old_spec.criteria_by_code
        ),
        changes=_criterion_changes(before, after),
    )


def repin_procurement(
    procurement: Procurement, *, catalogue: Catalogue, user
) -> Procurement:
    """Move a procurement and all its assessments to another catalogue version.

    Every offer of a procurement is scored by the same rules, so the move is
    all or nothing, by a lead, while every assessment is still a draft (a
    submitted or approved score must not change under its approver's feet).
    Answers carry over by criterion code; answers to dropped criteria go.
    """
    require_role(user, procurement.organisation, (Membership.Role.LEAD,))
    profile = _profile_in(catalogue, procurement.catalogue, procurement.profile.code)
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
            _apply_snapshot(
                assessment, engine.score(spec, profile.code, assessment.answer_inputs())
            )
            assessment.save()
        locked.catalogue, locked.profile = catalogue, profile
        locked.save(update_fields=["catalogue", "profile", "updated_at"])
    return locked


def _profile_in(catalogue: Catalogue, current: Catalogue, code: str) -> Profile:
    """The profile with this code in another published version of a catalogue."""
    if catalogue.slug != current.slug or not catalogue.is_published:
        raise ValidationError(
            _("Re-score only under a published version of the same catalogue.")
        )
    try:
        return catalogue.profiles.get(code=code)
    except Profile.DoesNotExist as exc:
        raise ValidationError(
            _("Catalogue %(catalogue)s has no profile %(profile)s.")
            % {"catalogue": catalogue, "profile": code}
        ) from exc


def refresh_snapshot(assessment: Assessment) -> Assessment:
    """Recompute and store the snapshot from the stored answers."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _apply_snapshot(locked, locked.scorecard())
        locked.save()
    return locked


def _require_provider_editor(user, provider: Provider) -> None:
    if provider.is_reference_case:
        raise PermissionDenied(_("Reference cases are read-only."))
    require_role(user, provider.organisation, EDIT_ROLES)


def _require_editor(user, assessment: Assessment) -> None:
    if assessment.is_reference_case:
        raise PermissionDenied(_("Reference cases are read-only."))
    require_role(user, assessment.procurement.organisation, EDIT_ROLES)


def _transition(
    assessment: Assessment,
    *,
    user,
    roles: Iterable[str],
    source: str,
    target: str,
    version: int | None,
    refusal: str,
) -> Assessment:
    if assessment.is_reference_case:
        raise PermissionDenied(_("Reference cases are read-only."))
    require_role(user, assessment.procurement.organisation, roles)
    now = timezone.now()
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if version is not None and locked.version != version:
            raise StaleAssessment(locked)
        if locked.status != source:
            raise ValidationError(refusal)
        locked.status = target
        locked.version += 1
        if target == Assessment.Status.SUBMITTED:
            locked.submitted_by, locked.submitted_at = user, now
        elif target == Assessment.Status.APPROVED:
            locked.approved_by, locked.approved_at = user, now
        locked.save()
    return locked


def _answer_errors(
    data: AnswerData, criteria: dict[str, Criterion], citable: set[int]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    criterion = criteria.get(data.criterion)
    if criterion is None:
        errors["criterion"] = [
            _("Unknown criterion %(code)s in this catalogue.")
            % {"code": data.criterion}
        ]
        return errors
    if (
        data.level is not None
        and not engine.MIN_LEVEL <= data.level <= engine.MAX_LEVEL
    ):
        errors["level"] = [_("Level must be between 0 and 4, or empty for unknown.")]
    if data.not_applicable and not criterion.na_allowed:
        errors["not_applicable"] = [
            _("%(code)s cannot be marked N/A.") % {"code": criterion.code}
        ]
    if data.not_applicable and data.level is not None:
        errors["level"] = [_("An N/A answer has no level.")]
    if data.evidence not in Answer.Evidence.values:
        errors["evidence"] = [
            _("Evidence must be one of %(choices)s.")
            % {"choices": ", ".join(Answer.Evidence.values)}
        ]
    if len(data.evidence_reference) > 500:
        errors["evidence_reference"] = [_("At most 500 characters.")]
    if len(data.justification) > 20000:
        errors["justification"] = [_("At most 20,000 characters.")]
    if data.facts and not set(data.facts) <= citable:
        errors["facts"] = [_("Cite only facts about this offer's provider.")]
    return errors


def _apply_snapshot(assessment: Assessment, scorecard: engine.Scorecard) -> None:
    """Copy the engine's headline numbers onto the assessment (not saved)."""
    assessment.global_score = scorecard.global_score
    assessment.global_score_claimed = scorecard.global_score_claimed
    assessment.trust_level = scorecard.trust_level
    assessment.eligible = scorecard.eligible
    assessment.highest_profile_passed = scorecard.highest_profile_passed or ""
    assessment.completeness = scorecard.completeness
    assessment.pillar_scores = [
        {
            "code": p.code,
            "weight": str(p.weight),
            "score": None if p.score is None else str(p.score),
            "score_claimed": None if p.score_claimed is None else str(p.score_claimed),
            "trust_level": p.trust_level,
        }
        for p in scorecard.pillars
    ]
    assessment.failed_knockouts = [
        {"criterion": k.criterion, "required": k.required, "effective": k.effective}
        for k in scorecard.knockouts
    ]
    assessment.scored_at = timezone.now()


def _criterion_changes(
    before: engine.Scorecard, after: engine.Scorecard
) -> tuple[CriterionChange, ...]:
    old = {c.code: c.effective_level for c in before.criteria}
    new = {c.code: c.effective_level for c in after.criteria}
    return tuple(
        CriterionChange(code, old.get(code), new.get(code))
        for code in dict.fromkeys([*old, *new])
        if old.get(code) != new.get(code)
    )
