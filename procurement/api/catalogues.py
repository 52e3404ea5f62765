"""Catalogues in the API: the published versions of the method, read-only.

A list of versions, and one version with everything needed to fill in an
assessment: the scale, evidence types, pillars, criteria with their level
descriptors, and profiles with their weights, knock-outs and evidence caps.
Texts follow the active language.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from scoring.models import (
    Catalogue,
    Criterion,
    EvidenceType,
    KnockOutRule,
    LevelDescriptor,
    Pillar,
    PillarWeight,
    Profile,
)
from scoring.models import EvidenceCap as EvidenceCapRow

from .fields import level_field


class CatalogueSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = Catalogue
        fields = ["id", "slug", "version", "status", "name", "description", "loaded_at"]


class ScaleLevelSerializer(serializers.Serializer):
    level = level_field(read_only=True)
    text = serializers.CharField(read_only=True)


class EvidenceTypeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = EvidenceType
        fields = ["code", "name", "description"]


class PillarSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = Pillar
        fields = ["code", "name", "description", "core"]


class LevelDescriptorSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True)

    class Meta:
        model = LevelDescriptor
        fields = ["level", "text"]


class CriterionSerializer(serializers.ModelSerializer):
    pillar = serializers.CharField(source="pillar.code", read_only=True)
    name = serializers.CharField(read_only=True)
    question = serializers.CharField(read_only=True)
    evidence_guidance = serializers.CharField(
        source="evidence",
        read_only=True,
        help_text="What evidence to look for, in words. An answer's `evidence` "
        "is the kind it has (declared, documented or verified).",
    )
    levels = LevelDescriptorSerializer(many=True, read_only=True)
    traces = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Criterion
        fields = [
            "code",
            "pillar",
            "name",
            "question",
            "levels",
            "weight",
            "na_allowed",
            "evidence_guidance",
            "traces",
        ]


class PillarWeightSerializer(serializers.ModelSerializer):
    pillar = serializers.CharField(source="pillar.code", read_only=True)
    weight = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = PillarWeight
        fields = ["pillar", "weight"]


class KnockOutRuleSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code", read_only=True)

    class Meta:
        model = KnockOutRule
        fields = ["criterion", "min_level"]


class EvidenceCapSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceCapRow
        fields = ["evidence_type", "max_level"]


class ProfileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    pillar_weights = PillarWeightSerializer(many=True, read_only=True)
    knockouts = KnockOutRuleSerializer(many=True, read_only=True)
    evidence_caps = EvidenceCapSerializer(many=True, read_only=True)

    class Meta:
        model = Profile
        fields = [
            "code",
            "name",
            "description",
            "target_trust_level",
            "pillar_weights",
            "knockouts",
            "evidence_caps",
        ]


class CatalogueDetailSerializer(CatalogueSerializer):
    scale = serializers.SerializerMethodField()
    evidence_types = EvidenceTypeSerializer(many=True, read_only=True)
    pillars = PillarSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    profiles = ProfileSerializer(many=True, read_only=True)

    class Meta(CatalogueSerializer.Meta):
        fields = [
            *CatalogueSerializer.Meta.fields,
            "scale",
            "evidence_types",
            "pillars",
            "criteria",
            "profiles",
        ]

    @extend_schema_field(ScaleLevelSerializer(many=True))
    def get_scale(self, catalogue):
        """The generic meaning of each level, in the active language."""
        return [
            {"level": level, "text": catalogue.scale_text(level)}
            for level in range(len(catalogue.scale))
        ]


@extend_schema_view(
    list=extend_schema(
        summary="List the published catalogues",
        description="The published versions of the scoring method. Texts follow "
        "`Accept-Language` (en, fr). Ordered by slug, newest first; `ordering`: "
        "slug, version, loaded_at (prefix `-` to reverse).",
    ),
    retrieve=extend_schema(
        summary="Read a catalogue: pillars, criteria, levels and profiles",
        description="Everything needed to fill in an assessment: each criterion's "
        "code, question, level descriptors (0-4), weight and whether N/A is "
        "allowed; each profile's pillar weights, knock-out thresholds and "
        "evidence caps. Texts follow `Accept-Language` (en, fr).",
    ),
)
class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Catalogue.objects.published().order_by("slug", "-loaded_at", "-pk")
    serializer_class = CatalogueSerializer
    filterset_fields = ["slug"]
    ordering_fields = ["slug", "version", "loaded_at"]
    # A published catalogue never changes: a new version is a new row.
    sync_field = "loaded_at"
    ordering = ["slug", "-loaded_at", "-pk"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CatalogueDetailSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        catalogue = self.get_object().with_method()
        return Response(self.get_serializer(catalogue).data)
