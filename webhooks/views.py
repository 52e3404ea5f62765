"""The Webhooks pages of an organisation's settings (leads only).

List and register endpoints, change their events, turn them off, rotate
their secret (shown once, like a new one), delete them; read each
endpoint's deliveries with every attempt, and resend one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from procurement.forms import add_errors
from procurement.models import Organisation
from procurement.services import roles
from procurement.services.roles import Action

from . import services
from .forms import EndpointForm
from .models import Attempt, Delivery, Endpoint

PAGE_SIZE = 25


def _organisation(request, organisation_pk: int) -> Organisation:
    """The user's organisation (404 otherwise), if they lead it (403 otherwise)."""
    organisation = get_object_or_404(
        Organisation.objects.of_user(request.user), pk=organisation_pk
    )
    roles.require(request.user, Action.LEAD, organisation)
    return organisation


def _endpoint(request, organisation_pk: int, pk: int) -> Endpoint:
    organisation = _organisation(request, organisation_pk)
    return get_object_or_404(
        Endpoint.objects.select_related("organisation"),
        organisation=organisation,
        pk=pk,
    )


def _render(request, template: str, context: dict):
    return TemplateResponse(
        request, f"webhooks/{template}", {"section": "home", **context}
    )


@login_required
def endpoint_list(request, organisation_pk):
    organisation = _organisation(request, organisation_pk)
    endpoints = organisation.webhook_endpoints.annotate(
        delivery_count=Count("deliveries"),
        failed_count=Count(
            "deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)
        ),
    ).order_by("url", "pk")
    return _render(
        request,
        "endpoint_list.html",
        {"organisation": organisation, "endpoints": endpoints},
    )


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_create(request, organisation_pk):
    organisation = _organisation(request, organisation_pk)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.create_endpoint(
                organisation, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return _render(
                request,
                "endpoint_secret.html",
                {"organisation": organisation, "endpoint": endpoint, "secret": secret},
            )
    return _render(
        request, "endpoint_form.html", {"organisation": organisation, "form": form}
    )


@login_required
def endpoint_detail(request, organisation_pk, pk):
    endpoint = _endpoint(request, organisation_pk, pk)
    deliveries = endpoint.deliveries.prefetch_related(
        Prefetch("attempts", queryset=Attempt.objects.order_by("-at", "-pk"))
    ).order_by("-created_at", "pk")
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "endpoint_detail.html",
        {"organisation": endpoint.organisation, "endpoint": endpoint, "page": page},
    )


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, organisation_pk, pk):
    endpoint = _endpoint(request, organisation_pk, pk)
    form = EndpointForm(
        request.POST or None,
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "is_active": endpoint.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(endpoint, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect(endpoint)
    return _render(
        request,
        "endpoint_form.html",
        {"organisation": endpoint.organisation, "endpoint": endpoint, "form": form},
    )


@login_required
@require_POST
def endpoint_toggle(request, organisation_pk, pk):
    endpoint = _endpoint(request, organisation_pk, pk)
    services.update_endpoint(
        endpoint, user=request.user, is_active=not endpoint.is_active
    )
    if endpoint.is_active:
        messages.success(request, _("Endpoint enabled: deliveries are sent again."))
    else:
        messages.success(request, _("Endpoint disabled: nothing is sent to it."))
    return redirect(endpoint)


@login_required
@require_POST
def endpoint_rotate(request, organisation_pk, pk):
    endpoint = _endpoint(request, organisation_pk, pk)
    secret = services.rotate_secret(endpoint, user=request.user)
    return _render(
        request,
        "endpoint_secret.html",
        {
            "organisation": endpoint.organisation,
            "endpoint": endpoint,
            "secret": secret,
            "rotated": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_delete(request, organisation_pk, pk):
    endpoint = _endpoint(request, organisation_pk, pk)
    if request.method == "POST":
        services.delete_endpoint(endpoint, user=request.user)
        messages.success(
            request, _("Endpoint %(url)s deleted.") % {"url": endpoint.url}
        )
        return redirect("webhooks:endpoint-list", organisation_pk=organisation_pk)
    return _render(
        request,
        "endpoint_delete.html",
        {"organisation": endpoint.organisation, "endpoint": endpoint},
    )


@login_required
@require_POST
def delivery_resend(request, organisation_pk, pk, delivery_pk):
    endpoint = _endpoint(request, organisation_pk, pk)
    delivery = get_object_or_404(endpoint.deliveries, pk=delivery_pk)
    try:
        services.resend_delivery(delivery, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Delivery queued to be sent again."))
    return redirect(endpoint)
