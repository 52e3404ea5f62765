"""The method as a reader sees it: every catalogue version, its criteria with
their traces and knock-outs, its profiles, and its decisions register.

Open to every signed-in user: the method is public, whoever assesses with it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from scoring.models import Catalogue

from .pages import render_page

CATALOGUE_SLUG = "cloud-of-trust"


@login_required
@require_GET
def method_latest(request):
    """The latest published version of the method."""
    latest = Catalogue.objects.latest_published(CATALOGUE_SLUG)
    if latest is None:
        raise Http404("No catalogue is loaded.")
    return redirect("procurement:method-detail", latest.slug, latest.version)


@login_required
@require_GET
def method_detail(request, slug, version):
    """One version of the method: decisions register, pillars, criteria, profiles."""
    found = Catalogue.objects.published().filter(slug=slug, version=version).first()
    if found is None:
        raise Http404("No such catalogue version.")
    catalogue = found.with_method()
    profiles = list(catalogue.profiles.all())
    thresholds = {
        (rule.criterion_id, profile.code): rule.min_level
        for profile in profiles
        for rule in profile.knockouts.all()
    }
    criteria = [
        (
            criterion,
            [thresholds.get((criterion.pk, p.code)) for p in profiles],
        )
        for criterion in catalogue.criteria.all()
    ]
    return render_page(
        request,
        "procurement/method_detail.html",
        {
            "section": "method",
            "catalogue": catalogue,
            "versions": Catalogue.objects.published()
            .filter(slug=slug)
            .order_by("loaded_at", "pk"),
            "decisions": catalogue.decisions_register(),
            "profiles": profiles,
            "criteria": criteria,
        },
    )
