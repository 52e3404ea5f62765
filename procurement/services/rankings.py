"""The ranking of a procurement's offers, read from the stored snapshots.

Withdrawn offers leave the ranking and are listed apart. Until every ranked
assessment is approved the ranking is provisional, and each row says its
status, so a draft that ranks first is seen for what it is.
"""

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

    @property
    def status(self) -> str:
        return self.assessment.status

    @property
    def is_draft(self) -> bool:
        return self.assessment.status == Assessment.Status.DRAFT


@dataclass(frozen=True)
class Ranking:
    procurement: Procurement
    rows: tuple[RankingRow, ...]
    withdrawn: tuple[Assessment, ...] = ()

    @property
    def provisional(self) -> bool:
        """True until every ranked assessment is approved."""
        return any(r.status != Assessment.Status.APPROVED for r in self.rows)

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
    everything = list(
        procurement.assessments.select_related(
            "offer__provider", "profile", "submitted_by", "approved_by"
        )
        # Every criterion's result is for one scorecard (or the matrix, which
        # reads it apart): the largest field of the row, and never ranked.
        .defer("criterion_results")
        .order_by("offer__provider__name", "offer__name", "pk")
    )
    withdrawn = tuple(a for a in everything if a.status == Assessment.Status.WITHDRAWN)
    assessments = [a for a in everything if a.status != Assessment.Status.WITHDRAWN]
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
        withdrawn=withdrawn,
    )
