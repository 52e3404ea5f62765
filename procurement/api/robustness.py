"""``GET /api/v1/procurements/{id}/robustness/``: would the winner change?

The same numbers as the procurement page (``procurement.robustness``), for
ProcurementViewSet through ``RobustnessMixin``.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import robustness
from ..scorecards import procurement_summary
from .fields import score_field


class OfferRefSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(source="assessment.pk")
    offer_name = serializers.CharField(source="assessment.offer.name_i18n")
    provider_name = serializers.CharField(source="assessment.offer.provider.name")


class MoveSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="The pillar that gives weight.")
    target = serializers.CharField(help_text="The pillar that receives it.")
    points = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False
    )


class DrawSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(source="row.assessment.pk")
    share = serializers.FloatField(
        help_text="Share of the draws (0-1) in which this offer ranks first."
    )


class DecisiveSerializer(serializers.Serializer):
    offer = serializers.ChoiceField(choices=["winner", "runner_up"])
    criterion = serializers.CharField()
    level = serializers.IntegerField(help_text="The level the answer moves to.")
    winner_score = score_field()
    runner_up_score = score_field()
    winner_eligible = serializers.BooleanField()
    runner_up_eligible = serializers.BooleanField()


class RobustnessSerializer(serializers.Serializer):
    winner = OfferRefSerializer()
    runner_up = OfferRefSerializer()
    lead = score_field(help_text="Global score points between the two.")
    swap_points = serializers.SerializerMethodField(
        help_text="The fewest weight points to move between pillars for the "
        "runner-up to draw level; null when no shift of weights can do it."
    )
    moves = MoveSerializer(many=True)
    draws = DrawSerializer(many=True)
    draw_count = serializers.IntegerField()
    spread_percent = serializers.IntegerField(
        help_text="Each weight is drawn within +/- this share of its value."
    )
    seed = serializers.IntegerField()
    decisive = DecisiveSerializer(many=True)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_swap_points(self, report):
        return None if report.swap is None else float(report.swap.points_rounded)


class RobustnessMixin:
    @extend_schema(
        summary="Would the winner change?",
        description="For the first two eligible offers: the smallest shift of "
        "pillar weights (in points, exact) that puts the runner-up level with "
        "the winner and the moves that do it; the share of random weight draws "
        "(each weight within +/- 25%, renormalised, seeded) in which each "
        "eligible offer ranks first; the single answers of the two that, one "
        "level away, would change who is first. 204 when fewer than two offers "
        "are eligible.",
        responses={200: RobustnessSerializer, 204: None},
    )
    @action(detail=True, filter_backends=[], pagination_class=None)
    def robustness(self, request, pk=None):
        report = robustness.procurement_robustness(
            procurement_summary(self.get_object())
        )
        if report is None:
            return Response(status=204)
        return Response(RobustnessSerializer(report).data)
