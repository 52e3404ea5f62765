"""The award decision: price and quality beside sovereignty (pure, no ORM).

Public procurement awards the most economically advantageous tender on
criteria and weights published in advance. Offers that fail a knock-out are
out first; the others get a mark out of 100 on each award criterion:

- sovereignty: the engine's global score as evidenced;
- price, by the formula the tender states (``PRICE_FORMULAS``), computed
  against the eligible offers only, so an excluded offer's low price moves
  nobody's mark;
- other quality criteria: the buyer's mark, 0 to 100.

The award score is the weighted sum of the marks (weights summing to 100),
rounded once to a hundredth; equal scores share a rank. A missing mark
counts as 0 and is flagged, as an unknown answer is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SOVEREIGNTY, PRICE, QUALITY = "sovereignty", "price", "quality"
PROPORTIONAL, LINEAR_LOWEST, LINEAR_RANGE = (
    "proportional",
    "linear_lowest",
    "linear_range",
)
PRICE_FORMULAS = (PROPORTIONAL, LINEAR_LOWEST, LINEAR_RANGE)
HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


def price_marks(
    prices: Mapping[str, Decimal | None], formula: str
) -> dict[str, Decimal | None]:
    """Each price's mark out of 100 under the tender's formula.

    proportional: 100 x lowest / price. linear_lowest: 100 x (1 - (price -
    lowest) / lowest), not below 0. linear_range: 100 x (highest - price) /
    (highest - lowest), 100 for all when every price is the same.
    """
    given = {key: price for key, price in prices.items() if price is not None}
    marks: dict[str, Decimal | None] = dict.fromkeys(prices)
    if not given:
        return marks
    lowest, highest = min(given.values()), max(given.values())
    for key, price in given.items():
        if formula == PROPORTIONAL:
            mark = HUNDRED if price == 0 else HUNDRED * lowest / price
        elif formula == LINEAR_LOWEST:
            mark = (
                HUNDRED
                if lowest == 0 and price == 0
                else (
                    Decimal(0)
                    if lowest == 0
                    else max(Decimal(0), HUNDRED * (1 - (price - lowest) / lowest))
                )
            )
        elif formula == LINEAR_RANGE:
            mark = (
                HUNDRED
                if highest == lowest
                else HUNDRED * (highest - price) / (highest - lowest)
            )
        else:
            raise ValueError(f"Unknown price formula: {formula}")
        marks[key] = mark
    return marks


@dataclass(frozen=True)
class AwardCriterionSpec:
    key: str
    kind: str  # SOVEREIGNTY, PRICE or QUALITY
    weight: int
    formula: str = PROPORTIONAL  # price only


@dataclass(frozen=True)
class OfferAwardInput:
    key: str
    eligible: bool
    sovereignty: Decimal
    values: Mapping[str, Decimal | None]  # price or quality mark, by criterion key


@dataclass(frozen=True)
class AwardLine:
    key: str
    eligible: bool
    marks: Mapping[str, Decimal | None]  # by criterion key, before weighting
    missing: tuple[str, ...]  # criterion keys without a value (scored 0)
    total: Decimal | None  # None when excluded
    rank: int | None = None
    tied: bool = False


def award(
    criteria: Sequence[AwardCriterionSpec], offers: Sequence[OfferAwardInput]
) -> list[AwardLine]:
    """Award scores and ranks: eligible offers by total, then the excluded ones."""
    eligible = [offer for offer in offers if offer.eligible]
    price_tables = {
        c.key: price_marks({o.key: o.values.get(c.key) for o in eligible}, c.formula)
        for c in criteria
        if c.kind == PRICE
    }
    lines = []
    for offer in offers:
        marks: dict[str, Decimal | None] = {}
        for criterion in criteria:
            if criterion.kind == SOVEREIGNTY:
                marks[criterion.key] = offer.sovereignty
            elif criterion.kind == PRICE:
                marks[criterion.key] = (
                    price_tables[criterion.key].get(offer.key)
                    if offer.eligible
                    else None
                )
            else:
                marks[criterion.key] = offer.values.get(criterion.key)
        missing = tuple(
            c.key
            for c in criteria
            if c.kind != SOVEREIGNTY and offer.values.get(c.key) is None
        )
        total = None
        if offer.eligible:
            total = sum(
                (
                    Decimal(c.weight) * (marks[c.key] or Decimal(0)) / HUNDRED
                    for c in criteria
                ),
                Decimal(0),
            ).quantize(PLACES, ROUND_HALF_UP)
        lines.append(AwardLine(offer.key, offer.eligible, marks, missing, total))
    return _ranked(lines)


def _ranked(lines: list[AwardLine]) -> list[AwardLine]:
    ordered = sorted(lines, key=lambda line: (not line.eligible, -(line.total or 0)))
    totals = [line.total for line in ordered if line.eligible]
    ranked = []
    for line in ordered:
        if not line.eligible:
            ranked.append(line)
            continue
        rank = totals.index(line.total) + 1
        ranked.append(
            AwardLine(
                line.key,
                line.eligible,
                line.marks,
                line.missing,
                line.total,
                rank,
                totals.count(line.total) > 1,
            )
        )
    return ranked
