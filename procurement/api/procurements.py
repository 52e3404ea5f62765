"""Procurements in the API, with their ranking, sensitivity and report.

Create, change, open and close a procurement; rank its offers (the eligible
ones by score, then the excluded ones and why); score every offer again
under every profile of its catalogue version; download the procurement
report. Ranks, scores and eligibility come from the stored snapshots,
``scorecards.py`` and ``sensitivity.py``; nothing here computes one.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.rest import StrictInput
from scoring.models import Catalogue

from .. import exports, sensitivity, services
from ..awarding import award_ranking
from ..filters import ProcurementFilter
from ..models import Assessment, ExportJob, HistoryEntry, Organisation, Procurement
from ..scorecards import procurement_summary
from .adjustment import AdjustmentMixin
from .award import AwardMixin, AwardRankingSerializer
from .fields import ScopedPrimaryKeyField, level_field, score_field
from .history import (
    HISTORY_DESCRIPTION,
    HISTORY_FILTERS,
    HistoryEntrySerializer,
    HistoryMixin,
)
from .organisations import editable_organisation
from .panel import ProcurementPanelMixin
from .ranking_rows import excluded_reason, ranking_row
from .repin import RepinMixin
from .responses import (
    CONFLICT,
    EXPORT_FORMAT,
    EXPORT_PATH,
    REFUSED,
    ExportMixin,
    export_responses,
    export_rule,
)
from .robustness import RobustnessMixin
from .scorecards import CatalogueRefSerializer, KnockOutSerializer, catalogue_ref


class ProcurementSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True
    )
    catalogue = CatalogueRefSerializer(read_only=True)
    profile = serializers.CharField(source="profile.code", read_only=True)
    profile_name = serializers.CharField(source="profile.name", read_only=True)
    assessment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Procurement
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "title",
            "reference",
            "description",
            "catalogue",
            "profile",
            "profile_name",
            "status",
            "deadline",
            "assessment_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProcurementCreateSerializer(StrictInput, serializers.ModelSerializer):
    """A new procurement: ``title`` and ``profile`` (a code such as "N3")."""

    organisation = ScopedPrimaryKeyField(
        queryset=Organisation.objects.all(),
        scope="of_user",
        required=False,
        help_text="Your organisation that runs the procurement. Optional when you "
        "are an evaluator or lead of exactly one organisation.",
    )
    profile = serializers.CharField(
        max_length=8,
        help_text='Sensitivity profile code of the catalogue, e.g. "N3" (see '
        "GET /api/v1/catalogues/{id}/ for the profiles).",
    )
    catalogue = serializers.PrimaryKeyRelatedField(
        queryset=Catalogue.objects.published(),
        required=False,
        help_text="Id of a published catalogue version (GET /api/v1/catalogues/). "
        "Default: the most recently published catalogue.",
    )

    class Meta:
        model = Procurement
        fields = [
            "organisation",
            "title",
            "profile",
            "catalogue",
            "reference",
            "description",
            "deadline",
            "status",
        ]
        # The per-organisation reference constraint is checked by the service.
        validators = []

    def validate(self, attrs):
        """Resolve the profile code against the chosen (or latest) catalogue."""
        catalogue = attrs.pop("catalogue", None) or (
            Catalogue.objects.published().order_by("-loaded_at", "-pk").first()
        )
        if catalogue is None:
            raise serializers.ValidationError(
                {"catalogue": _("No published catalogue is loaded yet.")}
            )
        code = attrs["profile"]
        profile = catalogue.profiles.filter(code=code).first()
        if profile is None:
            codes = ", ".join(catalogue.profiles.values_list("code", flat=True))
            raise serializers.ValidationError(
                {
                    "profile": _(
                        "Unknown profile %(code)s in %(catalogue)s: use one of "
                        "%(codes)s."
                    )
                    % {"code": code, "catalogue": catalogue, "codes": codes}
                }
            )
        attrs["profile"] = profile
        return attrs


class ProcurementUpdateSerializer(StrictInput, serializers.ModelSerializer):
    """The procurement fields a buyer may change; every one is optional."""

    profile = serializers.CharField(
        max_length=8,
        required=False,
        help_text='A profile code of the procurement\'s catalogue version, e.g. "N2". '
        "Refused once an offer is under assessment: the profile is pinned then.",
    )

    class Meta:
        model = Procurement
        fields = ["title", "reference", "description", "deadline", "profile"]
        # The per-organisation reference constraint is checked by the service.
        validators = []

    def validate_profile(self, code):
        """Resolve the code in the procurement's own catalogue version."""
        catalogue = self.instance.catalogue
        profile = catalogue.profiles.filter(code=code).first()
        if profile is None:
            codes = ", ".join(catalogue.profiles.values_list("code", flat=True))
            raise serializers.ValidationError(
                _("Unknown profile %(code)s in %(catalogue)s: use one of %(codes)s.")
                % {"code": code, "catalogue": catalogue, "codes": codes}
            )
        return profile


