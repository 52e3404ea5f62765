"""A procurement's adjustment of its profile, within the catalogue's bounds (pure).

Before a procurement opens, a lead may move the profile's pillar weights by
at most the catalogue's limit each (summing to the same total), and lower a
knock-out threshold (the brief's "French-law parity"), with a reason. The
engine then scores the procurement's offers under the adjusted profile:
``adjusted`` gives the catalogue spec with that one profile changed, so every
caller scores through the same code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal

from .engine import CatalogueSpec


@dataclasses.dataclass(frozen=True)
class Adjustment:
    weights: tuple[tuple[str, int], ...] = ()  # pillar -> weight; empty: the profile's
    thresholds: tuple[tuple[str, int], ...] = ()  # criterion -> lowered minimum

    @classmethod
    def of(cls, weights: Mapping[str, int], thresholds: Mapping[str, int]):
        return cls(tuple(sorted(weights.items())), tuple(sorted(thresholds.items())))

    def __bool__(self) -> bool:
        return bool(self.weights or self.thresholds)


_ADJUSTED: dict[tuple, tuple[CatalogueSpec, CatalogueSpec]] = {}


def adjusted(
    spec: CatalogueSpec, profile: str, adjustment: Adjustment
) -> CatalogueSpec:
    """The catalogue with that profile's weights and thresholds adjusted.

    Built once per (catalogue spec, profile, adjustment): the engine compiles
    a spec on first use, and a procurement's offers share theirs."""
    if not adjustment:
        return spec
    key = (id(spec), profile, adjustment)
    cached = _ADJUSTED.get(key)
    if cached is None or cached[0] is not spec:
        cached = _ADJUSTED[key] = (spec, _adjusted(spec, profile, adjustment))
    return cached[1]


def _adjusted(
    spec: CatalogueSpec, profile: str, adjustment: Adjustment
) -> CatalogueSpec:
    profiles = []
    for item in spec.profiles:
        if item.code == profile:
            weights = dict(item.pillar_weights)
            weights.update({code: Decimal(w) for code, w in adjustment.weights})
            thresholds = dict(item.thresholds)
            thresholds.update(dict(adjustment.thresholds))
            item = dataclasses.replace(
                item, pillar_weights=weights, thresholds=thresholds
            )
        profiles.append(item)
    return dataclasses.replace(spec, profiles=tuple(profiles))


def weight_problems(
    base: Mapping[str, Decimal | int], new: Mapping[str, int], limit: int
) -> list[str]:
    """Why new pillar weights are refused: unknown pillars, past the limit, sum."""
    problems = []
    if set(new) != set(base):
        problems.append(
            "Give a weight for every pillar of the profile, and only those."
        )
        return problems
    for code in sorted(base):
        if abs(Decimal(new[code]) - Decimal(base[code])) > limit:
            problems.append(
                f"{code}: {new[code]} moves more than {limit} points from {base[code]}."
            )
        if new[code] < 0:
            problems.append(f"{code}: a weight is not negative.")
    if sum(Decimal(w) for w in new.values()) != sum(Decimal(w) for w in base.values()):
        problems.append(
            f"The weights add up to {sum(Decimal(w) for w in base.values())}, "
            "as the profile's do."
        )
    return problems


def threshold_problems(base: Mapping[str, int], new: Mapping[str, int]) -> list[str]:
    """Why lowered thresholds are refused: not a knock-out of the profile, not lower."""
    problems = []
    for code, level in sorted(new.items()):
        if code not in base:
            problems.append(f"{code} is not a knock-out criterion of the profile.")
        elif not 0 <= level < base[code]:
            problems.append(
                f"{code}: only a lower threshold than {base[code]} can be set."
            )
    return problems
