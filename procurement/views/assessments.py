"""One assessment: its scorecard, the editor, the workflow and re-scoring.

The scorecard page, the editor that answers one pillar at a time (with the
conflict screen that shows a stale save's rows next to what is now stored),
the submit, approve and reopen transitions, and the preview under a newer
catalogue version belong here. Downloads of a scorecard are in ``downloads``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoring.models import Catalogue, Criterion

from .. import charts, scorecards, services
from ..forms import AnswerForm, VersionForm, initial_for
from ..models import Answer, Assessment
from ..services import roles
from ..services.roles import Action, allows
from .pages import reference_legend, render_page

EDIT, LEAD = Action.EDIT, Action.LEAD


def _assessment_or_404(request, pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.visible_to(request.user).with_context(), pk=pk
    )


def _posted_version(request) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


def _score(value) -> str:
    return "–" if value is None else formats.localize(value)


@login_required
@require_GET
def assessment_detail(request, pk):
    """The scorecard: every number from the engine, explained in words."""
    assessment = _assessment_or_404(request, pk)
    report = scorecards.assessment_report(assessment)
    references = [
        r for r in scorecards.reference_assessments() if r.pk != assessment.pk
    ]
    organisation_id = (
        assessment.procurement.organisation_id if assessment.procurement else None
    )
    role = roles.role_in(request.user, organisation_id)
    newer = _newer_catalogue(assessment)
    return render_page(
        request,
        "procurement/assessment_detail.html",
        {
            "section": "references" if assessment.is_reference_case else "procurements",
            "assessment": assessment,
            "report": report,
            "references": references,
            "comparison": scorecards.comparison(report, references),
            "radar": report.radar(references),
            "legend": [(str(assessment.offer), charts.PALETTE[0], False)]
            + reference_legend(references),
            "can_edit": assessment.is_editable and allows(role, EDIT),
            "can_submit": assessment.status == Assessment.Status.DRAFT
            and not assessment.is_reference_case
            and allows(role, EDIT),
            "can_approve": assessment.status == Assessment.Status.SUBMITTED
            and allows(role, LEAD),
            "newer_catalogue": newer,
            "evidence_names": {
                e.code: e.name for e in report.catalogue.evidence_types.all()
            },
        },
    )


def _newer_catalogue(assessment: Assessment) -> Catalogue | None:
    if assessment.is_reference_case:
        return None
    latest = Catalogue.objects.latest_published(assessment.catalogue.slug)
    if latest is None or latest.pk == assessment.catalogue_id:
        return None
    return latest


@dataclass(frozen=True)
class StaleRow:
    """One criterion as the user entered it and as someone else stored it."""

    line: scorecards.CriterionLine
    entered: dict[str, str]
    stored: dict[str, str]
    answer: Answer | None  # the stored answer, for who saved it and when
    differs: bool


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    """Answer one pillar at a time; saving re-scores at once."""
    assessment = _assessment_or_404(request, pk)
    organisation_id = (
        assessment.procurement.organisation_id if assessment.procurement else None
    )
    editable = assessment.is_editable and roles.can(request.user, EDIT, organisation_id)
    if request.method == "POST":
        if assessment.is_reference_case:
            raise PermissionDenied(_("Reference cases are read-only."))
        roles.require(request.user, EDIT, organisation_id)
        if not assessment.is_editable:
            messages.error(request, _("A submitted assessment is read-only."))
            return redirect("procurement:assessment-edit", pk=pk)
    report = scorecards.assessment_report(assessment)
    pillar = _pillar(report, request.GET.get("pillar") or request.POST.get("pillar"))
    evidence_types = list(report.catalogue.evidence_types.all())
    facts = list(assessment.offer.provider.facts.order_by("as_of", "pk"))
    data = request.POST if request.method == "POST" else None
    forms = [
        AnswerForm(data, line=line, evidence_types=evidence_types, facts=facts)
        for line in pillar.criteria
    ]
    version = assessment.version
    stale_rows = None
    if data is not None:
        version_form = VersionForm(data)
        valid = [form.is_valid() for form in forms]
        if not version_form.is_valid():
            messages.error(request, _("The form is incomplete; reload the page."))
        elif all(valid):
            answers = [form.answer_data() for form in forms]
            try:
                updated = services.record_answers(
                    assessment,
                    user=request.user,
                    version=version_form.cleaned_data["version"],
                    answers=answers,
                )
            except services.StaleAssessment as exc:
                messages.error(request, str(exc))
                version = exc.current_version
                assessment = _assessment_or_404(request, pk)
                report = scorecards.assessment_report(assessment)
                pillar = _pillar(report, pillar.code)
                stale_rows = _stale_rows(pillar, forms)
            except services.InvalidAnswers as exc:
                messages.error(request, str(exc))
                for form, errors in zip(forms, exc.errors, strict=True):
                    form.add_service_errors(errors)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _saved_message(report, pillar, updated))
                codes = {line.code for line in report.pillars}
                target = request.POST.get("next")
                target = target if target in codes else pillar.code
                url = reverse("procurement:assessment-edit", args=[pk])
                return redirect(f"{url}?pillar={target}#top")
        else:
            messages.error(
                request, _("Some answers need your attention; nothing was saved.")
            )
    index = report.pillars.index(pillar)
    following = report.pillars[index + 1] if index + 1 < len(report.pillars) else None
    role = roles.role_in(request.user, organisation_id)
    return render_page(
        request,
        "procurement/assessment_edit.html",
        {
            "section": "procurements",
            "assessment": assessment,
            "report": report,
            "pillar": pillar,
            "next_pillar": following,
            "rows": list(zip(pillar.criteria, forms, strict=True)),
            "version": version,
            "editable": editable,
            "stale_rows": stale_rows,
            "stale_same": sum(not row.differs for row in stale_rows or ()),
            "evidence_names": {e.code: e.name for e in evidence_types},
            "can_submit": assessment.status == Assessment.Status.DRAFT
            and allows(role, EDIT),
            "can_approve": assessment.status == Assessment.Status.SUBMITTED
            and allows(role, LEAD),
        },
        status=409 if stale_rows is not None else 200,
    )


def _pillar(report: scorecards.AssessmentReport, code: str | None):
    for pillar in report.pillars:
        if pillar.code == code:
            return pillar
    if code:
        raise Http404(_("No such pillar."))
    return report.pillars[0]


def _saved_message(report, pillar, updated: Assessment) -> str:
    before = pillar.result.score
    after = next(
        (p["score"] for p in updated.pillar_scores if p["code"] == pillar.code), None
    )
    return _(
        "Saved. %(pillar)s score: %(before)s → %(after)s. "
        "Global score: %(global_before)s → %(global_after)s."
    ) % {
        "pillar": pillar.code,
        "before": _score(before),
        "after": _score(None if after is None else Decimal(after)),
        "global_before": _score(report.scorecard.global_score),
        "global_after": _score(updated.global_score),
    }


def _stale_rows(pillar, forms) -> list[StaleRow]:
    """Compare what the user entered with what is now stored, per criterion."""
    rows = []
    for line, form in zip(pillar.criteria, forms, strict=True):
        entered = form.describe(form.cleaned_data)
        stored = form.describe(initial_for(line.answer))
        rows.append(StaleRow(line, entered, stored, line.answer, entered != stored))
    return rows


@login_required
@require_POST
def assessment_submit(request, pk):
    """Hand a draft over for approval."""
    return _transition(
        request, pk, services.submit_assessment, _("Assessment submitted for approval.")
    )


@login_required
@require_POST
def assessment_approve(request, pk):
    """Approve a submitted assessment (leads)."""
    return _transition(
        request, pk, services.approve_assessment, _("Assessment approved.")
    )


@login_required
@require_POST
def assessment_reopen(request, pk):
    """Send a submitted assessment back to draft for corrections (leads)."""
    return _transition(
        request, pk, services.reopen_assessment, _("Assessment sent back to draft.")
    )


def _transition(request, pk, service, success: str):
    assessment = _assessment_or_404(request, pk)
    version = _posted_version(request)
    if version is None:
        messages.error(request, _("The form is incomplete; reload the page."))
        return redirect(assessment)
    try:
        service(assessment, user=request.user, version=version)
    except services.StaleAssessment as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(assessment)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_rescore(request, pk):
    """Preview the assessment under the newest catalogue version.

    A lead can then move the whole procurement to that version (every offer of
    a procurement is scored by the same rules).
    """
    assessment = _assessment_or_404(request, pk)
    newer = _newer_catalogue(assessment)
    if newer is None:
        messages.info(
            request, _("This assessment already uses the latest catalogue version.")
        )
        return redirect(assessment)
    if request.method == "POST" and not assessment.is_reference_case:
        try:
            services.repin_procurement(
                assessment.procurement, catalogue=newer, user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The procurement and all its offers now use catalogue %(catalogue)s.")
                % {"catalogue": newer},
            )
            return redirect(assessment.procurement)
    rescore = services.rescore_assessment(assessment, catalogue=newer)
    before = {pillar.code: pillar for pillar in rescore.before.pillars}
    names = {
        c.code: c.name
        for c in Criterion.objects.filter(
            catalogue__in=[assessment.catalogue_id, newer.pk]
        ).order_by("catalogue__loaded_at")
    }
    organisation_id = assessment.procurement and assessment.procurement.organisation_id
    return render_page(
        request,
        "procurement/assessment_rescore.html",
        {
            "section": "procurements",
            "assessment": assessment,
            "rescore": rescore,
            "pillars": [
                (before.get(pillar.code), pillar) for pillar in rescore.after.pillars
            ],
            "names": names,
            "can_apply": not assessment.is_reference_case
            and roles.can(request.user, LEAD, organisation_id),
        },
    )