class RankingRowSerializer(serializers.Serializer):
    """One offer of a ranking; reads a ``{"row": RankingRow, "report": ...}``."""

    rank = serializers.IntegerField(source="row.rank", allow_null=True)
    tied = serializers.BooleanField(source="row.tied")
    assessment = serializers.IntegerField(source="row.assessment.pk")
    offer = serializers.IntegerField(source="row.assessment.offer_id")
    offer_name = serializers.CharField(source="row.assessment.offer.name_i18n")
    provider = serializers.IntegerField(source="row.assessment.offer.provider_id")
    provider_name = serializers.CharField(source="row.assessment.offer.provider.name")
    status = serializers.ChoiceField(
        choices=Assessment.Status.choices, source="row.assessment.status"
    )
    eligible = serializers.BooleanField(source="row.assessment.eligible")
    global_score = score_field(source="row.assessment.global_score")
    global_score_claimed = score_field(source="row.assessment.global_score_claimed")
    trust_level = level_field(source="row.assessment.trust_level", allow_null=True)
    bidder_score = score_field(
        source="row.assessment.bidder_score",
        allow_null=True,
        help_text="As claimed by the bidder (null until it answers).",
    )
    bidder_differs = serializers.ListField(
        source="row.assessment.bidder_differs",
        child=serializers.CharField(),
        help_text="Criteria where the evaluators accepted another level.",
    )
    knockouts = KnockOutSerializer(source="report.knockouts", many=True)
    reason = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason(self, item):
        """Why an offer is excluded, in words; null for an eligible offer."""
        return excluded_reason(item["row"], item["report"])


class WithdrawnSerializer(serializers.Serializer):
    """An offer withdrawn from the procurement: out of the ranking, on record."""

    assessment = serializers.IntegerField(source="pk")
    offer = serializers.IntegerField(source="offer_id")
    offer_name = serializers.CharField(source="offer.name_i18n")
    provider_name = serializers.CharField(source="offer.provider.name")
    withdrawn_at = serializers.DateTimeField()
    reason = serializers.CharField(source="withdrawal_reason")


class RankingSerializer(serializers.Serializer):
    procurement = serializers.IntegerField(source="procurement.pk")
    title = serializers.CharField(source="procurement.title")
    profile = serializers.CharField(source="profile.code")
    catalogue = CatalogueRefSerializer()
    has_ties = serializers.BooleanField(source="ranking.has_ties")
    provisional = serializers.BooleanField(
        source="ranking.provisional",
        help_text="True until every ranked assessment is approved.",
    )
    eligible = RankingRowSerializer(many=True)
    excluded = RankingRowSerializer(many=True)
    withdrawn = WithdrawnSerializer(many=True)
    award = AwardRankingSerializer(
        allow_null=True,
        help_text="With award criteria: price and quality weighed with the "
        "sovereignty score, after the knock-outs; null without.",
    )


class ProfileResultSerializer(serializers.Serializer):
    """One offer under one profile, scored by the engine from its answers."""

    profile = serializers.CharField()
    global_score = score_field()
    trust_level = level_field(allow_null=True)
    eligible = serializers.BooleanField()
    rank = serializers.IntegerField(
        allow_null=True, help_text="Among the offers eligible under this profile."
    )
    tied = serializers.BooleanField()
    knockouts = serializers.ListField(
        child=serializers.CharField(),
        help_text="Codes of the criteria whose knock-out threshold of this profile "
        "the offer fails.",
    )


class SensitivityRowSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(source="assessment.pk")
    offer = serializers.IntegerField(source="assessment.offer_id")
    offer_name = serializers.CharField(source="assessment.offer.name_i18n")
    provider = serializers.IntegerField(source="assessment.offer.provider_id")
    provider_name = serializers.CharField(source="assessment.offer.provider.name")
    profiles = ProfileResultSerializer(source="results", many=True)


class SensitivityProfileSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="profile.name")
    current = serializers.BooleanField(help_text="The procurement's own profile.")
    eligible = serializers.IntegerField(help_text="Offers eligible under it.")
    total = serializers.IntegerField(help_text="Offers in the procurement.")
    leaders = serializers.SerializerMethodField(
        help_text="Ids of the assessments ranked first (several when tied)."
    )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_leaders(self, column):
        """The assessments ranked first under this profile, by id."""
        return [assessment.pk for assessment in column.leaders]


