"""The full scorecard of an assessment as the API shows it (``.../scorecard/``).

Every number comes from ``scorecards.assessment_report`` (the engine); these
serializers only name them. ``KnockOutSerializer`` is shared with the ranking.
"""

from rest_framework import serializers

from ..models import Answer
from .fields import level_field, score_field


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
