"""What the engine is given: the catalogue's rules as plain data, and the answers.

Also the arithmetic conventions every score follows (levels 0-4, scores
rounded once, half up, to a tenth).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .compiled import CompiledCatalogue

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
    def compiled(self) -> CompiledCatalogue:
        """This catalogue laid out for ``score``, built on first use."""
        from .compiled import compile_catalogue

        return compile_catalogue(self)

    @cached_property
    def assurance_relevant(self) -> frozenset[str]:
        """Criteria with a knock-out in at least one profile; they set levels."""
        return frozenset(code for p in self.profiles for code in p.thresholds)

    def profile(self, code: str) -> ProfileSpec:
        for profile in self.profiles:
            if profile.code == code:
                return profile
        raise ScoringError(f"Unknown profile {code!r} in {self.slug} {self.version}.")


class AnswerInput(NamedTuple):
    criterion: str
    level: int | None = None  # None: unknown, scored as 0
    evidence: str | None = "declared"
    not_applicable: bool = False


@dataclass(frozen=True)
class RankInput:
    key: object  # the caller's id for the entry
    eligible: bool
    global_score: Decimal
    trust_level: int | None = None


def round_score(value: Decimal) -> Decimal:
    """Round once, half up, to a tenth: how every score leaves the engine."""
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
