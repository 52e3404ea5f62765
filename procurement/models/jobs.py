"""Export jobs: a file made in the background, its progress, and its keeping.

One row per file asked for: what (kind, object, format, language), the
fingerprint of the data it was made from (so that an unchanged object is
served the same file again), how far the worker got, why it failed, and where
the finished file is kept until it expires. The queue itself (django-tasks)
only carries the job's id; the workflow around a job (asking for one, running
it, recovering it when its worker died) is ``procurement.jobs``.

Each state change is a conditional update on the attempt that makes it, so
that a worker presumed dead and restarted elsewhere cannot overwrite the
newer attempt's state when it wakes up.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Membership, Organisation


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Jobs the user may follow and download.

        Their organisations' exports (an organisation's data export: its
        leads only, as the export itself), and the reference cases', which
        every user may read.
        """
        if not user.is_authenticated:
            return self.none()
        memberships = Membership.objects.filter(user=user)
        organisation = ExportJob.Kind.ORGANISATION
        return self.filter(
            Q(organisation__isnull=True, kind=ExportJob.Kind.ASSESSMENT)
            | (
                ~Q(kind=organisation)
                & Q(organisation__in=memberships.values("organisation"))
            )
            | Q(
                kind=organisation,
                organisation__in=memberships.filter(role=Membership.Role.LEAD).values(
                    "organisation"
                ),
            )
        )

    def reusable(self, now: datetime.datetime):
        """Jobs that a request for the same thing can wait for or download."""
        return self.filter(
            Q(status__in=ExportJob.PENDING)
            | Q(status=ExportJob.Status.DONE, expires_at__gt=now)
        )

    def expired(self, now: datetime.datetime):
        """Finished jobs past their keeping time (failed ones too)."""
        return self.filter(expires_at__lte=now)

    def lost(self, now: datetime.datetime):
        """Running jobs whose worker stopped writing its heartbeat."""
        return self.filter(
            status=ExportJob.Status.RUNNING, heartbeat_at__lt=now - lost_after()
        )


def keep_time() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EXPORTS_KEEP_HOURS)


def lost_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.EXPORTS_LOST_AFTER_SECONDS)


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("Scorecard")
        PROCUREMENT = "procurement", _("Procurement report")
        ORGANISATION = "organisation", _("Organisation data")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Step(models.TextChoices):
        WAITING = "waiting", _("Waiting for a worker")
        READING = "reading", _("Reading the data")
        WRITING = "writing", _("Making the file")
        SAVING = "saving", _("Saving the file")
        DONE = "done", _("Ready")
        STOPPED = "stopped", _("Stopped")

    PENDING = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    format = models.CharField(max_length=8)
    language = models.CharField(max_length=8, blank=True)
    fingerprint = models.CharField(
        max_length=64, help_text=_("SHA-256 of what the file depends on.")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="export_jobs",
        help_text=_("Empty only for the reference cases' scorecards."),
    )
    title = models.CharField(max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=8, choices=Step.choices, default=Step.WAITING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(
        max_length=255, blank=True, help_text=_("In the exports storage.")
    )
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(
                fields=["kind", "object_id", "format", "language", "fingerprint"],
                name="export_job_key",
            ),
            models.Index(fields=["status", "expires_at"], name="export_job_expiry"),
        ]
        constraints = [
            # Two clicks at once wait for one file, not two.
            models.UniqueConstraint(
                fields=["kind", "object_id", "format", "language", "fingerprint"],
                condition=Q(status__in=["queued", "running"]),
                name="one_pending_export_per_key",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="export_job_progress_0_to_100"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.format.upper()}, {self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("procurement:export-job", args=[self.pk])

    def get_file_url(self):
        return reverse("procurement:export-job-file", args=[self.pk])

    def get_source_url(self):
        """The page the export was asked from."""
        if self.kind == self.Kind.ASSESSMENT:
            return reverse("procurement:assessment-detail", args=[self.object_id])
        if self.kind == self.Kind.PROCUREMENT:
            return reverse("procurement:procurement-detail", args=[self.object_id])
        return reverse("procurement:home")

    def get_export_url(self):
        """The link that asks for this export again."""
        if self.kind == self.Kind.ORGANISATION:
            return reverse("procurement:organisation-export", args=[self.object_id])
        return reverse(
            f"procurement:{self.kind}-export", args=[self.object_id, self.format]
        )

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    def is_ready(self, now: datetime.datetime | None = None) -> bool:
        """Done, and its file not yet expired."""
        now = now or timezone.now()
        return (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and self.expires_at > now
        )

    def is_lost(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.RUNNING
            and self.heartbeat_at is not None
            and self.heartbeat_at < now - lost_after()
        )

    # State changes. Each one is a single conditional UPDATE: it applies only
    # if the job is still in the state (and attempt) the caller saw, so two
    # workers, or a worker and a poller, cannot both act on one job.

    def claim(self, now: datetime.datetime) -> bool:
        """Start an attempt; False if another worker has it, or it is over."""
        claimed = self._update(
            Q(status=self.Status.QUEUED),
            status=self.Status.RUNNING,
            step=self.Step.READING,
            progress=0,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
        )
        if claimed:
            self.refresh_from_db()
        return claimed

    def report(self, progress: int, step: str, now: datetime.datetime) -> bool:
        """Record how far this attempt got (and that its worker is alive)."""
        self.progress, self.step, self.heartbeat_at = progress, step, now
        return self._update(
            self._this_attempt(),
            progress=min(max(progress, 0), 100),
            step=step,
            heartbeat_at=now,
        )

    def beat(self, now: datetime.datetime) -> bool:
        return self._update(self._this_attempt(), heartbeat_at=now)

    def finish(
        self,
        *,
        file_name: str,
        filename: str,
        content_type: str,
        size: int,
        now: datetime.datetime,
    ) -> bool:
        return self._update(
            self._this_attempt(),
            status=self.Status.DONE,
            step=self.Step.DONE,
            progress=100,
            error="",
            file_name=file_name,
            filename=filename,
            content_type=content_type,
            size=size,
            finished_at=now,
            heartbeat_at=now,
            expires_at=now + keep_time(),
        )

    def fail(self, error: str, now: datetime.datetime) -> bool:
        return self._update(
            Q(status__in=self.PENDING, attempts=self.attempts),
            status=self.Status.FAILED,
            step=self.Step.STOPPED,
            error=error,
            finished_at=now,
            expires_at=now + keep_time(),
        )

    def requeue(self, *, lost_before: datetime.datetime | None = None) -> bool:
        """Put a running attempt back in the queue (its worker stopped).

        With ``lost_before``, only if its heartbeat is older than that.
        """
        condition = self._this_attempt()
        if lost_before is not None:
            condition &= Q(heartbeat_at__lt=lost_before)
        return self._update(
            condition, status=self.Status.QUEUED, step=self.Step.WAITING, progress=0
        )

    def _this_attempt(self) -> Q:
        return Q(status=self.Status.RUNNING, attempts=self.attempts)

    def _update(self, condition: Q, **values) -> bool:
        changed = ExportJob.objects.filter(condition, pk=self.pk).update(**values)
        if changed:
            for name, value in values.items():
                if not hasattr(value, "resolve_expression"):
                    setattr(self, name, value)
        return bool(changed)
