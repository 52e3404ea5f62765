"""Admin pages for support staff: organisations and members, providers with
their facts, offers, procurements and assessments, and the record.

Scores are never edited here: an assessment's snapshot is read-only and
changes only through ``services.record_answers``. Assessments are never
deleted, and the record is read-only. Support staff's edits of providers,
offers and procurements bypass the domain record but not django-simple-history,
whose "History" button shows every version of those rows with who saved it.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Answer,
    Assessment,
    Certification,
    HistoryEntry,
    Membership,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "created_at"]
    list_filter = ["kind", "country"]
    search_fields = ["name"]
    inlines = [MembershipInline]


class ProviderFactInline(admin.StackedInline):
    model = ProviderFact
    extra = 0
    fields = [
        ("key", "category", "confidence", "verify"),
        "statement",
        ("as_of", "as_of_end", "date_precision"),
        ("source_title", "source_publisher"),
        ("source_url", "source_date", "published_on"),
        "note",
    ]


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["name", "service_model", "deployment_model"]
    show_change_link = True


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "country",
        "parent_name",
        "status",
        "is_reference_case",
        "organisation",
    ]
    list_filter = ["is_reference_case", "status", "country"]
    list_select_related = ["organisation"]
    search_fields = ["name", "legal_name", "parent_name"]
    inlines = [OfferInline, ProviderFactInline]


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    list_display = ["name", "provider", "service_model", "deployment_model"]
    list_filter = ["service_model", "deployment_model"]
    list_select_related = ["provider"]
    search_fields = ["name", "provider__name"]
    inlines = [CertificationInline]


@admin.register(Procurement)
class ProcurementAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "organisation",
        "profile",
        "status",
        "deadline",
    ]
    list_filter = ["status", "organisation"]
    list_select_related = ["organisation", "profile"]
    search_fields = ["title", "reference"]
    raw_id_fields = ["created_by"]

    def get_readonly_fields(self, request, obj=None):
        # Offers under assessment are pinned to the catalogue and profile.
        if obj is not None and obj.assessments.exists():
            return ["catalogue", "profile"]
        return []


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["criterion", "level", "not_applicable", "evidence", "justification"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "offer",
        "procurement",
        "profile",
        "status",
        "global_score",
        "trust_level",
        "eligible",
        "highest_profile_passed",
    ]
    list_filter = ["status", "eligible", "profile__code"]
    list_select_related = ["offer__provider", "procurement", "profile"]
    readonly_fields = [
        "version",
        "global_score",
        "global_score_claimed",
        "trust_level",
        "eligible",
        "highest_profile_passed",
        "completeness",
        "pillar_scores",
        "failed_knockouts",
        "scored_at",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
    ]
    raw_id_fields = ["created_by"]
    inlines = [AnswerInline]

    def get_readonly_fields(self, request, obj=None):
        # What the scores depend on changes only through the services, which
        # re-score in the same transaction.
        if obj is None:
            return self.readonly_fields
        pinned = ["offer", "procurement", "catalogue", "profile", "status"]
        return [*pinned, *self.readonly_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    """The record, read-only: it is written by the services and never edited."""

    list_display = ["organisation", "sequence", "at", "user_name", "action", "subject"]
    list_filter = ["action", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["subject", "criterion", "user_name", "hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
