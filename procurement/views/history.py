"""The record on screen: an assessment's or a procurement's timeline.

Every change with who made it, when, what it was before and after, and why;
filtered by person and by criterion (the history of one answer is the
assessment's timeline filtered by its criterion). Read-only: the record is
written by ``services`` only.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from ..models import Assessment, HistoryEntry, Procurement
from .pages import paginate, query_string, render_page


@login_required
@require_GET
def assessment_history(request, pk):
    """An assessment's changes, with its offer's, provider's and facts'."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).with_context(),
        pk=pk,
        procurement__isnull=False,
    )
    entries = HistoryEntry.objects.of_assessment(assessment)
    criteria = [
        (c.code, c.name)
        for c in assessment.catalogue.criteria.order_by("pillar__position", "position")
    ]
    return _timeline(
        request,
        entries,
        {
            "section": "procurements",
            "assessment": assessment,
            "procurement": assessment.procurement,
            "criteria": criteria,
        },
    )


@login_required
@require_GET
def procurement_history(request, pk):
    """A procurement's changes: its own, and every assessment's in it."""
    procurement = get_object_or_404(
        Procurement.objects.visible_to(request.user).select_related("organisation"),
        pk=pk,
    )
    entries = HistoryEntry.objects.of_procurement(procurement)
    return _timeline(
        request,
        entries,
        {"section": "procurements", "procurement": procurement, "criteria": []},
    )


def _timeline(request, entries, context: dict):
    people = sorted(
        set(entries.exclude(user=None).values_list("user__username", "user_name"))
    )
    person, criterion = request.GET.get("user", ""), request.GET.get("criterion", "")
    if person:
        entries = entries.filter(user__username=person)
    if criterion:
        entries = entries.filter(criterion=criterion)
    page = paginate(request, entries.select_related("user").order_by("-sequence"))
    return render_page(
        request,
        "procurement/history.html",
        {
            **context,
            "page": page,
            "query_string": query_string(request),
            "people": people,
            "person": person,
            "criterion": criterion,
        },
    )
