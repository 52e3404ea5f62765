"""Webhooks in the API (leads): ``/webhooks/`` endpoints, their deliveries,
a resend, a new secret.

Only a lead's own organisations' endpoints exist for them: another's is a
404, and the list of an evaluator or viewer is empty. The secret is in the
answer of a creation and of a rotation, never again.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from config.rest import (
    StrictInput,
    UpdatedAfterFilter,
    changed_after,
    updated_after_parameter,
)
from procurement.models import Organisation
from procurement.services import roles
from procurement.services.roles import Action

from . import services
from .models import Attempt, Delivery, Endpoint, Event


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = [
            "at",
            "manual",
            "status_code",
            "duration_ms",
            "error",
            "response_excerpt",
        ]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    message_id = serializers.CharField(
        read_only=True, help_text="The `webhook-id` header; the same on every attempt."
    )
    payload = serializers.SerializerMethodField(help_text="The JSON body sent.")
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "message_id",
            "event",
            "event_id",
            "status",
            "tries",
            "next_attempt_at",
            "last_status_code",
            "created_at",
            "payload",
            "attempts",
        ]
        read_only_fields = fields

    def get_payload(self, delivery) -> dict:
        return json.loads(delivery.body)


class WebhookEndpointSerializer(StrictInput, serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(),
        required=False,
        help_text="One you lead; may be left out if you lead only one.",
    )
    url = serializers.URLField(
        max_length=500,
        help_text="https:// to a public address; no redirect is followed.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices),
        allow_empty=False,
        help_text="The events to receive.",
    )
    secret_hint = serializers.CharField(
        read_only=True, help_text="The secret's first characters."
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "organisation",
            "url",
            "description",
            "events",
            "is_active",
            "secret_hint",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "secret_hint", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["organisation"].queryset = roles.organisations_where(
                request.user, Action.LEAD
            )
        if self.instance is not None:
            fields["organisation"].read_only = True
        return fields


class WebhookSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="Signs the deliveries (`whsec_...`); shown only this once.",
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


def _led_organisation(user) -> Organisation:
    """The organisation of a new endpoint when the payload names none."""
    led = list(roles.organisations_where(user, Action.LEAD).order_by("pk"))
    if len(led) == 1:
        return led[0]
    if not led:
        raise exceptions.PermissionDenied(_("Only a lead manages webhooks."))
    choices = ", ".join(f"{o.pk} ({o.name})" for o in led)
    raise exceptions.ValidationError(
        {
            "organisation": [
                _(
                    'You lead several organisations: give "organisation", one of '
                    "%(choices)s."
                )
                % {"choices": choices}
            ]
        }
    )


DELIVERY_ID = OpenApiParameter(
    "delivery_id", str, OpenApiParameter.PATH, description="A delivery's `id`."
)


@extend_schema_view(
    list=extend_schema(
        summary="List your organisations' webhook endpoints (leads)",
        description="Endpoints receive a signed POST (Standard Webhooks headers "
        "`webhook-id`, `webhook-timestamp`, `webhook-signature`) for each "
        "event they listen to. Only leads see and manage them.",
    ),
    retrieve=extend_schema(summary="Read a webhook endpoint"),
    create=extend_schema(
        summary="Register a webhook endpoint (leads)",
        description="The answer holds the signing `secret`, shown only once.",
        responses={201: WebhookSecretSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an endpoint's URL, events, description or state"
    ),
    destroy=extend_schema(summary="Delete an endpoint and its deliveries' log"),
)
class EndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookEndpointSerializer
    filter_backends = [UpdatedAfterFilter]
    sync_field = "updated_at"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Endpoint.objects.managed_by(self.request.user)
            .select_related("organisation")
            .order_by("organisation__name", "url", "pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation", None) or _led_organisation(request.user)
        endpoint, secret = services.create_endpoint(
            organisation, user=request.user, **data
        )
        endpoint.secret = secret
        return Response(
            WebhookSecretSerializer(
                endpoint, context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )

    def perform_update(self, serializer):
        services.update_endpoint(
            serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_endpoint(instance, user=self.request.user)

    @extend_schema(
        summary="Give an endpoint a new signing secret",
        description="The answer holds the new `secret`, shown only once. The "
        "previous one signs too for 24 hours (two signatures in "
        "`webhook-signature`), while the receiver switches.",
        request=None,
        responses={200: WebhookSecretSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = self.get_object()
        endpoint.secret = services.rotate_secret(endpoint, user=request.user)
        return Response(
            WebhookSecretSerializer(
                endpoint, context=self.get_serializer_context()
            ).data
        )

    @extend_schema(
        summary="List an endpoint's deliveries, newest first, with every attempt",
        parameters=[updated_after_parameter("updated_at")],
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        deliveries = changed_after(
            request, endpoint.deliveries.prefetch_related("attempts"), "updated_at"
        ).order_by("-created_at", "pk")
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(
            WebhookDeliverySerializer(page, many=True).data
        )

    @extend_schema(
        summary="Send a delivery again",
        description="Starts its attempts again at once (a new series of "
        "retries), with the same `webhook-id` and body. Refused while the "
        "endpoint is disabled.",
        request=None,
        parameters=[DELIVERY_ID],
        responses={202: WebhookDeliverySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9a-fA-F-]{32,36})/resend",
        url_name="delivery-resend",
    )
    def resend(self, request, pk=None, delivery_id=None):
        endpoint = self.get_object()
        delivery = get_object_or_404(endpoint.deliveries, pk=delivery_id)
        delivery = services.resend_delivery(delivery, user=request.user)
        return Response(
            WebhookDeliverySerializer(
                Delivery.objects.prefetch_related("attempts").get(pk=delivery.pk)
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )
