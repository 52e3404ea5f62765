"""The panel's work and the award in an organisation's export, and back.

Seven flat lists after the assessments, each written a chunk at a time with
one query per chunk: the panel's seats, declarations, individual scores,
moderation decisions and comments; the award criteria and the offers' marks.
Rows name their procurement and assessment by the file's ids, users by
username and criteria by code, so that an import into another database maps
them to its own rows. An older file without these lists imports as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db.models import F

from ..models import (
    AwardCriterion,
    AwardMark,
    IndividualScore,
    ModerationDecision,
    Organisation,
    PanelComment,
    PanelReview,
    PanelSeat,
)
from .checks import refuse_nul
from .fields import ImportRefused, create_validated, iso, parse_datetime

LISTS = (
    "panel_seats",
    "panel_reviews",
    "individual_scores",
    "moderation_decisions",
    "panel_comments",
    "award_criteria",
    "award_marks",
)


def write_decisions(stream: IO[str], organisation: Organisation, chunks, write_array):
    """Each list as ``,"name":[...]``, after the assessments."""
    by_procurement = {"procurement__organisation": organisation}
    by_assessment = {"assessment__procurement__organisation": organisation}
    user = get_user_model().USERNAME_FIELD
    queries = {
        "panel_seats": (
            PanelSeat.objects.filter(**by_procurement).values(
                "pk",
                "procurement_id",
                f"user__{user}",
                "pillars",
                "moderator",
                "created_at",
            ),
            _plain,
        ),
        "panel_reviews": (
            PanelReview.objects.filter(**by_assessment).values(
                "pk",
                "assessment_id",
                f"evaluator__{user}",
                "conflict",
                "statement",
                "declared_at",
                "override_reason",
                f"overridden_by__{user}",
                "overridden_at",
                "submitted_at",
            ),
            _plain,
        ),
        "individual_scores": (
            IndividualScore.objects.filter(**by_assessment).values(
                "pk",
                "assessment_id",
                "criterion__code",
                f"evaluator__{user}",
                "level",
                "not_applicable",
                "evidence",
                "justification",
                "updated_at",
            ),
            _plain,
        ),
        "moderation_decisions": (
            ModerationDecision.objects.filter(**by_assessment).values(
                "pk",
                "assessment_id",
                "criterion__code",
                "level",
                "not_applicable",
                "evidence",
                "rationale",
                f"moderator__{user}",
                "decided_at",
            ),
            _plain,
        ),
        "panel_comments": (
            PanelComment.objects.filter(**by_assessment).values(
                "pk",
                "assessment_id",
                "criterion__code",
                f"author__{user}",
                "text",
                "created_at",
            ),
            _plain,
        ),
        "award_criteria": (
            AwardCriterion.objects.filter(**by_procurement).values(
                "pk",
                "id",
                "procurement_id",
                "kind",
                "name",
                "weight",
                "formula",
                "position",
            ),
            _plain,
        ),
        "award_marks": (
            AwardMark.objects.filter(**by_assessment).values(
                "pk",
                "assessment_id",
                "value",
                f"updated_by__{user}",
                "updated_at",
                award_criterion=F("criterion_id"),
            ),
            _plain,
        ),
    }
    for name in LISTS:
        queryset, shape = queries[name]
        stream.write(f',"{name}":')
        write_array(stream, (shape(row) for chunk in chunks(queryset) for row in chunk))


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """JSON's own types, plain keys (``assessment``, ``criterion``, ``evaluator``)."""
    plain = {}
    for key, value in row.items():
        if key == "pk":
            continue
        key = key.removesuffix("_id").split("__")[0]
        if hasattr(value, "isoformat"):
            value = iso(value)
        elif isinstance(value, Decimal):
            value = str(value)
        plain[key] = value
    return plain


