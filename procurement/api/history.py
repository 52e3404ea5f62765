"""The record through the API: an assessment's or a procurement's history.

``GET /api/v1/assessments/{id}/history/`` and ``GET /api/v1/procurements/{id}/
history/`` list entries newest first, paginated, each with its hash so a
client can keep its own copy of the chain; ``?user=`` (a username) and
``?criterion=`` narrow them. Both viewsets share ``HistoryMixin``.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from config.rest import changed_after, updated_after_parameter

from ..models import HistoryEntry


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()
    criterion = serializers.SerializerMethodField()
    changes = ChangeSerializer(many=True)

    class Meta:
        model = HistoryEntry
        fields = [
            "sequence",
            "at",
            "user",
            "user_name",
            "action",
            "subject",
            "procurement",
            "assessment",
            "criterion",
            "changes",
            "reason",
            "previous_hash",
            "hash",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_user(self, entry):
        """The username of who made the change (null for none)."""
        return entry.user.get_username() if entry.user else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_criterion(self, entry):
        return entry.criterion or None


HISTORY_FILTERS = [
    OpenApiParameter("user", str, description=_("Only this username's changes.")),
    OpenApiParameter(
        "criterion", str, description=_('Only this criterion\'s, e.g. "JUR-1".')
    ),
    updated_after_parameter("at"),
]
HISTORY_DESCRIPTION = (
    "Every change on record, newest first: `at`, `user`, `action`, `criterion` "
    "(or null), `changes` as a list of `{field, before, after}`, the `reason` "
    "given, and `hash`: the SHA-256 of the entry's content and the previous "
    "entry's hash (`previous_hash`) in the organisation's chain, which "
    "`python manage.py verify_history` checks."
)


class HistoryMixin:
    """Serve a queryset of history entries, filtered and paginated."""

    def history_response(self, entries):
        params = self.request.query_params
        if params.get("user"):
            entries = entries.filter(user__username=params["user"])
        if params.get("criterion"):
            entries = entries.filter(criterion=params["criterion"])
        entries = changed_after(self.request, entries, "at")
        entries = entries.select_related("user").order_by("-sequence")
        page = self.paginate_queryset(entries)
        data = HistoryEntrySerializer(page, many=True).data
        return self.get_paginated_response(data)
