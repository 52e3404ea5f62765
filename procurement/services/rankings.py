"""The ranking of a procurement's offers, read from the stored snapshots."""

from __future__ import annotations

from dataclasses import dataclass

from scoring import engine

from ..models import Assessment, Procurement


@dataclass(frozen=True)
class RankingRow:
    assessment: Assessment
    rank: int | None
    tied: bool

    @property
    def excluded(self) -> bool:
        return not self.assessment.eligible


@dataclass(frozen=True)
class Ranking:
    procurement: Procurement
    rows: tuple[RankingRow, ...]

    @property
    def eligible(self) -> tuple[RankingRow, ...]:
        return tuple(r for r in self.rows if not r.excluded)

    @property
    def excluded(self) -> tuple[RankingRow, ...]:
        return tuple(r for r in self.rows if r.excluded)

    @property
    def has_ties(self) -> bool:
        return any(r.tied for r in self.rows)


def rank_procurement(procurement: Procurement) -> Ranking:
    """Eligible offers by evidenced score, excluded ones below; ties stated.

    Reads only the stored snapshots: one query, whatever the number of offers.
    """
    assessments = list(
        procurement.assessments.select_related("offer__provider", "profile").order_by(
            "offer__provider__name", "offer__name", "pk"
        )
    )
    ranked = engine.rank(
        [
            engine.RankInput(a.pk, a.eligible, a.global_score, a.trust_level)
            for a in assessments
        ]
    )
    by_pk = {a.pk: a for a in assessments}
    return Ranking(
        procurement=procurement,
        rows=tuple(RankingRow(by_pk[r.key], r.rank, r.tied) for r in ranked),
    )
