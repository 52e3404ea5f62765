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
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from scoring.models import Catalogue, Criterion

from .. import approvals, charts, lessons, scorecards, services
from ..forms import (
    UNKNOWN,
    AnswerForm,
    VersionForm,
    WorkflowForm,
    add_errors,
    initial_for,
)
from ..models import Answer, Assessment, PanelSeat, Procurement
from ..services import roles
from ..services.roles import Action, allows
from .pages import render_page
from .panel import panel_links

EDIT, LEAD = Action.EDIT, Action.LEAD


def _assessment_or_404(request, pk: int) -> Assessment:
    # Whether a panel scores it, in the same query: a procurement without
    # a panel reads nothing more for it.
    return get_object_or_404(
        Assessment.objects.visible_to(request.user)
        .with_context()
        .annotate(
            has_panel=Exists(
                PanelSeat.objects.filter(procurement_id=OuterRef("procurement_id"))
            )
        ),
        pk=pk,
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
            "resemblances": []
            if assessment.is_reference_case
            else lessons.resemblances(
                lessons.levels_of(report.scorecard.criteria), lessons.reference_cases()
            ),
            "radar": report.radar(references, with_legend=False),
            "legend": charts.legend(report.radar_series(references)),
            "can_edit": assessment.is_editable and allows(role, EDIT),
            **_workflow_flags(assessment, role),
            "newer_catalogue": newer,
            "changed_since_approval": approvals.changes_since_approval(assessment),
            "can_invite": not assessment.is_reference_case
            and assessment.status == Assessment.Status.DRAFT
            and allows(role, LEAD),
            "evidence_names": {
                e.code: e.name for e in report.catalogue.evidence_types.all()
            },
            **panel_links(request.user, assessment),
        },
    )


def _workflow_flags(assessment: Assessment, role: str | None) -> dict[str, bool]:
    """The workflow buttons a page shows, by status and role, in an open procurement."""
    Status = Assessment.Status
    if (
        assessment.is_reference_case
        or assessment.procurement.status == Procurement.Status.CLOSED
    ):
        return {}
    return {
        "can_submit": assessment.status == Status.DRAFT and allows(role, EDIT),
        "can_approve": assessment.status == Status.SUBMITTED and allows(role, LEAD),
        "can_reopen": assessment.status in (Status.SUBMITTED, Status.APPROVED)
        and allows(role, LEAD),
        "can_withdraw": assessment.status != Status.WITHDRAWN and allows(role, LEAD),
    }


def _newer_catalogue(assessment: Assessment) -> Catalogue | None:
    if assessment.is_reference_case:
        return None
    latest = Catalogue.objects.latest_published(assessment.catalogue.slug)
    if latest is None or latest.pk == assessment.catalogue_id:
        return None
    return latest


