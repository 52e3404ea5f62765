"""Assessments and their answers: start, answer, submit, approve, reopen, re-score.

Every write checks the caller's role (``roles``), runs in one transaction and
refreshes the assessment's stored scorecard snapshot in the same transaction
as the answers it reflects. Scores always come from ``scoring.engine``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring import engine
from scoring.models import Catalogue, Criterion, Profile

from ..models import Answer, Assessment, Offer, Procurement
from . import roles
from .providers import create_offer, create_provider
from .roles import Action


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


def start_assessment(
    *, user, procurement: Procurement, offer: Offer, as_of: datetime.date | None = None
) -> Assessment:
    """Put an offer under assessment in a procurement, scored from the start."""
    roles.require(user, Action.EDIT, procurement.organisation)
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
            apply_snapshot(
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
    roles.require_assessment_editor(user, assessment)
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
        apply_snapshot(locked, scorecard)
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
        action=Action.EDIT,
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
        action=Action.LEAD,
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
        action=Action.LEAD,
        source=Assessment.Status.SUBMITTED,
        target=Assessment.Status.DRAFT,
        version=version,
        refusal=_("Only a submitted assessment can be sent back to draft."),
    )


def rescore_assessment(assessment: Assessment, *, catalogue: Catalogue) -> Rescore:
    """Score an assessment under another catalogue version and show the change.

    A preview only: answers carry over by criterion code, criteria the new
    version drops are listed, new ones start unknown. Moving to the new
    version is ``repin_procurement``, for the whole procurement at once.
    """
    profile = profile_in(catalogue, assessment.catalogue, assessment.profile.code)
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


def profile_in(catalogue: Catalogue, current: Catalogue, code: str) -> Profile:
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
        apply_snapshot(locked, locked.scorecard())
        locked.save()
    return locked


def _transition(
    assessment: Assessment,
    *,
    user,
    action: Action,
    source: str,
    target: str,
    version: int | None,
    refusal: str,
) -> Assessment:
    roles.require_assessment_editor(user, assessment, action)
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


def apply_snapshot(assessment: Assessment, scorecard: engine.Scorecard) -> None:
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
