"""Assessments: put an offer under assessment, re-score it, keep its snapshot.

Answers are saved by ``answers``; submit, approve, reopen and withdraw are
``workflow``. Every write checks the caller's role (``roles``), runs in one
transaction, is recorded, and refreshes the assessment's stored scorecard
snapshot in the same transaction. Scores always come from ``scoring.engine``.
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
from scoring.models import Catalogue, Profile

from ..models import Assessment, Offer, Procurement
from ..record import Action as Recorded
from ..record import Event, record
from . import roles
from .providers import ProcurementClosed, create_offer, create_provider
from .roles import Action


class StaleAssessment(Exception):
    """Someone saved the assessment after the caller read it."""

    def __init__(self, assessment: Assessment, message: str | None = None):
        self.assessment = assessment
        self.current_version = assessment.version
        self.criteria: list[str] = []
        super().__init__(
            message
            or _(
                "This assessment was changed by someone else (it is now at version "
                "%(version)s). Nothing was saved: review their changes and save again."
            )
            % {"version": assessment.version}
        )


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
                raise ProcurementClosed()
            assessment = Assessment(
                offer=offer,
                procurement=locked,
                organisation_id=locked.organisation_id,
                catalogue=locked.catalogue,
                profile=locked.profile,
                as_of=as_of or timezone.localdate(),
                created_by=user,
            )
            apply_snapshot(assessment, locked.scoring_spec(), [])
            with transaction.atomic():
                assessment.save()
            record(
                locked.organisation_id,
                user=user,
                events=[
                    Event(
                        Recorded.ASSESSMENT_STARTED,
                        str(offer),
                        procurement=locked.pk,
                        assessment=assessment.pk,
                        offer=offer.pk,
                        provider=offer.provider_id,
                        changes=[
                            {"field": "status", "before": None, "after": "draft"},
                            {
                                "field": "as_of",
                                "before": None,
                                "after": assessment.as_of.isoformat(),
                            },
                        ],
                    )
                ],
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"offer": _("This offer is already under assessment in this procurement.")}
        ) from exc
    # Imported here: presumptions save answers, and answers import this module.
    from .presumptions import apply_presumptions

    return apply_presumptions(assessment, user=user)


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


def rescore_assessment(assessment: Assessment, *, catalogue: Catalogue) -> Rescore:
    """Score an assessment under another catalogue version and show the change.

    A preview only: answers carry over by criterion code, criteria the new
    version drops are listed, new ones start unknown. Moving to the new
    version is ``repin_procurement``, for the whole procurement at once.
    """
    profile = profile_in(catalogue, assessment.catalogue, assessment.profile.code)
    old_spec, new_spec = assessment.scoring_spec(), catalogue.to_spec()
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
        apply_snapshot(locked, locked.scoring_spec(), locked.answer_inputs())
        locked.save()
    return locked


def apply_snapshot(
    assessment: Assessment,
    spec: engine.CatalogueSpec,
    answers: Sequence[engine.AnswerInput],
) -> engine.Scorecard:
    """Score the answers and copy onto the assessment (not saved) what lists read.

    The assessment's own profile gives the headline numbers, pillar scores and
    failed knock-outs; every profile of the catalogue gives its global score,
    trust level, eligibility and knock-outs, so that the sensitivity table and
    rankings never run the engine. Returns the scorecard under its profile.
    """
    scorecard = engine.score(spec, assessment.profile.code, answers)
    assessment.global_score = scorecard.global_score
    assessment.global_score_claimed = scorecard.global_score_claimed
    assessment.trust_level = scorecard.trust_level
    assessment.eligible = scorecard.eligible
    assessment.highest_profile_passed = scorecard.highest_profile_passed or ""
    assessment.completeness = scorecard.completeness
    assessment.answered = scorecard.answered
    assessment.binding_criteria = list(scorecard.binding_criteria)
    assessment.evidence_gaps = list(scorecard.evidence_gaps)
    assessment.pillar_scores = [
        {
            "code": p.code,
            "weight": str(p.weight),
            "score": None if p.score is None else str(p.score),
            "score_claimed": None if p.score_claimed is None else str(p.score_claimed),
            "trust_level": p.trust_level,
            "unknown": scorecard.unknown_by_pillar[p.code],
            "unknown_share": round(scorecard.unknown_share_by_pillar[p.code], 1),
        }
        for p in scorecard.pillars
    ]
    assessment.criterion_results = [list(result) for result in scorecard.criteria]
    assessment.failed_knockouts = _knockouts(scorecard.knockouts)
    assessment.profile_results = {
        profile.code: _profile_result(
            scorecard
            if profile.code == scorecard.profile
            else engine.score(spec, profile.code, answers)
        )
        for profile in spec.profiles
    }
    assessment.scored_at = timezone.now()
    if assessment.pk is not None:
        apply_bidder_snapshot(assessment, spec, answers)
    return scorecard


def apply_bidder_snapshot(
    assessment: Assessment,
    spec: engine.CatalogueSpec,
    answers: Sequence[engine.AnswerInput],
) -> None:
    """The bidder's claims scored apart, and where the evaluators differ (not saved).

    A claim is the bidder's word: the engine scores it "as claimed" (every
    level at face value), whatever evidence the evaluators later accept.
    """
    claims = list(assessment.claims.select_related("criterion"))
    if not claims:
        assessment.bidder_score, assessment.bidder_differs = None, []
        return
    claimed = engine.score(
        spec,
        assessment.profile.code,
        [
            engine.AnswerInput(c.criterion.code, c.level, None, c.not_applicable)
            for c in claims
        ],
    )
    assessment.bidder_score = claimed.global_score_claimed
    evaluated = {a.criterion: a for a in answers}
    assessment.bidder_differs = [
        c.criterion.code
        for c in claims
        if c.criterion.code in evaluated
        and (
            evaluated[c.criterion.code].level != c.level
            or evaluated[c.criterion.code].not_applicable != c.not_applicable
        )
    ]


def _knockouts(knockouts) -> list[dict]:
    return [
        {"criterion": k.criterion, "required": k.required, "effective": k.effective}
        for k in knockouts
    ]


def _profile_result(scorecard: engine.Scorecard) -> dict:
    return {
        "global_score": str(scorecard.global_score),
        "global_score_claimed": str(scorecard.global_score_claimed),
        "trust_level": scorecard.trust_level,
        "eligible": scorecard.eligible,
        "knockouts": _knockouts(scorecard.knockouts),
    }


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
