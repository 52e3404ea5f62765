"""An organisation's settings a lead changes: the four-eyes rule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import FourEyesForm, add_errors
from ..models import Organisation
from ..services import roles
from ..services.roles import Action
from .pages import render_page


@login_required
@require_http_methods(["GET", "POST"])
def organisation_settings(request, pk):
    """Turn four eyes on or off, with a reason (leads); the record keeps it."""
    organisation = get_object_or_404(Organisation.objects.of_user(request.user), pk=pk)
    roles.require(request.user, Action.LEAD, organisation)
    form = FourEyesForm(
        request.POST if request.method == "POST" else None,
        initial={"four_eyes": organisation.four_eyes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_four_eyes(
                organisation,
                user=request.user,
                enabled=form.cleaned_data["four_eyes"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Settings of %(name)s saved.") % {"name": organisation.name}
            )
            return redirect("procurement:home")
    return render_page(
        request,
        "procurement/organisation_settings.html",
        {"section": "home", "organisation": organisation, "form": form},
    )
