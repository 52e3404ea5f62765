"""Pure scoring rules of the Cloud of Trust method (section 8.5 of the brief).

Nothing here imports Django or touches the database: callers pass a catalogue
spec, a profile code and answers as plain dataclasses and get a ``Scorecard``
back. The web pages, the API, the exports and ``verify_export`` all call
``score`` so that every screen and file shows the same numbers.

The rules, in the order ``score`` applies them:

1. Effective level = min(claimed level, evidence cap), where the cap applies
   only to the profile's knock-out criteria. Unknown counts as 0; N/A is
   allowed only where the criterion says so and leaves the criterion out.
2. Pillar score = 100 * sum(w * level) / (4 * sum(w)) over the criteria that
   are not N/A, "as evidenced" (effective levels) and "as claimed".
3. Global score = sum(W_P * S_P) / sum(W_P) over pillars with a score, with the
   profile's pillar weights.
4. Pillar trust level = min effective level over its assurance-relevant
   criteria (those with a knock-out in some profile); overall trust level =
   min over the core pillars (weakest link).
5. Eligible iff every knock-out threshold of the profile is met; the highest
   profile passed is the strictest profile whose knock-outs all pass.

Scores are computed exactly with ``Decimal`` and rounded once, half up, to one
decimal when they leave the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

MIN_LEVEL = 0
MAX_LEVEL = 4
SCORE_PLACES = Decimal("0.1")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


class ScoringError(ValueError):
    """The inputs cannot be scored (unknown criterion, level out of range...)."""


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    pillar: str
    weight: int
    na_allowed: bool = False


@dataclass(frozen=True)
class PillarSpec:
    code: str
    core: bool  # core pillars set the overall trust level


@dataclass(frozen=True)
class ProfileSpec:
    code: str
    pillar_weights: Mapping[str, Decimal]
    # criterion code -> minimum effective level; absent means no knock-out
    thresholds: Mapping[str, int]
    # evidence type -> highest level it can support on a knock-out criterion;
    # absent means no cap
    evidence_caps: Mapping[str, int] = field(default_factory=dict)

    def cap_for(self, criterion: str, evidence: str | None) -> int | None:
        """Return the cap that this evidence puts on a criterion, if any."""
        if criterion not in self.thresholds or evidence is None:
            return None
        return self.evidence_caps.get(evidence)


@dataclass(frozen=True)
class CatalogueSpec:
    slug: str
    version: str
    pillars: tuple[PillarSpec, ...]
    criteria: tuple[CriterionSpec, ...]
    profiles: tuple[ProfileSpec, ...]  # laxest first
    evidence_types: tuple[str, ...] = ("declared", "documented", "verified")

    @cached_property
    def criteria_by_code(self) -> dict[str, CriterionSpec]:
        return {c.code: c for c in self.criteria}

    @cached_property
    def assurance_relevant(self) -> frozenset[str]:
        """Criteria with a knock-out in at least one profile; they set levels."""
        return frozenset(code for p in self.profiles for code in p.thresholds)

    def profile(self, code: str) -> ProfileSpec:
        for profile in self.profiles:
            if profile.code == code:
                return profile
        raise ScoringError(f"Unknown profile {code!r} in {self.slug} {self.version}.")


@dataclass(frozen=True)
class AnswerInput:
    criterion: str
    level: int | None = None  # None: unknown, scored as 0
    evidence: str | None = "declared"
    not_applicable: bool = False


@dataclass(frozen=True)
class CriterionResult:
    code: str
    pillar: str
    weight: int
    level: int | None  # as claimed; None when unknown or N/A
    evidence: str | None
    not_applicable: bool
    effective_level: int | None  # None only when N/A
    cap: int | None  # the evidence cap that applied, if any
    threshold: int | None  # the profile's knock-out minimum, if any

    @property
    def answered(self) -> bool:
        return self.not_applicable or self.level is not None

    @property
    def claimed_level(self) -> int | None:
        """The level scored "as claimed": unknown counts as 0."""
        return None if self.not_applicable else (self.level or 0)

    @property
    def capped(self) -> bool:
        return (self.claimed_level or 0) > (self.effective_level or 0)

    @property
    def passes_knockout(self) -> bool | None:
        if self.threshold is None or self.not_applicable:
            return None
        return (self.effective_level or 0) >= self.threshold


@dataclass(frozen=True)
class PillarResult:
    code: str
    core: bool
    weight: Decimal
    score: Decimal | None  # as evidenced; None when every criterion is N/A
    score_claimed: Decimal | None
    trust_level: int | None  # None when no assurance-relevant criterion applies


@dataclass(frozen=True)
class KnockOut:
    criterion: str
    required: int
    effective: int


@dataclass(frozen=True)
class Scorecard:
    catalogue: str
    version: str
    profile: str
    criteria: tuple[CriterionResult, ...]
    pillars: tuple[PillarResult, ...]
    global_score: Decimal
    global_score_claimed: Decimal
    trust_level: int | None
    eligible: bool
    knockouts: tuple[KnockOut, ...]  # the failed ones
    eligibility: Mapping[str, bool]  # profile code -> eligible, laxest first
    highest_profile_passed: str | None
    binding_criteria: tuple[str, ...]
    evidence_gaps: tuple[str, ...]
    answered: int
    total: int

    @property
    def completeness(self) -> Decimal:
        """Share of criteria answered (a level or N/A), in percent."""
        if not self.total:
            return ZERO
        return _round(HUNDRED * self.answered / self.total)

    def criterion(self, code: str) -> CriterionResult:
        return next(c for c in self.criteria if c.code == code)

    def pillar(self, code: str) -> PillarResult:
        return next(p for p in self.pillars if p.code == code)


@dataclass(frozen=True)
class RankInput:
    key: object  # the caller's id for the entry
    eligible: bool
    global_score: Decimal
    trust_level: int | None = None


@dataclass(frozen=True)
class RankedEntry:
    key: object
    rank: int | None  # None for excluded entries
    tied: bool  # shares its rank with another eligible entry


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


def rank(entries: Sequence[RankInput]) -> list[RankedEntry]:
    """Rank eligible entries by global score; excluded ones follow, unranked.

    Equal scores share a rank (competition ranking: 1, 1, 3) and are flagged
    as tied, so a buyer sees the tie instead of an arbitrary order.
    """
    ordered = sorted(
        entries,
        key=lambda e: (not e.eligible, -e.global_score, -(e.trust_level or 0)),
    )
    eligible_scores = [e.global_score for e in ordered if e.eligible]
    ranked = []
    for entry in ordered:
        if not entry.eligible:
            ranked.append(RankedEntry(entry.key, None, False))
            continue
        position = eligible_scores.index(entry.global_score) + 1
        tied = eligible_scores.count(entry.global_score) > 1
        ranked.append(RankedEntry(entry.key, position, tied))
    return ranked


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
