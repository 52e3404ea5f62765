"""Exports made in the background: ask for one, follow it, download it.

Pages and the API only call ``request_export`` and read ``ExportJob`` rows;
a worker makes the file (``tasks``) with the same export code as the
synchronous downloads. Which exports are jobs is one rule,
``in_background``: every report (PDF, ODT, DOCX), a procurement's XLSX
workbook, and an organisation's data export. The rest (a scorecard's XLSX,
CSV and JSON, a procurement's CSV and JSON) take well under a second, and
are answered at once, as before.

A finished file is kept for ``EXPORTS_KEEP_HOURS`` and handed again to
whoever asks for the same thing while nothing it depends on changed: the job
is keyed on the kind, the object, the format, the language and the
``fingerprints`` of the data. Files live in the ``exports`` storage (a
private directory by default) and leave it only through ``file_response``,
behind the views' access checks. ``cleanup`` deletes expired files and puts
back in the queue the jobs whose worker died.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import exports
from ..models import Assessment, ExportJob, Organisation, Procurement
from ..models.jobs import lost_after
from . import fingerprints, tasks

# Formats made in the background, by kind of export; an organisation's data
# export (JSON) always is.
BACKGROUND_FORMATS = {
    ExportJob.Kind.ASSESSMENT: {"pdf", "odt", "docx"},
    ExportJob.Kind.PROCUREMENT: {"pdf", "odt", "docx", "xlsx"},
    ExportJob.Kind.ORGANISATION: {"json"},
}

__all__ = [
    "BACKGROUND_FORMATS",
    "Cleanup",
    "cleanup",
    "file_response",
    "follow",
    "in_background",
    "request_export",
]

Source = Assessment | Procurement | Organisation


def in_background(kind: str, fmt: str) -> bool:
    """Whether this export is made as a job rather than in the request."""
    return fmt in BACKGROUND_FORMATS[kind]


def request_export(
    source: Source,
    fmt: str = "json",
    *,
    language: str,
    user,
    now: datetime.datetime | None = None,
) -> ExportJob:
    """The job that makes (or made) this export: a new one, queued, unless
    one for the same unchanged data is queued, running or done and kept.

    Callers check first that the user may export ``source``.
    """
    kind = _kind(source)
    if fmt not in exports.FORMATS or (
        kind == ExportJob.Kind.ORGANISATION and fmt != "json"
    ):
        raise exports.UnknownFormat(f"Unknown export format {fmt!r}.")
    now = now or timezone.now()
    key = {
        "kind": kind,
        "object_id": source.pk,
        "format": fmt,
        "language": "" if kind == ExportJob.Kind.ORGANISATION else language,
        "fingerprint": _fingerprint(source),
    }
    existing = _reusable(key, now)
    if existing is not None and existing.is_ready(now):
        if tasks.storage().exists(existing.file_name):
            return existing
        _expire(existing)
    elif existing is not None:
        return follow(existing, now=now)
    try:
        # The task is written in the same transaction as its job (the
        # database backend's queue is a table of ours): a job is never
        # committed without its task, nor a task without its job.
        with transaction.atomic():
            job = ExportJob.objects.create(
                **key,
                organisation_id=_organisation_id(source),
                title=_title(source, language),
                requested_by=user if user.is_authenticated else None,
            )
            tasks.enqueue(job)
    except IntegrityError:
        # Someone asked for the same file a moment before: theirs it is.
        existing = _reusable(key, now)
        if existing is None:
            raise
        return existing
    job.refresh_from_db()
    return job


def follow(job: ExportJob, *, now: datetime.datetime | None = None) -> ExportJob:
    """The job as it stands, after queueing it again if its worker died.

    A job is given ``EXPORTS_MAX_ATTEMPTS`` runs; a job whose worker died
    that often (running out of memory, say) fails and says so.
    """
    now = now or timezone.now()
    if job.is_lost(now):
        if job.attempts >= settings.EXPORTS_MAX_ATTEMPTS:
            with translation.override(job.language or settings.LANGUAGE_CODE):
                job.fail(
                    _(
                        "The worker making this file stopped %(count)d times "
                        "before it was done (it may run out of memory); the "
                        "export was given up. Try again later, or tell your "
                        "administrator."
                    )
                    % {"count": job.attempts},
                    now,
                )
        elif job.requeue(lost_before=now - lost_after()):
            with transaction.atomic():
                tasks.enqueue(job)
        job.refresh_from_db()
    return job


def file_response(job: ExportJob) -> FileResponse:
    """The job's file as a download (callers check access and readiness).

    A file gone from the storage (deleted by hand, a volume lost) expires
    its job: a 404 now, and a new file at the next request.
    """
    try:
        handle = tasks.storage().open(job.file_name, "rb")
    except FileNotFoundError as exc:
        _expire(job)
        raise Http404(
            _("This file is no longer kept; ask for the export again.")
        ) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename,
        content_type=job.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass(frozen=True)
class Cleanup:
    deleted: int
    requeued: int


def cleanup(
    *, now: datetime.datetime | None = None, everything: bool = False
) -> Cleanup:
    """Delete expired jobs with their files (``everything``: every finished
    one), and queue again the jobs whose worker died."""
    now = now or timezone.now()
    finished = (
        ExportJob.objects.exclude(status__in=ExportJob.PENDING)
        if everything
        else ExportJob.objects.expired(now)
    )
    deleted = 0
    for job in finished.order_by("pk").iterator():
        tasks.delete_file(job)
        job.delete()
        deleted += 1
    requeued = 0
    for job in ExportJob.objects.lost(now).order_by("pk"):
        requeued += follow(job, now=now).status == ExportJob.Status.QUEUED
    return Cleanup(deleted=deleted, requeued=requeued)


def _expire(job: ExportJob) -> None:
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())


def _reusable(key: dict, now: datetime.datetime) -> ExportJob | None:
    return ExportJob.objects.reusable(now).filter(**key).order_by("-created_at").first()


def _kind(source: Source) -> str:
    if isinstance(source, Assessment):
        return ExportJob.Kind.ASSESSMENT
    if isinstance(source, Procurement):
        return ExportJob.Kind.PROCUREMENT
    return ExportJob.Kind.ORGANISATION


def _fingerprint(source: Source) -> str:
    if isinstance(source, Assessment):
        return fingerprints.of_assessment(source)
    if isinstance(source, Procurement):
        return fingerprints.of_procurement(source)
    return fingerprints.of_organisation(source)


def _organisation_id(source: Source) -> int | None:
    if isinstance(source, Assessment):
        return source.procurement.organisation_id if source.procurement_id else None
    if isinstance(source, Procurement):
        return source.organisation_id
    return source.pk


def _title(source: Source, language: str) -> str:
    """What the job makes, in words, in the language of the request."""
    with translation.override(language or settings.LANGUAGE_CODE):
        if isinstance(source, Assessment):
            title = _("Scorecard of %(offer)s") % {"offer": source.offer}
        elif isinstance(source, Procurement):
            title = _("Analysis report of %(procurement)s") % {"procurement": source}
        else:
            title = _("All the data of %(organisation)s") % {"organisation": source}
    return title[:300]
