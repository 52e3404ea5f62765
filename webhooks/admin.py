"""Webhooks in the admin: read what was sent; leads manage endpoints on the site."""

from django.contrib import admin

from .models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organisation", "is_active", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["organisation"]
    search_fields = ["url", "description", "organisation__name"]
    # The secret never appears: it is not an editable field.
    readonly_fields = ["created_by", "created_at", "updated_at"]


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = [
        "at",
        "manual",
        "status_code",
        "duration_ms",
        "error",
        "response_excerpt",
    ]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "endpoint", "status", "tries", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["endpoint"]
    readonly_fields = [
        "endpoint",
        "event_id",
        "event",
        "body",
        "status",
        "tries",
        "next_attempt_at",
        "claimed_at",
        "last_status_code",
    ]
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False
