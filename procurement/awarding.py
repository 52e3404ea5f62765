"""A procurement's award ranking: sovereignty, price and quality together.

Reads the procurement's award criteria, the offers' marks (one query each)
and the stored snapshots (eligibility, global score), then asks
``scoring.award``. None when the procurement has no award criteria: it ranks
on sovereignty alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from scoring import award

from .models import AwardCriterion, AwardMark
from .scorecards import ProcurementSummary
from .services import RankingRow


@dataclass(frozen=True)
class AwardRow:
    row: RankingRow  # the sovereignty ranking's row of the same offer
    line: award.AwardLine
    values: dict[str, Decimal | None]  # what was typed: price, quality marks

    def cells(self, criteria) -> list[dict]:
        """Per criterion: the typed value (a price), the mark out of 100."""
        return [
            {
                "criterion": c,
                "value": self.values.get(c.key),
                "mark": self.line.marks.get(c.key),
                "missing": c.key in self.line.missing,
            }
            for c in criteria
        ]


@dataclass(frozen=True)
class AwardRanking:
    criteria: tuple[AwardCriterion, ...]
    rows: tuple[AwardRow, ...]  # ranked, then the excluded offers

    @property
    def table(self) -> list[tuple[AwardRow, list[dict]]]:
        return [(row, row.cells(self.criteria)) for row in self.rows]

    @property
    def winners(self) -> tuple[AwardRow, ...]:
        return tuple(row for row in self.rows if row.line.rank == 1)


def award_ranking(summary: ProcurementSummary) -> AwardRanking | None:
    criteria = tuple(summary.procurement.award_criteria.all())
    if not criteria:
        return None
    rows = [row for row, _item in summary.rows]
    values: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    for mark in AwardMark.objects.filter(criterion__in=criteria):
        values[mark.assessment_id][str(mark.criterion_id)] = mark.value
    lines = award.award(
        [
            award.AwardCriterionSpec(
                c.key, c.kind, c.weight, c.formula or award.PROPORTIONAL
            )
            for c in criteria
        ],
        [
            award.OfferAwardInput(
                str(row.assessment.pk),
                not row.excluded,
                row.assessment.global_score,
                values[row.assessment.pk],
            )
            for row in rows
        ],
    )
    by_key = {str(row.assessment.pk): row for row in rows}
    return AwardRanking(
        criteria,
        tuple(
            AwardRow(by_key[line.key], line, values[int(line.key)]) for line in lines
        ),
    )
