"""Assessments in the API: answers, the workflow, history and the scorecard.

An assessment reads with the snapshot stored at its last save. Answers save
only the fields sent, merged with colleagues' changes (a criterion someone
else changed since the client's version is a 409 naming it); submit,
approve, reopen and withdraw change the status; the history is the record;
the scorecard (serializers in ``scorecards``) is the engine's full
explanation, also as a download. Scores are the engine's, rounded to one
decimal and rendered as JSON numbers.
"""

from django.db.models import Prefetch
from django.http import HttpResponseNotModified
from django.utils.http import parse_etags
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from config.rest import IdsFirstPagination, StrictInput

from .. import exports, services
from ..filters import AssessmentFilter
from ..models import (
    Answer,
    Assessment,
    ExportJob,
    HistoryEntry,
    Offer,
    Procurement,
    ProviderFact,
)
from ..scorecards import assessment_report
from ..services import roles
from ..snapshots import stored_report
from .answers import (
    ANSWERS_EXAMPLE,
    AnswersInputSerializer,
    AnswersSerializer,
    SummarySerializer,
    TransitionSerializer,
)
from .assessment_rows import ROW_READS, assessment_row
from .etags import (
    ETAG,
    IF_MATCH,
    PRECONDITION_FAILED,
    matched_version,
    with_etag,
)
from .evidence import BidderActionsMixin
from .fields import (
    BlankAsNullCharField,
    ScopedPrimaryKeyField,
    StoredDictSerializer,
    level_field,
    score_field,
)
from .history import (
    HISTORY_DESCRIPTION,
    HISTORY_FILTERS,
    HistoryEntrySerializer,
    HistoryMixin,
)
from .moderation import ModerationMixin
from .panel import AssessmentPanelMixin
from .responses import (
    CONFLICT,
    EXPORT_FORMAT,
    EXPORT_PATH,
    ExportMixin,
    export_responses,
    export_rule,
)
from .scorecards import (
    NOT_MODIFIED,
    CatalogueRefSerializer,
    ScorecardSerializer,
    scorecard_body,
    scorecard_etag,
)


class PillarSnapshotSerializer(StoredDictSerializer):
    code = serializers.CharField()
    weight = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False
    )
    score = score_field(allow_null=True)
    score_claimed = score_field(allow_null=True)
    trust_level = level_field(allow_null=True)


class KnockOutSnapshotSerializer(StoredDictSerializer):
    criterion = serializers.CharField()
    required = level_field()
    effective = level_field()


class SnapshotSerializer(serializers.ModelSerializer):
    """The headline numbers stored with the assessment at its last save."""

    global_score = score_field()
    global_score_claimed = score_field()
    completeness = score_field()
    trust_level = level_field(read_only=True, allow_null=True)
    highest_profile_passed = BlankAsNullCharField(allow_null=True, read_only=True)
    pillars = PillarSnapshotSerializer(
        source="pillar_scores", many=True, read_only=True
    )
    knockouts = KnockOutSnapshotSerializer(
        source="failed_knockouts", many=True, read_only=True
    )
    bidder_score = score_field(
        allow_null=True,
        help_text="The bidder's own answers (claims) scored at their word; null "
        "until the bidder answers.",
    )
    bidder_differs = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Criteria where the evaluators accepted another level than the "
        "bidder claimed.",
    )

    class Meta:
        model = Assessment
        fields = [
            "global_score",
            "global_score_claimed",
            "trust_level",
            "eligible",
            "highest_profile_passed",
            "completeness",
            "pillars",
            "knockouts",
            "bidder_score",
            "bidder_differs",
            "scored_at",
        ]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    offer_name = serializers.CharField(source="offer.name_i18n", read_only=True)
    provider = serializers.IntegerField(source="offer.provider_id", read_only=True)
    provider_name = serializers.CharField(source="offer.provider.name", read_only=True)
    catalogue = CatalogueRefSerializer(read_only=True)
    profile = serializers.CharField(source="profile.code", read_only=True)
    summary = serializers.CharField(source="summary_i18n", read_only=True)
    is_reference_case = serializers.BooleanField(read_only=True)
    snapshot = SnapshotSerializer(source="*", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "procurement",
            "offer",
            "offer_name",
            "provider",
            "provider_name",
            "catalogue",
            "profile",
            "status",
            "version",
            "as_of",
            "summary",
            "is_reference_case",
            "created_at",
            "updated_at",
            "submitted_at",
            "approved_at",
            "snapshot",
        ]
        read_only_fields = fields


