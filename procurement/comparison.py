"""All offers side by side: a matrix of criteria by offers.

Each cell is the engine's result for one criterion of one offer (level as
claimed, effective level after the evidence cap, evidence type, failed
knock-out), so the page and the workbook show what the scorecards show. A
row "differs" when two offers do not reach the same effective level (or one
is not applicable): the filter a panel uses to look only where the offers
part. ``procurement_matrix`` loads the answers of every offer in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from scoring import engine
from scoring.models import Criterion

from .models import Answer, Assessment, Procurement
from .services import Ranking, rank_procurement


class Cell(NamedTuple):
    # A tuple rather than a dataclass: a page of 50 offers makes thousands.
    result: engine.CriterionResult

    @property
    def fails_knockout(self) -> bool:
        return self.result.passes_knockout is False

    @property
    def key(self) -> tuple:
        return (self.result.not_applicable, self.result.effective_level)


@dataclass(frozen=True)
class MatrixRow:
    criterion: Criterion
    threshold: int | None
    cells: tuple[Cell, ...]

    @property
    def differs(self) -> bool:
        return len({cell.key for cell in self.cells}) > 1


@dataclass(frozen=True)
class Matrix:
    offers: tuple[Assessment, ...]  # in ranking order
    rows: tuple[MatrixRow, ...]

    def only_differences(self) -> Matrix:
        return Matrix(self.offers, tuple(row for row in self.rows if row.differs))

    @property
    def differing(self) -> int:
        return sum(1 for row in self.rows if row.differs)


class Stored(NamedTuple):
    """An offer's criterion results as stored at its last save: what ``matrix``
    reads of a scorecard."""

    criteria: tuple[engine.CriterionResult, ...]


def matrix(
    criteria: Sequence[Criterion],
    offers: Sequence[tuple[Assessment, engine.Scorecard]],
) -> Matrix:
    """Lay scorecards out criterion by criterion, in the catalogue's order."""
    results = [
        {result.code: result for result in scorecard.criteria}
        for _assessment, scorecard in offers
    ]
    rows = []
    for criterion in criteria:
        cells = tuple(Cell(by_code[criterion.code]) for by_code in results)
        threshold = cells[0].result.threshold if cells else None
        rows.append(MatrixRow(criterion, threshold, cells))
    return Matrix(tuple(assessment for assessment, _card in offers), tuple(rows))


def procurement_matrix(
    procurement: Procurement, ranking: Ranking | None = None
) -> Matrix:
    """The ranked offers of a procurement side by side (a fixed number of queries).

    Each offer's results are the ones stored at its last save
    (``Assessment.criterion_results``); the engine scores from the answers
    only an offer whose snapshot is older than that. ``ranking``, when the
    caller has it, spares ranking the offers again.
    """
    ranking = ranking or rank_procurement(procurement)
    assessments = [row.assessment for row in ranking.rows]
    stored = dict(
        Assessment.objects.filter(pk__in=[a.pk for a in assessments]).values_list(
            "pk", "criterion_results"
        )
    )
    older = {a.pk for a in assessments if not stored.get(a.pk)}
    answers: dict[int, list[engine.AnswerInput]] = defaultdict(list)
    rows = Answer.objects.filter(assessment__in=older).values_list(
        "assessment_id", "criterion__code", "level", "evidence", "not_applicable"
    )
    for assessment_id, code, level, evidence, not_applicable in rows if older else ():
        answers[assessment_id].append(
            engine.AnswerInput(code, level, evidence, not_applicable)
        )
    spec = procurement.scoring_spec() if older else None
    criteria = list(procurement.catalogue.with_method().criteria.all())
    return matrix(
        criteria,
        [
            (
                a,
                engine.score(spec, procurement.profile.code, answers[a.pk])
                if a.pk in older
                else Stored(
                    tuple(engine.CriterionResult(*row) for row in stored[a.pk])
                ),
            )
            for a in assessments
        ],
    )
