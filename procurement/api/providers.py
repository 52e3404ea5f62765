"""The REST API's viewsets, registered on the one router in ``config/api.py``.

Every queryset starts from ``visible_to(request.user)``, so another
organisation's objects are a 404 on every endpoint, writes included. Writes
validate the payload with a serializer and hand it to ``services.py``, which
checks the caller's role (a ``PermissionDenied`` is a 403) and refuses
changes to the reference cases. Scores come from the stored snapshot or from
``scorecards.py``; nothing here computes one.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import exports, services
from ..filters import AssessmentFilter, OfferFilter, ProviderFilter
from ..models import (
    Answer,
    Assessment,
    Offer,
    Provider,
    ProviderFact,
)
from ..scorecards import assessment_report
from .assessments import (
    AnswersInputSerializer,
    AnswersSerializer,
    AssessmentCreateSerializer,
    AssessmentSerializer,
    CertificationSerializer,
    CertificationWriteSerializer,
    FactSerializer,
    FactWriteSerializer,
    OfferCreateSerializer,
    OfferSerializer,
    OfferUpdateSerializer,
    ProviderCreateSerializer,
    ProviderDetailSerializer,
    ProviderSerializer,
    ProviderUpdateSerializer,
    ScorecardSerializer,
    TransitionSerializer,
)
from .organisations import editable_organisation
from .responses import (
    CONFLICT,
    EXPORT_FORMAT,
    EXPORT_RESPONSES,
    ExportMixin,
)


@extend_schema_view(
    list=extend_schema(
        summary="List providers",
        description="Your organisations' providers and the reference cases "
        "(read-only for everyone). Ordered by name; `ordering`: name, country, "
        "created_at (prefix `-` to reverse).",
    ),
    retrieve=extend_schema(
        summary="Read a provider with its dated, sourced facts",
    ),
)
class ProviderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Provider.objects.order_by("name", "pk")
    serializer_class = ProviderDetailSerializer
    filterset_class = ProviderFilter
    ordering_fields = ["name", "country", "created_at"]
    ordering = ["name", "pk"]

    def get_queryset(self):
        queryset = super().get_queryset().visible_to(self.request.user)
        if self.action not in ("retrieve", "create", "partial_update"):
            return queryset
        return queryset.prefetch_related(
            Prefetch("facts", queryset=ProviderFact.objects.order_by("as_of", "pk"))
        )

    def get_serializer_class(self):
        if self.action == "list":
            return ProviderSerializer
        return super().get_serializer_class()

    def _detail(self, provider, status_code=status.HTTP_200_OK):
        provider = self.get_queryset().get(pk=provider.pk)
        return Response(self.get_serializer(provider).data, status=status_code)

    @extend_schema(
        summary="Create a provider",
        description='`{"name": ...}` is enough. `organisation` is needed only when '
        "you are an evaluator or lead of several organisations.",
        request=ProviderCreateSerializer,
        responses={201: ProviderDetailSerializer},
        examples=[
            OpenApiExample(
                "Minimal",
                value={"name": "Beta Sovereign"},
                request_only=True,
            ),
            OpenApiExample(
                "With ownership",
                value={
                    "name": "Gamma Hyperscale EU",
                    "country": "IE",
                    "parent_name": "Gamma Cloud Inc.",
                    "parent_country": "US",
                },
                request_only=True,
            ),
        ],
    )
    def create(self, request):
        serializer = ProviderCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        organisation = fields.pop("organisation", None) or editable_organisation(
            request.user
        )
        provider = services.create_provider(
            user=request.user, organisation=organisation, **fields
        )
        return self._detail(provider, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a provider",
        description="Send only the fields to change. Reference cases are "
        "read-only (403).",
        request=ProviderUpdateSerializer,
        responses={200: ProviderDetailSerializer},
        examples=[
            OpenApiExample(
                "Change of parent",
                value={"parent_name": "Delta Holding", "parent_country": "US"},
                request_only=True,
            )
        ],
    )
    def partial_update(self, request, pk=None):
        provider = self.get_object()
        serializer = ProviderUpdateSerializer(provider, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        provider = services.update_provider(
            provider, user=request.user, **serializer.validated_data
        )
        return self._detail(provider)

    @extend_schema(
        summary="Add a dated, sourced fact to a provider",
        request=FactWriteSerializer,
        responses={201: FactSerializer},
        examples=[
            OpenApiExample(
                "Change of control",
                value={
                    "category": "change_of_control",
                    "statement": "Acquired by a non-EU group.",
                    "as_of": "2026-01-15",
                    "source_title": "Press release",
                    "source_url": "https://example.org/press",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def facts(self, request, pk=None):
        provider = self.get_object()
        serializer = FactWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fact = services.add_fact(
            provider, user=request.user, **serializer.validated_data
        )
        return Response(FactSerializer(fact).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List offers",
        description="Offers of your organisations' providers and of the reference "
        "cases. Ordered by provider, then name; `ordering`: name, "
        "provider__name, created_at (prefix `-` to reverse).",
    ),
    retrieve=extend_schema(summary="Read an offer"),
)
class OfferViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Offer.objects.select_related("provider").order_by(
        "provider__name", "name", "pk"
    )
    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    ordering_fields = ["name", "provider__name", "created_at"]
    ordering = ["provider__name", "name", "pk"]

    def get_queryset(self):
        # Today's date decides which certifications are expired: build the
        # prefetch per request.
        return (
            super()
            .get_queryset()
            .visible_to(self.request.user)
            .prefetch_related(
                Prefetch(
                    "certifications", queryset=services.certifications_with_expiry()
                )
            )
        )

    def _detail(self, offer, status_code=status.HTTP_200_OK):
        offer = self.get_queryset().get(pk=offer.pk)
        return Response(self.get_serializer(offer).data, status=status_code)

    @extend_schema(
        summary="Add an offer to a provider",
        description='`{"provider": id, "name": ...}` is enough.',
        request=OfferCreateSerializer,
        responses={201: OfferSerializer},
        examples=[
            OpenApiExample(
                "Minimal",
                value={"provider": 1, "name": "Trusted IaaS"},
                request_only=True,
            ),
            OpenApiExample(
                "Complete",
                value={
                    "provider": 1,
                    "name": "Trusted IaaS",
                    "service_model": "iaas",
                    "deployment_model": "public",
                    "regions": ["FR"],
                    "description": "Qualified IaaS, regions Paris and Lyon.",
                },
                request_only=True,
            ),
        ],
    )
    def create(self, request):
        serializer = OfferCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        provider = fields.pop("provider")
        offer = services.create_offer(provider, user=request.user, **fields)
        return self._detail(offer, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an offer",
        description="Send only the fields to change. Reference cases are "
        "read-only (403).",
        request=OfferUpdateSerializer,
        responses={200: OfferSerializer},
    )
    def partial_update(self, request, pk=None):
        offer = self.get_object()
        serializer = OfferUpdateSerializer(offer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        offer = services.update_offer(
            offer, user=request.user, **serializer.validated_data
        )
        return self._detail(offer)

    @extend_schema(
        summary="Add a certification to an offer",
        description="Evaluators and leads of the provider's organisation; reference "
        'cases are read-only (403). `{"scheme": ...}` is enough; `valid_to` may '
        "not be before `valid_from`. Returns the new certification (its `id` is "
        "what DELETE takes); the offer lists it under `certifications`.",
        request=CertificationWriteSerializer,
        responses={201: CertificationSerializer},
        examples=[
            OpenApiExample(
                "SecNumCloud",
                value={
                    "scheme": "SecNumCloud 3.2",
                    "scope": "IaaS, regions Paris and Lyon",
                    "valid_from": "2025-03-01",
                    "valid_to": "2028-02-29",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def certifications(self, request, pk=None):
        offer = self.get_object()
        serializer = CertificationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certification = services.add_certification(
            offer, user=request.user, **serializer.validated_data
        )
        certification = services.certifications_with_expiry().get(pk=certification.pk)
        return Response(
            CertificationSerializer(certification).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Remove a certification from an offer",
        description="Evaluators and leads of the provider's organisation; reference "
        "cases are read-only (403). A certification of another offer is a 404.",
        parameters=[
            OpenApiParameter(
                "certification_id",
                int,
                OpenApiParameter.PATH,
                description="The `id` of one of the offer's `certifications`.",
            )
        ],
        request=None,
        responses={204: OpenApiResponse(description="Removed.")},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"certifications/(?P<certification_id>[0-9]+)",
    )
    def certification(self, request, pk=None, certification_id=None):
        offer = self.get_object()
        certification = get_object_or_404(
            offer.certifications.select_related("offer__provider__organisation"),
            pk=certification_id,
        )
        services.remove_certification(certification, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


ANSWERS_EXAMPLE = {
    "version": 1,
    "answers": [
        {
            "criterion": "JUR-1",
            "level": 3,
            "evidence": "verified",
            "justification": "EU-only control chain, checked in the contract.",
            "evidence_reference": "Contract annex 4",
        },
        {"criterion": "OWN-1", "level": None},
        {"criterion": "TEC-5", "not_applicable": True},
    ],
}


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
        "changing the status.",
    ),
)
class AssessmentViewSet(
    ExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Assessment.objects.with_context().order_by("-created_at", "-pk")
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    ordering_fields = [
        "created_at",
        "as_of",
        "status",
        "global_score",
        "trust_level",
        "completeness",
    ]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def _detail(self, assessment, status_code=status.HTTP_200_OK):
        assessment = self.get_queryset().get(pk=assessment.pk)
        return Response(
            AssessmentSerializer(
                assessment, context=self.get_serializer_context()
            ).data,
            status=status_code,
        )

    @extend_schema(
        summary="Put an offer under assessment",
        description='`{"procurement": id, "offer": id}` is enough: the profile and '
        "the catalogue version come from the procurement. The offer must be one "
        "of your organisation's providers'.",
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer},
        examples=[
            OpenApiExample(
                "Minimal", value={"procurement": 1, "offer": 1}, request_only=True
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
    )
    @extend_schema(
        methods=["POST"],
        summary="Save answers",
        description="Saves every answer at once and re-scores, or saves nothing: "
        "a `version` that is not the current one is a 409 with "
        "`current_version`; any invalid answer is a 400 whose `answers` list is "
        "aligned with yours (`{}` for the valid ones). `level` is 0-4, or null "
        'for unknown; `"not_applicable": true` only where the criterion\'s '
        "`na_allowed` is true. Returns the assessment with its new version and "
        "scores.",
        request=AnswersInputSerializer,
        responses={200: AssessmentSerializer, 409: CONFLICT},
        examples=[OpenApiExample("Three answers", value=ANSWERS_EXAMPLE)],
    )
    @action(detail=True, methods=["get", "post"])
    def answers(self, request, pk=None):
        assessment = self.get_object()
        if request.method != "POST":  # GET, and HEAD like GET
            return Response(AnswersSerializer(self._answers(assessment)).data)
        serializer = AnswersInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = [
            services.AnswerData(**item) for item in serializer.validated_data["answers"]
        ]
        try:
            assessment = services.record_answers(
                assessment,
                user=request.user,
                version=serializer.validated_data["version"],
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
        request=TransitionSerializer,
        responses={200: AssessmentSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, services.submit_assessment)

    @extend_schema(
        summary="Approve a submitted assessment",
        description="Leads only. Send `version` to refuse the change if someone "
        "saved since (409).",
        request=TransitionSerializer,
        responses={200: AssessmentSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, services.approve_assessment)

    def _transition(self, request, service):
        assessment = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = service(
            assessment,
            user=request.user,
            version=serializer.validated_data.get("version"),
        )
        return self._detail(assessment)

    @extend_schema(
        summary="Read the full scorecard",
        description="The engine's explanation, computed from the stored answers: "
        "global score as evidenced and as claimed, trust level (weakest link), "
        "eligibility for the profile with the failed knock-outs, highest profile "
        "passed, every pillar and criterion (claimed and effective level, "
        "evidence cap), binding criteria and evidence gaps. Scores are numbers "
        "with one decimal; names follow `Accept-Language` (en, fr).",
        responses={200: ScorecardSerializer},
    )
    @action(detail=True)
    def scorecard(self, request, pk=None):
        report = assessment_report(self.get_object())
        return Response(ScorecardSerializer(report).data)

    @extend_schema(
        summary="Download the scorecard",
        description="One assessment's scorecard with every answer. The JSON "
        "record carries the inputs and a SHA-256 digest, so that "
        "`python manage.py verify_export FILE` can re-run the engine on it later.",
        parameters=[EXPORT_FORMAT],
        responses=EXPORT_RESPONSES,
    )
    @action(detail=True, url_path=r"export/(?P<fmt>pdf|xlsx|csv|json)")
    def export(self, request, pk=None, fmt=None):
        assessment = self.get_object()
        return self._download(
            lambda language: exports.export_assessment(
                assessment, fmt, language=language
            )
        )
