"""Procurements: the list, a new one, its ranking, editing, opening, closing.

Pages about one procurement as a whole belong here, and so does putting an
offer under assessment for it (an offer from the register, or a new provider
and offer recorded on the way). The assessment that this starts has its own
pages in ``assessments``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import (
    awarding,
    charts,
    lessons,
    report_cache,
    robustness,
    scorecards,
    sensitivity,
    services,
)
from ..comparison import procurement_matrix
from ..forms import (
    ExistingOfferForm,
    NewOfferForm,
    ProcurementEditForm,
    ProcurementForm,
    ReasonForm,
    add_errors,
)
from ..models import Assessment, Offer, Procurement
from ..record import last_method_change
from ..services import roles
from ..services.roles import Action
from .pages import paginate, query_string, render_page

EDIT, LEAD = Action.EDIT, Action.LEAD


@login_required
@require_GET
def procurement_list(request):
    """The user's organisations' procurements, searchable, by status."""
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    procurements = (
        Procurement.objects.visible_to(request.user)
        .for_list()
        .with_offer_counts()
        .order_by("-created_at", "-pk")
    )
    if query:
        procurements = procurements.filter(
            Q(title__icontains=query) | Q(reference__icontains=query)
        )
    if status in Procurement.Status.values:
        procurements = procurements.filter(status=status)
    return render_page(
        request,
        "procurement/procurement_list.html",
        {
            "section": "procurements",
            "query": query,
            "status": status,
            "statuses": Procurement.Status.choices,
            "page": paginate(request, procurements),
            "query_string": query_string(request),
            "can_create": roles.organisations_where(request.user, EDIT).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_create(request):
    """Open a procurement for one of the user's organisations."""
    organisations = roles.organisations_where(request.user, EDIT)
    if not organisations.exists():
        raise PermissionDenied(_("Your role does not allow this."))
    initial = (
        {"organisation": organisations.first()} if request.method == "GET" else None
    )
    form = ProcurementForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            procurement = services.create_procurement(
                user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Procurement %(title)s opened. Now add the offers to assess.")
                % {"title": procurement.title},
            )
            return redirect(procurement)
    return render_page(
        request,
        "procurement/procurement_form.html",
        {"section": "procurements", "form": form},
    )


def _procurement_or_404(request, pk) -> Procurement:
    return get_object_or_404(
        Procurement.objects.visible_to(request.user).select_related(
            "organisation", "profile", "catalogue"
        ),
        pk=pk,
    )


@login_required
@require_GET
def procurement_detail(request, pk):
    """The ranking of a procurement's offers, with reference overlays on a radar.

    The report below the header is the same for every reader: it is rendered
    once and kept until anything it shows changes (``report_cache``).
    """
    procurement = _procurement_or_404(request, pk)
    can_edit = roles.can(request.user, EDIT, procurement.organisation_id)
    is_lead = roles.can(request.user, LEAD, procurement.organisation_id)
    chosen = request.GET.getlist("ref")
    state = report_cache.report_state(procurement, overlays=chosen, can_edit=can_edit)
    report_html = report_cache.cached_report(
        state,
        lambda: render_to_string(
            "procurement/_procurement_report.html",
            _report_context(procurement, set(chosen), can_edit=can_edit),
        ),
    )
    return render_page(
        request,
        "procurement/procurement_detail.html",
        {
            "section": "procurements",
            "procurement": procurement,
            "state": state,
            "report_html": mark_safe(report_html),  # our own template's output
            "can_edit": can_edit,
            "is_lead": is_lead,
            "can_delete": procurement.status == Procurement.Status.DRAFT
            and is_lead
            and state.only_drafts,
        },
    )


def _report_context(procurement: Procurement, chosen: set[str], *, can_edit: bool):
    """Everything the page's report shows: ranking, analyses, radar, references."""
    report = scorecards.procurement_summary(procurement)
    references = scorecards.reference_assessments()
    overlays = [r for r in references if str(r.pk) in chosen]
    pillars = list(report.catalogue.pillars.all())
    codes = [p.code for p in pillars]
    overlay_rows = [
        (reference, scorecards.reference_pillar_row(reference, codes))
        for reference in overlays
    ]
    chart_rows = [
        (
            pillar,
            [
                (item.pillar_score(pillar.code), item.pillar_unknown(pillar.code)[0])
                for _row, item in report.rows
            ],
            [scores[index] for _reference, scores in overlay_rows],
        )
        for index, pillar in enumerate(pillars)
    ]
    return {
        "procurement": procurement,
        "report": report,
        "pillars": pillars,
        "radar": report.radar(overlays, with_legend=False),
        "legend": charts.legend(report.radar_series(overlays)),
        "references": [(r, str(r.pk) in chosen) for r in references],
        "overlay_rows": overlay_rows,
        "chart_rows": chart_rows,
        "sensitivity": sensitivity.sensitivity(report),
        "robustness": robustness.procurement_robustness(report),
        "award": awarding.award_ranking(report),
        "lesson_rows": lessons.procurement_resemblances(
            procurement_matrix(procurement, report.ranking)
        )
        if report.rows
        else [],
        "method_change": last_method_change(procurement.pk),
        "can_edit": can_edit,
    }


