"""Award criteria, marks and the award ranking through the API.

``AwardMixin`` gives ProcurementViewSet ``award-criteria/`` (leads publish
them while the procurement is a draft) and ``award-marks/`` (evaluators and
leads type prices and quality marks); ``AwardRankingSerializer`` is the
``award`` of the ranking endpoint. The same services and arithmetic as the
award page.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from config.rest import StrictInput

from ..models import AwardCriterion, AwardMark
from ..services import award
from .responses import CONFLICT


class AwardCriterionSerializer(StrictInput, serializers.ModelSerializer):
    formula = serializers.ChoiceField(
        choices=AwardCriterion.Formula.choices,
        required=False,
        allow_blank=True,
        help_text="Price only: the formula the tender states.",
    )

    class Meta:
        model = AwardCriterion
        fields = ["id", "kind", "name", "weight", "formula"]
        read_only_fields = ["id"]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}


class AwardMarkValueSerializer(StrictInput, serializers.Serializer):
    criterion = serializers.IntegerField()
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        help_text="A price in euros, or a quality mark out of 100; null removes it.",
    )


class AwardMarksSerializer(StrictInput, serializers.Serializer):
    assessment = serializers.IntegerField()
    values = AwardMarkValueSerializer(many=True)


class AwardMarkSerializer(serializers.ModelSerializer):
    class Meta:
        model = AwardMark
        fields = ["assessment", "criterion", "value", "updated_at"]
        read_only_fields = fields


class AwardCellSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    value = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    mark = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    missing = serializers.BooleanField(help_text="No value typed: scored 0.")


class AwardRowSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(source="row.assessment.pk")
    eligible = serializers.BooleanField(source="line.eligible")
    rank = serializers.IntegerField(source="line.rank", allow_null=True)
    tied = serializers.BooleanField(source="line.tied")
    total = serializers.DecimalField(
        source="line.total",
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        coerce_to_string=False,
    )
    marks = serializers.SerializerMethodField()

    @extend_schema_field(AwardCellSerializer(many=True))
    def get_marks(self, row):
        return AwardCellSerializer(row.cells(self.context["criteria"]), many=True).data


class AwardRankingSerializer(serializers.Serializer):
    criteria = AwardCriterionSerializer(many=True)
    rows = serializers.SerializerMethodField()

    @extend_schema_field(AwardRowSerializer(many=True))
    def get_rows(self, ranking):
        return AwardRowSerializer(
            ranking.rows, many=True, context={"criteria": ranking.criteria}
        ).data


class AwardMixin:
    @extend_schema(
        methods=["GET"],
        summary="Read the award criteria",
        responses={200: AwardCriterionSerializer(many=True)},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Publish the award criteria (leads, drafts only)",
        description="Replaces them: exactly one `sovereignty` criterion (the "
        "global score), at most one `price` (with its `formula`), any `quality` "
        "criteria (named); weights add up to 100. An empty list ranks on "
        "sovereignty alone. Frozen once the procurement opens (400).",
        request=AwardCriterionSerializer(many=True),
        responses={200: AwardCriterionSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path="award-criteria",
        filter_backends=[],
        pagination_class=None,
    )
    def award_criteria(self, request, pk=None):
        procurement = self.get_object()
        if request.method == "PUT":
            serializer = AwardCriterionSerializer(data=request.data, many=True)
            serializer.is_valid(raise_exception=True)
            try:
                award.set_award_criteria(
                    procurement,
                    user=request.user,
                    criteria=[
                        award.AwardCriterionData(
                            item["kind"],
                            item["weight"],
                            name=item.get("name", ""),
                            formula=item.get("formula", ""),
                        )
                        for item in serializer.validated_data
                    ],
                )
            except ValidationError as exc:
                raise exceptions.ValidationError({"criteria": exc.messages}) from exc
        return Response(
            AwardCriterionSerializer(procurement.award_criteria.all(), many=True).data
        )

    @extend_schema(
        methods=["GET"],
        summary="Read the offers' prices and quality marks",
        responses={200: AwardMarkSerializer(many=True)},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Set one offer's prices and quality marks",
        description="`values` name award criteria of this procurement (price "
        "in euros, quality out of 100; null removes one). Until the "
        "procurement closes (409 then).",
        request=AwardMarksSerializer,
        responses={409: CONFLICT, 200: AwardMarkSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path="award-marks",
        filter_backends=[],
        pagination_class=None,
    )
    def award_marks(self, request, pk=None):
        procurement = self.get_object()
        if request.method == "PUT":
            serializer = AwardMarksSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            assessment = procurement.assessments.filter(
                pk=serializer.validated_data["assessment"]
            ).first()
            if assessment is None:
                raise exceptions.ValidationError(
                    {"assessment": ["Not an offer of this procurement."]}
                )
            try:
                award.set_award_marks(
                    assessment,
                    user=request.user,
                    values={
                        v["criterion"]: v["value"]
                        for v in serializer.validated_data["values"]
                    },
                )
            except ValidationError as exc:
                raise exceptions.ValidationError({"values": exc.messages}) from exc
        marks = AwardMark.objects.filter(criterion__procurement=procurement).order_by(
            "assessment_id", "criterion__position"
        )
        return Response(AwardMarkSerializer(marks, many=True).data)
