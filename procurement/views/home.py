"""The home page: what the user works on.

Only the landing page belongs here: the user's organisations, their latest
procurements, the assessments waiting for them (drafts to answer, submissions
to approve) and the reference cases. Lists of their own go in the module of
their page family.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from .. import scorecards
from ..models import Assessment, Membership, PanelSeat, Procurement
from ..services.roles import Action, allows
from .pages import render_page

EDIT, LEAD = Action.EDIT, Action.LEAD
WAITING = 20  # assessments listed as waiting for the user


def _latest(status: str, organisations: list[int]) -> list[Assessment]:
    """The most recently changed assessments of the organisations in a status."""
    if not organisations:
        return []
    return list(
        Assessment.objects.filter(status=status, organisation__in=organisations)
        .for_task_list()
        .order_by("-updated_at", "-pk")[:WAITING]
    )


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
        .for_list()
        .with_offer_counts()
        .order_by("-created_at", "-pk")[:10]
    )
    # Drafts to complete and submissions to approve: one query each, so that
    # each walks its (organisation, status, updated) index and stops at 20,
    # rather than sorting every draft of the organisation. The organisations
    # are the user's own: no reference case is waiting for anyone.
    waiting = sorted(
        [
            *_latest(Assessment.Status.DRAFT, edit_orgs),
            *_latest(Assessment.Status.SUBMITTED, lead_orgs),
        ],
        key=lambda assessment: (assessment.updated_at, assessment.pk),
        reverse=True,
    )[:WAITING]
    # Drafts of the procurements where the user sits on the panel: driven by
    # the user's seats (a few procurements), not by every draft visible.
    seats = list(
        PanelSeat.objects.filter(user=request.user)
        .order_by()
        .values_list("procurement_id", flat=True)
    )
    to_score = (
        Assessment.objects.filter(
            status=Assessment.Status.DRAFT,
            procurement_id__in=seats,
            organisation__in=[m.organisation_id for m in memberships],
        )
        .exclude(
            panel_reviews__evaluator=request.user,
            panel_reviews__submitted_at__isnull=False,
        )
        .for_task_list()
        .order_by("-updated_at", "-pk")[:20]
    )
    return render_page(
        request,
        "procurement/home.html",
        {
            "section": "home",
            "memberships": memberships,
            "can_create": bool(edit_orgs),
            "procurements": procurements,
            "waiting": waiting,
            "to_score": to_score,
            "references": scorecards.reference_assessments(),
        },
    )