@dataclass(frozen=True)
class ConflictRow:
    """A criterion the user changed and a colleague changed too, since."""

    line: scorecards.CriterionLine
    entered: dict[str, str]
    stored: dict[str, str]
    answer: Answer | None  # the stored answer, for who saved it and when


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    """Answer one pillar at a time; saving re-scores at once.

    A save sends only what the user changed; a colleague's changes to other
    criteria are merged. When a colleague changed a criterion the user
    changed too, the page shows both and asks which to keep (a 409).
    """
    assessment = _assessment_or_404(request, pk)
    organisation_id = (
        assessment.procurement.organisation_id if assessment.procurement else None
    )
    # With a panel, answers come only from moderation: the editor reads.
    panel = panel_links(request.user, assessment)
    editable = (
        assessment.is_editable
        and roles.can(request.user, EDIT, organisation_id)
        and not panel
    )
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

    # The caps the engine applies: the profile's, on knock-out criteria only.
    caps = {c.evidence_type: c.max_level for c in report.profile.evidence_caps.all()}

    def form_for(line, values=None):
        knockout = line.result.threshold is not None
        return AnswerForm(
            values,
            line=line,
            evidence_types=evidence_types,
            facts=facts,
            caps=caps if knockout else None,
        )

    forms = [form_for(line, data) for line in pillar.criteria]
    version = assessment.version
    conflicts = None
    if data is not None:
        version_form = VersionForm(data)
        valid = [form.is_valid() for form in forms]
        if not version_form.is_valid():
            messages.error(request, _("The form is incomplete; reload the page."))
        elif all(valid):
            answers = [a for form in forms if (a := form.answer_data()) is not None]
            target = _next_pillar(request, report, pillar)
            if not answers:
                messages.info(
                    request,
                    _("Nothing changed in %(pillar)s.") % {"pillar": pillar.code},
                )
                return redirect(target)
            try:
                updated = services.record_answers(
                    assessment,
                    user=request.user,
                    version=version_form.cleaned_data["version"],
                    answers=answers,
                )
            except services.StaleAssessment as exc:
                messages.error(request, str(exc))
                assessment = _assessment_or_404(request, pk)
                version = assessment.version
                report = scorecards.assessment_report(assessment)
                pillar = _pillar(report, pillar.code)
                forms, conflicts = _conflict_forms(
                    pillar, forms, set(exc.criteria), form_for, data
                )
            except services.InvalidAnswers as exc:
                messages.error(request, str(exc))
                by_code = dict(
                    zip([a.criterion for a in answers], exc.errors, strict=True)
                )
                for form in forms:
                    form.add_service_errors(by_code.get(form.line.code, {}))
            except services.ProcurementClosed as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if updated.version == assessment.version:
                    messages.info(
                        request,
                        _("Nothing changed in %(pillar)s.") % {"pillar": pillar.code},
                    )
                else:
                    messages.success(request, _saved_message(report, pillar, updated))
                return redirect(target)
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
            "has_errors": any(form.errors for form in forms),
            # what the radios show: after a refused save, the user's entries
            "answered": sum(form["answer"].value() != UNKNOWN for form in forms),
            "version": version,
            "editable": editable,
            "conflicts": conflicts,
            "evidence_names": {e.code: e.name for e in evidence_types},
            **_workflow_flags(assessment, role),
            **panel,
        },
        status=409 if conflicts else 200,
    )


def _next_pillar(request, report, pillar) -> str:
    """Where a save goes: the pillar asked for with "Save and go to", or this one."""
    codes = {line.code for line in report.pillars}
    target = request.POST.get("next")
    target = target if target in codes else pillar.code
    url = reverse("procurement:assessment-edit", args=[report.assessment.pk])
    return f"{url}?pillar={target}#top"


def _conflict_forms(pillar, forms, conflicting: set[str], form_for, data):
    """The forms to show after a conflict, and the rows to compare.

    A criterion in conflict keeps what the user entered, shown beside what is
    stored now, with a choice; its fingerprint becomes the stored one, so that
    saving "mine" writes exactly the user's values over theirs. A criterion
    the user changed without conflict keeps the user's entry. Every other
    criterion shows what is stored now.
    """
    entered = {form.line.code: form for form in forms}
    shown, rows = [], []
    for line in pillar.criteria:
        old = entered[line.code]
        if line.code in conflicting:
            values = data.copy()
            stored = initial_for(line.answer)
            values[f"{line.code}-loaded"] = stored["loaded"]
            values[f"{line.code}-conflict"] = "true"
            values.pop(f"{line.code}-resolve", None)
            form = form_for(line, values)
            form.is_valid()
            form.errors.pop("resolve", None)
            shown.append(form)
            rows.append(
                ConflictRow(
                    line,
                    old.describe(old.cleaned_data),
                    old.describe(stored),
                    line.answer,
                )
            )
        elif old.changed_fields():
            shown.append(old)
        else:
            shown.append(form_for(line))
    return shown, rows


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


@dataclass(frozen=True)
class Step:
    """One step of an assessment's workflow, as the confirmation page shows it."""

    service: object
    title: str
    explanation: str
    success: str
    action: Action


