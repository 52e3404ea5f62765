"""Downloads: a scorecard, a procurement's report, an organisation's data.

Views that hand over a file belong here. They only check who may download
what and turn an unknown format into a 404; ``exports`` makes the small files
at once, and ``jobs`` queues the others (``jobs.in_background``: the reports
as PDF, ODT and DOCX, a procurement's workbook, an organisation's data),
whose page shows the job's progress, refreshing itself, and offers the file
when it is ready. A file
made earlier from the same unchanged data is handed over at once.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from .. import exports, jobs
from ..models import Assessment, ExportJob, Organisation, Procurement
from ..services import roles
from ..services.roles import Action

LEAD = Action.LEAD
# How often a job's page reloads itself while the file is being made.
REFRESH_SECONDS = 2


@login_required
@require_GET
def assessment_export(request, pk, fmt):
    """Download one scorecard (PDF, ODT, DOCX, XLSX, CSV or JSON) in the page's
    language."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related("offer__provider"),
        pk=pk,
    )
    if jobs.in_background(ExportJob.Kind.ASSESSMENT, fmt):
        return _start(request, assessment, fmt)
    return _download(
        request,
        lambda language: exports.export_assessment(assessment, fmt, language=language),
        fallback=assessment.get_absolute_url(),
    )


@login_required
@require_GET
def procurement_export(request, pk, fmt):
    """Download a procurement's report: method, ranking, every offer explained."""
    procurement = get_object_or_404(Procurement.objects.visible_to(request.user), pk=pk)
    if jobs.in_background(ExportJob.Kind.PROCUREMENT, fmt):
        return _start(request, procurement, fmt)
    return _download(
        request,
        lambda language: exports.export_procurement(
            procurement, fmt, language=language
        ),
        fallback=procurement.get_absolute_url(),
    )


@login_required
@require_GET
def organisation_export(request, pk):
    """Everything the organisation entered, as JSON (leads only)."""
    organisation = get_object_or_404(Organisation.objects.of_user(request.user), pk=pk)
    roles.require(request.user, LEAD, organisation)
    return _start(request, organisation, "json")


@login_required
@require_GET
def export_job(request, pk):
    """A file being made: its progress, then the file, or why it failed."""
    job = get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk)
    job = jobs.follow(job)
    return TemplateResponse(
        request,
        "procurement/export_job.html",
        {
            "job": job,
            "ready": job.is_ready(),
            "refresh": REFRESH_SECONDS if job.is_pending else None,
        },
    )


@login_required
@require_GET
def export_job_file(request, pk):
    """A finished job's file, to members who may read it, while it is kept."""
    job = get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk)
    if not job.is_ready():
        return redirect(job)
    return jobs.file_response(job)


def _start(request, source, fmt: str):
    """Queue the export (or find it made already) and go to its file or page."""
    job = jobs.request_export(
        source,
        fmt,
        language=exports.language_for(request.LANGUAGE_CODE),
        user=request.user,
    )
    if job.is_ready():
        return redirect(job.get_file_url())
    return redirect(job)


def _download(request, make, *, fallback: str):
    try:
        export = make(exports.language_for(request.LANGUAGE_CODE))
    except exports.UnknownFormat as exc:
        raise Http404(str(exc)) from exc
    except exports.ExportUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(fallback)
    return exports.as_download(export)
