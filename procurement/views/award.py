"""The award page: the criteria published with the tender, and each offer's marks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import awarding, scorecards
from ..forms import add_errors
from ..forms.award import AwardCriteriaForm
from ..models import AwardMark, Procurement
from ..services import award, roles
from ..services.providers import ProcurementClosed
from ..services.roles import Action
from .pages import render_page


@login_required
@require_http_methods(["GET", "POST"])
def procurement_award(request, pk):
    """Leads publish the criteria (drafts); editors type prices and marks."""
    procurement = get_object_or_404(
        Procurement.objects.visible_to(request.user).select_related(
            "organisation", "profile", "catalogue"
        ),
        pk=pk,
    )
    organisation = procurement.organisation_id
    is_lead = roles.can(request.user, Action.LEAD, organisation)
    can_edit = roles.can(request.user, Action.EDIT, organisation)
    criteria = list(procurement.award_criteria.all())
    form = AwardCriteriaForm(initial=AwardCriteriaForm.initial_from(criteria))
    mark_errors: list[str] = []
    if request.method == "POST":
        roles.require(request.user, Action.EDIT, organisation)
        if request.POST.get("action") == "criteria":
            form = AwardCriteriaForm(request.POST)
            if form.is_valid():
                try:
                    award.set_award_criteria(
                        procurement, user=request.user, criteria=form.criteria()
                    )
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, _("The award criteria are saved."))
                    return redirect("procurement:procurement-award", pk=procurement.pk)
        else:
            mark_errors = _save_marks(request, procurement, criteria)
            if not mark_errors:
                messages.success(request, _("The marks are saved."))
                return redirect("procurement:procurement-award", pk=procurement.pk)
    summary = scorecards.procurement_summary(procurement)
    return render_page(
        request,
        "procurement/procurement_award.html",
        {
            "section": "procurements",
            "procurement": procurement,
            "form": form,
            "criteria": criteria,
            "typed": [c for c in criteria if c.kind != "sovereignty"],
            "ranking": awarding.award_ranking(summary),
            "mark_rows": _mark_rows(summary, criteria),
            "is_lead": is_lead,
            "can_edit": can_edit and procurement.status != Procurement.Status.CLOSED,
            "criteria_open": is_lead and procurement.status == Procurement.Status.DRAFT,
            "mark_errors": mark_errors,
        },
        status=400 if mark_errors or form.errors else 200,
    )


def _save_marks(request, procurement, criteria) -> list[str]:
    """Each offer's typed values (``mark-<assessment>-<criterion>``), all or nothing."""
    by_offer: dict[int, dict[int, str]] = {}
    for key, raw in request.POST.items():
        parts = key.split("-")
        if (
            len(parts) == 3
            and parts[0] == "mark"
            and parts[1].isdigit()
            and parts[2].isdigit()
        ):
            by_offer.setdefault(int(parts[1]), {})[int(parts[2])] = raw.strip()
    assessments = {
        a.pk: a for a in procurement.assessments.filter(pk__in=list(by_offer))
    }
    errors = []
    try:
        with transaction.atomic():
            for assessment_id, values in by_offer.items():
                assessment = assessments.get(assessment_id)
                if assessment is None:
                    continue
                try:
                    award.set_award_marks(assessment, user=request.user, values=values)
                except ValidationError as exc:
                    errors += [f"{assessment.offer}: {m}" for m in exc.messages]
            if errors:
                raise ValidationError(errors)
    except ValidationError:
        return errors
    except ProcurementClosed as exc:
        return [str(exc)]
    return []


def _mark_rows(summary, criteria) -> list[tuple]:
    """Each offer with, per typed criterion, its input's name and stored value."""
    typed = [c for c in criteria if c.kind != "sovereignty"]
    stored = {
        (m.assessment_id, m.criterion_id): m.value
        for m in AwardMark.objects.filter(criterion__in=typed)
    }
    return [
        (
            row,
            [
                (
                    criterion,
                    f"mark-{row.assessment.pk}-{criterion.pk}",
                    stored.get((row.assessment.pk, criterion.pk), ""),
                )
                for criterion in typed
            ],
        )
        for row, _item in summary.rows
    ]
