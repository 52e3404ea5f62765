"""An assessment's scorecard read back from the snapshot stored at its last save.

``services.apply_snapshot`` stores, with the headline numbers, every
criterion's result (``Assessment.criterion_results``); ``stored_report`` turns
the row back into the engine's ``Scorecard`` and explains it with the
catalogue's words like ``scorecards.assessment_report``, without reading an
answer or running the engine. The scorecard API answers from it.
"""

from __future__ import annotations

from decimal import Decimal

from scoring import engine
from scoring.models import Catalogue

from .models import Assessment
from .scorecards import AssessmentReport, explained


def stored_report(
    assessment: Assessment, catalogue: Catalogue
) -> AssessmentReport | None:
    """The scorecard as stored at the last save, with the catalogue's words.

    No answer is read and the engine does not run; the criteria's lines carry
    no answer, claim or file (the scorecard API needs none). None for a
    snapshot older than ``criterion_results``: ask ``assessment_report``.
    """
    if not assessment.criterion_results or assessment.scored_at is None:
        return None
    profile_results = assessment.profile_results or {}
    # The profile from the catalogue in memory, not from another query.
    profile = next(p for p in catalogue.profiles.all() if p.pk == assessment.profile_id)
    core = {pillar.code: pillar.core for pillar in catalogue.pillars.all()}
    scorecard = engine.Scorecard(
        catalogue=catalogue.slug,
        version=catalogue.version,
        profile=profile.code,
        criteria=tuple(
            engine.CriterionResult(*row) for row in assessment.criterion_results
        ),
        pillars=tuple(
            engine.PillarResult(
                p["code"],
                core[p["code"]],
                Decimal(p["weight"]),
                _decimal(p["score"]),
                _decimal(p["score_claimed"]),
                p["trust_level"],
            )
            for p in assessment.pillar_scores
        ),
        global_score=assessment.global_score,
        global_score_claimed=assessment.global_score_claimed,
        trust_level=assessment.trust_level,
        eligible=assessment.eligible,
        knockouts=tuple(
            engine.KnockOut(k["criterion"], k["required"], k["effective"])
            for k in assessment.failed_knockouts
        ),
        eligibility={
            code: result["eligible"] for code, result in profile_results.items()
        },
        highest_profile_passed=assessment.highest_profile_passed or None,
        binding_criteria=tuple(assessment.binding_criteria),
        evidence_gaps=tuple(assessment.evidence_gaps),
        answered=assessment.answered,
        total=len(assessment.criterion_results),
    )
    return explained(assessment, catalogue, scorecard)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
