"""A catalogue laid out for scoring: every lookup a position, computed once.

``CatalogueSpec.compiled`` builds it on first use and keeps it; ``rules``
scores with it in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from .inputs import CatalogueSpec, PillarSpec, ScoringError


class CompiledProfile(NamedTuple):
    """A profile's rules by criterion and pillar position."""

    code: str
    thresholds: tuple[int | None, ...]  # per criterion; None: no knock-out
    knockout_positions: tuple[int, ...]  # catalogue order
    # (position, minimum, code, evidence types whose cap is below the minimum)
    knockouts: tuple[tuple[int, int, str, frozenset[str]], ...]
    evidence_caps: Mapping[str, int]
    pillar_weights: tuple[Decimal, ...]  # per pillar


class CompiledCatalogue(NamedTuple):
    """A catalogue laid out for scoring: every lookup a position, done once."""

    codes: tuple[str, ...]
    index: Mapping[str, int]  # criterion code -> position
    weights: tuple[int, ...]
    na_allowed: tuple[bool, ...]
    pillar_of: tuple[int, ...]  # criterion position -> pillar position
    pillars: tuple[PillarSpec, ...]
    pillar_codes: tuple[str, ...]
    criterion_pillars: tuple[str, ...]  # criterion position -> pillar code
    pillar_members: tuple[tuple[int, ...], ...]
    pillar_assurance: tuple[tuple[int, ...], ...]  # assurance-relevant members
    # per pillar: (position, code, core, weights, take, total weight, assurance take)
    pillar_rows: tuple[tuple, ...]
    core_pillars: tuple[int, ...]
    core_assurance: tuple[int, ...]  # assurance-relevant criteria of core pillars
    profiles: tuple[CompiledProfile, ...]  # laxest first
    evidence_types: frozenset[str]
    evidence_or_none: frozenset[str | None]
    evidence_order: tuple[str, ...]
    positions: list[int]  # 0, 1, ... one per criterion
    slug: str
    version: str

    def profile(self, code: str) -> CompiledProfile:
        for profile in self.profiles:
            if profile.code == code:
                return profile
        raise ScoringError(f"Unknown profile {code!r} in {self.slug} {self.version}.")


def compile_catalogue(catalogue: CatalogueSpec) -> CompiledCatalogue:
    """Lay a catalogue out by position; ``CatalogueSpec.compiled`` keeps the result."""
    codes = tuple(c.code for c in catalogue.criteria)
    pillar_codes = tuple(p.code for p in catalogue.pillars)
    pillar_position = {code: p for p, code in enumerate(pillar_codes)}
    pillar_of = tuple(pillar_position[c.pillar] for c in catalogue.criteria)
    relevant = catalogue.assurance_relevant
    members = tuple(
        tuple(i for i, of in enumerate(pillar_of) if of == p)
        for p in range(len(pillar_codes))
    )
    core_pillars = tuple(p for p, pillar in enumerate(catalogue.pillars) if pillar.core)
    assurance = tuple(
        tuple(i for i in group if codes[i] in relevant) for group in members
    )
    return CompiledCatalogue(
        codes=codes,
        index={code: i for i, code in enumerate(codes)},
        weights=tuple(c.weight for c in catalogue.criteria),
        na_allowed=tuple(c.na_allowed for c in catalogue.criteria),
        pillar_of=pillar_of,
        pillars=catalogue.pillars,
        pillar_codes=pillar_codes,
        criterion_pillars=tuple(c.pillar for c in catalogue.criteria),
        pillar_members=members,
        pillar_assurance=assurance,
        pillar_rows=tuple(
            (
                p,
                pillar.code,
                pillar.core,
                tuple(catalogue.criteria[i].weight for i in members[p]),
                _taker(members[p]),
                sum(catalogue.criteria[i].weight for i in members[p]),
                _taker(assurance[p]),
            )
            for p, pillar in enumerate(catalogue.pillars)
        ),
        core_pillars=core_pillars,
        core_assurance=tuple(
            i
            for i, code in enumerate(codes)
            if pillar_of[i] in core_pillars and code in relevant
        ),
        profiles=tuple(
            CompiledProfile(
                code=profile.code,
                thresholds=tuple(profile.thresholds.get(code) for code in codes),
                knockout_positions=tuple(
                    i for i, code in enumerate(codes) if code in profile.thresholds
                ),
                knockouts=tuple(
                    (
                        i,
                        profile.thresholds[code],
                        code,
                        frozenset(
                            evidence
                            for evidence, cap in profile.evidence_caps.items()
                            if cap < profile.thresholds[code]
                        ),
                    )
                    for i, code in enumerate(codes)
                    if code in profile.thresholds
                ),
                evidence_caps=dict(profile.evidence_caps),
                pillar_weights=tuple(
                    Decimal(profile.pillar_weights.get(code, 0))
                    for code in pillar_codes
                ),
            )
            for profile in catalogue.profiles
        ),
        evidence_types=frozenset(catalogue.evidence_types),
        evidence_or_none=frozenset({*catalogue.evidence_types, None}),
        positions=list(range(len(codes))),
        evidence_order=catalogue.evidence_types,
        slug=catalogue.slug,
        version=catalogue.version,
    )


def _taker(positions: tuple[int, ...]) -> Callable[[Sequence], tuple]:
    """A function giving the values at these positions of a list, as a tuple."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda values: tuple(values[i] for i in positions)
