"""Webhooks: an organisation's endpoints, what is sent to them, every attempt.

- ``Endpoint``: a URL a lead registered for the organisation, the events it
  wants, and the secret deliveries are signed with (Standard Webhooks).
- ``Delivery``: one event sent to one endpoint; its id is the
  ``webhook-id`` header, the same on every attempt and resend. Its body is
  kept as sent, so that a resend sends the same bytes.
- ``Attempt``: one HTTP request of a delivery and what came back.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from procurement.models import Organisation
from procurement.services import roles
from procurement.services.roles import Action


class Event(models.TextChoices):
    ASSESSMENT_SUBMITTED = "assessment.submitted", _("Assessment submitted")
    ASSESSMENT_APPROVED = "assessment.approved", _("Assessment approved")
    ASSESSMENT_REOPENED = "assessment.reopened", _("Assessment reopened")
    ASSESSMENT_WITHDRAWN = "assessment.withdrawn", _("Assessment withdrawn")
    PROCUREMENT_OPENED = "procurement.opened", _("Procurement opened")
    PROCUREMENT_CLOSED = "procurement.closed", _("Procurement closed")
    EXPORT_READY = "export.ready", _("Export ready")


class EndpointQuerySet(models.QuerySet):
    def managed_by(self, user):
        """The endpoints of the organisations where the user is a lead."""
        return self.filter(
            organisation__in=roles.organisations_where(user, Action.LEAD)
        )


class Endpoint(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=100, editable=False)
    # After a rotation the previous secret signs too, for a while, so that a
    # receiver can switch without losing a delivery (two signatures).
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "url", "pk"]
        verbose_name = _("webhook endpoint")

    def __str__(self):
        return self.url

    def get_absolute_url(self):
        return reverse("webhooks:endpoint-detail", args=[self.organisation_id, self.pk])

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell which one a receiver holds."""
        return f"{self.secret[:10]}…"

    def listens_to(self, event: str) -> bool:
        return self.is_active and event in self.events

    def secrets(self, now: datetime.datetime) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the
        previous one during its grace period."""
        if self.previous_secret and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(event, event)) for event in self.events]


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime):
        """Waiting deliveries whose next attempt is due."""
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)

    def lost(self, before: datetime.datetime):
        """Deliveries taken by a worker that never reported back."""
        return self.filter(
            status=Delivery.Status.PENDING,
            next_attempt_at__isnull=True,
            claimed_at__lt=before,
        )


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(help_text=_("The same for every endpoint."))
    event = models.CharField(max_length=40, choices=Event.choices)
    body = models.TextField(help_text=_("The JSON sent, byte for byte."))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    tries = models.PositiveSmallIntegerField(
        default=0, help_text=_("Attempts since the delivery was (re)started.")
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
            models.Index(
                fields=["endpoint", "-created_at"], name="delivery_by_endpoint"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed"]),
                name="delivery_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    @property
    def message_id(self) -> str:
        """The ``webhook-id`` header."""
        return f"msg_{self.pk.hex}"


class Attempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempts"
    )
    at = models.DateTimeField()
    manual = models.BooleanField(
        default=False, help_text=_("The first attempt of a resend.")
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("webhook attempt")

    def __str__(self):
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
