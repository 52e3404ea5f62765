"""Providers and offers in the API, with their facts and certifications.

A provider carries dated, sourced facts (a statement, when it held and
where it comes from); an offer is one of its services, with the
certifications it holds (expired or not as of today). Reference cases are
read-only for everyone.
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
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.rest import StrictInput
from scoring.models import Catalogue

from .. import services
from ..filters import OfferFilter, ProviderFilter
from ..models import Certification, Offer, Organisation, Provider, ProviderFact
from .fields import ScopedPrimaryKeyField
from .organisations import editable_organisation

FACT_FIELDS = [
    "key",
    "category",
    "statement",
    "as_of",
    "as_of_end",
    "date_precision",
    "source_title",
    "source_publisher",
    "source_url",
    "source_date",
    "published_on",
    "confidence",
    "verify",
    "note",
]


class FactSerializer(serializers.ModelSerializer):
    statement = serializers.CharField(source="statement_i18n", read_only=True)
    note = serializers.CharField(source="note_i18n", read_only=True)
    # Strings without the slug pattern and "uri" format: both may be blank.
    key = serializers.CharField(read_only=True)
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = ProviderFact
        fields = ["id", *FACT_FIELDS]


class FactWriteSerializer(StrictInput, serializers.ModelSerializer):
    """A new dated, sourced fact: ``statement``, ``as_of`` and ``source_title``."""

    class Meta:
        model = ProviderFact
        fields = FACT_FIELDS


class FactUpdateSerializer(FactWriteSerializer):
    """A correction of a fact: send only the fields to change."""


class ProviderSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="description_i18n", read_only=True)
    lesson = serializers.CharField(source="lesson_i18n", read_only=True)
    # A string, not a "uri": it may be blank.
    website = serializers.CharField(read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "organisation",
            "name",
            "legal_name",
            "country",
            "parent_name",
            "parent_country",
            "founded_on",
            "founded_precision",
            "ceased_on",
            "ceased_precision",
            "status",
            "website",
            "description",
            "is_reference_case",
            "lesson",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProviderDetailSerializer(ProviderSerializer):
    facts = FactSerializer(many=True, read_only=True)

    class Meta(ProviderSerializer.Meta):
        fields = [*ProviderSerializer.Meta.fields, "facts"]
        read_only_fields = fields


class ProviderUpdateSerializer(StrictInput, serializers.ModelSerializer):
    """The provider fields a buyer may change; every one is optional."""

    class Meta:
        model = Provider
        fields = [
            "name",
            "legal_name",
            "country",
            "parent_name",
            "parent_country",
            "founded_on",
            "ceased_on",
            "status",
            "website",
            "description",
        ]


class ProviderCreateSerializer(ProviderUpdateSerializer):
    """A new provider: ``name`` is enough; ``organisation`` when you have several."""

    organisation = ScopedPrimaryKeyField(
        queryset=Organisation.objects.all(),
        scope="of_user",
        required=False,
        help_text="Your organisation that keeps this record. Optional when you are "
        "an evaluator or lead of exactly one organisation.",
    )

    class Meta(ProviderUpdateSerializer.Meta):
        fields = ["organisation", *ProviderUpdateSerializer.Meta.fields]


class CertificationSerializer(serializers.ModelSerializer):
    expired = serializers.BooleanField(
        read_only=True,
        help_text="Whether valid_to is before today (false without valid_to).",
    )

    class Meta:
        model = Certification
        fields = [
            "id",
            "scheme",
            "scheme_code",
            "covers_offer",
            "scope",
            "valid_from",
            "valid_to",
            "expired",
        ]
        read_only_fields = fields


class CertificationWriteSerializer(StrictInput, serializers.ModelSerializer):
    """A new certification of an offer: ``scheme`` or ``scheme_code`` is enough.

    ``scheme_code`` is a code of the latest catalogue's certification schemes
    (``secnumcloud-3.2``, ``c5-type2``...): a certificate valid on an
    assessment's date and covering the offer presumes the scheme's levels.
    """

    scheme = serializers.CharField(max_length=100, required=False, allow_blank=True)

    class Meta:
        model = Certification
        fields = [
            "scheme",
            "scheme_code",
            "covers_offer",
            "scope",
            "valid_from",
            "valid_to",
        ]

    def validate(self, attrs):
        code = attrs.get("scheme_code") or ""
        if code:
            catalogue = Catalogue.objects.latest_published("cloud-of-trust")
            names = {
                item["code"]: item["name"]["en"]
                for item in (catalogue.certification_schemes if catalogue else [])
            }
            if code not in names:
                known = ", ".join(sorted(names))
                raise serializers.ValidationError(
                    {"scheme_code": f"Unknown scheme; known: {known}."}
                )
            attrs.setdefault("scheme", "")
            attrs["scheme"] = attrs["scheme"] or names[code]
        elif not attrs.get("scheme"):
            raise serializers.ValidationError(
                {"scheme": "Give the scheme's name or its scheme_code."}
            )
        return attrs


class OfferSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    name = serializers.CharField(source="name_i18n", read_only=True)
    description = serializers.CharField(source="description_i18n", read_only=True)
    regions = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_reference_case = serializers.BooleanField(
        source="provider.is_reference_case", read_only=True
    )
    certifications = CertificationSerializer(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "provider",
            "provider_name",
            "name",
            "service_model",
            "deployment_model",
            "regions",
            "description",
            "is_reference_case",
            "certifications",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OfferUpdateSerializer(StrictInput, serializers.ModelSerializer):
    """The offer fields a buyer may change; every one is optional."""

    regions = serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=50,
        required=False,
        help_text='Regions or countries where the offer runs, e.g. ["FR", "DE"].',
    )

    class Meta:
        model = Offer
        fields = ["name", "service_model", "deployment_model", "regions", "description"]


class OfferCreateSerializer(OfferUpdateSerializer):
    """A new offer: ``provider`` and ``name`` are enough."""

    provider = ScopedPrimaryKeyField(
        queryset=Provider.objects.all(),
        help_text="Id of one of your organisation's providers.",
    )

    class Meta(OfferUpdateSerializer.Meta):
        fields = ["provider", *OfferUpdateSerializer.Meta.fields]
        # The (provider, name) constraint is checked by the service's
        # full_clean, with the same message as in the web UI.
        validators = []


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
    ordering_fields = ["name", "country", "created_at", "updated_at"]
    sync_field = "updated_at"
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
                value={"name": "Delta Cloud"},
                request_only=True,
            ),
            OpenApiExample(
                "With ownership",
                value={
                    "name": "Epsilon Cloud EU",
                    "country": "IE",
                    "parent_name": "Epsilon Cloud Inc.",
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

    @extend_schema(
        summary="Correct a provider's fact",
        description="Evaluators and leads of the provider's organisation; "
        "reference cases are read-only (403). Send only the fields to change; "
        "the record keeps what the fact said before. A fact of another provider "
        "is a 404.",
        parameters=[
            OpenApiParameter(
                "fact_id",
                int,
                OpenApiParameter.PATH,
                description="The `id` of one of the provider's `facts`.",
            )
        ],
        request=FactUpdateSerializer,
        responses={200: FactSerializer},
        examples=[
            OpenApiExample(
                "A better source",
                value={
                    "source_title": "Annual report 2025",
                    "source_url": "https://example.org/annual-report-2025",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["patch"], url_path=r"facts/(?P<fact_id>[0-9]+)")
    def fact(self, request, pk=None, fact_id=None):
        provider = self.get_object()
        fact = get_object_or_404(provider.facts.select_related("provider"), pk=fact_id)
        serializer = FactUpdateSerializer(fact, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fact = services.update_fact(
            fact, user=request.user, **serializer.validated_data
        )
        return Response(FactSerializer(fact).data)


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
    ordering_fields = ["name", "provider__name", "created_at", "updated_at"]
    sync_field = "updated_at"
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
                value={"provider": 3, "name": "Trusted Backup"},
                request_only=True,
            ),
            OpenApiExample(
                "Complete",
                value={
                    "provider": 3,
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
