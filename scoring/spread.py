"""How far a panel's evaluators are apart on one criterion (pure, no ORM).

Moderation highlights a criterion whose individual levels are two or more
apart, or fall on both sides of a knock-out threshold of any profile: there
the consensus decides whether the offer is excluded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """How far apart the evaluators are on one criterion."""

    levels: tuple[int | None, ...]
    wide: bool  # two levels or more apart
    thresholds: tuple[tuple[str, int], ...]  # (profile, threshold) they straddle

    @property
    def flagged(self) -> bool:
        return self.wide or bool(self.thresholds)


def spread(
    levels: Sequence[int | None], thresholds: Sequence[tuple[str, int]]
) -> Spread:
    """Levels two or more apart, or on both sides of a profile's threshold.

    An unknown level scores 0, so it counts as 0 here; not applicable
    (given as None with no level) is left out by the caller.
    """
    numbers = [0 if level is None else level for level in levels]
    if len(numbers) < 2:
        return Spread(tuple(levels), False, ())
    low, high = min(numbers), max(numbers)
    straddled = tuple(
        (profile, threshold)
        for profile, threshold in thresholds
        if low < threshold <= high
    )
    return Spread(tuple(levels), high - low >= 2, straddled)
