"""The engine as it was in release 1.0, kept to check the compiled engine against.

``score`` here is the straightforward implementation of the rules (one
function per rule, results as frozen dataclasses); ``scoring.engine.score``
must give equal scorecards for any input (``test_engine_equivalence.py``).
Only the scoring functions are copied; the specs and results are the engine's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from scoring.engine import (
    HUNDRED,
    MAX_LEVEL,
    MIN_LEVEL,
    SCORE_PLACES,
    ZERO,
    AnswerInput,
    CatalogueSpec,
    CriterionResult,
    CriterionSpec,
    KnockOut,
    PillarResult,
    PillarSpec,
    ProfileSpec,
    Scorecard,
    ScoringError,
)


def score(
    catalogue: CatalogueSpec, profile_code: str, answers: Iterable[AnswerInput]
) -> Scorecard:
    """Turn one offer's answers into its scorecard under one profile."""
    profile = catalogue.profile(profile_code)
    by_code = _index_answers(catalogue, answers)
    criteria = tuple(
        _criterion_result(criterion, by_code.get(criterion.code), profile)
        for criterion in catalogue.criteria
    )
    exact = {
        pillar.code: (
            _pillar_score(_of_pillar(criteria, pillar), claimed=False),
            _pillar_score(_of_pillar(criteria, pillar), claimed=True),
        )
        for pillar in catalogue.pillars
    }
    pillars = tuple(
        _pillar_result(pillar, criteria, profile, catalogue.assurance_relevant, exact)
        for pillar in catalogue.pillars
    )
    trust_level = _min_or_none(p.trust_level for p in pillars if p.core)
    eligibility = {
        p.code: not _failed_knockouts(catalogue, by_code, p) for p in catalogue.profiles
    }
    passed = [code for code, ok in eligibility.items() if ok]
    return Scorecard(
        catalogue=catalogue.slug,
        version=catalogue.version,
        profile=profile.code,
        criteria=criteria,
        pillars=pillars,
        global_score=_round(_global(exact, profile, claimed=False)),
        global_score_claimed=_round(_global(exact, profile, claimed=True)),
        trust_level=trust_level,
        eligible=eligibility[profile.code],
        knockouts=_failed_knockouts(catalogue, by_code, profile),
        eligibility=eligibility,
        highest_profile_passed=passed[-1] if passed else None,
        binding_criteria=_binding_criteria(catalogue, criteria, trust_level),
        evidence_gaps=tuple(c.code for c in criteria if c.capped),
        answered=sum(c.answered for c in criteria),
        total=len(criteria),
    )


def _index_answers(
    catalogue: CatalogueSpec, answers: Iterable[AnswerInput]
) -> dict[str, AnswerInput]:
    by_code: dict[str, AnswerInput] = {}
    for answer in answers:
        criterion = catalogue.criteria_by_code.get(answer.criterion)
        if criterion is None:
            raise ScoringError(f"Unknown criterion {answer.criterion!r}.")
        if answer.criterion in by_code:
            raise ScoringError(f"Criterion {answer.criterion} is answered twice.")
        if answer.not_applicable and not criterion.na_allowed:
            raise ScoringError(f"Criterion {answer.criterion} cannot be N/A.")
        if answer.level is not None and not MIN_LEVEL <= answer.level <= MAX_LEVEL:
            raise ScoringError(
                f"Level {answer.level} of {answer.criterion} is not in "
                f"{MIN_LEVEL}-{MAX_LEVEL}."
            )
        if (
            answer.evidence is not None
            and answer.evidence not in catalogue.evidence_types
        ):
            raise ScoringError(
                f"Evidence type {answer.evidence!r} of {answer.criterion} is not one "
                f"of {', '.join(catalogue.evidence_types)}."
            )
        by_code[answer.criterion] = answer
    return by_code


