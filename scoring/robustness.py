"""Would the winner change? Three answers, from the engine's own numbers (no ORM).

A ranking that flips when a weight moves by two points invites a challenge.
For the first and second eligible offers of a ranking:

- ``smallest_swap``: the fewest weight points that, moved between pillars
  (the weights still summing to the same total), make the runner-up catch up
  with the winner; exact (fractions), with the moves that do it. Only pillars
  that both offers are scored on take part, so that the global score stays a
  plain weighted mean of their pillar scores.
- ``weight_draws``: in how many random draws of the weights, each within
  +/- ``spread`` of its value and renormalised, each offer ranks first;
  seeded, so the same seed gives the same shares.
- ``decisive_answers``: which single answer of the winner (one level lower)
  or of the runner-up (one level higher) would change who is first, by score
  or by a knock-out.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .engine import AnswerInput, CatalogueSpec, score

Scores = Mapping[str, Decimal | None]


def weighted_mean(weights: Mapping[str, Fraction], scores: Scores) -> Fraction:
    """The global score as the engine weighs it: over the pillars scored."""
    total = points = Fraction(0)
    for code, weight in weights.items():
        value = scores.get(code)
        if value is not None:
            total += weight
            points += weight * Fraction(value)
    return points / total if total else Fraction(0)


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    points: Fraction


@dataclass(frozen=True)
class Swap:
    """The smallest shift of weights at which the runner-up ties the winner."""

    points: Fraction  # weight points moved in all
    moves: tuple[Move, ...]
    weights: Mapping[str, Fraction]  # the weights after the moves

    @property
    def points_rounded(self) -> Decimal:
        return (
            Decimal(self.points.numerator) / Decimal(self.points.denominator)
        ).quantize(Decimal("0.01"))


def smallest_swap(
    weights: Mapping[str, Decimal | int], winner: Scores, runner_up: Scores
) -> Swap | None:
    """The fewest points of weight to move for the runner-up to tie the winner.

    Each point moved from pillar i to pillar j changes the winner's lead by a
    constant (``edge[j] - edge[i]``, each offer's pillar score over the weight
    of the pillars it is scored on): the cheapest way
    takes weight from the pillars that favour the winner most and gives it all
    to the one that favours the runner-up most (a fractional knapsack, so the
    greedy order is optimal). A pillar only one offer is scored on keeps its
    weight. None when no shift of weights can do it.
    """
    exact = {code: Fraction(weights[code]) for code in weights}
    lead = weighted_mean(exact, winner) - weighted_mean(exact, runner_up)
    if lead <= 0:
        return Swap(Fraction(0), (), exact)
    shared = [
        c for c in exact if winner.get(c) is not None and runner_up.get(c) is not None
    ]
    # Weight moved between shared pillars leaves each offer's total weight as
    # it is, so each point moved changes the lead by a constant: e[j] - e[i].
    winner_total = sum(w for c, w in exact.items() if winner.get(c) is not None)
    runner_total = sum(w for c, w in exact.items() if runner_up.get(c) is not None)
    edge = {
        c: Fraction(winner[c]) / winner_total - Fraction(runner_up[c]) / runner_total
        for c in shared
    }
    if not shared:
        return None
    target = min(shared, key=lambda c: (edge[c], c))
    needed, moved, moves = lead, Fraction(0), []
    for source in sorted(shared, key=lambda c: (-edge[c], c)):
        per_point = edge[source] - edge[target]
        if needed <= 0 or per_point <= 0:
            break
        points = min(exact[source], needed / per_point)
        if points > 0:
            moves.append(Move(source, target, points))
            moved += points
            needed -= points * per_point
    if needed > 0:
        return None
    after = dict(exact)
    for move in moves:
        after[move.source] -= move.points
        after[move.target] += move.points
    return Swap(moved, tuple(moves), after)


@dataclass(frozen=True)
class DrawShares:
    draws: int
    seed: int
    spread: float
    first: Mapping[str, float]  # offer -> share of draws where it ranks first


def weight_draws(
    weights: Mapping[str, Decimal | int],
    offers: Mapping[str, Scores],
    *,
    draws: int = 1000,
    spread: float = 0.25,
    seed: int = 2014,
) -> DrawShares:
    """How often each offer ranks first when every weight moves within +/- spread.

    Each draw multiplies each weight by a uniform factor in [1 - spread,
    1 + spread] and renormalises to the same total. A tie for first shares the
    draw between the tied offers.

    An offer that another offer beats under every weights the draws can give
    (``_never_first``) never ranks first: it takes no part in the draws, which
    then cost a few offers instead of all of them, with the same shares.
    """
    generator = random.Random(seed)
    codes = list(weights)
    base = [float(weights[c]) for c in codes]
    total = sum(base)
    table = {
        label: [None if s.get(c) is None else float(s[c]) for c in codes]
        for label, s in offers.items()
    }
    contenders = _contenders(table, base, spread)
    wins = dict.fromkeys(offers, 0.0)
    for _draw in range(draws):
        drawn = [w * generator.uniform(1 - spread, 1 + spread) for w in base]
        scale = total / sum(drawn) if sum(drawn) else 0
        drawn = [w * scale for w in drawn]
        means = {label: _float_mean(drawn, table[label]) for label in contenders}
        best = max(means.values(), default=0)
        leaders = [label for label, mean in means.items() if abs(mean - best) < 1e-9]
        for label in leaders:
            wins[label] += 1 / len(leaders)
    return DrawShares(
        draws, seed, spread, {label: won / draws for label, won in wins.items()}
    )


# How far below another offer, in global score points, an offer must stay
# under every draw to be left out: far above the 1e-9 that makes a tie and
# the rounding of floats, far below a tenth of a point times any weight.
_CLEAR_MARGIN = 1e-6


def _contenders(
    table: Mapping[str, list[float | None]], base: list[float], spread: float
) -> list[str]:
    """The offers that may rank first in some draw, in the order given.

    Offer B is left out when an offer A scored on the same pillars beats it
    by more than ``_CLEAR_MARGIN`` under every weights within the spread:
    with d = A - B per pillar, the weighted sum of d is smallest with each
    weight at its low end where d > 0 and its high end where d < 0, and the
    mean divides it by at most the pillars' highest total weight. Draws are
    renormalised by a common factor, which changes no sign. Checked against
    the offers kept so far, the best at the base weights first.
    """
    if not sum(base) > 0:
        return list(table)  # every weight zero: every offer ties
    low, high = 1 - spread, 1 + spread

    def beats(a: list[float | None], b: list[float | None]) -> bool:
        least = most = 0.0
        for weight, x, y in zip(base, a, b, strict=True):
            if (x is None) != (y is None):
                return False
            if x is None:
                continue
            most += weight * high
            d = x - y
            least += weight * (low if d > 0 else high) * d
        return most > 0 and least / most > _CLEAR_MARGIN

    ordered = sorted(table, key=lambda label: -_float_mean(base, table[label]))
    kept: list[str] = []
    for label in ordered:
        if not any(beats(table[other], table[label]) for other in kept):
            kept.append(label)
    keep = set(kept)
    return [label for label in table if label in keep]


def _float_mean(weights: Sequence[float], values: Sequence[float | None]) -> float:
    total = points = 0.0
    for weight, value in zip(weights, values, strict=True):
        if value is not None:
            total += weight
            points += weight * value
    return points / total if total else 0.0


@dataclass(frozen=True)
class DecisiveAnswer:
    offer: str  # "winner" or "runner_up"
    criterion: str
    level: int  # the level it moves to
    winner_score: Decimal
    runner_up_score: Decimal
    winner_eligible: bool
    runner_up_eligible: bool


def decisive_answers(
    catalogue: CatalogueSpec,
    profile: str,
    winner: Sequence[AnswerInput],
    runner_up: Sequence[AnswerInput],
) -> list[DecisiveAnswer]:
    """Single answers that, one level away, would put the runner-up level or ahead."""
    found = []
    winner_card = score(catalogue, profile, winner)
    runner_card = score(catalogue, profile, runner_up)
    for label, answers, step in (("winner", winner, -1), ("runner_up", runner_up, 1)):
        for index, answer in enumerate(answers):
            if answer.not_applicable:
                continue
            level = (answer.level or 0) + step
            if not 0 <= level <= 4:
                continue
            moved = list(answers)
            moved[index] = answer._replace(level=level)
            card = score(catalogue, profile, moved)
            first, second = (
                (card, runner_card) if label == "winner" else (winner_card, card)
            )
            if _runner_up_level_or_ahead(first, second):
                found.append(
                    DecisiveAnswer(
                        label,
                        answer.criterion,
                        level,
                        first.global_score,
                        second.global_score,
                        first.eligible,
                        second.eligible,
                    )
                )
    return found


def _runner_up_level_or_ahead(winner, runner_up) -> bool:
    if not runner_up.eligible:
        return False
    if not winner.eligible:
        return True
    return runner_up.global_score >= winner.global_score
