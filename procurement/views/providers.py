"""The register: providers, their offers, facts and certifications.

Pages that list, show, record or change a provider, one of its offers, a
dated and sourced fact, or an offer's certification belong here. Who may
change them is one rule (``roles.require_provider_editor``): a member who may
edit in the provider's organisation, never on a reference case.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..forms import (
    CertificationForm,
    FactForm,
    OfferForm,
    ProviderCreateForm,
    ProviderForm,
    add_errors,
)
from ..models import Assessment, Certification, Offer, Provider
from ..services import roles
from ..services.roles import Action
from .pages import paginate, query_string, render_page

EDIT = Action.EDIT


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
    return render_page(
        request,
        "procurement/provider_list.html",
        {
            "section": "providers",
            "query": query,
            "page": paginate(request, providers),
            "query_string": query_string(request),
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
    return render_page(
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
        request.POST if request.method == "POST" else None,
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
    return render_page(
        request,
        "procurement/provider_form.html",
        {"section": "providers", "form": form, "provider": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, pk):
    """Change a provider's record (never a reference case)."""
    provider = _editable_provider(request, pk)
    form = ProviderForm(
        request.POST if request.method == "POST" else None, instance=provider
    )
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
    return render_page(
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
    form = OfferForm(
        request.POST if request.method == "POST" else None,
        instance=Offer(provider=provider),
    )
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
    return render_page(
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
    form = OfferForm(request.POST if request.method == "POST" else None, instance=offer)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.update_offer(offer, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Offer %(name)s saved.") % {"name": offer.name})
            return redirect(_offers_url(provider))
    return render_page(
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
    form = CertificationForm(request.POST if request.method == "POST" else None)
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
    return render_page(
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
    form = FactForm(request.POST if request.method == "POST" else None)
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
    return render_page(
        request,
        "procurement/fact_form.html",
        {"section": "providers", "form": form, "provider": provider},
    )
