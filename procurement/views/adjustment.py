"""Adjusting the profile for one procurement: weights within bounds, lower
knock-out thresholds, with a reason, before it opens (leads)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from scoring import overlays as jurisdiction

from .. import services
from ..models import Procurement
from ..services import roles
from ..services.roles import Action
from .pages import render_page


@login_required
@require_http_methods(["GET", "POST"])
def procurement_adjust(request, pk):
    """The profile's weights and thresholds, and this procurement's own."""
    procurement = get_object_or_404(
        Procurement.objects.visible_to(request.user).select_related(
            "organisation", "profile", "catalogue"
        ),
        pk=pk,
    )
    spec = procurement.catalogue.to_spec()
    base = next(p for p in spec.profiles if p.code == procurement.profile.code)
    pillars = list(procurement.catalogue.pillars.all())
    criteria = {c.code: c for c in procurement.catalogue.criteria.all()}
    weights = {**base.pillar_weights, **(procurement.pillar_weights or {})}
    thresholds = {**base.thresholds, **(procurement.lowered_thresholds or {})}
    errors: list[str] = []
    reason = procurement.adjustment_reason
    if request.method == "POST":
        roles.require(request.user, Action.LEAD, procurement.organisation_id)
        reason = request.POST.get("reason", "")
        try:
            new_weights = {
                p.code: int(request.POST.get(f"weight-{p.code}", ""))
                for p in pillars
                if p.code in base.pillar_weights
            }
            new_thresholds = {
                code: int(request.POST.get(f"threshold-{code}", level))
                for code, level in base.thresholds.items()
            }
        except ValueError:
            errors.append(_("Weights and thresholds are whole numbers."))
        else:
            lowered = {
                c: v for c, v in new_thresholds.items() if v != base.thresholds[c]
            }
            unchanged = all(
                new_weights[c] == base.pillar_weights[c] for c in new_weights
            )
            try:
                services.adjust_method(
                    procurement,
                    user=request.user,
                    pillar_weights={} if unchanged else new_weights,
                    lowered_thresholds=lowered,
                    reason=reason,
                    overlays=request.POST.getlist("overlay"),
                )
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(
                    request, _("The profile of this procurement is saved.")
                )
                return redirect(procurement)
    return render_page(
        request,
        "procurement/procurement_adjust.html",
        {
            "section": "procurements",
            "procurement": procurement,
            "weight_rows": [
                (p, base.pillar_weights.get(p.code), weights.get(p.code))
                for p in pillars
                if p.code in base.pillar_weights
            ],
            "threshold_rows": [
                (criteria[code], level, thresholds[code], range(level + 1))
                for code, level in base.thresholds.items()
            ],
            "limit": procurement.catalogue.weight_adjustment_limit,
            "overlays": [
                (overlay, overlay.code in (procurement.overlays or []))
                for overlay in jurisdiction.for_profile(
                    procurement.catalogue.slug, procurement.profile.code
                )
            ],
            "reason": reason,
            "errors": errors,
            "can_adjust": procurement.status == Procurement.Status.DRAFT
            and roles.can(request.user, Action.LEAD, procurement.organisation_id),
        },
        status=400 if errors else 200,
    )
