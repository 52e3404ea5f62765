"""How robust a procurement's ranking is: the engine's answers for one procurement.

Reads the stored snapshots (pillar scores of every eligible offer) and the
answers of the first two offers only (not again while neither is saved), then
asks ``scoring.robustness``: the
smallest shift of pillar weights that ties the two, the share of weight
draws each offer wins, and the single answers one level away that would
change who is first. A fixed number of queries whatever the number of offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from scoring import robustness

from .scorecards import ProcurementSummary
from .services import RankingRow

DRAWS = 1000
SPREAD = 0.25
SEED = 2014  # stated on the page, so that anyone can draw the same weights


@dataclass(frozen=True)
class DrawLine:
    row: RankingRow
    share: float

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass(frozen=True)
class Robustness:
    winner: RankingRow
    runner_up: RankingRow
    lead: Decimal  # global score points, as ranked
    swap: robustness.Swap | None
    draws: tuple[DrawLine, ...]  # eligible offers, most first places first
    decisive: tuple[robustness.DecisiveAnswer, ...]
    pillar_names: dict[str, str]

    @property
    def moves(self) -> list[dict]:
        """Each move of the swap, in words' parts, rounded to a hundredth."""
        return [
            {
                "source": move.source,
                "source_name": self.pillar_names.get(move.source, move.source),
                "target": move.target,
                "target_name": self.pillar_names.get(move.target, move.target),
                "points": _hundredths(move.points),
            }
            for move in (self.swap.moves if self.swap else ())
        ]

    @property
    def spread_percent(self) -> int:
        return round(SPREAD * 100)

    @property
    def draw_count(self) -> int:
        return DRAWS

    @property
    def seed(self) -> int:
        return SEED


def procurement_robustness(summary: ProcurementSummary) -> Robustness | None:
    """None until two offers are eligible: with one, nothing can overtake it."""
    eligible = [(row, item) for row, item in summary.rows if not row.excluded]
    if len(eligible) < 2:
        return None
    pillars = list(summary.catalogue.pillars.all())
    codes = [p.code for p in pillars]
    spec = summary.procurement.scoring_spec()
    profile = next(p for p in spec.profiles if p.code == summary.profile.code)
    weights = {code: profile.pillar_weights.get(code, 0) for code in codes}
    scores = {
        row.assessment.pk: {code: item.pillar_score(code) for code in codes}
        for row, item in eligible
    }
    (winner, first), (runner_up, second) = eligible[0], eligible[1]
    shares = _weight_draws(
        tuple(weights.items()),
        tuple((pk, tuple(pillars.items())) for pk, pillars in scores.items()),
    )
    by_pk = {row.assessment.pk: row for row, _item in eligible}
    draws = sorted(
        (DrawLine(by_pk[pk], share) for pk, share in shares.first.items()),
        key=lambda line: (-line.share, line.row.rank or 0),
    )
    decisive = _decisive_answers(summary, winner.assessment, runner_up.assessment)
    return Robustness(
        winner,
        runner_up,
        first.global_score - second.global_score,
        robustness.smallest_swap(
            weights, scores[winner.assessment.pk], scores[runner_up.assessment.pk]
        ),
        tuple(draws),
        decisive,
        {p.code: p.name for p in pillars},
    )


@lru_cache(maxsize=256)
def _weight_draws(weights: tuple, scores: tuple) -> robustness.DrawShares:
    """``robustness.weight_draws``, kept per input in each process: the same
    stored scores draw the same shares, and a page is read many times
    between two saves. Any change of a score or weight is another input."""
    return robustness.weight_draws(
        dict(weights),
        {pk: dict(pillars) for pk, pillars in scores},
        draws=DRAWS,
        spread=SPREAD,
        seed=SEED,
    )


# Decisive answers per (catalogue, profile, adjustment, and each of the two
# offers' snapshot: id, version and time of the last save), in each process.
_DECISIVE: dict[tuple, tuple[robustness.DecisiveAnswer, ...]] = {}
_DECISIVE_KEPT = 256


def _decisive_answers(summary, winner, runner_up) -> tuple:
    """``robustness.decisive_answers`` of the first two offers, kept until
    either is saved again or the procurement's scoring changes.

    Every write of an answer stores a new snapshot (``apply_snapshot`` sets
    ``scored_at``, and the version moves), so the key changes with the
    answers; the rest of the page reads the same snapshots. An offer without
    a snapshot time is always computed afresh.
    """
    procurement = summary.procurement
    key = (
        procurement.catalogue.content_hash,
        summary.profile.code,
        procurement.adjustment,
        *(
            (a.pk, a.version, a.scored_at and a.scored_at.isoformat())
            for a in (winner, runner_up)
        ),
    )
    cacheable = winner.scored_at is not None and runner_up.scored_at is not None
    found = _DECISIVE.get(key) if cacheable else None
    if found is None:
        found = tuple(
            robustness.decisive_answers(
                procurement.scoring_spec(),
                summary.profile.code,
                winner.answer_inputs(),
                runner_up.answer_inputs(),
            )
        )
        if cacheable:
            if len(_DECISIVE) >= _DECISIVE_KEPT:
                _DECISIVE.clear()
            _DECISIVE[key] = found
    return found


def _hundredths(value) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01")
    )
