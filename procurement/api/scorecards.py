"""The full scorecard of an assessment as the API shows it (``.../scorecard/``).

Every number comes from the engine, as stored at the last save
(``scorecards.stored_report``) or computed afresh (``assessment_report``);
these serializers only name them and document the body. ``scorecard_body``
writes the same body without DRF's serializer machinery, which cost more than
everything else in the request: tests check the two agree. ``KnockOutSerializer``
is shared with the ranking.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from ..models import Answer
from .fields import level_field, score_field, score_number, weight_number


class CatalogueRefSerializer(serializers.Serializer):
    """A catalogue version, the same shape wherever the API names one."""

    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    version = serializers.CharField()


class KnockOutSerializer(serializers.Serializer):
    """A failed knock-out: the criterion's effective level is below the minimum."""

    criterion = serializers.CharField(source="criterion.code")
    name = serializers.CharField(source="criterion.name")
    required = level_field()
    effective = level_field()
    reason = serializers.CharField(source="text")


class PillarLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    core = serializers.BooleanField(source="result.core")
    weight = serializers.DecimalField(
        source="result.weight", max_digits=5, decimal_places=2, coerce_to_string=False
    )
    score = score_field(source="result.score", allow_null=True)
    score_claimed = score_field(source="result.score_claimed", allow_null=True)
    trust_level = level_field(source="result.trust_level", allow_null=True)


class CriterionLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    pillar = serializers.CharField(source="result.pillar")
    weight = serializers.IntegerField(source="result.weight")
    level = level_field(source="result.level", allow_null=True)
    not_applicable = serializers.BooleanField(source="result.not_applicable")
    evidence = serializers.ChoiceField(
        choices=Answer.Evidence.choices, source="result.evidence", allow_null=True
    )
    effective_level = level_field(source="result.effective_level", allow_null=True)
    capped = serializers.BooleanField(source="result.capped")
    threshold = level_field(source="result.threshold", allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    """The engine's full explanation of an ``AssessmentReport``."""

    assessment = serializers.IntegerField(source="assessment.pk")
    catalogue = CatalogueRefSerializer()
    profile = serializers.CharField(source="profile.code")
    global_score = score_field(source="scorecard.global_score")
    global_score_claimed = score_field(source="scorecard.global_score_claimed")
    trust_level = level_field(source="scorecard.trust_level", allow_null=True)
    trust_level_meaning = serializers.CharField(source="trust_meaning")
    eligible = serializers.BooleanField(source="scorecard.eligible")
    highest_profile_passed = serializers.CharField(
        source="scorecard.highest_profile_passed", allow_null=True
    )
    knockouts = KnockOutSerializer(many=True)
    pillars = PillarLineSerializer(many=True)
    criteria = CriterionLineSerializer(many=True)
    binding_criteria = serializers.ListField(
        child=serializers.CharField(), source="scorecard.binding_criteria"
    )
    evidence_gaps = serializers.ListField(
        child=serializers.CharField(), source="scorecard.evidence_gaps"
    )
    completeness = score_field(source="scorecard.completeness")
    answered = serializers.IntegerField(source="scorecard.answered")
    total = serializers.IntegerField(source="scorecard.total")


NOT_MODIFIED = OpenApiResponse(
    description="Not modified: the scorecard is still the one whose `ETag` the "
    "request sent in `If-None-Match`. No body."
)

# Raise when the body's shape changes, so that no client keeps an old one.
BODY_FORMAT = 1


def scorecard_etag(assessment, catalogue) -> str:
    """What the body depends on: the stored snapshot, the language, the method."""
    key = "|".join(
        str(part)
        for part in (
            BODY_FORMAT,
            assessment.pk,
            assessment.version,
            assessment.scored_at.isoformat() if assessment.scored_at else "",
            (get_language() or "en")[:2],
            catalogue.pk,
            catalogue.content_hash,
        )
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f'"{digest}"'


def catalogue_ref(catalogue) -> dict[str, Any]:
    """``CatalogueRefSerializer(catalogue).data``, by hand."""
    return {
        "id": catalogue.pk,
        "slug": str(catalogue.slug),
        "version": str(catalogue.version),
    }


def knockout_body(line) -> dict[str, Any]:
    """``KnockOutSerializer(line).data``, by hand (the scorecard, the ranking)."""
    return {
        "criterion": str(line.criterion.code),
        "name": str(line.criterion.name),
        "required": line.required,
        "effective": line.effective,
        "reason": str(line.text),
    }


def scorecard_body(report) -> dict[str, Any]:
    """``ScorecardSerializer(report).data``, written out by hand."""
    card = report.scorecard
    names = report.catalogue.names()
    return {
        "assessment": report.assessment.pk,
        "catalogue": catalogue_ref(report.catalogue),
        "profile": str(report.profile.code),
        "global_score": score_number(card.global_score),
        "global_score_claimed": score_number(card.global_score_claimed),
        "trust_level": card.trust_level,
        "trust_level_meaning": str(report.trust_meaning),
        "eligible": bool(card.eligible),
        "highest_profile_passed": card.highest_profile_passed,
        "knockouts": [knockout_body(line) for line in report.knockouts],
        "pillars": [
            {
                "code": str(line.code),
                "name": str(names["pillars"][line.code]),
                "core": bool(line.result.core),
                "weight": weight_number(line.result.weight),
                "score": score_number(line.result.score),
                "score_claimed": score_number(line.result.score_claimed),
                "trust_level": line.result.trust_level,
            }
            for line in report.pillars
        ],
        "criteria": [
            {
                "code": str(line.code),
                "name": str(names["criteria"][line.code]),
                "pillar": str(result.pillar),
                "weight": int(result.weight),
                "level": result.level,
                "not_applicable": bool(result.not_applicable),
                "evidence": result.evidence,
                "effective_level": result.effective_level,
                "capped": bool(result.capped),
                "threshold": result.threshold,
            }
            for line in report.criteria
            for result in (line.result,)
        ],
        "binding_criteria": [str(code) for code in card.binding_criteria],
        "evidence_gaps": [str(code) for code in card.evidence_gaps],
        "completeness": score_number(card.completeness),
        "answered": int(card.answered),
        "total": int(card.total),
    }
