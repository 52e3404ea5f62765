"""Downloads: a scorecard, a procurement's report, an organisation's data.

Views that hand over a file belong here. They only check who may download
what and turn an unknown format into a 404 or an unavailable one (no PDF
library on this machine) into a message; ``exports`` and ``portability``
make the files.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET

from .. import exports, portability
from ..models import Assessment, Organisation, Procurement
from ..services import roles
from ..services.roles import Action

LEAD = Action.LEAD


@login_required
@require_GET
def assessment_export(request, pk, fmt):
    """Download one scorecard (PDF, XLSX, CSV or JSON) in the page's language."""
    assessment = get_object_or_404(Assessment.objects.visible_to(request.user), pk=pk)
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
    return portability.as_download(organisation)


def _download(request, make, *, fallback: str):
    try:
        export = make(exports.language_for(request.LANGUAGE_CODE))
    except exports.UnknownFormat as exc:
        raise Http404(str(exc)) from exc
    except exports.ExportUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(fallback)
    return exports.as_download(export)
