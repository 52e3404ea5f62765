"""Organisations in the API: yours, your role in each, and their export (a job).

Also the one rule for which organisation a new provider or procurement goes
to when the payload names none (``editable_organisation``).
"""

from django.db.models import F
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.rest import StrictInput, UpdatedAfterFilter

from .. import exports, jobs, services
from ..models import Organisation
from ..services import roles
from ..services.roles import Action
from .jobs import ACCEPTED, accepted


class OrganisationSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, help_text="Your role there.")

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "country", "four_eyes", "role", "updated_at"]
        read_only_fields = fields


class OrganisationUpdateSerializer(StrictInput, serializers.Serializer):
    four_eyes = serializers.BooleanField(
        help_text="Whoever submits an assessment cannot approve it. Turn off only "
        "for a one-person organisation; exports then say so."
    )
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        default="",
        help_text="Required to turn four eyes off; kept in the record.",
    )


def editable_organisation(user) -> Organisation:
    """The organisation a new record goes to when the payload names none.

    It is the user's only organisation where they are an evaluator or lead;
    with several, the client must choose, and with none the user may not
    create anything.
    """
    organisations = list(roles.organisations_where(user, Action.EDIT).order_by("pk"))
    if len(organisations) == 1:
        return organisations[0]
    if not organisations:
        raise exceptions.PermissionDenied(
            _("You are not an evaluator or lead of any organisation.")
        )
    choices = ", ".join(f"{o.pk} ({o.name})" for o in organisations)
    raise exceptions.ValidationError(
        {
            "organisation": [
                _(
                    "You are an evaluator or lead in several organisations: give "
                    '"organisation", one of %(choices)s.'
                )
                % {"choices": choices}
            ]
        }
    )


@extend_schema_view(
    list=extend_schema(
        summary="List your organisations",
        description="The organisations you belong to, with your role in each "
        "(viewer, evaluator, lead). Use an `id` as `organisation` when you "
        "create a provider or a procurement and belong to several.",
    ),
    retrieve=extend_schema(summary="Read one of your organisations"),
    partial_update=extend_schema(
        summary="Change your organisation's four-eyes rule (leads)",
        description="`four_eyes` (on by default): whoever submitted an "
        "assessment cannot approve it. A lead may turn it off, with a `reason`, "
        "for a one-person organisation; the change is in the record.",
        request=OrganisationUpdateSerializer,
        responses={200: OrganisationSerializer},
    ),
)
class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Organisation.objects.order_by("name", "pk")
    serializer_class = OrganisationSerializer
    filter_backends = [UpdatedAfterFilter]
    sync_field = "updated_at"

    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(memberships__user=self.request.user)
            .annotate(role=F("memberships__role"))
        )

    def partial_update(self, request, pk=None):
        organisation = self.get_object()
        serializer = OrganisationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_four_eyes(
            organisation,
            user=request.user,
            enabled=serializer.validated_data["four_eyes"],
            reason=serializer.validated_data["reason"],
        )
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Export everything your organisation entered (leads)",
        description="Providers with their facts, offers and certifications, "
        "procurements, assessments and answers, as one JSON document that "
        "`python manage.py import_organisation FILE` rebuilds on another "
        "instance (re-scoring every assessment). Leads only. Always made in "
        "the background: 202 with the export job to poll "
        "(`GET /api/v1/export-jobs/{id}/`), whose `download_url` serves the "
        "file when done; unchanged data within `EXPORTS_KEEP_HOURS` reuses "
        "the last file.",
        responses={(202, "application/json"): ACCEPTED},
    )
    @action(detail=True)
    def export(self, request, pk=None):
        organisation = self.get_object()
        roles.require(request.user, Action.LEAD, organisation)
        job = jobs.request_export(
            organisation,
            language=exports.language_for(request.LANGUAGE_CODE),
            user=request.user,
        )
        return accepted(job, request)