STEPS = {
    "submit": Step(
        services.submit_assessment,
        _("Submit for approval"),
        _(
            "The assessment becomes read-only; a lead approves it or sends it back "
            "to draft."
        ),
        _("Assessment submitted for approval."),
        EDIT,
    ),
    "approve": Step(
        services.approve_assessment,
        _("Approve"),
        _(
            "Approval freezes what the report shows: later changes to the offer, "
            "its provider, certifications or facts do not change this assessment's "
            "pages, exports or digest. With unanswered criteria, say why."
        ),
        _("Assessment approved."),
        LEAD,
    ),
    "reopen": Step(
        services.reopen_assessment,
        _("Send back to draft"),
        _(
            "The assessment can be corrected again. Reopening an approved "
            "assessment needs a reason, kept in the record."
        ),
        _("Assessment sent back to draft."),
        LEAD,
    ),
    "withdraw": Step(
        services.withdraw_assessment,
        _("Withdraw the offer"),
        _(
            "The offer leaves the ranking and is listed as withdrawn; its "
            "assessment stays in the record. Say why."
        ),
        _("Offer withdrawn from the procurement."),
        LEAD,
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def assessment_submit(request, pk):
    """Hand a draft over for approval; an incomplete one asks for confirmation."""
    return _workflow(request, pk, "submit")


@login_required
@require_http_methods(["GET", "POST"])
def assessment_approve(request, pk):
    """Approve a submitted assessment (leads; not its submitter under four eyes)."""
    return _workflow(request, pk, "approve")


@login_required
@require_http_methods(["GET", "POST"])
def assessment_reopen(request, pk):
    """Send a submitted or approved assessment back to draft (leads)."""
    return _workflow(request, pk, "reopen")


@login_required
@require_http_methods(["GET", "POST"])
def assessment_withdraw(request, pk):
    """Withdraw an offer from its procurement, with a reason (leads)."""
    return _workflow(request, pk, "withdraw")


def _workflow(request, pk, name: str):
    """A step's confirmation page, or the step itself when nothing is to confirm.

    A complete assessment is submitted at once; an incomplete one asks to
    confirm. Approving an incomplete assessment, reopening an approved one and
    withdrawing an offer ask for a reason. Refusals come back as messages.
    """
    step = STEPS[name]
    assessment = _assessment_or_404(request, pk)
    if assessment.is_reference_case:
        raise PermissionDenied(_("Reference cases are read-only."))
    roles.require(request.user, step.action, assessment.procurement.organisation_id)
    form = WorkflowForm(
        request.POST if request.method == "POST" else None,
        initial={"version": assessment.version},
    )
    if request.method == "POST" and "version" in form.errors:
        messages.error(request, _("The form is incomplete; reload the page."))
        return redirect(assessment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        incomplete = assessment.completeness < services.workflow.COMPLETE
        if name == "submit" and incomplete and not data["confirm"]:
            messages.warning(
                request,
                _(
                    "%(percent)s%% of the criteria are answered. Confirm to submit "
                    "it as it is."
                )
                % {"percent": formats.localize(assessment.completeness)},
            )
        else:
            options = {} if name == "submit" else {"reason": data["reason"]}
            try:
                step.service(
                    assessment, user=request.user, version=data["version"], **options
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
                    add_errors(form, exc)
                else:
                    messages.error(request, " ".join(exc.messages))
                    return redirect(assessment)
            except (
                services.StaleAssessment,
                services.ProcurementClosed,
                PermissionDenied,
            ) as exc:
                messages.error(request, str(exc))
                return redirect(assessment)
            else:
                messages.success(request, step.success)
                return redirect(assessment)
    return render_page(
        request,
        "procurement/assessment_workflow.html",
        {
            "section": "procurements",
            "assessment": assessment,
            "step": step,
            "name": name,
            "form": form,
            "ask_reason": name != "submit",
            "ask_confirm": name == "submit"
            and assessment.completeness < services.workflow.COMPLETE,
        },
    )


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
