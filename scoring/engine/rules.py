"""The rules: answers and a compiled catalogue in, a scorecard out, in one pass."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache, partial
from operator import mul
from typing import NamedTuple

from .compiled import CompiledCatalogue, CompiledProfile
from .inputs import (
    HUNDRED,
    MAX_LEVEL,
    MIN_LEVEL,
    ZERO,
    AnswerInput,
    CatalogueSpec,
    RankInput,
    ScoringError,
    round_score,
)
from .results import (
    CriterionResult,
    KnockOut,
    LazyTuple,
    PillarResult,
    RankedEntry,
    Scorecard,
)


def score(
    catalogue: CatalogueSpec, profile_code: str, answers: Iterable[AnswerInput]
) -> Scorecard:
    """Turn one offer's answers into its scorecard under one profile.

    One pass over the answers, on the catalogue compiled once
    (``CatalogueSpec.compiled``): positions instead of searches, knock-outs of
    every profile evaluated once. Scores are the same ``Decimal`` computation
    as the rules above, so equal inputs give equal numbers, digit for digit.
    """
    compiled = catalogue.compiled
    profile = compiled.profile(profile_code)
    read = _read_answers(compiled, answers)
    claimed, evidence = read.claimed, read.evidence
    eligibility = {p.code: not _fails(p, claimed, evidence) for p in compiled.profiles}
    effective, caps = _effective(profile, claimed, evidence)
    codes = compiled.codes
    pillars, exact_evidenced, exact_claimed = _pillars(
        compiled, profile, effective, read
    )
    trust_level = _min_or_none(pillars[p].trust_level for p in compiled.core_pillars)
    passed = [code for code, ok in eligibility.items() if ok]
    return Scorecard(
        catalogue=catalogue.slug,
        version=catalogue.version,
        profile=profile.code,
        criteria=LazyTuple(
            partial(_criteria, compiled, profile, read, effective, caps)
        ),
        pillars=tuple(pillars),
        global_score=round_score(_global(profile, exact_evidenced, exact_evidenced)),
        global_score_claimed=round_score(
            _global(profile, exact_evidenced, exact_claimed)
        ),
        trust_level=trust_level,
        eligible=eligibility[profile.code],
        knockouts=()
        if eligibility[profile.code]
        else LazyTuple(partial(_failed, profile, read)),
        eligibility=eligibility,
        highest_profile_passed=passed[-1] if passed else None,
        binding_criteria=tuple(
            codes[i]
            for i in compiled.core_assurance
            if trust_level is not None and effective[i] == trust_level
        ),
        evidence_gaps=tuple(
            codes[i] for i in profile.knockout_positions if caps[i] is not None
        ),
        answered=read.answered,
        total=len(codes),
        failing=partial(_failed_under, compiled, read),
    )


def _criteria(
    compiled: CompiledCatalogue,
    profile: CompiledProfile,
    read: _Answers,
    effective: list[int | None],
    caps: list[int | None],
) -> tuple[CriterionResult, ...]:
    """Each criterion's result, in catalogue order (built when first read)."""
    return tuple(
        map(
            _new_criterion,
            zip(
                compiled.codes,
                compiled.criterion_pillars,
                compiled.weights,
                read.levels,
                read.evidence,
                [level is None for level in read.claimed],
                effective,
                caps,
                profile.thresholds,
                strict=True,
            ),
        )
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


_LEVELS = frozenset({None, *range(MIN_LEVEL, MAX_LEVEL + 1)})
# 0.0, 0.1 ... 100.0: every rounded pillar score, built once.
_TENTHS = tuple(Decimal(n).scaleb(-1) for n in range(1001))
# Results are built from rows in C, without a Python-level __new__ per result.
_new_criterion = partial(tuple.__new__, CriterionResult)
_new_knockout = partial(tuple.__new__, KnockOut)
_new_pillar = partial(tuple.__new__, PillarResult)


class _Answers(NamedTuple):
    """The answers laid out by criterion position."""

    levels: list[int | None]  # as given; None when unknown or N/A
    claimed: list[int | None]  # unknown is 0; None only when N/A
    evidence: list[str | None]
    answered: int  # with a level or N/A
    not_applicable: int


def _read_answers(
    compiled: CompiledCatalogue, answers: Iterable[AnswerInput]
) -> _Answers:
    """Check every answer and place it at its criterion's position.

    Answers are read by column (``zip``): when every check passes at once (no
    N/A, known codes once each, levels and evidence types known), the levels
    are placed without a check per answer. Anything else goes through
    ``_read_answers_one_by_one``, which names the first problem.
    """
    answers = tuple(answers)
    size = len(compiled.codes)
    if not answers:
        return _Answers([None] * size, [0] * size, [None] * size, 0, 0)
    codes, levels, evidence_given, not_applicable = zip(*answers, strict=True)
    positions = list(map(compiled.index.get, codes))
    if (
        any(not_applicable)
        or None in positions
        or len(set(positions)) != len(positions)
        or not _LEVELS.issuperset(levels)
        or not compiled.evidence_or_none.issuperset(evidence_given)
    ):
        return _read_answers_one_by_one(compiled, answers)
    if positions == compiled.positions:  # every criterion, in catalogue order
        placed, evidence = list(levels), list(evidence_given)
    else:
        placed, evidence = [None] * size, [None] * size
        for i, level, given in zip(positions, levels, evidence_given, strict=True):
            placed[i], evidence[i] = level, given
    if None in placed:
        claimed = [0 if level is None else level for level in placed]
        answered = size - placed.count(None)
    else:
        claimed, answered = placed[:], size
    return _Answers(placed, claimed, evidence, answered, 0)


def _read_answers_one_by_one(
    compiled: CompiledCatalogue, answers: Sequence[AnswerInput]
) -> _Answers:
    """Check each answer in turn; the first problem is the error raised."""
    size = len(compiled.codes)
    levels: list[int | None] = [None] * size
    claimed: list[int | None] = [0] * size
    evidence: list[str | None] = [None] * size
    seen = [False] * size
    answered = not_applicable = 0
    index, na_allowed, evidence_types = (
        compiled.index,
        compiled.na_allowed,
        compiled.evidence_types,
    )
    for answer in answers:
        code = answer.criterion
        i = index.get(code)
        if i is None:
            raise ScoringError(f"Unknown criterion {code!r}.")
        if seen[i]:
            raise ScoringError(f"Criterion {code} is answered twice.")
        seen[i] = True
        level = answer.level
        if answer.not_applicable and not na_allowed[i]:
            raise ScoringError(f"Criterion {code} cannot be N/A.")
        if level is not None and not MIN_LEVEL <= level <= MAX_LEVEL:
            raise ScoringError(
                f"Level {level} of {code} is not in {MIN_LEVEL}-{MAX_LEVEL}."
            )
        given = answer.evidence
        if given is not None and given not in evidence_types:
            raise ScoringError(
                f"Evidence type {given!r} of {code} is not one "
                f"of {', '.join(compiled.evidence_order)}."
            )
        evidence[i] = given
        if answer.not_applicable:
            claimed[i] = None
            answered += 1
            not_applicable += 1
        else:
            levels[i] = level
            if level is not None:
                claimed[i] = level
                answered += 1
    return _Answers(levels, claimed, evidence, answered, not_applicable)


def _effective(
    profile: CompiledProfile,
    claimed: list[int | None],
    evidence: list[str | None],
) -> tuple[list[int | None], list[int | None]]:
    """Effective levels under a profile, and the evidence cap applied to each.

    The claimed levels themselves (the same list) when no cap applies.
    """
    effective = claimed
    caps: list[int | None] = [None] * len(claimed)
    evidence_caps = profile.evidence_caps
    if evidence_caps:
        for i in profile.knockout_positions:
            level, given = claimed[i], evidence[i]
            if level is None or given is None:
                continue
            cap = evidence_caps.get(given)
            if cap is not None and level > cap:
                if effective is claimed:
                    effective = claimed[:]
                effective[i] = caps[i] = cap
    return effective, caps


def _fails(
    profile: CompiledProfile, claimed: list[int | None], evidence: list[str | None]
) -> bool:
    """True when a profile has a knock-out the answers fail; stops at the first.

    A knock-out fails when the claimed level is below the minimum, or when the
    evidence caps it below (``weak``: the evidence types whose cap is too low).
    """
    return any(
        True
        for i, required, _code, weak in profile.knockouts
        if (level := claimed[i]) is not None
        and (level < required or evidence[i] in weak)
    )


def _failed(profile: CompiledProfile, read: _Answers) -> tuple[KnockOut, ...]:
    """Every knock-out a profile fails, in catalogue order, with its level."""
    claimed, evidence, caps = read.claimed, read.evidence, profile.evidence_caps
    return tuple(
        _new_knockout((code, required, min(level, caps.get(evidence[i], level))))
        for i, required, code, weak in profile.knockouts
        if (level := claimed[i]) is not None
        and (level < required or evidence[i] in weak)
    )


def _failed_under(
    compiled: CompiledCatalogue, read: _Answers, profile_code: str
) -> tuple[KnockOut, ...]:
    return _failed(compiled.profile(profile_code), read)


def _pillars(
    compiled: CompiledCatalogue,
    profile: CompiledProfile,
    effective: list[int | None],
    read: _Answers,
) -> tuple[tuple[PillarResult, ...], list[Decimal | None], list[Decimal | None]]:
    """Every pillar's result, and its exact scores (as evidenced, as claimed).

    The exact scores feed the global score; the pillars' own are rounded here,
    in integers: round half up of 100 * points / (4 * weight) to a tenth.
    Without N/A, every criterion counts: the sums run over fixed positions, in C.
    """
    claimed = read.claimed
    results, exact_evidenced, exact_claimed = [], [], []
    for row, weight in zip(compiled.pillar_rows, profile.pillar_weights, strict=True):
        position, code, core, weights, take, total_weight, assurance_take = row
        if read.not_applicable:
            total_weight, points, points_claimed, trust_level = _pillar_sums_with_na(
                compiled, position, effective, claimed
            )
        else:
            points_claimed = sum(map(mul, weights, take(claimed)))
            points = (
                points_claimed
                if effective is claimed
                else sum(map(mul, weights, take(effective)))
            )
            assurance = assurance_take(effective)
            trust_level = min(assurance) if assurance else None
        if not total_weight:
            results.append(_new_pillar((code, core, weight, None, None, trust_level)))
            exact_evidenced.append(None)
            exact_claimed.append(None)
            continue
        scale = MAX_LEVEL * total_weight
        results.append(
            _new_pillar(
                (
                    code,
                    core,
                    weight,
                    _TENTHS[(2000 * points + scale) // (2 * scale)],
                    _TENTHS[(2000 * points_claimed + scale) // (2 * scale)],
                    trust_level,
                )
            )
        )
        exact_evidenced.append(_exact_score(points, scale))
        exact_claimed.append(_exact_score(points_claimed, scale))
    return tuple(results), exact_evidenced, exact_claimed


def _pillar_sums_with_na(
    compiled: CompiledCatalogue,
    position: int,
    effective: list[int | None],
    claimed: list[int | None],
) -> tuple[int, int, int, int | None]:
    """Weight, points, points as claimed and trust level, leaving N/A out."""
    weights = compiled.weights
    total_weight = points = points_claimed = 0
    for i in compiled.pillar_members[position]:
        level = claimed[i]
        if level is None:
            continue
        weight = weights[i]
        total_weight += weight
        points += weight * effective[i]
        points_claimed += weight * level
    trust_level = None
    for i in compiled.pillar_assurance[position]:
        level = effective[i]
        if level is not None and (trust_level is None or level < trust_level):
            trust_level = level
    return total_weight, points, points_claimed, trust_level


def _global(
    profile: CompiledProfile,
    evidenced: Sequence[Decimal | None],
    values: Sequence[Decimal | None],
) -> Decimal:
    """Weight the exact (unrounded) pillar scores, so rounding happens once."""
    total_weight = points = 0
    for weight, gate, value in zip(
        profile.pillar_weights, evidenced, values, strict=True
    ):
        if gate is not None:
            total_weight += weight
            points += weight * value
    if not total_weight:
        return ZERO
    return points / total_weight


@lru_cache(maxsize=8192)
def _exact_score(points: int, scale: int) -> Decimal:
    """100 * points / scale as a Decimal; pillars repeat the same few pairs."""
    return HUNDRED * points / scale


def _min_or_none(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None
