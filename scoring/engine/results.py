"""What the engine gives back: a scorecard, explained criterion by criterion."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from .inputs import HUNDRED, ZERO, round_score


class CriterionResult(NamedTuple):
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


class PillarResult(NamedTuple):
    code: str
    core: bool
    weight: Decimal
    score: Decimal | None  # as evidenced; None when every criterion is N/A
    score_claimed: Decimal | None
    trust_level: int | None  # None when no assurance-relevant criterion applies


class KnockOut(NamedTuple):
    criterion: str
    required: int
    effective: int


class LazyTuple(Sequence):
    """A tuple made on first use, equal to the tuple it stands for.

    Most scorecards are ranked, compared or stored for their scores and never
    read criterion by criterion (the robustness draws, the sensitivity table):
    their 45 criterion results are not built until someone reads them.
    """

    __slots__ = ("_build", "_items")

    def __init__(self, build: Callable[[], tuple]):
        self._build: Callable[[], tuple] | None = build
        self._items: tuple | None = None

    def _tuple(self) -> tuple:
        if self._items is None:
            self._items = self._build()
            self._build = None
        return self._items

    def __getitem__(self, index):
        return self._tuple()[index]

    def __len__(self) -> int:
        return len(self._tuple())

    def __iter__(self) -> Iterator:
        return iter(self._tuple())

    def __eq__(self, other) -> bool:
        if isinstance(other, LazyTuple):
            other = other._tuple()
        return self._tuple() == other

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __repr__(self) -> str:
        return repr(self._tuple())

    def __reduce__(self):
        return (tuple, (self._tuple(),))


def unknown_share(results: Iterable[CriterionResult]) -> float:
    """The share (0-100) of these criteria's points left unknown (scored 0).

    What they could still gain once answered: charts hatch it.
    """
    total = missing = 0
    for result in results:
        if not result.not_applicable:
            total += result.weight
        if not result.answered:
            missing += result.weight
    return 100 * missing / total if total else 0.0


@dataclass(frozen=True)
class Scorecard:
    catalogue: str
    version: str
    profile: str
    criteria: Sequence[CriterionResult]  # a tuple, or a LazyTuple of one
    pillars: tuple[PillarResult, ...]
    global_score: Decimal
    global_score_claimed: Decimal
    trust_level: int | None
    eligible: bool
    knockouts: Sequence[KnockOut]  # the failed ones (a tuple, or a LazyTuple)
    eligibility: Mapping[str, bool]  # profile code -> eligible, laxest first
    highest_profile_passed: str | None
    binding_criteria: tuple[str, ...]
    evidence_gaps: tuple[str, ...]
    answered: int
    total: int
    # lists the knock-outs another profile fails, for knockouts_by_profile
    failing: Callable[[str], tuple[KnockOut, ...]] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def completeness(self) -> Decimal:
        """Share of criteria answered (a level or N/A), in percent."""
        if not self.total:
            return ZERO
        return round_score(HUNDRED * self.answered / self.total)

    @cached_property
    def unknown_by_pillar(self) -> dict[str, int]:
        """Pillar code -> criteria left unknown (scored 0, but shown apart)."""
        counts = dict.fromkeys((p.code for p in self.pillars), 0)
        for result in self.criteria:
            if not result.answered:
                counts[result.pillar] += 1
        return counts

    @cached_property
    def unknown_share_by_pillar(self) -> dict[str, float]:
        """Pillar code -> share (0-100) of its points held by unknown criteria."""
        by_pillar: dict[str, list[CriterionResult]] = {p.code: [] for p in self.pillars}
        for result in self.criteria:
            by_pillar[result.pillar].append(result)
        return {code: unknown_share(results) for code, results in by_pillar.items()}

    @property
    def unknown(self) -> int:
        """Criteria left unknown: scored 0 like a documented 0, counted apart."""
        return sum(self.unknown_by_pillar.values())

    def criterion(self, code: str) -> CriterionResult:
        return self._criteria_by_code[code]

    def pillar(self, code: str) -> PillarResult:
        return self._pillars_by_code[code]

    @cached_property
    def knockouts_by_profile(self) -> dict[str, tuple[KnockOut, ...]]:
        """Profile code -> the knock-outs it fails, laxest first (snapshots keep it)."""
        return {
            code: ()
            if ok
            else (self.knockouts if code == self.profile else self.failing(code))
            for code, ok in self.eligibility.items()
        }

    @cached_property
    def _criteria_by_code(self) -> dict[str, CriterionResult]:
        return {c.code: c for c in self.criteria}

    @cached_property
    def _pillars_by_code(self) -> dict[str, PillarResult]:
        return {p.code: p for p in self.pillars}


@dataclass(frozen=True)
class RankedEntry:
    key: object
    rank: int | None  # None for excluded entries
    tied: bool  # shares its rank with another eligible entry
