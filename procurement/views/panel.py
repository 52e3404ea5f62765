"""The evaluation panel's pages: the panel of a procurement, an evaluator's sheet.

- ``procurement_panel``: a lead names the panel; everyone sees, per offer and
  per evaluator, the declaration, the progress and whether moderation is
  ready; a lead overrides a declared conflict with a reason
  (``panel_override``).
- ``assessment_my_scores``: an evaluator declares their interests, then
  scores their criteria of one offer, blind, and submits; afterwards they
  read their colleagues' submitted scores.

Moderation and the comments of each criterion are in ``moderation``.

Every write goes through ``services.panel``, which checks seats, roles,
conflicts and submissions; the reads that the services do not offer (the
progress of every evaluator on every offer, a criterion's thread) are the
private helpers below, in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from scoring.models import Criterion

from .. import scorecards
from ..forms import add_errors
from ..forms.panel import (
    CommentForm,
    DeclarationForm,
    OverrideForm,
    PanelForm,
    ScoreForm,
    SubmitScoresForm,
)
from ..models import (
    Assessment,
    IndividualScore,
    Membership,
    ModerationDecision,
    PanelComment,
    PanelReview,
    PanelSeat,
    Procurement,
)
from ..services import panel, roles
from ..services.providers import ProcurementClosed
from ..services.roles import Action
from .pages import render_page

EDIT, LEAD = Action.EDIT, Action.LEAD


def panel_links(user, assessment: Assessment) -> dict:
    """What the editor and the scorecard say when a panel scores the offer."""
    procurement = assessment.procurement
    if procurement is None or getattr(assessment, "has_panel", True) is False:
        return {}  # annotated by the caller: no panel, no query
    seats = list(procurement.panel.all())
    if not seats:
        return {}
    return {
        "panel_scores": True,
        "panel_seated": any(seat.user_id == user.pk for seat in seats),
        "panel_moderates": roles.can(user, LEAD, procurement.organisation_id)
        or any(seat.user_id == user.pk and seat.moderator for seat in seats),
    }


def _procurement_or_404(request, pk) -> Procurement:
    return get_object_or_404(
        Procurement.objects.visible_to(request.user).select_related(
            "organisation", "profile", "catalogue"
        ),
        pk=pk,
    )


def assessment_or_404(request, pk) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).with_context(), pk=pk
    )
    if assessment.procurement is None:
        raise Http404(_("Reference cases have no panel."))
    return assessment


def person(user) -> str:
    return user.get_full_name() or user.get_username()


def refused(request, exc: Exception) -> None:
    """A service's refusal as a message (a PermissionDenied stays a 403)."""
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


# The panel of a procurement --------------------------------------------------


@dataclass(frozen=True)
class SeatProgress:
    """One evaluator's work on one offer, as the panel page shows it."""

    seat: PanelSeat
    review: PanelReview | None
    scored: int
    total: int

    @property
    def kept_off(self) -> bool:
        return self.review is not None and not self.review.may_score

    @property
    def submitted(self) -> bool:
        return self.review is not None and self.review.submitted


@dataclass(frozen=True)
class OfferProgress:
    assessment: Assessment
    seats: tuple[SeatProgress, ...]

    @property
    def missing(self) -> list[str]:
        """Who moderation waits for (as ``services.panel.moderation_ready``)."""
        return [
            person(row.seat.user)
            for row in self.seats
            if not row.kept_off and not row.submitted
        ]

    @property
    def ready(self) -> bool:
        return bool(self.seats) and not self.missing


