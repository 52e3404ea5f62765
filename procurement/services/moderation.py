"""What the moderation screen reads: every submitted score of each criterion.

Read-only, a fixed number of queries whatever the number of evaluators;
``panel`` holds the writes and re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.models import Criterion
from scoring.spread import Spread, spread

from ..models import Assessment, IndividualScore, ModerationDecision, PanelComment


@dataclass(frozen=True)
class ModerationRow:
    """One criterion on the moderation screen: every score, the spread, the thread."""

    criterion: Criterion
    scores: tuple[IndividualScore, ...]
    spread: Spread
    decision: ModerationDecision | None
    comments: tuple[PanelComment, ...]


def moderation_rows(
    assessment: Assessment, *, pillar: str | None = None
) -> list[ModerationRow]:
    """Each criterion with the submitted scores side by side (a fixed number of
    queries whatever the number of evaluators)."""
    criteria = (
        Criterion.objects.filter(catalogue_id=assessment.catalogue_id)
        .select_related("pillar")
        .prefetch_related("knockouts__profile")
        .order_by("pillar__position", "position")
    )
    if pillar:
        criteria = criteria.filter(pillar__code=pillar)
    submitted = set(
        assessment.panel_reviews.filter(submitted_at__isnull=False).values_list(
            "evaluator_id", flat=True
        )
    )
    scores: dict[int, list[IndividualScore]] = {}
    for score in IndividualScore.objects.filter(
        assessment=assessment, evaluator_id__in=submitted
    ).select_related("evaluator"):
        scores.setdefault(score.criterion_id, []).append(score)
    decisions: dict[int, ModerationDecision] = {}
    for decision in assessment.moderation_decisions.select_related(
        "moderator"
    ).order_by("decided_at", "pk"):
        decisions[decision.criterion_id] = decision  # the latest wins
    comments: dict[int, list[PanelComment]] = {}
    for comment in assessment.panel_comments.select_related("author"):
        comments.setdefault(comment.criterion_id, []).append(comment)
    rows = []
    for criterion in criteria:
        given = scores.get(criterion.pk, [])
        rows.append(
            ModerationRow(
                criterion,
                tuple(given),
                spread(
                    [s.level for s in given if not s.not_applicable],
                    [(k.profile.code, k.min_level) for k in criterion.knockouts.all()],
                ),
                decisions.get(criterion.pk),
                tuple(comments.get(criterion.pk, ())),
            )
        )
    return rows
