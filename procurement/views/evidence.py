"""What the buyer's team does with bidders: files, invitations and the grid.

Evidence files are attached from the editor and served only here, to members
of the assessment's organisation, as attachments. A lead invites a bidder
(the link is shown once), revokes an invitation, downloads the XLSX grid for
a bidder and imports the grid it returns; every refusal is a message.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import evidence, exports, services
from ..exports import grid
from ..models import Assessment, EvidenceFile, Invitation
from ..services import roles
from ..services.roles import Action
from .pages import render_page


class InvitationForm(forms.Form):
    contact_email = forms.EmailField(
        label=gettext_lazy("Bidder's contact e-mail"), required=False
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=365, initial=30
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the questionnaire"),
        choices=[("en", "English"), ("fr", "Français")],
    )


class GridForm(forms.Form):
    grid = forms.FileField(label=gettext_lazy("The grid the bidder returned (XLSX)"))


def _assessment(request, pk) -> Assessment:
    return get_object_or_404(
        Assessment.objects.visible_to(request.user).with_context(),
        pk=pk,
        procurement__isnull=False,
    )


def _editor_url(assessment, pillar: str = "", code: str = "") -> str:
    url = reverse("procurement:assessment-edit", args=[assessment.pk])
    return f"{url}?pillar={pillar}#criterion-{code}" if pillar else url


@login_required
@require_POST
def assessment_file_upload(request, pk):
    """Attach an evidence file to one criterion (evaluators and leads)."""
    assessment = _assessment(request, pk)
    code, pillar = request.POST.get("criterion", ""), request.POST.get("pillar", "")
    uploaded = request.FILES.get("file")
    back = _editor_url(assessment, pillar, code)
    if uploaded is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect(back)
    try:
        stored = services.add_evidence(assessment, code, uploaded, user=request.user)
    except evidence.FileTooLarge as exc:
        messages.error(request, str(exc))
        response = redirect(back)
        response.status_code = 413
        return response
    except (evidence.FileRefused, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    except services.ProcurementClosed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s attached to %(code)s (SHA-256 %(hash)s…).")
            % {"name": stored.name, "code": code, "hash": stored.sha256[:12]},
        )
    return redirect(back)


@login_required
@require_GET
def evidence_file(request, pk):
    """The bytes of an evidence file, to members of its organisation only."""
    stored = get_object_or_404(
        EvidenceFile.objects.filter(
            assessment__in=Assessment.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    return file_response(stored)


def file_response(stored: EvidenceFile) -> FileResponse:
    """A download that a browser saves and never runs or renders as a page."""
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=stored.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(stored.size)
    return response


@login_required
@require_POST
def evidence_file_remove(request, pk):
    """Remove a file from a draft assessment (evaluators and leads)."""
    stored = get_object_or_404(
        EvidenceFile.objects.filter(
            assessment__in=Assessment.objects.visible_to(request.user)
        ).select_related("assessment", "criterion__pillar"),
        pk=pk,
    )
    back = _editor_url(
        stored.assessment, stored.criterion.pillar.code, stored.criterion.code
    )
    try:
        services.remove_evidence(stored, user=request.user)
    except (ValidationError, services.ProcurementClosed) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("File removed; the record keeps its trace."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_invite(request, pk):
    """Invite a bidder to answer: a link shown once (leads)."""
    assessment = _assessment(request, pk)
    roles.require(request.user, Action.LEAD, assessment.organisation_id)
    form = InvitationForm(
        request.POST if request.method == "POST" else None,
        initial={
            "days": settings.INVITATION_DAYS,
            "language": request.LANGUAGE_CODE[:2],
        },
    )
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            _invitation, token = services.invite_bidder(
                assessment, user=request.user, **form.cleaned_data
            )
        except (ValidationError, services.ProcurementClosed) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            link = request.build_absolute_uri(reverse("bid", args=[token]))
    return render_page(
        request,
        "procurement/assessment_invite.html",
        {
            "section": "procurements",
            "assessment": assessment,
            "form": form,
            "link": link,
            "invitations": assessment.invitations.order_by("-created_at"),
        },
    )


@login_required
@require_POST
def invitation_revoke(request, pk):
    """Stop an invitation's link from working (leads)."""
    invitation = get_object_or_404(
        Invitation.objects.filter(
            assessment__in=Assessment.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    services.revoke_invitation(invitation, user=request.user)
    messages.success(request, _("The invitation no longer works."))
    return redirect("procurement:assessment-invite", pk=invitation.assessment_id)


@login_required
@require_GET
def assessment_grid(request, pk):
    """The XLSX grid a bidder fills in, in the language of the page."""
    assessment = _assessment(request, pk)
    language = exports.language_for(request.LANGUAGE_CODE)
    content = grid.grid_xlsx(assessment, language)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"grid-{assessment.pk}-{language}.xlsx"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def assessment_grid_upload(request, pk):
    """Import the grid a bidder returned: every cell checked, all or nothing."""
    assessment = _assessment(request, pk)
    roles.require(request.user, Action.EDIT, assessment.organisation_id)
    form = GridForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["grid"]
        if upload.size > settings.GRID_MAX_BYTES:
            form.add_error("grid", _("The grid is too large."))
        else:
            content = upload.read()
            try:
                claims = grid.read_grid(content, assessment)
                services.import_claims(
                    assessment,
                    claims,
                    user=request.user,
                    sha256=hashlib.sha256(content).hexdigest(),
                )
            except grid.GridRefused as exc:
                problems = exc.problems
            except (
                ValidationError,
                PermissionDenied,
                services.ProcurementClosed,
            ) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request,
                    _("The bidder's answers were imported: %(count)s criteria.")
                    % {"count": len(claims)},
                )
                return redirect(assessment)
    return render_page(
        request,
        "procurement/assessment_grid.html",
        {
            "section": "procurements",
            "assessment": assessment,
            "form": form,
            "problems": problems,
        },
    )