@login_required
@require_http_methods(["GET", "POST"])
def procurement_edit(request, pk):
    """Change a procurement's title, reference, description, deadline, profile."""
    procurement = _procurement_or_404(request, pk)
    roles.require(request.user, EDIT, procurement.organisation_id)
    title = procurement.title
    pinned = procurement.assessments.exists()
    form = ProcurementEditForm(
        request.POST if request.method == "POST" else None,
        instance=procurement,
        pinned=pinned,
    )
    if request.method == "POST" and form.is_valid():
        try:
            procurement = services.update_procurement(
                procurement, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Procurement %(title)s saved.") % {"title": procurement.title},
            )
            return redirect(procurement)
    return render_page(
        request,
        "procurement/procurement_edit.html",
        {
            "section": "procurements",
            "form": form,
            "procurement": procurement,
            "title": title,
            "pinned": pinned,
        },
    )


@login_required
@require_POST
def procurement_close(request, pk):
    """Close a procurement to new offers (leads)."""
    return _procurement_status(
        request,
        pk,
        services.close_procurement,
        _("Procurement closed: no offer can be added until a lead reopens it."),
    )


@login_required
@require_POST
def procurement_open(request, pk):
    """Open a draft or closed procurement to new offers (leads)."""
    return _procurement_status(
        request,
        pk,
        services.open_procurement,
        _("Procurement open: offers can be added."),
    )


def _procurement_status(request, pk, service, success: str):
    procurement = _procurement_or_404(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service(procurement, user=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(procurement)


@login_required
@require_http_methods(["GET", "POST"])
def procurement_delete(request, pk):
    """Delete a draft procurement in which nothing was submitted (leads)."""
    procurement = _procurement_or_404(request, pk)
    roles.require(request.user, LEAD, procurement.organisation_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_procurement(
                procurement, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(procurement)
        messages.success(
            request,
            _("Draft procurement %(title)s deleted; its history stays on record.")
            % {"title": procurement.title},
        )
        return redirect("procurement:procurement-list")
    return render_page(
        request,
        "procurement/procurement_delete.html",
        {"section": "procurements", "procurement": procurement, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_add_offer(request, pk):
    """Put an offer under assessment: one from the register, or a new one."""
    procurement = _procurement_or_404(request, pk)
    roles.require(request.user, EDIT, procurement.organisation_id)
    if procurement.status == Procurement.Status.CLOSED:
        messages.error(
            request,
            _("This procurement is closed: a lead must reopen it to add offers."),
        )
        return redirect(procurement)
    offers = (
        Offer.objects.filter(provider__organisation=procurement.organisation)
        .exclude(assessments__procurement=procurement)
        .select_related("provider")
        .order_by("provider__name", "name", "pk")
    )
    action = request.POST.get("action")
    data = request.POST if request.method == "POST" else None
    existing = ExistingOfferForm(
        data if action == "existing" else None, offers=offers, prefix="existing"
    )
    new = NewOfferForm(data if action == "new" else None, prefix="new")
    if action == "existing" and existing.is_valid():
        assessment = _start(
            request, procurement, existing, existing.cleaned_data["offer"]
        )
        if assessment is not None:
            return redirect("procurement:assessment-edit", pk=assessment.pk)
    elif action == "new" and new.is_valid():
        assessment = _create_and_start(request, procurement, new)
        if assessment is not None:
            return redirect("procurement:assessment-edit", pk=assessment.pk)
    return render_page(
        request,
        "procurement/procurement_add_offer.html",
        {
            "section": "procurements",
            "procurement": procurement,
            "existing": existing,
            "has_offers": offers.exists(),
            "new": new,
        },
    )


def _start(request, procurement, form, offer) -> Assessment | None:
    try:
        assessment = services.start_assessment(
            user=request.user, procurement=procurement, offer=offer
        )
    except ValidationError as exc:
        add_errors(form, exc)
        return None
    except services.ProcurementClosed as exc:
        form.add_error(None, str(exc))
        return None
    _under_assessment(request, offer)
    return assessment


def _create_and_start(request, procurement, form) -> Assessment | None:
    data = form.cleaned_data
    try:
        assessment = services.start_assessment_of_new_offer(
            user=request.user,
            procurement=procurement,
            provider={
                "name": data["provider_name"],
                "country": data["country"],
                "parent_name": data["parent_name"],
                "parent_country": data["parent_country"],
            },
            offer={
                "name": data["offer_name"],
                "service_model": data["service_model"],
                "deployment_model": data["deployment_model"],
            },
        )
    except ValidationError as exc:
        add_errors(form, exc)
        return None
    except services.ProcurementClosed as exc:
        form.add_error(None, str(exc))
        return None
    _under_assessment(request, assessment.offer)
    return assessment


def _under_assessment(request, offer) -> None:
    messages.success(
        request,
        _("%(offer)s is now under assessment. Answer the criteria pillar by pillar.")
        % {"offer": offer},
    )
