"""Moderation of a panel's scores, and the comments of each criterion.

``assessment_moderation`` shows a lead or a moderator seat, one pillar at a
time, every submitted score of each criterion side by side with the spread
(``scoring.spread``), the bidder's claim and the current consensus, and
records the consensus with a rationale through ``services.panel``.
``assessment_comment`` adds a message to a criterion's thread, from the
evaluator's sheet or the moderation screen. The panel page and the sheet are
in ``panel``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import scorecards
from ..forms import add_errors
from ..forms.panel import CommentForm, ConsensusForm
from ..models import Assessment, IndividualScore, Procurement
from ..services import panel
from ..services.providers import ProcurementClosed
from .pages import render_page
from .panel import assessment_or_404, person, pillar_or_404, refused

SAFE = re.compile(r"[A-Za-z0-9-]{1,20}")  # a pillar's or criterion's code


def _agreed(scores) -> IndividualScore | None:
    """The evaluators' common score when they all gave the same, to start from."""
    given = {(s.level, s.not_applicable, s.evidence) for s in scores}
    return scores[0] if len(given) == 1 else None


def _score(value) -> str:
    return "–" if value is None else formats.localize(value)


@dataclass(frozen=True)
class ModerationLine:
    """One criterion on the moderation screen, with the catalogue's words."""

    line: scorecards.CriterionLine
    row: panel.ModerationRow
    cells: tuple[IndividualScore | None, ...]  # one per evaluator, in order
    form: ConsensusForm


@login_required
@require_http_methods(["GET", "POST"])
def assessment_moderation(request, pk):
    """Every submitted score of one pillar side by side; the consensus per criterion."""
    assessment = assessment_or_404(request, pk)
    procurement = assessment.procurement
    if not panel.has_panel(procurement):
        raise Http404(_("This procurement has no panel."))
    if not panel.may_moderate(procurement, request.user):
        raise PermissionDenied(_("Only a lead or the panel's moderator moderates."))
    ready, missing = panel.moderation_ready(assessment)
    report = scorecards.assessment_report(assessment)
    pillar = pillar_or_404(
        report.pillars, request.GET.get("pillar") or request.POST.get("pillar")
    )
    rows = panel.moderation_rows(assessment, pillar=pillar.code)
    posted = request.POST.get("criterion") if request.method == "POST" else None
    evidence_types = list(report.catalogue.evidence_types.all())
    evaluators = {}
    for row in rows:
        for score in row.scores:
            evaluators.setdefault(score.evaluator_id, score.evaluator)
    order = sorted(evaluators.values(), key=lambda u: (person(u).lower(), u.pk))
    by_code = {row.criterion.code: row for row in rows}
    lines = []
    for line in pillar.criteria:
        row = by_code[line.code]
        by_evaluator = {s.evaluator_id: s for s in row.scores}
        form = ConsensusForm(
            request.POST if posted == line.code else None,
            criterion=line.criterion,
            evidence_types=evidence_types,
            decision=row.decision or _agreed(row.scores),
        )
        lines.append(
            ModerationLine(
                line, row, tuple(by_evaluator.get(u.pk) for u in order), form
            )
        )
    target = next((m for m in lines if m.line.code == posted), None)
    if posted and target is None:
        raise Http404(_("No such criterion in this pillar."))
    can_decide = (
        ready
        and assessment.status == Assessment.Status.DRAFT
        and procurement.status != Procurement.Status.CLOSED
    )
    if target is not None and target.form.is_valid():
        before = assessment.global_score
        try:
            decision = panel.record_consensus(
                assessment, user=request.user, **target.form.consensus()
            )
        except ValidationError as exc:
            if can_decide:
                add_errors(target.form, exc)
            else:  # no form on the page to show it: not ready, not a draft
                refused(request, exc)
        except ProcurementClosed as exc:
            refused(request, exc)
        else:
            messages.success(
                request,
                _(
                    "Consensus on %(code)s recorded. Global score: "
                    "%(before)s → %(after)s."
                )
                % {
                    "code": target.line.code,
                    "before": _score(before),
                    "after": _score(decision.assessment.global_score),
                },
            )
            url = reverse("procurement:assessment-moderation", args=[assessment.pk])
            return redirect(f"{url}?pillar={pillar.code}#criterion-{target.line.code}")
    elif target is not None:
        messages.error(request, _("The consensus needs your attention."))
    return render_page(
        request,
        "procurement/assessment_moderation.html",
        {
            "section": "procurements",
            "assessment": assessment,
            "report": report,
            "pillar": pillar,
            "ready": ready,
            "missing": missing,
            "evaluators": order,
            "lines": lines,
            "can_decide": can_decide,
            "evidence_names": {e.code: e.name for e in evidence_types},
            "comment_form": CommentForm(
                initial={"return_to": "moderation", "pillar": pillar.code}
            ),
        },
    )


@login_required
@require_POST
def assessment_comment(request, pk):
    """Add a message to a criterion's thread; back to the page it came from."""
    assessment = assessment_or_404(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write something to comment."))
        return redirect(assessment)
    data = form.cleaned_data
    try:
        panel.add_comment(
            assessment,
            user=request.user,
            criterion=data["criterion"],
            text=data["text"],
        )
    except (ValidationError, ProcurementClosed) as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Comment added."))
    name = {
        "my-scores": "procurement:assessment-my-scores",
        "moderation": "procurement:assessment-moderation",
    }[data["return_to"]]
    url = reverse(name, args=[assessment.pk])
    pillar, code = data["pillar"] or "", data["criterion"]
    query = f"?pillar={pillar}" if SAFE.fullmatch(pillar) else ""
    anchor = f"#criterion-{code}" if SAFE.fullmatch(code) else ""
    return redirect(f"{url}{query}{anchor}")
