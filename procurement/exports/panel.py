"""What exports say of a procurement's panel: who scored what, and the consensus.

``panel_of`` reads the panel of a procurement for the offers of a report in
a fixed number of queries: one for the seats (and nothing more when there is
none: a procurement without a panel exports as before), then one each for
the declarations, the individual scores, the moderation decisions and the
comments of every offer. The JSON, the XLSX and the PDF show the same
values. Like the record, none of it is part of the digest's inputs: the
consensus is the answer the engine scores, and that answer is in the inputs.

Exports are read by every member and reused while the data is unchanged,
so they keep scoring blind as the panel's screens do: a draft is never
shown, and an offer's individual scores appear only once every evaluator
who may score it has submitted (``complete``); until then the export says
whom it waits for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from scoring.models import Criterion

from ..models import (
    IndividualScore,
    ModerationDecision,
    PanelComment,
    PanelReview,
    PanelSeat,
    Procurement,
)
from ..scorecards import AssessmentReport
from .content import Table, evidence_names, local, offer_label, person


@dataclass(frozen=True)
class CriterionPanel:
    """One criterion of one offer: the scores, the decisions, the thread."""

    criterion: Criterion
    scores: tuple[IndividualScore, ...]
    decisions: tuple[ModerationDecision, ...]  # oldest first
    comments: tuple[PanelComment, ...]

    @property
    def consensus(self) -> ModerationDecision | None:
        """The decision that stands: the latest."""
        return self.decisions[-1] if self.decisions else None


@dataclass(frozen=True)
class OfferPanel:
    report: AssessmentReport
    complete: bool  # every evaluator who may score it submitted
    waiting_for: tuple[str, ...]
    declarations: tuple[PanelReview, ...]
    criteria: tuple[CriterionPanel, ...]  # those with a score, decision or comment


@dataclass(frozen=True)
class Panel:
    seats: tuple[PanelSeat, ...]
    offers: tuple[OfferPanel, ...]


def panel_of(
    procurement: Procurement | None, reports: Sequence[AssessmentReport]
) -> Panel | None:
    """The panel's work on these offers; None without a panel."""
    if procurement is None:
        return None
    seats = tuple(procurement.panel.select_related("user").order_by("pk"))
    if not seats:
        return None
    ids = [report.assessment.pk for report in reports]
    reviews = _by_assessment(
        PanelReview.objects.filter(assessment_id__in=ids)
        .select_related("evaluator", "overridden_by")
        .order_by("declared_at", "pk")
    )
    scores = _by_assessment(
        IndividualScore.objects.filter(assessment_id__in=ids)
        .select_related("evaluator")
        .order_by("pk")
    )
    decisions = _by_assessment(
        ModerationDecision.objects.filter(assessment_id__in=ids)
        .select_related("moderator")
        .order_by("decided_at", "pk")
    )
    comments = _by_assessment(
        PanelComment.objects.filter(assessment_id__in=ids)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    offers = tuple(
        _offer(
            report,
            seats,
            reviews[report.assessment.pk],
            scores[report.assessment.pk],
            decisions[report.assessment.pk],
            comments[report.assessment.pk],
        )
        for report in reports
    )
    return Panel(seats, offers)


def _by_assessment(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.assessment_id].append(row)
    return grouped


def _offer(report, seats, reviews, scores, decisions, comments) -> OfferPanel:
    by_evaluator = {review.evaluator_id: review for review in reviews}
    waiting = []
    for seat in seats:
        review = by_evaluator.get(seat.user_id)
        if review is not None and not review.may_score:
            continue  # kept off this offer by a declared conflict
        if review is None or not review.submitted:
            waiting.append(person(seat.user))
    complete = not waiting
    shown = [
        score
        for score in scores
        if complete
        and score.evaluator_id in by_evaluator
        and by_evaluator[score.evaluator_id].submitted
    ]
    grouped = {
        name: _by_criterion(rows)
        for name, rows in (
            ("scores", shown),
            ("decisions", decisions),
            ("comments", comments),
        )
    }
    criteria = tuple(
        CriterionPanel(
            line.criterion,
            *(
                tuple(grouped[name].get(line.criterion.pk, ()))
                for name in ("scores", "decisions", "comments")
            ),
        )
        for line in report.criteria
        if any(line.criterion.pk in grouped[name] for name in grouped)
    )
    return OfferPanel(report, complete, tuple(waiting), tuple(reviews), criteria)


def _by_criterion(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.criterion_id].append(row)
    return grouped


# What each format writes -----------------------------------------------------


def seats_json(panel: Panel) -> list[dict[str, Any]]:
    return [
        {
            "evaluator": person(seat.user),
            "pillars": list(seat.pillars),
            "moderator": seat.moderator,
        }
        for seat in panel.seats
    ]


def offer_json(offer: OfferPanel) -> dict[str, Any]:
    """One offer's declarations, individual scores, decisions and comments."""
    return {
        "complete": offer.complete,
        "waiting_for": list(offer.waiting_for),
        "declarations": [
            {
                "evaluator": person(review.evaluator),
                "conflict": review.conflict,
                "statement": review.statement,
                "declared_at": _iso(review.declared_at),
                "override_reason": review.override_reason,
                "overridden_by": person(review.overridden_by),
                "overridden_at": _iso(review.overridden_at),
                "submitted_at": _iso(review.submitted_at),
            }
            for review in offer.declarations
        ],
        "individual_scores": [
            {
                "criterion": line.criterion.code,
                "evaluator": person(score.evaluator),
                "level": score.level,
                "not_applicable": score.not_applicable,
                "evidence": score.evidence,
                "justification": score.justification,
            }
            for line in offer.criteria
            for score in line.scores
        ],
        "decisions": [
            {
                "criterion": line.criterion.code,
                "level": decision.level,
                "not_applicable": decision.not_applicable,
                "evidence": decision.evidence,
                "rationale": decision.rationale,
                "moderator": person(decision.moderator),
                "decided_at": _iso(decision.decided_at),
                "stands": decision is line.consensus,
            }
            for line in offer.criteria
            for decision in line.decisions
        ],
        "comments": [
            {
                "criterion": line.criterion.code,
                "author": person(comment.author),
                "text": comment.text,
                "created_at": _iso(comment.created_at),
            }
            for line in offer.criteria
            for comment in line.comments
        ],
    }


def scores_table(panel: Panel) -> Table:
    """A row per individual score, with the criterion's consensus beside it."""
    headers = (
        _("Offer"),
        _("Criterion"),
        _("Evaluator"),
        _("Level"),
        _("N/A"),
        _("Evidence"),
        _("Justification"),
        _("Consensus level"),
        _("Consensus evidence"),
        _("Rationale"),
        _("Moderator"),
        _("Decided at"),
    )
    rows = []
    for offer in panel.offers:
        label = offer_label(offer.report)
        evidence = evidence_names(offer.report)
        if not offer.complete:
            rows.append(
                (label, "", "", None, None, "", waiting_text(offer), *[None] * 5)
            )
        for line in offer.criteria:
            decision = line.consensus
            consensus = (
                (
                    decision.level,
                    evidence.get(decision.evidence, decision.evidence),
                    decision.rationale,
                    person(decision.moderator),
                    local(decision.decided_at),
                )
                if decision
                else (None, "", "", "", None)
            )
            for score in line.scores or (None,):
                rows.append(
                    (
                        label,
                        f"{line.criterion.code} {line.criterion.name}",
                        person(score.evaluator) if score else "",
                        score.level if score else None,
                        score.not_applicable if score else None,
                        evidence.get(score.evidence, score.evidence) if score else "",
                        score.justification if score else "",
                        *consensus,
                    )
                )
    return Table(headers, tuple(rows), frozenset({6, 9}))


def comments_table(panel: Panel) -> Table:
    rows = tuple(
        (
            offer_label(offer.report),
            f"{line.criterion.code} {line.criterion.name}",
            person(comment.author),
            local(comment.created_at),
            comment.text,
        )
        for offer in panel.offers
        for line in offer.criteria
        for comment in line.comments
    )
    headers = (_("Offer"), _("Criterion"), _("Author"), _("Written at"), _("Comment"))
    return Table(headers, rows, frozenset({4}))


def waiting_text(offer: OfferPanel) -> str:
    return _(
        "Individual scores are shown once every evaluator has submitted: "
        "waiting for %(who)s."
    ) % {"who": ", ".join(offer.waiting_for)}


def _iso(moment) -> str | None:
    return None if moment is None else local(moment).isoformat()


def annex(panel: Panel | None) -> dict[str, Any] | None:
    """The PDF annex in sentences: the seats, then each offer's work."""
    if panel is None:
        return None
    return {
        "seats": [_seat_text(seat) for seat in panel.seats],
        "offers": [
            {
                "label": offer_label(offer.report),
                "waiting": "" if offer.complete else waiting_text(offer),
                "declarations": [_declaration_text(r) for r in offer.declarations],
                "criteria": [
                    _criterion_lines(line, evidence_names(offer.report))
                    for line in offer.criteria
                ],
            }
            for offer in panel.offers
        ],
    }


def level_text(level: int | None, not_applicable: bool) -> str:
    if not_applicable:
        shown = _("not applicable")
    elif level is None:
        shown = _("unknown")
    else:
        shown = str(level)
    return _("Level %(level)s") % {"level": shown}


def _criterion_lines(line: CriterionPanel, evidence: dict[str, str]) -> dict:
    def decision_text(decision):
        label = _("Consensus") if decision is line.consensus else _("Replaced")
        return (
            _("%(label)s: %(level)s, %(evidence)s, by %(who)s, %(at)s.")
            % {
                "label": label,
                "level": level_text(decision.level, decision.not_applicable),
                "evidence": evidence.get(decision.evidence, decision.evidence),
                "who": person(decision.moderator),
                "at": _when(decision.decided_at),
            }
            + " "
            + _("Rationale: %(text)s") % {"text": decision.rationale}
        )

    return {
        "code": line.criterion.code,
        "name": line.criterion.name,
        "scores": [
            f"{person(s.evaluator)}: "
            + level_text(s.level, s.not_applicable)
            + f", {evidence.get(s.evidence, s.evidence)}"
            + (f". {s.justification}" if s.justification else "")
            for s in line.scores
        ],
        "decisions": [decision_text(d) for d in line.decisions],
        "comments": [
            _("Comment by %(who)s, %(at)s: %(text)s")
            % {"who": person(c.author), "at": _when(c.created_at), "text": c.text}
            for c in line.comments
        ],
    }


def _seat_text(seat: PanelSeat) -> str:
    pillars = ", ".join(seat.pillars) if seat.pillars else _("all pillars")
    text = f"{person(seat.user)} ({pillars})"
    return text + (" · " + _("moderator") if seat.moderator else "")


def _declaration_text(review: PanelReview) -> str:
    text = f"{person(review.evaluator)}: {review.get_conflict_display()}"
    if review.statement:
        text += f" ({review.statement})"
    if review.overridden_at:
        text += ". " + _("Overridden by %(who)s, %(at)s: %(reason)s") % {
            "who": person(review.overridden_by),
            "at": _when(review.overridden_at),
            "reason": review.override_reason,
        }
    if review.submitted_at:
        text += ". " + _("Scores submitted %(at)s") % {"at": _when(review.submitted_at)}
    return text + "."


def _when(moment) -> str:
    return date_format(local(moment), "j F Y, H:i")
