"""A procurement's evaluation panel through the API (``services.panel``).

``ProcurementPanelMixin`` adds ``/procurements/{id}/panel/`` (read the seats;
a lead replaces them). ``AssessmentPanelMixin`` adds to an assessment: the
evaluators' ``declarations/`` of interests and a lead's ``override/`` of a
conflict, the caller's own ``my-scores/`` and their ``submit/``, and the
``individual-scores/`` the caller may read (blind until they submitted).
Moderation and comments are in ``api.moderation``. The services check every
role and rule (the actions ask the role first, so that a reader gets a 403
whatever they send); here requests are parsed and rows turned into JSON.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.rest import StrictInput

from ..exports.content import person
from ..models import Answer, IndividualScore, PanelReview, PanelSeat
from ..services import panel, roles
from ..services.panel import ScoreData, SeatData
from .fields import AnswerListSerializer, level_field
from .responses import CONFLICT

MAX_SEATS = 100
MAX_SCORES_PER_SAVE = 200
TEXT_LIMIT = panel.MAX_TEXT


class PersonField(serializers.CharField):
    """A user's full name, or their username when they gave none."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return person(value) or None


# Panel ----------------------------------------------------------------------


class SeatSerializer(serializers.ModelSerializer):
    name = PersonField(source="user")
    pillars = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = PanelSeat
        fields = ["user", "name", "pillars", "moderator"]
        read_only_fields = fields


class PanelSerializer(serializers.Serializer):
    procurement = serializers.IntegerField()
    seats = SeatSerializer(many=True)


class SeatInputSerializer(StrictInput, serializers.Serializer):
    user = serializers.IntegerField(
        min_value=1,
        help_text="Id of an evaluator or lead of the procurement's organisation.",
    )
    pillars = serializers.ListField(
        child=serializers.CharField(max_length=16),
        max_length=50,
        required=False,
        default=list,
        help_text='Codes of the pillars they score, e.g. ["JUR", "OWN"]; empty '
        "or absent for every pillar.",
    )
    moderator = serializers.BooleanField(
        required=False,
        default=False,
        help_text="May record the consensus, as leads do.",
    )


class PanelInputSerializer(StrictInput, serializers.Serializer):
    seats = SeatInputSerializer(
        many=True,
        max_length=MAX_SEATS,
        help_text="The whole panel: it replaces the seats named before. An empty "
        "list removes the panel (the procurement is scored as without one).",
    )


class ProcurementPanelMixin:
    """The panel of a procurement (for ProcurementViewSet)."""

    @extend_schema(
        methods=["GET"],
        summary="Read a procurement's panel",
        description="The evaluators seated on the procurement, the pillars each "
        "scores (empty: all) and who moderates besides the leads. No seat: the "
        "procurement has no panel and its answers are saved as usual.",
        responses={200: PanelSerializer},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Name the panel of a procurement (leads)",
        description="Replaces the panel with the seats sent: members of the "
        "organisation who evaluate or lead, each once, with pillars of the "
        "procurement's catalogue. Recorded. With a panel, answers come only from "
        "the moderated consensus. A closed procurement is a 409.",
        request=PanelInputSerializer,
        responses={409: CONFLICT, 200: PanelSerializer},
    )
    @action(
        detail=True, methods=["get", "put"], filter_backends=[], pagination_class=None
    )
    def panel(self, request, pk=None):
        procurement = self.get_object()
        if request.method == "PUT":
            # Who may write comes before what is written: a member gets a 403.
            roles.require(request.user, roles.Action.LEAD, procurement.organisation_id)
            serializer = PanelInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            panel.set_panel(
                procurement,
                user=request.user,
                seats=[
                    SeatData(s["user"], s["pillars"], s["moderator"])
                    for s in serializer.validated_data["seats"]
                ],
            )
        seats = procurement.panel.select_related("user").order_by("pk")
        return Response(
            PanelSerializer({"procurement": procurement.pk, "seats": seats}).data
        )


# Declarations ---------------------------------------------------------------


class DeclarationSerializer(serializers.ModelSerializer):
    evaluator_name = PersonField(source="evaluator")
    overridden_by_name = PersonField(source="overridden_by", allow_null=True)
    may_score = serializers.BooleanField(
        read_only=True,
        help_text="No conflict, or a conflict a lead overrode with a reason.",
    )

    class Meta:
        model = PanelReview
        fields = [
            "evaluator",
            "evaluator_name",
            "conflict",
            "statement",
            "declared_at",
            "may_score",
            "override_reason",
            "overridden_by",
            "overridden_by_name",
            "overridden_at",
            "submitted_at",
        ]
        read_only_fields = fields


