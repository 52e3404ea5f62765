"""Moderation of a panel's scores, and its comments, through the API.

``ModerationMixin`` adds to an assessment ``moderation/`` (every criterion's
submitted individual scores side by side, their spread, the consensus and
the thread; a moderator records the consensus, which the engine scores) and
``comments/`` (a thread per criterion). ``services.panel`` checks the roles
and the rules; see ``api.panel`` for the seats, declarations and scores.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.rest import StrictInput

from .. import services
from ..models import Answer, IndividualScore, ModerationDecision, PanelComment
from ..services import panel, roles
from .fields import level_field
from .panel import TEXT_LIMIT, PersonField
from .responses import CONFLICT


class DecisionSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code", read_only=True)
    moderator_name = PersonField(source="moderator")

    class Meta:
        model = ModerationDecision
        fields = [
            "criterion",
            "level",
            "not_applicable",
            "evidence",
            "rationale",
            "moderator",
            "moderator_name",
            "decided_at",
        ]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code", read_only=True)
    author_name = PersonField(source="author")

    class Meta:
        model = PanelComment
        fields = ["id", "criterion", "author", "author_name", "text", "created_at"]
        read_only_fields = fields


class ThresholdSerializer(serializers.Serializer):
    profile = serializers.CharField()
    threshold = level_field()


class SpreadSerializer(serializers.Serializer):
    wide = serializers.BooleanField(help_text="Levels two or more apart.")
    thresholds = serializers.SerializerMethodField(
        help_text="Knock-out thresholds of the profiles that the levels fall "
        "on both sides of."
    )
    flagged = serializers.BooleanField()

    @extend_schema_field(ThresholdSerializer(many=True))
    def get_thresholds(self, spread):
        return [{"profile": p, "threshold": t} for p, t in spread.thresholds]


class ModerationScoreSerializer(serializers.ModelSerializer):
    evaluator_name = PersonField(source="evaluator")

    class Meta:
        model = IndividualScore
        fields = [
            "evaluator",
            "evaluator_name",
            "level",
            "not_applicable",
            "evidence",
            "justification",
        ]
        read_only_fields = fields


class ModerationRowSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    pillar = serializers.CharField(source="criterion.pillar.code")
    name = serializers.CharField(source="criterion.name")
    scores = ModerationScoreSerializer(many=True)
    spread = SpreadSerializer()
    decision = DecisionSerializer(allow_null=True)
    comments = CommentSerializer(many=True)


class ModerationSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    ready = serializers.BooleanField(
        help_text="Whether every evaluator who may score this offer submitted: "
        "only then is a consensus recorded."
    )
    waiting_for = serializers.ListField(
        child=serializers.CharField(), help_text="Who has not submitted yet."
    )
    rows = ModerationRowSerializer(many=True)


class ConsensusInputSerializer(StrictInput, serializers.Serializer):
    criterion = serializers.CharField(max_length=16)
    level = level_field(
        allow_null=True,
        required=False,
        default=None,
        help_text="The agreed level, 0-4; null for unknown or with not_applicable.",
    )
    evidence = serializers.ChoiceField(choices=Answer.Evidence.choices)
    not_applicable = serializers.BooleanField(required=False, default=False)
    rationale = serializers.CharField(
        max_length=TEXT_LIMIT,
        allow_blank=True,
        help_text="Why the panel agreed on this level; required, kept with the "
        "decision, in the answer's justification and in the record.",
    )


class CommentInputSerializer(StrictInput, serializers.Serializer):
    criterion = serializers.CharField(max_length=16)
    text = serializers.CharField(max_length=TEXT_LIMIT, allow_blank=True)


CRITERION_FILTER = OpenApiParameter(
    "criterion",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description='Only the thread of this criterion, e.g. "JUR-1".',
)
PILLAR_FILTER = OpenApiParameter(
    "pillar",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description='Only this pillar\'s criteria, e.g. "JUR".',
)
NO_PANEL = OpenApiResponse(
    description="The procurement has no panel, or this is a reference case."
)


class ModerationMixin:
    """The moderation and the comment threads of one offer."""

    @extend_schema(
        methods=["GET"],
        summary="Read an offer's moderation",
        description="For each criterion (`pillar` to narrow): every submitted "
        "individual score side by side, the spread (levels two or more apart, "
        "or on both sides of a profile's knock-out threshold), the consensus "
        "recorded and the comments. `ready` says whether every evaluator who "
        "may score submitted (`waiting_for`: who has not). Moderators (leads and "
        "moderator seats), and evaluators who submitted their own scores.",
        parameters=[PILLAR_FILTER],
        responses={200: ModerationSerializer, 400: NO_PANEL},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record the consensus on a criterion (moderators)",
        description="Once every evaluator submitted: the agreed level and "
        "evidence type with a `rationale` (required). The consensus becomes "
        "the answer the engine scores, so the scorecard and the ranking follow "
        "it; the individual scores stay as they were. Recorded.",
        request=ConsensusInputSerializer,
        responses={409: CONFLICT, 201: DecisionSerializer},
    )
    @action(
        detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None
    )
    def moderation(self, request, pk=None):
        assessment = self.get_object()
        if request.method == "POST":
            procurement = assessment.procurement
            if panel.has_panel(procurement) and not panel.may_moderate(
                procurement, request.user
            ):
                raise PermissionDenied(
                    _("Only a lead or the panel's moderator moderates.")
                )
            serializer = ConsensusInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                decision = panel.record_consensus(
                    assessment, user=request.user, **serializer.validated_data
                )
            except services.InvalidAnswers as exc:
                raise ValidationError(
                    [m for error in exc.errors for ms in error.values() for m in ms]
                ) from exc
            return Response(
                DecisionSerializer(decision).data, status=status.HTTP_201_CREATED
            )
        _require_moderation_reader(assessment, request.user)
        ready, waiting = panel.moderation_ready(assessment)
        rows = panel.moderation_rows(
            assessment, pillar=request.query_params.get("pillar") or None
        )
        return Response(
            ModerationSerializer(
                {
                    "assessment": assessment.pk,
                    "ready": ready,
                    "waiting_for": waiting,
                    "rows": rows,
                }
            ).data
        )

    @extend_schema(
        methods=["GET"],
        summary="Read the comment threads of an offer",
        description="The panel's messages per criterion, oldest first "
        "(`criterion` for one thread).",
        parameters=[CRITERION_FILTER],
        responses={200: CommentSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Comment on a criterion of an offer",
        description="Evaluators, moderators and leads; recorded. Not on a closed "
        "procurement (409).",
        request=CommentInputSerializer,
        responses={409: CONFLICT, 201: CommentSerializer},
    )
    @action(
        detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None
    )
    def comments(self, request, pk=None):
        assessment = self.get_object()
        if request.method == "POST":
            roles.require(request.user, roles.Action.EDIT, assessment.organisation_id)
            serializer = CommentInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = panel.add_comment(
                assessment, user=request.user, **serializer.validated_data
            )
            return Response(
                CommentSerializer(comment).data, status=status.HTTP_201_CREATED
            )
        comments = assessment.panel_comments.select_related(
            "criterion", "author"
        ).order_by(
            "criterion__pillar__position", "criterion__position", "created_at", "pk"
        )
        criterion = request.query_params.get("criterion")
        if criterion:
            comments = comments.filter(criterion__code=criterion)
        return Response(CommentSerializer(comments, many=True).data)


def _require_moderation_reader(assessment, user) -> None:
    """Moderators read the moderation; so does an evaluator who submitted.

    The screen shows everyone's submitted scores: an evaluator still scoring
    would lose their blindness, and a reader has nothing to moderate.
    """
    procurement = assessment.procurement
    if not panel.has_panel(procurement):
        raise ValidationError(_("This procurement has no panel to moderate."))
    roles.require(user, roles.Action.EDIT, assessment.organisation_id)
    if panel.may_moderate(procurement, user):
        return
    review = assessment.panel_reviews.filter(evaluator=user).first()
    if review is None or not review.submitted:
        raise PermissionDenied(
            _("Submit your own scores of this offer before reading the others'.")
        )