def import_decisions(
    source, procurements: dict, assessments: dict, users: dict
) -> None:
    """Recreate the panel's work and the award under the imported rows."""
    criteria_cache: dict[int, dict] = {}

    def assessment_of(item):
        found = assessments.get(item.get("assessment"))
        if found is None:
            raise ImportRefused(
                f"A panel or award row names assessment {item.get('assessment')!r}, "
                "which the file does not hold; nothing was imported."
            )
        return found

    def criterion_of(assessment, code):
        if assessment.catalogue_id not in criteria_cache:
            criteria_cache[assessment.catalogue_id] = {
                c.code: c for c in assessment.catalogue.criteria.all()
            }
        found = criteria_cache[assessment.catalogue_id].get(code)
        if found is None:
            raise ImportRefused(
                f"Unknown criterion {str(code)[:20]!r}; nothing imported."
            )
        return found

    def user_of(name):
        found = users.get(name)
        if found is None:
            raise ImportRefused(
                f"The panel names {str(name)[:50]!r}, who is not a user here; "
                "nothing was imported."
            )
        return found

    for item in _items(source, "panel_seats"):
        create_validated(
            PanelSeat,
            procurement=procurements[item["procurement"]],
            user=user_of(item["user"]),
            pillars=list(item.get("pillars") or []),
            moderator=bool(item.get("moderator")),
        )
    for item in _items(source, "panel_reviews"):
        create_validated(
            PanelReview,
            assessment=assessment_of(item),
            evaluator=user_of(item["evaluator"]),
            conflict=item["conflict"],
            statement=item.get("statement") or "",
            declared_at=parse_datetime(item["declared_at"]),
            override_reason=item.get("override_reason") or "",
            overridden_by=users.get(item.get("overridden_by")),
            overridden_at=parse_datetime(item.get("overridden_at")),
            submitted_at=parse_datetime(item.get("submitted_at")),
        )
    for item in _items(source, "individual_scores"):
        assessment = assessment_of(item)
        score = create_validated(
            IndividualScore,
            assessment=assessment,
            criterion=criterion_of(assessment, item["criterion"]),
            evaluator=user_of(item["evaluator"]),
            level=item.get("level"),
            not_applicable=bool(item.get("not_applicable")),
            evidence=item["evidence"],
            justification=item.get("justification") or "",
        )
        _keep_time(IndividualScore, score, item.get("updated_at"), "updated_at")
    for item in _items(source, "moderation_decisions"):
        assessment = assessment_of(item)
        create_validated(
            ModerationDecision,
            assessment=assessment,
            criterion=criterion_of(assessment, item["criterion"]),
            level=item.get("level"),
            not_applicable=bool(item.get("not_applicable")),
            evidence=item["evidence"],
            rationale=item["rationale"],
            moderator=user_of(item["moderator"]),
            decided_at=parse_datetime(item["decided_at"]),
        )
    for item in _items(source, "panel_comments"):
        assessment = assessment_of(item)
        comment = create_validated(
            PanelComment,
            assessment=assessment,
            criterion=criterion_of(assessment, item["criterion"]),
            author=user_of(item["author"]),
            text=item["text"],
        )
        PanelComment.objects.filter(pk=comment.pk).update(
            created_at=parse_datetime(item["created_at"])
        )
    award_ids = {}
    for item in _items(source, "award_criteria"):
        created = create_validated(
            AwardCriterion,
            procurement=procurements[item["procurement"]],
            kind=item["kind"],
            name=item["name"],
            weight=item["weight"],
            formula=item.get("formula") or "",
            position=item.get("position") or 0,
        )
        award_ids[item["id"]] = created
    for item in _items(source, "award_marks"):
        mark = create_validated(
            AwardMark,
            assessment=assessment_of(item),
            criterion=award_ids[item["award_criterion"]],
            value=Decimal(item["value"]),
            updated_by=users.get(item.get("updated_by")),
        )
        _keep_time(AwardMark, mark, item.get("updated_at"), "updated_at")


def _keep_time(model, row, moment: str | None, field: str) -> None:
    """The exported time, over the one the database set on insert."""
    if moment:
        model.objects.filter(pk=row.pk).update(**{field: parse_datetime(moment)})


def _items(source, name: str) -> Iterator[dict[str, Any]]:
    for item in source.items(name):
        refuse_nul(item, name)
        yield item