class DeclarationInputSerializer(StrictInput, serializers.Serializer):
    conflict = serializers.BooleanField(
        help_text="True when you have a conflict of interest with this bidder: "
        "you then do not score the offer unless a lead overrides it."
    )
    statement = serializers.CharField(
        max_length=TEXT_LIMIT,
        allow_blank=True,
        required=False,
        default="",
        help_text="What the conflict is; required with a conflict.",
    )


class OverrideInputSerializer(StrictInput, serializers.Serializer):
    reason = serializers.CharField(
        max_length=TEXT_LIMIT,
        allow_blank=True,
        help_text="Why this evaluator may score despite the conflict; kept in "
        "the record. Required.",
    )


# Scores ---------------------------------------------------------------------


class IndividualScoreSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code", read_only=True)
    evaluator_name = PersonField(source="evaluator")
    submitted = serializers.SerializerMethodField(
        help_text="Whether the evaluator submitted (fixed) their scores."
    )

    class Meta:
        model = IndividualScore
        fields = [
            "evaluator",
            "evaluator_name",
            "criterion",
            "level",
            "not_applicable",
            "evidence",
            "justification",
            "updated_at",
            "submitted",
        ]
        read_only_fields = fields

    def get_submitted(self, score) -> bool:
        return score.evaluator_id in self.context.get("submitted", ())


class MyScoresSerializer(serializers.Serializer):
    """The caller's work on one offer: declaration, criteria, scores."""

    assessment = serializers.IntegerField()
    declared = serializers.BooleanField(
        help_text="Whether you declared your interests (POST .../declarations/)."
    )
    may_score = serializers.BooleanField(
        help_text="False until you declare, or after declaring a conflict that no "
        "lead overrode."
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    criteria = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the criteria you score."
    )
    scores = IndividualScoreSerializer(many=True)


class ScoreInputSerializer(StrictInput, serializers.Serializer):
    criterion = serializers.CharField(
        max_length=16, help_text='A criterion you score, e.g. "JUR-1".'
    )
    level = level_field(
        allow_null=True,
        required=False,
        default=None,
        help_text="0-4; null for unknown (scores 0) or with not_applicable.",
    )
    evidence = serializers.ChoiceField(
        choices=Answer.Evidence.choices, required=False, default="declared"
    )
    not_applicable = serializers.BooleanField(required=False, default=False)
    justification = serializers.CharField(
        max_length=TEXT_LIMIT,
        allow_blank=True,
        required=False,
        default="",
        trim_whitespace=False,
    )

    class Meta:
        list_serializer_class = AnswerListSerializer


class MyScoresInputSerializer(StrictInput, serializers.Serializer):
    scores = ScoreInputSerializer(
        many=True,
        min_length=1,
        max_length=MAX_SCORES_PER_SAVE,
        help_text="One entry per criterion; each replaces your score of it. "
        "An error points at its score (`/scores/3/level`).",
    )


EVALUATOR = OpenApiParameter(
    "evaluator_id",
    int,
    OpenApiParameter.PATH,
    description="The user id of the evaluator who declared the conflict.",
)


