"""The web UI: server-rendered pages for buyers and evaluators.

Views are thin. Every read starts from a ``visible_to(user)`` QuerySet, so
another organisation's object is a 404; every write goes through
``services``, which enforce roles (a refusal is a ``PermissionDenied``, which
Django turns into a 403); every number comes from ``scorecards`` and the
engine. Domain errors become form errors or messages, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoring.models import Catalogue, Criterion

from .. import charts, exports, portability, scorecards, sensitivity, services
from ..forms import (
    AnswerForm,
    CertificationForm,
    ExistingOfferForm,
    FactForm,
    NewOfferForm,
    OfferForm,
    ProcurementEditForm,
    ProcurementForm,
    ProviderCreateForm,
    ProviderForm,
    VersionForm,
    add_errors,
    initial_for,
)
from ..models import (
    Answer,
    Assessment,
    Certification,
    Membership,
    Offer,
    Organisation,
    Procurement,
    Provider,
)
from ..services import roles
from ..services.roles import Action, allows

PAGE_SIZE = 50
EDIT, LEAD = Action.EDIT, Action.LEAD


# --------------------------------------------------------------------- helpers


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_string(request) -> str:
    """The list's filters, to keep them in the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return f"{query.urlencode()}&" if query else ""


def _assessment_or_404(request, pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.visible_to(request.user).with_context(), pk=pk
    )


def _posted_version(request) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


def _score(value) -> str:
    return "–" if value is None else formats.localize(value)


def _render(request, template: str, context: dict, status: int = 200):
    return TemplateResponse(request, template, context, status=status)


# ------------------------------------------------------------------------ home


