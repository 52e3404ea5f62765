"""``POST /api/v1/procurements/{id}/repin/``: move a procurement and all its
assessments to another version of its catalogue (leads, while every
assessment is a draft), through the same service as the page."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from config.rest import StrictInput
from scoring.models import Catalogue

from .. import services


class RepinSerializer(StrictInput, serializers.Serializer):
    catalogue = serializers.PrimaryKeyRelatedField(
        queryset=Catalogue.objects.published(),
        help_text="Id of a published version of the procurement's catalogue "
        "(GET /api/v1/catalogues/?slug=...), usually the newest.",
    )

    def validate_catalogue(self, catalogue):
        current = self.context["procurement"].catalogue
        if catalogue.slug != current.slug:
            raise serializers.ValidationError(
                _("Choose a version of %(slug)s, the procurement's catalogue.")
                % {"slug": current.slug}
            )
        return catalogue


class RepinMixin:
    @extend_schema(
        summary="Re-pin a procurement to another catalogue version (leads)",
        description="Every offer of a procurement is scored by the same rules, "
        "so the whole procurement moves, while every assessment is still a "
        "draft (a 400 names the others). Answers carry over by criterion code; "
        "answers to criteria the version drops go. Each assessment gets a new "
        "`version`; the record keeps the scores before and after. A closed "
        "procurement is a 409. Preview the effect first with the web page's "
        "re-score.",
        request=RepinSerializer,
        examples=[OpenApiExample("Newer version", value={"catalogue": 2})],
    )
    @action(detail=True, methods=["post"])
    def repin(self, request, pk=None):
        procurement = self.get_object()
        serializer = RepinSerializer(
            data=request.data, context={"procurement": procurement}
        )
        serializer.is_valid(raise_exception=True)
        services.repin_procurement(
            procurement,
            catalogue=serializer.validated_data["catalogue"],
            user=request.user,
        )
        return self._detail(procurement)