def _effective_level(
    criterion: str, answer: AnswerInput | None, profile: ProfileSpec
) -> tuple[int | None, int | None]:
    """Return (effective level, cap applied) of one answer under one profile."""
    if answer is not None and answer.not_applicable:
        return None, None
    level = answer.level if answer is not None and answer.level is not None else 0
    cap = profile.cap_for(criterion, answer.evidence if answer else None)
    if cap is not None and level > cap:
        return cap, cap
    return level, None


def _criterion_result(
    criterion: CriterionSpec, answer: AnswerInput | None, profile: ProfileSpec
) -> CriterionResult:
    not_applicable = answer is not None and answer.not_applicable
    effective, cap = _effective_level(criterion.code, answer, profile)
    return CriterionResult(
        code=criterion.code,
        pillar=criterion.pillar,
        weight=criterion.weight,
        level=None if answer is None or not_applicable else answer.level,
        evidence=answer.evidence if answer is not None else None,
        not_applicable=not_applicable,
        effective_level=effective,
        cap=cap,
        threshold=profile.thresholds.get(criterion.code),
    )


def _pillar_score(
    results: Sequence[CriterionResult], *, claimed: bool
) -> Decimal | None:
    applicable = [r for r in results if not r.not_applicable]
    total_weight = sum(r.weight for r in applicable)
    if not total_weight:
        return None
    points = sum(
        r.weight * ((r.claimed_level if claimed else r.effective_level) or 0)
        for r in applicable
    )
    return HUNDRED * points / (MAX_LEVEL * total_weight)


def _of_pillar(
    criteria: Sequence[CriterionResult], pillar: PillarSpec
) -> list[CriterionResult]:
    return [c for c in criteria if c.pillar == pillar.code]


def _pillar_result(
    pillar: PillarSpec,
    criteria: Sequence[CriterionResult],
    profile: ProfileSpec,
    assurance_relevant: frozenset[str],
    exact: Mapping[str, tuple[Decimal | None, Decimal | None]],
) -> PillarResult:
    evidenced, claimed = exact[pillar.code]
    return PillarResult(
        code=pillar.code,
        core=pillar.core,
        weight=Decimal(profile.pillar_weights.get(pillar.code, 0)),
        score=None if evidenced is None else _round(evidenced),
        score_claimed=None if claimed is None else _round(claimed),
        trust_level=_min_or_none(
            c.effective_level
            for c in _of_pillar(criteria, pillar)
            if c.code in assurance_relevant and not c.not_applicable
        ),
    )


def _global(
    exact: Mapping[str, tuple[Decimal | None, Decimal | None]],
    profile: ProfileSpec,
    *,
    claimed: bool,
) -> Decimal:
    """Weight the exact (unrounded) pillar scores, so rounding happens once."""
    scored = [
        (Decimal(profile.pillar_weights.get(code, 0)), pair[1] if claimed else pair[0])
        for code, pair in exact.items()
        if pair[0] is not None
    ]
    total_weight = sum(weight for weight, _ in scored)
    if not total_weight:
        return ZERO
    return sum(weight * value for weight, value in scored) / total_weight


def _failed_knockouts(
    catalogue: CatalogueSpec, by_code: Mapping[str, AnswerInput], profile: ProfileSpec
) -> tuple[KnockOut, ...]:
    failed = []
    for criterion in catalogue.criteria:
        required = profile.thresholds.get(criterion.code)
        if required is None:
            continue
        effective, _ = _effective_level(
            criterion.code, by_code.get(criterion.code), profile
        )
        if effective is not None and effective < required:
            failed.append(KnockOut(criterion.code, required, effective))
    return tuple(failed)


def _binding_criteria(
    catalogue: CatalogueSpec,
    criteria: Sequence[CriterionResult],
    trust_level: int | None,
) -> tuple[str, ...]:
    if trust_level is None:
        return ()
    core = {p.code for p in catalogue.pillars if p.core}
    return tuple(
        c.code
        for c in criteria
        if c.pillar in core
        and c.code in catalogue.assurance_relevant
        and c.effective_level == trust_level
    )


def _min_or_none(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _round(value: Decimal) -> Decimal:
    return Decimal(value).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