@login_required
@require_GET
def home(request):
    """What the user works on: procurements, assessments waiting, references."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    edit_orgs = [m.organisation_id for m in memberships if allows(m.role, EDIT)]
    lead_orgs = [m.organisation_id for m in memberships if allows(m.role, LEAD)]
    procurements = (
        Procurement.objects.visible_to(request.user)
        .select_related("organisation", "profile", "catalogue")
        .annotate(
            offer_count=Count("assessments", distinct=True),
            eligible_count=Count(
                "assessments", filter=Q(assessments__eligible=True), distinct=True
            ),
        )
        .order_by("-created_at", "-pk")[:10]
    )
    waiting = (
        Assessment.objects.visible_to(request.user)
        .filter(
            Q(status=Assessment.Status.DRAFT, procurement__organisation__in=edit_orgs)
            | Q(
                status=Assessment.Status.SUBMITTED,
                procurement__organisation__in=lead_orgs,
            )
        )
        .with_context()
        .order_by("-updated_at", "-pk")[:20]
    )
    return _render(
        request,
        "procurement/home.html",
        {
            "section": "home",
            "memberships": memberships,
            "can_create": bool(edit_orgs),
            "procurements": procurements,
            "waiting": waiting,
            "references": scorecards.reference_assessments(),
        },
    )


# ------------------------------------------------------------------- providers


@login_required
@require_GET
def provider_list(request):
    """The user's organisations' providers and the reference cases, searchable."""
    query = request.GET.get("q", "").strip()
    providers = (
        Provider.objects.visible_to(request.user)
        .select_related("organisation")
        .annotate(
            offer_count=Count("offers", distinct=True),
            fact_count=Count("facts", distinct=True),
        )
        .order_by("is_reference_case", "name", "pk")
    )
    if query:
        providers = providers.filter(
            Q(name__icontains=query)
            | Q(legal_name__icontains=query)
            | Q(parent_name__icontains=query)
        )
    return _render(
        request,
        "procurement/provider_list.html",
        {
            "section": "providers",
            "query": query,
            "page": _page(request, providers),
            "query_string": _query_string(request),
            "can_create": roles.organisations_where(request.user, EDIT).exists(),
        },
    )


@login_required
@require_GET
def provider_detail(request, pk):
    """A provider with its offers, certifications and dated, sourced facts."""
    provider = get_object_or_404(
        Provider.objects.visible_to(request.user).select_related("organisation"),
        pk=pk,
    )
    offers = provider.offers.prefetch_related(
        Prefetch("certifications", queryset=services.certifications_with_expiry())
    ).order_by("name", "pk")
    assessments = (
        Assessment.objects.visible_to(request.user)
        .filter(offer__provider=provider)
        .with_context()
        .order_by("-created_at", "-pk")
    )
    return _render(
        request,
        "procurement/provider_detail.html",
        {
            "section": "references" if provider.is_reference_case else "providers",
            "provider": provider,
            "offers": offers,
            "facts": provider.facts.order_by("as_of", "pk"),
            "assessments": assessments,
            "can_edit": not provider.is_reference_case
            and roles.can(request.user, EDIT, provider.organisation_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_create(request):
    """Record a provider in one of the user's organisations."""
    organisations = roles.organisations_where(request.user, EDIT)
    if not organisations.exists():
        raise PermissionDenied(_("Your role does not allow this."))
    form = ProviderCreateForm(
        request.POST or None,
        organisations=organisations,
        initial={"organisation": organisations.first()},
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            provider = services.create_provider(
                user=request.user,
                organisation=fields.pop("organisation"),
                name=fields.pop("name"),
                **fields,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Provider %(name)s recorded.") % {"name": provider.name}
            )
            return redirect(provider)
    return _render(
        request,
        "procurement/provider_form.html",
        {"section": "providers", "form": form, "provider": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, pk):
    """Change a provider's record (never a reference case)."""
    provider = _editable_provider(request, pk)
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_provider(provider, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Provider %(name)s saved.") % {"name": provider.name}
            )
            return redirect(provider)
    return _render(
        request,
        "procurement/provider_form.html",
        {"section": "providers", "form": form, "provider": provider},
    )


def _editable_provider(request, pk) -> Provider:
    provider = get_object_or_404(
        Provider.objects.visible_to(request.user).select_related("organisation"),
        pk=pk,
    )
    roles.require_provider_editor(request.user, provider)
    return provider


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request, pk):
    """Add a service of a provider, which can then be assessed."""
    provider = _editable_provider(request, pk)
    form = OfferForm(request.POST or None, instance=Offer(provider=provider))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            offer = services.create_offer(
                provider, user=request.user, name=fields.pop("name"), **fields
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Offer %(name)s added.") % {"name": offer.name})
            return redirect(provider)
    return _render(
        request,
        "procurement/offer_form.html",
        {"section": "providers", "form": form, "provider": provider, "offer": None},
    )


def _editable_offer(request, pk) -> Offer:
    offer = get_object_or_404(
        Offer.objects.visible_to(request.user).select_related("provider__organisation"),
        pk=pk,
    )
    roles.require_provider_editor(request.user, offer.provider)
    return offer


def _offers_url(provider: Provider) -> str:
    return reverse("procurement:provider-detail", args=[provider.pk]) + "#offers"


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request, pk):
    """Change an offer's name, models, regions or description."""
    offer = _editable_offer(request, pk)
    provider, name = offer.provider, offer.name_i18n
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.update_offer(offer, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Offer %(name)s saved.") % {"name": offer.name})
            return redirect(_offers_url(provider))
    return _render(
        request,
        "procurement/offer_form.html",
        {
            "section": "providers",
            "form": form,
            "provider": provider,
            "offer": offer,
            "offer_name": name,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def certification_create(request, pk):
    """Record a certification of an offer (scheme, scope, validity)."""
    offer = _editable_offer(request, pk)
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certification = services.add_certification(
                offer, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Certification %(scheme)s recorded for %(offer)s.")
                % {"scheme": certification.scheme, "offer": offer.name_i18n},
            )
            return redirect(_offers_url(offer.provider))
    return _render(
        request,
        "procurement/certification_form.html",
        {"section": "providers", "form": form, "offer": offer},
    )


@login_required
@require_POST
def certification_remove(request, pk):
    """Delete a certification of an offer; the services check the role."""
    certification = get_object_or_404(
        Certification.objects.filter(
            offer__in=Offer.objects.visible_to(request.user)
        ).select_related("offer__provider__organisation"),
        pk=pk,
    )
    services.remove_certification(certification, user=request.user)
    messages.success(
        request,
        _("Certification %(scheme)s removed from %(offer)s.")
        % {"scheme": certification.scheme, "offer": certification.offer.name_i18n},
    )
    return redirect(_offers_url(certification.offer.provider))


@login_required
@require_http_methods(["GET", "POST"])
def fact_create(request, pk):
    """Record a dated, sourced fact about a provider."""
    provider = _editable_provider(request, pk)
    form = FactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_fact(provider, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Fact recorded."))
            return redirect(
                reverse("procurement:provider-detail", args=[pk]) + "#facts"
            )
    return _render(
        request,
        "procurement/fact_form.html",
        {"section": "providers", "form": form, "provider": provider},
    )


# ---------------------------------------------------------------- procurements


@login_required
@require_GET
def procurement_list(request):
    """The user's organisations' procurements, searchable, by status."""
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    procurements = (
        Procurement.objects.visible_to(request.user)
        .select_related("organisation", "profile", "catalogue")
        .annotate(
            offer_count=Count("assessments", distinct=True),
            eligible_count=Count(
                "assessments", filter=Q(assessments__eligible=True), distinct=True
            ),
        )
        .order_by("-created_at", "-pk")
    )
    if query:
        procurements = procurements.filter(
            Q(title__icontains=query) | Q(reference__icontains=query)
        )
    if status in Procurement.Status.values:
        procurements = procurements.filter(status=status)
    return _render(
        request,
        "procurement/procurement_list.html",
        {
            "section": "procurements",
            "query": query,
            "status": status,
            "statuses": Procurement.Status.choices,
            "page": _page(request, procurements),
            "query_string": _query_string(request),
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
        request.POST or None, organisations=organisations, initial=initial
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
    return _render(
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
    """The ranking of a procurement's offers, with reference overlays on a radar."""
    procurement = _procurement_or_404(request, pk)
    report = scorecards.procurement_report(procurement)
    references = scorecards.reference_assessments()
    chosen = set(request.GET.getlist("ref"))
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
            [item.scorecard.pillar(pillar.code).score for _row, item in report.rows],
            [scores[index] for _reference, scores in overlay_rows],
        )
        for index, pillar in enumerate(pillars)
    ]
    legend = [
        (str(row.assessment.offer), charts.PALETTE[index % len(charts.PALETTE)], False)
        for index, (row, _report) in enumerate(report.rows)
    ] + _reference_legend(overlays)
    return _render(
        request,
        "procurement/procurement_detail.html",
        {
            "section": "procurements",
            "procurement": procurement,
            "report": report,
            "pillars": pillars,
            "radar": report.radar(overlays),
            "legend": legend,
            "references": [(r, str(r.pk) in chosen) for r in references],
            "overlay_rows": overlay_rows,
            "chart_rows": chart_rows,
            "sensitivity": sensitivity.sensitivity(report),
            "can_edit": roles.can(request.user, EDIT, procurement.organisation_id),
            "is_lead": roles.can(request.user, LEAD, procurement.organisation_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_edit(request, pk):
    """Change a procurement's title, reference, description, deadline, profile."""
    procurement = _procurement_or_404(request, pk)
    roles.require(request.user, EDIT, procurement.organisation_id)
    title = procurement.title
    pinned = procurement.assessments.exists()
    form = ProcurementEditForm(
        request.POST or None, instance=procurement, pinned=pinned
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
    return _render(
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
    try:
        service(procurement, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(procurement)


def _reference_legend(references) -> list[tuple[str, str, bool]]:
    series = [scorecards.reference_series(reference) for reference in references]
    return [(item.name, item.colour, True) for item in series]


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
    return _render(
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
    _under_assessment(request, assessment.offer)
    return assessment


def _under_assessment(request, offer) -> None:
    messages.success(
        request,
        _("%(offer)s is now under assessment. Answer the criteria pillar by pillar.")
        % {"offer": offer},
    )


# ----------------------------------------------------------------- assessments


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
    return _render(
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
            + _reference_legend(references),
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
    return _render(
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
    return _render(
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


# ------------------------------------------------------------- reference cases


@login_required
@require_GET
def reference_case_list(request):
    """Cloudwatt, Numergy and any other reference case, with their scores."""
    return _render(
        request,
        "procurement/reference_case_list.html",
        {"section": "references", "references": scorecards.reference_assessments()},
    )


@login_required
@require_GET
def reference_case_detail(request, key):
    """A reference case's story from its dated facts, next to its scorecard."""
    provider = get_object_or_404(Provider.objects.reference_cases(), reference_key=key)
    assessment = (
        Assessment.objects.reference_cases()
        .filter(offer__provider=provider)
        .with_context()
        .order_by("-as_of", "-pk")
        .first()
    )
    report = scorecards.assessment_report(assessment) if assessment else None
    cited: dict[int, list[str]] = {}
    if report is not None:
        for line in report.criteria:
            for fact in line.facts:
                cited.setdefault(fact.pk, []).append(line.code)
    facts = list(provider.facts.order_by("as_of", "pk"))
    as_of = assessment.as_of if assessment else None
    return _render(
        request,
        "procurement/reference_case_detail.html",
        {
            "section": "references",
            "provider": provider,
            "assessment": assessment,
            "report": report,
            "offers": provider.offers.prefetch_related("certifications"),
            "before": [
                (f, cited.get(f.pk, [])) for f in facts if not as_of or f.as_of <= as_of
            ],
            "after": [
                (f, cited.get(f.pk, [])) for f in facts if as_of and f.as_of > as_of
            ],
        },
    )


# ------------------------------------------------------------------ downloads


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