class AssessmentCreateSerializer(StrictInput, serializers.ModelSerializer):
    """Put an offer under assessment: ``procurement`` and ``offer`` are enough."""

    procurement = ScopedPrimaryKeyField(
        queryset=Procurement.objects.all(),
        help_text="Id of one of your procurements; its profile and catalogue "
        "version apply.",
    )
    offer = ScopedPrimaryKeyField(
        queryset=Offer.objects.all(),
        help_text="Id of an offer of one of your organisation's providers.",
    )
    as_of = serializers.DateField(
        required=False, help_text="The date the facts describe. Default: today."
    )

    class Meta:
        model = Assessment
        fields = ["procurement", "offer", "as_of"]
        # One assessment per offer and procurement: the service says so.
        validators = []


# What every write of a versioned assessment may answer: the assessment, a
# stale body `version` (409) or a stale `If-Match` (412).
VERSIONED_WRITE = {200: AssessmentSerializer, 409: CONFLICT, 412: PRECONDITION_FAILED}


@extend_schema_view(
    list=extend_schema(
        summary="List assessments",
        description="Your organisations' assessments and the reference cases "
        "(`reference=true` for those only), with the scores stored at their "
        "last save. Newest first; `ordering`: created_at, as_of, status, "
        "global_score, trust_level, completeness (e.g. `-global_score`).",
    ),
    retrieve=extend_schema(
        summary="Read an assessment with its stored scores",
        description="`version` is what you send back when saving answers or "
        "changing the status; the `ETag` header says the same, for `If-Match`.",
        parameters=[ETAG],
    ),
)
class AssessmentViewSet(
    AssessmentPanelMixin,
    ModerationMixin,
    BidderActionsMixin,
    HistoryMixin,
    ExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Assessment.objects.with_context().order_by("-created_at", "-pk")
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    sync_field = "updated_at"
    ordering_fields = [
        "created_at",
        "updated_at",
        "as_of",
        "status",
        "global_score",
        "trust_level",
        "completeness",
    ]
    ordering = ["-created_at", "-pk"]
    pagination_class = IdsFirstPagination

    def get_queryset(self):
        queryset = super().get_queryset().visible_to(self.request.user)
        if self.action == "list":
            # Only the tables and columns a row shows: the others were joined,
            # planned and decoded 50 times a page.
            queryset = (
                queryset.select_related(None)
                .select_related("offer__provider", "profile", "catalogue")
                .only(*ROW_READS)
            )
        return queryset

    def list(self, request, *args, **kwargs):
        # The rows AssessmentSerializer documents, written by hand (tested equal).
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response([assessment_row(assessment) for assessment in queryset])
        return self.get_paginated_response([assessment_row(row) for row in page])

    def _detail(self, assessment, status_code=status.HTTP_200_OK):
        assessment = self.get_queryset().get(pk=assessment.pk)
        response = Response(
            AssessmentSerializer(
                assessment, context=self.get_serializer_context()
            ).data,
            status=status_code,
        )
        return with_etag(response, assessment)

    def retrieve(self, request, pk=None):
        assessment = self.get_object()
        response = Response(self.get_serializer(assessment).data)
        return with_etag(response, assessment)

    def _version(self, request, assessment, sent):
        """The version a write is based on: ``If-Match`` (a 412 when stale)
        or else the body's ``version``."""
        matched = matched_version(request, assessment)
        return sent if matched is None else matched

    @extend_schema(
        summary="Put an offer under assessment",
        description='`{"procurement": id, "offer": id}` is enough: the profile and '
        "the catalogue version come from the procurement. The offer must be one "
        "of your organisation's providers'.",
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer},
        examples=[
            OpenApiExample(
                "Minimal", value={"procurement": 1, "offer": 6}, request_only=True
            )
        ],
    )
    def create(self, request):
        serializer = AssessmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        assessment = services.start_assessment(
            user=request.user, **serializer.validated_data
        )
        return self._detail(assessment, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Read an assessment's answers",
        description="One entry per answered criterion, in catalogue order, with "
        "the `version` to send back when saving. Unanswered criteria are absent "
        "(unknown, scored 0).",
        responses={200: AnswersSerializer},
        parameters=[ETAG],
    )
    @extend_schema(
        methods=["POST"],
        summary="Save answers",
        description="Saves the fields you send, per criterion, and re-scores; "
        "fields you leave out keep their stored values. Changes to criteria "
        "that nobody else changed since your `version` are merged with theirs; "
        "if someone changed one of your criteria after it, nothing is saved and "
        "the 409 names those `criteria` and the `current_version`. An empty "
        "list is a 400; any invalid answer is a 400 whose `errors` point at it "
        "(`/answers/3/level`). `level` is 0-4, or null "
        'for unknown; `"not_applicable": true` only where the criterion\'s '
        "`na_allowed` is true. A closed procurement is a 409. Returns the "
        "assessment with its version (unchanged when nothing changed) and "
        "scores.",
        parameters=[IF_MATCH, ETAG],
        request=AnswersInputSerializer,
        responses=VERSIONED_WRITE,
        examples=[OpenApiExample("Three answers", value=ANSWERS_EXAMPLE)],
    )
    @action(detail=True, methods=["get", "post"])
    def answers(self, request, pk=None):
        assessment = self.get_object()
        if request.method != "POST":  # GET, and HEAD like GET
            response = Response(AnswersSerializer(self._answers(assessment)).data)
            return with_etag(response, assessment)
        # Who may write comes before what is written: a reader gets a 403.
        roles.require_assessment_editor(request.user, assessment)
        serializer = AnswersInputSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        version = self._version(
            request, assessment, serializer.validated_data.get("version")
        )
        answers = [
            services.AnswerData(**item) for item in serializer.validated_data["answers"]
        ]  # fields left out are UNSET: their stored values stay
        try:
            assessment = services.record_answers(
                assessment,
                user=request.user,
                version=version,
                answers=answers,
            )
        except services.InvalidAnswers as exc:
            raise exceptions.ValidationError({"answers": exc.errors}) from exc
        return self._detail(assessment)

    def _answers(self, assessment):
        answers = (
            Answer.objects.filter(assessment=assessment)
            .select_related("criterion", "answered_by")
            .prefetch_related(
                Prefetch("facts", queryset=ProviderFact.objects.only("pk"))
            )
        )
        return {
            "assessment": assessment.pk,
            "status": assessment.status,
            "version": assessment.version,
            "answers": answers,
        }

    @extend_schema(
        summary="Submit a draft for approval",
        description="Evaluators and leads. The assessment becomes read-only. Send "
        "`version` to refuse the change if someone saved since (409).",
        parameters=[IF_MATCH, ETAG],
        request=TransitionSerializer,
        responses=VERSIONED_WRITE,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, services.submit_assessment)

    @extend_schema(
        summary="Approve a submitted assessment",
        description="Leads only, and not the person who submitted it while the "
        "organisation keeps the four-eyes rule (403). With unanswered criteria a "
        "`reason` is required. Approval freezes what the report shows (offer, "
        "provider, certifications, cited facts): later changes to them do not "
        "change this assessment's pages, exports or digest. Send `version` to "
        "refuse the change if someone saved since (409).",
        parameters=[IF_MATCH, ETAG],
        request=TransitionSerializer,
        responses=VERSIONED_WRITE,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, services.approve_assessment)

    @extend_schema(
        summary="Reopen a submitted or approved assessment (leads)",
        description="Back to draft, so it can be corrected. Reopening an approved "
        "assessment needs a `reason`, kept in the record; its frozen approval "
        "record is released.",
        parameters=[IF_MATCH, ETAG],
        request=TransitionSerializer,
        responses=VERSIONED_WRITE,
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._transition(request, services.reopen_assessment)

    @extend_schema(
        summary="Withdraw an offer from its procurement (leads)",
        description="With a `reason`. The offer leaves the ranking and is listed as "
        "withdrawn; the assessment stays in the record, never deleted.",
        parameters=[IF_MATCH, ETAG],
        request=TransitionSerializer,
        responses=VERSIONED_WRITE,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition(request, services.withdraw_assessment)

    def _transition(self, request, service):
        assessment = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submitting = service is services.submit_assessment
        options = {} if submitting else {"reason": data["reason"]}
        version = self._version(request, assessment, data.get("version"))
        assessment = service(assessment, user=request.user, version=version, **options)
        return self._detail(assessment)

    @extend_schema(
        summary="Set an assessment's summary",
        description="Evaluators and leads, while the assessment is a draft. The "
        "summary is the evaluators' conclusion, shown on the scorecard and in "
        "the reports; a change makes a new version and goes in the record.",
        parameters=[IF_MATCH, ETAG],
        request=SummarySerializer,
        responses=VERSIONED_WRITE,
        examples=[
            OpenApiExample(
                "Conclusion",
                value={
                    "summary": "Eligible for N3; the EU control chain is verified.",
                    "version": 1,
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["put"])
    def summary(self, request, pk=None):
        assessment = self.get_object()
        serializer = SummarySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessment = services.set_summary(
            assessment,
            user=request.user,
            summary=data["summary"],
            version=self._version(request, assessment, data.get("version")),
        )
        return self._detail(assessment)

    @extend_schema(
        summary="Read an assessment's history",
        description=HISTORY_DESCRIPTION
        + " Includes the changes to the offer, its provider, certifications and "
        "facts that the assessment relies on.",
        parameters=HISTORY_FILTERS,
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, filter_backends=[])
    def history(self, request, pk=None):
        assessment = self.get_object()
        if assessment.is_reference_case:
            return self.history_response(HistoryEntry.objects.none())
        return self.history_response(HistoryEntry.objects.of_assessment(assessment))

    @extend_schema(
        summary="Read the full scorecard",
        description="The engine's explanation of the stored answers, as stored "
        "at their last save: "
        "global score as evidenced and as claimed, trust level (weakest link), "
        "eligibility for the profile with the failed knock-outs, highest profile "
        "passed, every pillar and criterion (claimed and effective level, "
        "evidence cap), binding criteria and evidence gaps. Scores are numbers "
        "with one decimal; names follow `Accept-Language` (en, fr). The "
        "answer carries an `ETag`: sent back in `If-None-Match`, it gets a 304 "
        "without a body while the scorecard is unchanged.",
        responses={200: ScorecardSerializer, 304: NOT_MODIFIED},
    )
    @action(detail=True, filter_backends=[])
    def scorecard(self, request, pk=None):
        # Read from the snapshot stored at the last save (one row), with the
        # catalogue's words from memory; the engine runs only for a snapshot
        # older than that. The ETag lets a client skip an unchanged body.
        assessment = get_object_or_404(
            Assessment.objects.visible_to(request.user).with_stored_scorecard(),
            pk=pk,
        )
        self.check_object_permissions(request, assessment)
        catalogue = assessment.catalogue.with_method()
        report = stored_report(assessment, catalogue)
        if report is None:
            report = assessment_report(self.get_object())
            return Response(ScorecardSerializer(report).data)
        etag = scorecard_etag(assessment, catalogue)
        sent = parse_etags(request.headers.get("If-None-Match", ""))
        if etag in sent or "*" in sent:
            return HttpResponseNotModified(headers={"ETag": etag})
        return Response(scorecard_body(report), headers={"ETag": etag})

    @extend_schema(
        summary="Download the scorecard",
        description="One assessment's scorecard with every answer. The JSON "
        "record carries the inputs and a SHA-256 digest, so that "
        "`python manage.py verify_export FILE` can re-run the engine on it later."
        + export_rule(ExportJob.Kind.ASSESSMENT),
        parameters=[EXPORT_FORMAT],
        responses=export_responses(ExportJob.Kind.ASSESSMENT),
    )
    @action(detail=True, url_path=EXPORT_PATH)
    def export(self, request, pk=None, fmt=None):
        assessment = self.get_object()
        return self._export(
            assessment,
            ExportJob.Kind.ASSESSMENT,
            fmt,
            lambda language: exports.export_assessment(
                assessment, fmt, language=language
            ),
        )
