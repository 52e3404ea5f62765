"""The tasks a worker runs: make an export's file, delete it when it expires.

Tasks are Django's Tasks API (``django-tasks`` until Django 6.0), run by the
database backend's workers (``manage.py db_worker``); the queue carries only
a job's id, and everything about the job is on its ``ExportJob`` row. A task
calls the same export code as the synchronous downloads, with a progress
function that writes how far it got on the row.

A worker stopped by a signal puts the job it was running back in the queue;
a worker killed outright stops writing the job's heartbeat, and the job is
queued again when someone next looks at it (``procurement.jobs.follow``) or
``manage.py cleanup_exports`` runs.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .. import exports, portability, signals
from ..models import Assessment, ExportJob, Organisation, Procurement

logger = logging.getLogger(__name__)

Step = ExportJob.Step


def storage():
    """Where finished files are kept: a private storage no URL serves."""
    return storages["exports"]


def enqueue(job: ExportJob) -> None:
    """Queue a run of the job (in the caller's transaction, if any)."""
    result = make_export.enqueue(str(job.pk))
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


@task()
def make_export(job_id: str) -> None:
    """Make a job's file, and keep it in the exports storage.

    A job already done, or taken by another worker, is left alone, so a
    task delivered twice does the work once. A failure is recorded on the
    job in words, logged, and raised again so the queue records it too.
    """
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or not job.claim(timezone.now()):
        return
    try:
        with _heartbeat(job), _made(job) as (content, filename, content_type):
            job.report(95, Step.SAVING, timezone.now())
            name = storage().save(f"{job.pk}/{filename}", content)
        if not job.finish(
            file_name=name,
            filename=filename,
            content_type=content_type,
            size=storage().size(name),
            now=timezone.now(),
        ):
            # Another attempt took over (this one was presumed lost).
            storage().delete(name)
        else:
            signals.announce("export.ready", job)
    except (SystemExit, KeyboardInterrupt):
        # The worker is being stopped: the next worker starts the job again.
        if job.requeue():
            enqueue(job)
            logger.warning("Export job %s interrupted; queued again.", job.pk)
        raise
    except Exception as exc:
        message = reason(job, exc)
        job.fail(message, timezone.now())
        logger.error(
            "Export job %s (%s %s, %s) failed: %s",
            job.pk,
            job.kind,
            job.object_id,
            job.format,
            message,
        )
        raise
    finally:
        _schedule_deletion(job)


@task()
def delete_export(job_id: str) -> None:
    """Delete an expired job and its file (deferred to its expiry time)."""
    for job in ExportJob.objects.filter(pk=job_id).expired(timezone.now()):
        delete_file(job)
        job.delete()


def delete_file(job: ExportJob) -> None:
    if job.file_name:
        storage().delete(job.file_name)


def reason(job: ExportJob, exc: Exception) -> str:
    """Why a job failed, in words, in the language it was asked in."""
    with translation.override(job.language or settings.LANGUAGE_CODE):
        if isinstance(exc, exports.ExportUnavailable | exports.UnknownFormat):
            return str(exc)
        if isinstance(exc, ObjectDoesNotExist):
            return {
                ExportJob.Kind.ASSESSMENT: _(
                    "The assessment was deleted before its file could be made."
                ),
                ExportJob.Kind.PROCUREMENT: _(
                    "The procurement was deleted before its file could be made."
                ),
                ExportJob.Kind.ORGANISATION: _(
                    "The organisation was deleted before its file could be made."
                ),
            }[job.kind]
        if isinstance(exc, OSError):
            return _(
                "The file could not be written or saved (%(error)s). Tell your "
                "administrator: the disk may be full."
            ) % {"error": exc}
        return _(
            "The export stopped on an unexpected error (%(error)s). It was "
            "logged for the administrators; try again later."
        ) % {"error": f"{type(exc).__name__}: {exc}"[:300]}


@contextmanager
def _made(job: ExportJob) -> Iterator[tuple[File, str, str]]:
    """The job's file (content, download name, content type), while open."""
    progress = _progress(job)
    if job.kind == ExportJob.Kind.ORGANISATION:
        organisation = Organisation.objects.get(pk=job.object_id)
        # Written to a temporary file as it is read (the JSON document, then
        # the evidence files), and copied to the storage in chunks: never
        # whole in memory.
        with tempfile.TemporaryFile() as handle:
            portability.write_archive(
                organisation,
                handle,
                progress=lambda percent: progress(percent, Step.WRITING),
            )
            handle.seek(0)
            yield (File(handle), portability.filename(organisation), "application/zip")
        return
    if job.kind == ExportJob.Kind.ASSESSMENT:
        export = exports.export_assessment(
            Assessment.objects.get(pk=job.object_id),
            job.format,
            language=job.language,
            progress=progress,
        )
    else:
        export = exports.export_procurement(
            Procurement.objects.get(pk=job.object_id),
            job.format,
            language=job.language,
            progress=progress,
        )
    yield ContentFile(export.content), export.filename, export.content_type


def _progress(job: ExportJob):
    """A progress function that writes to the job at most once a second,
    and at once when the step changes."""
    last = {"at": 0.0}

    def report(percent: int, step: str) -> None:
        moment = time.monotonic()
        if step == job.step and moment - last["at"] < 1:
            return
        last["at"] = moment
        job.report(percent, step, timezone.now())

    return report


@contextmanager
def _heartbeat(job: ExportJob) -> Iterator[None]:
    """Write the job's heartbeat from a thread while the export runs.

    A report can spend minutes in one step (laying out a PDF) without
    telling anyone; the heartbeat says its worker is still alive, and its
    absence that the worker died (see ``ExportJob.is_lost``). The thread
    has its own database connection, closed when it stops.
    """
    interval = settings.EXPORTS_HEARTBEAT_SECONDS
    if interval <= 0:
        yield
        return
    attempt = ExportJob(pk=job.pk, attempts=job.attempts)
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                attempt.beat(timezone.now())
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _schedule_deletion(job: ExportJob) -> None:
    """Delete the file when it expires, if the queue can defer a task."""
    expires_at = (
        ExportJob.objects.filter(pk=job.pk).values_list("expires_at", flat=True).first()
    )
    if expires_at and delete_export.get_backend().supports_defer:
        delete_export.using(run_after=expires_at).enqueue(str(job.pk))
