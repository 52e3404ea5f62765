"""All the offers of a procurement side by side, criterion by criterion."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from ..comparison import procurement_matrix
from ..models import Procurement
from .pages import render_page


@login_required
@require_GET
def procurement_compare(request, pk):
    """The criteria-by-offers matrix; ``?differ=1`` keeps the rows that differ."""
    procurement = get_object_or_404(
        Procurement.objects.visible_to(request.user).select_related(
            "organisation", "profile", "catalogue"
        ),
        pk=pk,
    )
    full = procurement_matrix(procurement)
    only_differences = request.GET.get("differ") == "1"
    return render_page(
        request,
        "procurement/procurement_compare.html",
        {
            "section": "procurements",
            "procurement": procurement,
            "matrix": full.only_differences() if only_differences else full,
            "total": len(full.rows),
            "differing": full.differing,
            "only_differences": only_differences,
        },
    )