def _progress(procurement: Procurement, seats: list[PanelSeat]) -> list[OfferProgress]:
    """Every evaluator's progress on every offer (five queries, whatever the size)."""
    assessments = list(
        procurement.assessments.exclude(status=Assessment.Status.WITHDRAWN)
        .select_related("offer__provider")
        .order_by("offer__provider__name", "pk")
    )
    reviews = {
        (r.assessment_id, r.evaluator_id): r
        for r in PanelReview.objects.filter(
            assessment__procurement=procurement
        ).select_related("overridden_by")
    }
    scored: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for row in (
        IndividualScore.objects.filter(assessment__procurement=procurement)
        .values("assessment_id", "evaluator_id", "criterion__pillar__code")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = (row["assessment_id"], row["evaluator_id"])
        scored[key][row["criterion__pillar__code"]] = row["n"]
    per_pillar = dict(
        Criterion.objects.filter(catalogue_id=procurement.catalogue_id)
        .values_list("pillar__code")
        .annotate(n=Count("pk"))
        .order_by()
    )

    def counted(counts: dict[str, int], seat: PanelSeat) -> int:
        return sum(n for code, n in counts.items() if seat.scores(code))

    return [
        OfferProgress(
            assessment,
            tuple(
                SeatProgress(
                    seat,
                    reviews.get((assessment.pk, seat.user_id)),
                    counted(scored[(assessment.pk, seat.user_id)], seat),
                    sum(n for code, n in per_pillar.items() if seat.scores(code)),
                )
                for seat in seats
            ),
        )
        for assessment in assessments
    ]


@login_required
@require_http_methods(["GET", "POST"])
def procurement_panel(request, pk):
    """Name the panel (leads); follow each evaluator's progress on each offer."""
    procurement = _procurement_or_404(request, pk)
    is_lead = roles.can(request.user, LEAD, procurement.organisation_id)
    if request.method == "POST":
        roles.require(request.user, LEAD, procurement.organisation_id)
    seats = list(procurement.panel.select_related("user").order_by("pk"))
    members = [
        m.user
        for m in Membership.objects.filter(
            organisation_id=procurement.organisation_id,
            role__in=[Membership.Role.EVALUATOR, Membership.Role.LEAD],
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    ]
    form = PanelForm(
        request.POST if request.method == "POST" else None,
        members=members,
        pillars=procurement.catalogue.pillars.order_by("position"),
        seats=seats,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = panel.set_panel(procurement, user=request.user, seats=form.seats())
        except ValidationError as exc:
            add_errors(form, exc)
        except ProcurementClosed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Panel saved: %(count)s evaluators.") % {"count": len(saved)}
                if saved
                else _("Panel removed: whoever may edit answers the offers again."),
            )
            return redirect("procurement:procurement-panel", pk=procurement.pk)
    return render_page(
        request,
        "procurement/procurement_panel.html",
        {
            "section": "procurements",
            "procurement": procurement,
            "form": form,
            "seats": seats,
            "offers": _progress(procurement, seats),
            "is_lead": is_lead,
            "can_change": is_lead and procurement.status != Procurement.Status.CLOSED,
            "override_form": OverrideForm(),
            "seated": any(seat.user_id == request.user.pk for seat in seats),
            "moderates": panel.may_moderate(procurement, request.user),
        },
    )


@login_required
@require_POST
def panel_override(request, pk):
    """A lead lets an evaluator who declared a conflict score the offer."""
    assessment = assessment_or_404(request, pk)
    roles.require(request.user, LEAD, assessment.procurement.organisation_id)
    form = OverrideForm(request.POST)
    back = redirect("procurement:procurement-panel", pk=assessment.procurement_id)
    if not form.is_valid():
        messages.error(request, _("Give the reason for letting this evaluator score."))
        return back
    seat = next(
        (
            s
            for s in assessment.procurement.panel.select_related("user")
            if s.user_id == form.cleaned_data["evaluator"]
        ),
        None,
    )
    if seat is None:
        raise Http404(_("No such evaluator on this panel."))
    try:
        panel.override_conflict(
            assessment,
            user=request.user,
            evaluator=seat.user,
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, ProcurementClosed) as exc:
        refused(request, exc)
    else:
        messages.success(
            request,
            _("%(who)s may now score %(offer)s.")
            % {"who": person(seat.user), "offer": assessment.offer},
        )
    return back


# An evaluator's sheet ---------------------------------------------------------


def pillar_or_404(pillars, code: str | None):
    for pillar in pillars:
        if pillar.code == code:
            return pillar
    if code:
        raise Http404(_("No such pillar."))
    return pillars[0]


def _threads(assessment: Assessment, pillar: str) -> dict[int, list[PanelComment]]:
    """The comments of one pillar's criteria, by criterion, oldest first."""
    threads: dict[int, list[PanelComment]] = defaultdict(list)
    for comment in PanelComment.objects.filter(
        assessment=assessment, criterion__pillar__code=pillar
    ).select_related("author"):
        threads[comment.criterion_id].append(comment)
    return threads


def _decisions(assessment: Assessment, pillar: str) -> dict[int, ModerationDecision]:
    """The latest consensus of each of one pillar's criteria."""
    return {
        decision.criterion_id: decision
        for decision in ModerationDecision.objects.filter(
            assessment=assessment, criterion__pillar__code=pillar
        )
        .select_related("moderator")
        .order_by("decided_at", "pk")
    }


def _sheet_url(assessment, pillar: str, anchor: str = "top") -> str:
    url = reverse("procurement:assessment-my-scores", args=[assessment.pk])
    return f"{url}?pillar={pillar}#{anchor}"


@login_required
@require_http_methods(["GET", "POST"])
def assessment_my_scores(request, pk):
    """Declare, then score one's criteria of an offer, blind; then submit."""
    assessment = assessment_or_404(request, pk)
    procurement = assessment.procurement
    seat = panel.seat_of(procurement, request.user)
    if seat is None:
        raise PermissionDenied(_("You do not sit on this procurement's panel."))
    review = PanelReview.objects.filter(
        assessment=assessment, evaluator=request.user
    ).first()
    report = scorecards.assessment_report(assessment)
    pillars = [p for p in report.pillars if seat.scores(p.code)]
    pillar = pillar_or_404(
        pillars, request.GET.get("pillar") or request.POST.get("pillar")
    )
    action = request.POST.get("action") if request.method == "POST" else None
    evidence_types = list(report.catalogue.evidence_types.all())
    mine = {
        s.criterion_id: s
        for s in IndividualScore.objects.filter(
            assessment=assessment, evaluator=request.user
        )
    }
    is_open = (
        assessment.status == Assessment.Status.DRAFT
        and procurement.status != Procurement.Status.CLOSED
    )
    declaration = DeclarationForm(request.POST if action == "declare" else None)
    submit_form = SubmitScoresForm(request.POST if action == "submit" else None)
    forms = [
        ScoreForm(
            request.POST if action == "save" else None,
            criterion=line.criterion,
            evidence_types=evidence_types,
            score=mine.get(line.criterion.pk),
        )
        for line in pillar.criteria
    ]
    if action == "declare" and declaration.is_valid():
        try:
            panel.declare_interests(
                assessment,
                user=request.user,
                conflict=declaration.cleaned_data["conflict"],
                statement=declaration.cleaned_data["statement"],
            )
        except ValidationError as exc:
            add_errors(declaration, exc)
        except ProcurementClosed as exc:
            refused(request, exc)
        else:
            messages.success(request, _("Your declaration of interests is recorded."))
            return redirect(_sheet_url(assessment, pillar.code))
    elif action == "save" and all([form.is_valid() for form in forms]):
        scores = [s for form in forms if (s := form.score_data()) is not None]
        if not scores:
            messages.info(request, _("Choose a level for at least one criterion."))
            return redirect(_sheet_url(assessment, pillar.code))
        try:
            panel.save_scores(assessment, user=request.user, scores=scores)
        except (ValidationError, ProcurementClosed) as exc:
            refused(request, exc)
        else:
            messages.success(
                request,
                _("Draft saved: %(count)s scores in %(pillar)s.")
                % {"count": len(scores), "pillar": pillar.code},
            )
            codes = [p.code for p in pillars]
            target = request.POST.get("next")
            return redirect(
                _sheet_url(assessment, target if target in codes else pillar.code)
            )
    elif action == "submit" and submit_form.is_valid():
        try:
            panel.submit_scores(assessment, user=request.user)
        except (ValidationError, ProcurementClosed) as exc:
            refused(request, exc)
        else:
            messages.success(
                request,
                _(
                    "Your scores are submitted and fixed. Your colleagues' "
                    "submitted scores are shown beside yours."
                ),
            )
            return redirect(_sheet_url(assessment, pillar.code))
    elif action == "save":
        messages.error(
            request, _("Some scores need your attention; nothing was saved.")
        )
    submitted = review is not None and review.submitted
    others: dict[int, list[IndividualScore]] = defaultdict(list)
    if submitted:
        for score in panel.visible_scores(assessment, request.user):
            if score.evaluator_id != request.user.pk:
                others[score.criterion_id].append(score)
    threads = _threads(assessment, pillar.code)
    decisions = _decisions(assessment, pillar.code) if submitted else {}
    pillar_of = {line.criterion.pk: p.code for p in pillars for line in p.criteria}
    scored = {p.code: 0 for p in pillars}
    for criterion_id in mine:
        if criterion_id in pillar_of:
            scored[pillar_of[criterion_id]] += 1
    return render_page(
        request,
        "procurement/assessment_my_scores.html",
        {
            "section": "procurements",
            "assessment": assessment,
            "report": report,
            "seat": seat,
            "review": review,
            "pillars": [(p, scored[p.code]) for p in pillars],
            "pillar": pillar,
            "next_pillar": next(iter(pillars[pillars.index(pillar) + 1 :]), None),
            "scored": sum(scored.values()),
            "total": sum(len(p.criteria) for p in pillars),
            "declaration": declaration,
            "submit_form": submit_form,
            "can_score": is_open
            and review is not None
            and review.may_score
            and not submitted,
            "is_open": is_open,
            "rows": [
                (
                    line,
                    form,
                    mine.get(line.criterion.pk),
                    others.get(line.criterion.pk, []),
                    threads.get(line.criterion.pk, []),
                    decisions.get(line.criterion.pk),
                )
                for line, form in zip(pillar.criteria, forms, strict=True)
            ],
            "evidence_names": {e.code: e.name for e in evidence_types},
            "moderates": panel.may_moderate(procurement, request.user),
            "comment_form": CommentForm(
                initial={"return_to": "my-scores", "pillar": pillar.code}
            ),
        },
    )