class SensitivitySerializer(serializers.Serializer):
    """Reads ``{"procurement", "catalogue", "sensitivity"}``."""

    procurement = serializers.IntegerField(source="procurement.pk")
    profile = serializers.CharField(source="sensitivity.profile")
    catalogue = CatalogueRefSerializer()
    leader_depends_on_profile = serializers.BooleanField(
        source="sensitivity.leader_depends_on_profile",
        help_text="Whether the profiles that let an offer through rank different "
        "offers first.",
    )
    profiles = SensitivityProfileSerializer(source="sensitivity.columns", many=True)
    offers = SensitivityRowSerializer(source="sensitivity.rows", many=True)


class ReasonSerializer(StrictInput, serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        default="",
        help_text="Why, kept in the record (optional).",
    )


@extend_schema_view(
    list=extend_schema(
        summary="List your organisations' procurements",
        description="Newest first; `ordering`: created_at, title, reference, "
        "deadline (prefix `-` to reverse).",
    ),
    retrieve=extend_schema(summary="Read a procurement"),
    repin=extend_schema(responses={200: ProcurementSerializer, 409: CONFLICT}),
)
class ProcurementViewSet(
    ProcurementPanelMixin,
    AdjustmentMixin,
    RepinMixin,
    HistoryMixin,
    AwardMixin,
    RobustnessMixin,
    ExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Procurement.objects.select_related(
        "organisation", "catalogue", "profile"
    ).order_by("-created_at", "-pk")
    serializer_class = ProcurementSerializer
    filterset_class = ProcurementFilter
    ordering_fields = ["created_at", "updated_at", "title", "reference", "deadline"]
    sync_field = "updated_at"
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.select_related(None).for_list()
        return queryset.visible_to(self.request.user).with_assessment_count()

    @extend_schema(
        summary="Open a procurement",
        description='`{"title": ..., "profile": "N3"}` is enough: the profile code '
        "is resolved in the most recently published catalogue unless "
        "`catalogue` (an id from GET /api/v1/catalogues/) is given; the "
        "procurement stays pinned to that catalogue version. `organisation` is "
        "needed only when you are an evaluator or lead of several organisations.",
        request=ProcurementCreateSerializer,
        responses={201: ProcurementSerializer},
        examples=[
            OpenApiExample(
                "Minimal",
                value={"title": "Hosting of the payroll system", "profile": "N3"},
                request_only=True,
            ),
            OpenApiExample(
                "Complete",
                value={
                    "title": "Hosting of the payroll system",
                    "profile": "N3",
                    "catalogue": 1,
                    "organisation": 1,
                    "reference": "T-2026-07",
                    "description": "IaaS for payroll data.",
                    "deadline": "2026-12-31",
                },
                request_only=True,
            ),
        ],
    )
    def create(self, request):
        serializer = ProcurementCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        organisation = fields.pop("organisation", None) or editable_organisation(
            request.user
        )
        procurement = services.create_procurement(
            user=request.user, organisation=organisation, **fields
        )
        return self._detail(procurement, status.HTTP_201_CREATED)

    def _detail(self, procurement, status_code=status.HTTP_200_OK):
        procurement = self.get_queryset().get(pk=procurement.pk)
        return Response(self.get_serializer(procurement).data, status=status_code)

    @extend_schema(
        summary="Change a procurement",
        description="Evaluators and leads. Send only the fields to change: title, "
        "reference, description, deadline, and `profile` (a code of the "
        "procurement's catalogue version) as long as no offer is under "
        "assessment; after that the profile is pinned and changing it is a 400. "
        "The status changes with POST .../open/ and .../close/ (leads).",
        request=ProcurementUpdateSerializer,
        responses={200: ProcurementSerializer},
        examples=[
            OpenApiExample(
                "New deadline",
                value={"deadline": "2027-01-31"},
                request_only=True,
            )
        ],
    )
    def partial_update(self, request, pk=None):
        procurement = self.get_object()
        serializer = ProcurementUpdateSerializer(
            procurement, data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        services.update_procurement(
            procurement, user=request.user, **serializer.validated_data
        )
        return self._detail(procurement)

    @extend_schema(
        summary="Close a procurement",
        description="Leads only (403 otherwise). Until a lead reopens it, nothing "
        "in it changes: no offer is added, no answer saved, no assessment "
        "submitted, approved, reopened or withdrawn, and the offers under "
        "assessment cannot be edited (409); the ranking and scorecards stay "
        "readable. Closing a closed procurement is a 400. An optional `reason` "
        "is kept in the record.",
        request=ReasonSerializer,
        responses={200: ProcurementSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._set_status(request, services.close_procurement)

    @extend_schema(
        summary="Open or reopen a procurement",
        description="Leads only (403 otherwise). Opens a draft or reopens a closed "
        "procurement. Opening an open procurement is a 400. An optional `reason` "
        "is kept in the record.",
        request=ReasonSerializer,
        responses={200: ProcurementSerializer},
    )
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._set_status(request, services.open_procurement)

    def _set_status(self, request, service):
        procurement = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(procurement, user=request.user, **serializer.validated_data)
        return self._detail(procurement)

    @extend_schema(
        summary="Delete a draft procurement (leads)",
        description="Only a draft in which nothing was submitted: its draft "
        "assessments go with it, and the record keeps every entry, with one "
        "more saying who deleted it. Anything else is a 400.",
        responses={204: None, 400: REFUSED},
    )
    def destroy(self, request, pk=None):
        services.delete_procurement(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Read a procurement's history",
        description=HISTORY_DESCRIPTION,
        parameters=HISTORY_FILTERS,
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, filter_backends=[])
    def history(self, request, pk=None):
        procurement = self.get_object()
        return self.history_response(HistoryEntry.objects.of_procurement(procurement))

    @extend_schema(
        summary="Rank a procurement's offers",
        description="Eligible offers first, by evidenced global score (equal "
        "scores share a rank and are flagged `tied`); then the excluded offers, "
        "each with the knock-outs it fails and the reason in words; withdrawn "
        "offers are listed apart. Until every ranked assessment is approved the "
        "ranking is `provisional` and each row's `status` says which are drafts "
        "or submitted. Ranks, scores and eligibility are those stored at each "
        "save; the knock-outs are explained by the engine from the same answers.",
        responses={200: RankingSerializer},
    )
    @action(detail=True)
    def ranking(self, request, pk=None):
        report = procurement_summary(self.get_object())
        award = award_ranking(report)
        # RankingSerializer's body; its rows written by hand (tested equal).
        return Response(
            {
                "procurement": report.procurement.pk,
                "title": str(report.procurement.title),
                "profile": str(report.profile.code),
                "catalogue": catalogue_ref(report.catalogue),
                "has_ties": bool(report.ranking.has_ties),
                "provisional": bool(report.ranking.provisional),
                "eligible": [
                    ranking_row(row, line)
                    for row, line in report.rows
                    if not row.excluded
                ],
                "excluded": [
                    ranking_row(row, line) for row, line in report.rows if row.excluded
                ],
                "withdrawn": WithdrawnSerializer(
                    report.ranking.withdrawn, many=True
                ).data,
                "award": None if award is None else AwardRankingSerializer(award).data,
            }
        )

    @extend_schema(
        summary="Rank the offers under every profile",
        description="Sensitivity analysis: every offer's answers scored again "
        "under each profile of the procurement's catalogue version (its pillar "
        "weights, knock-out thresholds and evidence caps), with the offer's "
        "global score, trust level, eligibility, failed knock-outs and rank "
        "among the offers eligible under that profile. Offers come in the order "
        "of the procurement's own ranking; `profiles` says which profile is the "
        "procurement's (`current`) and how many offers each lets through.",
        responses={200: SensitivitySerializer},
    )
    @action(detail=True)
    def sensitivity(self, request, pk=None):
        report = procurement_summary(self.get_object())
        data = {
            "procurement": report.procurement,
            "catalogue": report.catalogue,
            "sensitivity": sensitivity.sensitivity(report),
        }
        return Response(SensitivitySerializer(data).data)

    @extend_schema(
        summary="Download the procurement report",
        description="The analysis report of the procurement: the method "
        "(catalogue version, profile weights and knock-out thresholds), the "
        "ranking with the excluded offers and why, and every offer's scorecard "
        "with its answers. The same numbers as the ranking endpoint."
        + export_rule(ExportJob.Kind.PROCUREMENT),
        parameters=[EXPORT_FORMAT],
        responses=export_responses(ExportJob.Kind.PROCUREMENT),
    )
    @action(detail=True, url_path=EXPORT_PATH)
    def export(self, request, pk=None, fmt=None):
        procurement = self.get_object()
        return self._export(
            procurement,
            ExportJob.Kind.PROCUREMENT,
            fmt,
            lambda language: exports.export_procurement(
                procurement, fmt, language=language
            ),
        )
