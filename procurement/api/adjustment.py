"""``GET``/``PUT /api/v1/procurements/{id}/profile-adjustment/``: the profile as
adjusted for one procurement (leads, before it opens), through the same
service as the page."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from config.rest import StrictInput

from .. import services


class ProfileAdjustmentSerializer(StrictInput, serializers.Serializer):
    pillar_weights = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        help_text="Every pillar's weight for this procurement; {} for the profile's.",
    )
    lowered_thresholds = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=4),
        help_text="Knock-out criteria whose minimum level is lowered here.",
    )
    reason = serializers.CharField(allow_blank=True, max_length=5000)
    overlays = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        help_text="Codes of the jurisdiction overlays the buyer applies "
        "(e.g. fr-state-sensitive).",
    )
    weight_adjustment_limit = serializers.IntegerField(
        read_only=True, help_text="How far the catalogue lets a weight move."
    )


class AdjustmentMixin:
    @extend_schema(
        methods=["GET"],
        summary="Read the profile as adjusted for this procurement",
        responses={200: ProfileAdjustmentSerializer},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Adjust the profile for this procurement (leads, drafts only)",
        description="Pillar weights move at most `weight_adjustment_limit` points "
        "each and add up as the profile's do; thresholds may only go down; a "
        "reason is required. Every offer is scored again. Empty values put the "
        "profile back. Recorded; every page and export of the procurement says so.",
        request=ProfileAdjustmentSerializer,
        responses={200: ProfileAdjustmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path="profile-adjustment",
        filter_backends=[],
        pagination_class=None,
    )
    def profile_adjustment(self, request, pk=None):
        procurement = self.get_object()
        if request.method == "PUT":
            serializer = ProfileAdjustmentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                procurement = services.adjust_method(
                    procurement, user=request.user, **serializer.validated_data
                )
            except ValidationError as exc:
                raise exceptions.ValidationError({"adjustment": exc.messages}) from exc
        return Response(
            ProfileAdjustmentSerializer(
                {
                    "pillar_weights": procurement.pillar_weights,
                    "lowered_thresholds": procurement.lowered_thresholds,
                    "reason": procurement.adjustment_reason,
                    "overlays": procurement.overlays,
                    "weight_adjustment_limit": (
                        procurement.catalogue.weight_adjustment_limit
                    ),
                }
            ).data
        )
