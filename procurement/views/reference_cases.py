"""The reference cases: Cloudwatt, Numergy and any other, open to every user.

The list of reference cases and one case's story (its dated facts, before and
after the assessment, next to its scorecard) belong here. A reference case's
scorecard itself is the ordinary assessment page, read-only.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .. import scorecards
from ..models import Assessment, Provider
from .pages import render_page


@login_required
@require_GET
def reference_case_list(request):
    """Cloudwatt, Numergy and any other reference case, with their scores."""
    return render_page(
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
    return render_page(
        request,
        "procurement/reference_case_detail.html",
        {
            "section": "references",
            "provider": provider,
            "assessment": assessment,
            "report": report,
            "offers": provider.offers.prefetch_related("certifications"),
            # What a buyer could read on the assessment's date, by publication
            # date, not by the period a fact describes: a 2013 revenue first
            # published in 2015 belongs to what happened next.
            "before": [
                (f, cited.get(f.pk, []))
                for f in facts
                if not as_of or f.known_on(as_of)
            ],
            "after": [
                (f, cited.get(f.pk, []))
                for f in facts
                if as_of and not f.known_on(as_of)
            ],
        },
    )