class AssessmentPanelMixin:
    """Declarations, blind scores, moderation and comments of one offer."""

    @extend_schema(
        methods=["GET"],
        summary="List the panel's declarations of interests on an offer",
        description="One per evaluator who declared: the conflict and its "
        "statement, a lead's override with its reason, and when they submitted "
        "their scores (the lead sees who has finished).",
        responses={200: DeclarationSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Declare your interests in an offer",
        description="Each seated evaluator, once per offer, before scoring it: "
        "`conflict: false`, or `true` with a `statement`. A declared conflict "
        "keeps you off the offer unless a lead overrides it. Recorded.",
        request=DeclarationInputSerializer,
        responses={409: CONFLICT, 201: DeclarationSerializer},
    )
    @action(
        detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None
    )
    def declarations(self, request, pk=None):
        assessment = self.get_object()
        if request.method == "POST":
            _seat(assessment, request.user)
            serializer = DeclarationInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            review = panel.declare_interests(
                assessment, user=request.user, **serializer.validated_data
            )
            return Response(
                DeclarationSerializer(review).data, status=status.HTTP_201_CREATED
            )
        reviews = assessment.panel_reviews.select_related(
            "evaluator", "overridden_by"
        ).order_by("declared_at", "pk")
        return Response(DeclarationSerializer(reviews, many=True).data)

    @extend_schema(
        summary="Let a conflicted evaluator score the offer (leads)",
        description="With a `reason`, kept in the record. A 400 when the "
        "evaluator declared no conflict or it was already overridden; a 404 "
        "when they made no declaration on this offer.",
        parameters=[EVALUATOR],
        request=OverrideInputSerializer,
        responses={409: CONFLICT, 200: DeclarationSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"declarations/(?P<evaluator_id>[0-9]{1,18})/override",
        filter_backends=[],
        pagination_class=None,
    )
    def override(self, request, pk=None, evaluator_id=None):
        assessment = self.get_object()
        roles.require(request.user, roles.Action.LEAD, assessment.organisation_id)
        serializer = OverrideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        declared = get_object_or_404(
            assessment.panel_reviews.select_related("evaluator"),
            evaluator_id=int(evaluator_id),
        )
        review = panel.override_conflict(
            assessment,
            user=request.user,
            evaluator=declared.evaluator,
            reason=serializer.validated_data["reason"],
        )
        return Response(DeclarationSerializer(review).data)

    @extend_schema(
        methods=["GET"],
        summary="Read your own scores of an offer",
        description="Seated evaluators only (403 otherwise): whether you declared "
        "and may score, the criteria you score, your scores so far and when you "
        "submitted them.",
        responses={200: MyScoresSerializer},
    )
    @extend_schema(
        methods=["POST"],
        summary="Save your own scores of an offer",
        description="Your scores, on your own: nobody else reads them before "
        "submitting theirs. Declare your interests first (400); a conflict "
        "no lead overrode is a 403. Only your criteria; saved until you submit. "
        "Returns your scores.",
        request=MyScoresInputSerializer,
        responses={409: CONFLICT, 200: MyScoresSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="my-scores",
        filter_backends=[],
        pagination_class=None,
    )
    def my_scores(self, request, pk=None):
        assessment = self.get_object()
        if request.method == "POST":
            _seat(assessment, request.user)
            serializer = MyScoresInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            panel.save_scores(
                assessment,
                user=request.user,
                scores=[ScoreData(**s) for s in serializer.validated_data["scores"]],
            )
        return Response(self._my_scores(assessment))

    @extend_schema(
        summary="Submit your scores of an offer",
        description="Fixes them (recorded with their SHA-256) once every criterion "
        "you score has a score (400 otherwise). From then on you read the other "
        "evaluators' submitted scores; moderation opens when all have submitted.",
        request=None,
        responses={409: CONFLICT, 200: MyScoresSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="my-scores/submit",
        filter_backends=[],
        pagination_class=None,
    )
    def submit_my_scores(self, request, pk=None):
        assessment = self.get_object()
        panel.submit_scores(assessment, user=request.user)
        return Response(self._my_scores(assessment))

    def _my_scores(self, assessment):
        seat = _seat(assessment, self.request.user)
        review = assessment.panel_reviews.filter(evaluator=self.request.user).first()
        scores = assessment.individual_scores.filter(
            evaluator=self.request.user
        ).select_related("criterion", "evaluator")
        submitted = {self.request.user.pk} if review and review.submitted else set()
        return MyScoresSerializer(
            {
                "assessment": assessment.pk,
                "declared": review is not None,
                "may_score": review is not None and review.may_score,
                "submitted_at": review.submitted_at if review else None,
                "criteria": [c.code for c in panel.criteria_of(assessment, seat)],
                "scores": scores,
            },
            context={"submitted": submitted},
        ).data

    @extend_schema(
        summary="Read the individual scores you may see",
        description="Blind scoring: your own, and the other evaluators' submitted "
        "scores once you submitted yours (a moderator reads the submitted ones). "
        "Nobody reads another's draft. Evaluators and leads (403 otherwise).",
        responses={200: IndividualScoreSerializer(many=True)},
    )
    @action(
        detail=True,
        url_path="individual-scores",
        filter_backends=[],
        pagination_class=None,
    )
    def individual_scores(self, request, pk=None):
        assessment = self.get_object()
        scores = panel.visible_scores(assessment, request.user)
        submitted = set(
            assessment.panel_reviews.filter(submitted_at__isnull=False).values_list(
                "evaluator_id", flat=True
            )
        )
        return Response(
            IndividualScoreSerializer(
                scores, many=True, context={"submitted": submitted}
            ).data
        )


def _seat(assessment, user) -> PanelSeat:
    """The caller's seat on the assessment's panel; a 403 without one."""
    procurement = assessment.procurement
    seat = None if procurement is None else panel.seat_of(procurement, user)
    if seat is None:
        raise PermissionDenied(_("You do not sit on this procurement's panel."))
    return seat
