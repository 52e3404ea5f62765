"""The evaluation panel: seats, declarations, blind scores, moderation, comments.

A procurement with seats is scored by its panel: each seated evaluator
declares their interests in an offer, scores their pillars of it on their
own, and submits; only then do they see the others' scores. The moderator
(a lead, or a seat marked moderator) records the consensus of each
criterion with a rationale, and the consensus is saved as the answer the
engine scores (``record_answers``, recorded like any answer). A submission
is recorded with the SHA-256 of the scores it fixes, not the scores
themselves: the record is readable by every member, and the scores stay
blind until their owner's colleagues have submitted too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.models import Criterion

from ..models import (
    Answer,
    Assessment,
    IndividualScore,
    Membership,
    ModerationDecision,
    PanelComment,
    PanelReview,
    PanelSeat,
    Procurement,
)
from ..record import Action as Recorded
from ..record import Event, changes_between, record
from . import roles
from .answers import AnswerData, record_answers
from .moderation import ModerationRow, moderation_rows  # noqa: F401 - panel's reads
from .providers import ProcurementClosed
from .roles import Action

MAX_TEXT = 20000


@dataclass(frozen=True)
class SeatData:
    """One evaluator of the panel, the pillars they score (empty: all)."""

    user_id: int
    pillars: Sequence[str] = ()
    moderator: bool = False


@dataclass(frozen=True)
class ScoreData:
    criterion: str
    level: int | None = None
    evidence: str = Answer.Evidence.DECLARED
    not_applicable: bool = False
    justification: str = ""


def has_panel(procurement: Procurement | None) -> bool:
    return procurement is not None and procurement.panel.exists()


def set_panel(
    procurement: Procurement, *, user, seats: Sequence[SeatData]
) -> list[PanelSeat]:
    """Name the panel of a procurement (leads); recorded. No seat: no panel."""
    roles.require(user, Action.LEAD, procurement.organisation_id)
    pillar_codes = set(procurement.catalogue.pillars.values_list("code", flat=True))
    members = dict(
        Membership.objects.filter(
            organisation_id=procurement.organisation_id,
            role__in=[Membership.Role.EVALUATOR, Membership.Role.LEAD],
        ).values_list("user_id", "role")
    )
    errors = []
    seen = set()
    for seat in seats:
        if seat.user_id not in members:
            errors.append(
                _("Only evaluators and leads of the organisation sit on a panel.")
            )
        if seat.user_id in seen:
            errors.append(_("Each evaluator sits on the panel once."))
        seen.add(seat.user_id)
        unknown = sorted(set(seat.pillars) - pillar_codes)
        if unknown:
            errors.append(
                _("Unknown pillars: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
    if errors:
        raise ValidationError(sorted(set(errors)))
    with transaction.atomic():
        locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
        if locked.status == Procurement.Status.CLOSED:
            raise ProcurementClosed()
        before = {s.user_id: s for s in locked.panel.all()}
        names = _names([*before, *(seat.user_id for seat in seats)])
        locked.panel.all().delete()
        created = PanelSeat.objects.bulk_create(
            PanelSeat(
                procurement=locked,
                user_id=seat.user_id,
                pillars=sorted(set(seat.pillars)),
                moderator=seat.moderator,
            )
            for seat in seats
        )
        changes = changes_between(
            {"panel": [_seat_text(s, names) for s in before.values()]},
            {"panel": [_seat_text(s, names) for s in created]},
        )
        record(
            locked.organisation_id,
            user=user,
            events=[
                Event(
                    Recorded.PANEL_CHANGED,
                    str(locked),
                    procurement=locked.pk,
                    changes=changes,
                )
            ]
            if changes
            else [],
        )
    return created


def seat_of(procurement: Procurement, user) -> PanelSeat | None:
    return next((s for s in procurement.panel.all() if s.user_id == user.pk), None)


def may_moderate(procurement: Procurement, user) -> bool:
    """Leads moderate; so does a seat the lead made moderator."""
    if roles.can(user, Action.LEAD, procurement.organisation_id):
        return True
    seat = seat_of(procurement, user)
    return seat is not None and seat.moderator


def declare_interests(
    assessment: Assessment, *, user, conflict: bool, statement: str = ""
) -> PanelReview:
    """An evaluator says, before scoring an offer, whether they have a conflict."""
    _require_seat(assessment.procurement, user)
    statement = statement.strip()
    if conflict and not statement:
        raise ValidationError(_("Describe the conflict of interest."))
    if len(statement) > MAX_TEXT:
        raise ValidationError(_("The statement is too long."))
    with transaction.atomic():
        locked = _open(assessment)
        review = PanelReview.objects.filter(assessment=locked, evaluator=user).first()
        if review is not None:
            raise ValidationError(
                _("You have already declared your interests for this offer.")
            )
        review = PanelReview.objects.create(
            assessment=locked,
            evaluator=user,
            conflict=PanelReview.Conflict.DECLARED
            if conflict
            else PanelReview.Conflict.NONE,
            statement=statement,
            declared_at=timezone.now(),
        )
        _record(
            locked,
            user,
            Recorded.INTEREST_DECLARED,
            changes=[
                {"field": "conflict", "before": None, "after": review.conflict},
                *(
                    [{"field": "statement", "before": None, "after": statement}]
                    if statement
                    else []
                ),
            ],
        )
    return review


def override_conflict(
    assessment: Assessment, *, user, evaluator, reason: str
) -> PanelReview:
    """A lead lets a conflicted evaluator score the offer, saying why; recorded."""
    roles.require(user, Action.LEAD, assessment.organisation_id)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for letting this evaluator score."))
    with transaction.atomic():
        locked = _open(assessment)
        review = (
            PanelReview.objects.select_for_update()
            .filter(assessment=locked, evaluator=evaluator)
            .first()
        )
        if review is None or review.conflict != PanelReview.Conflict.DECLARED:
            raise ValidationError(_("This evaluator declared no conflict here."))
        if review.overridden_at is not None:
            raise ValidationError(_("This conflict was already overridden."))
        review.override_reason = reason
        review.overridden_by = user
        review.overridden_at = timezone.now()
        review.save(update_fields=["override_reason", "overridden_by", "overridden_at"])
        _record(
            locked,
            user,
            Recorded.CONFLICT_OVERRIDDEN,
            subject=_person(evaluator),
            reason=reason,
        )
    return review


def criteria_of(assessment: Assessment, seat: PanelSeat) -> list[Criterion]:
    """The criteria one seat scores, in the catalogue's order."""
    criteria = Criterion.objects.filter(catalogue_id=assessment.catalogue_id)
    if seat.pillars:
        criteria = criteria.filter(pillar__code__in=seat.pillars)
    return list(
        criteria.select_related("pillar").order_by("pillar__position", "position")
    )


def save_scores(
    assessment: Assessment, *, user, scores: Sequence[ScoreData]
) -> list[IndividualScore]:
    """An evaluator's own scores of their criteria, until they submit them."""
    seat = _require_seat(assessment.procurement, user)
    if not scores:
        raise ValidationError(_("Nothing to save: send at least one score."))
    allowed = {c.code: c for c in criteria_of(assessment, seat)}
    errors = []
    for score in scores:
        if score.criterion not in allowed:
            errors.append(
                _("%(code)s is not one of the criteria you score.")
                % {"code": score.criterion}
            )
        if score.level is not None and not 0 <= score.level <= 4:
            errors.append(_("A level is between 0 and 4."))
        if score.evidence not in Answer.Evidence.values:
            errors.append(_("Unknown evidence type: %(e)s.") % {"e": score.evidence})
        if len(score.justification) > MAX_TEXT:
            errors.append(_("A justification is too long."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _open(assessment)
        review = _review_for_scoring(locked, user)
        if review.submitted:
            raise ValidationError(
                _("You submitted your scores for this offer: they are fixed.")
            )
        stored = {
            s.criterion_id: s
            for s in IndividualScore.objects.filter(assessment=locked, evaluator=user)
        }
        saved = []
        for score in scores:
            criterion = allowed[score.criterion]
            row = stored.get(criterion.pk) or IndividualScore(
                assessment=locked, criterion=criterion, evaluator=user
            )
            row.level = None if score.not_applicable else score.level
            row.not_applicable = score.not_applicable
            row.evidence = score.evidence
            row.justification = score.justification.strip()
            row.save()
            saved.append(row)
    return saved


def submit_scores(assessment: Assessment, *, user) -> PanelReview:
    """Fix an evaluator's scores of an offer; recorded with their SHA-256."""
    seat = _require_seat(assessment.procurement, user)
    with transaction.atomic():
        locked = _open(assessment)
        review = _review_for_scoring(locked, user)
        if review.submitted:
            raise ValidationError(
                _("You already submitted your scores for this offer.")
            )
        mine = list(
            IndividualScore.objects.filter(assessment=locked, evaluator=user)
            .select_related("criterion")
            .order_by("criterion__code")
        )
        expected = len(criteria_of(locked, seat))
        if len(mine) < expected:
            raise ValidationError(
                _("Score every criterion you are given first: %(done)s of %(all)s.")
                % {"done": len(mine), "all": expected}
            )
        review.submitted_at = timezone.now()
        review.save(update_fields=["submitted_at"])
        _record(
            locked,
            user,
            Recorded.SCORES_SUBMITTED,
            changes=[
                {"field": "criteria", "before": None, "after": len(mine)},
                {"field": "sha256", "before": None, "after": scores_digest(mine)},
            ],
        )
    return review


def scores_digest(scores: Iterable[IndividualScore]) -> str:
    """SHA-256 of an evaluator's scores, as the record commits to them."""
    canonical = [
        {
            "criterion": s.criterion.code,
            "level": s.level,
            "not_applicable": s.not_applicable,
            "evidence": s.evidence,
            "justification": s.justification,
        }
        for s in sorted(scores, key=lambda s: s.criterion.code)
    ]
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def visible_scores(assessment: Assessment, user) -> list[IndividualScore]:
    """The individual scores this user may read: blind until they submitted.

    An evaluator reads their own, and everyone's once they submitted theirs;
    a moderator reads the submitted scores; nobody reads a draft of another.
    """
    procurement = assessment.procurement
    roles.require(user, Action.EDIT, assessment.organisation_id)
    reviews = {r.evaluator_id: r for r in assessment.panel_reviews.all()}
    own = reviews.get(user.pk)
    sees_others = may_moderate(procurement, user) or (own is not None and own.submitted)
    scores = IndividualScore.objects.filter(assessment=assessment).select_related(
        "criterion__pillar", "evaluator"
    )
    return [
        s
        for s in scores
        if s.evaluator_id == user.pk
        or (
            sees_others
            and reviews.get(s.evaluator_id)
            and reviews[s.evaluator_id].submitted
        )
    ]


def moderation_ready(assessment: Assessment) -> tuple[bool, list[str]]:
    """Whether every seated evaluator who may score this offer has submitted."""
    procurement = assessment.procurement
    reviews = {r.evaluator_id: r for r in assessment.panel_reviews.all()}
    missing = []
    for seat in procurement.panel.select_related("user"):
        review = reviews.get(seat.user_id)
        if review is not None and not review.may_score:
            continue  # kept off this offer by a declared conflict
        if review is None or not review.submitted:
            missing.append(_person(seat.user))
    return not missing, missing


def record_consensus(
    assessment: Assessment,
    *,
    user,
    criterion: str,
    level: int | None,
    evidence: str,
    rationale: str,
    not_applicable: bool = False,
) -> ModerationDecision:
    """The moderator's consensus on one criterion, scored as the answer."""
    procurement = assessment.procurement
    if not has_panel(procurement):
        raise ValidationError(_("This procurement has no panel to moderate."))
    if not may_moderate(procurement, user):
        raise PermissionDenied(_("Only a lead or the panel's moderator moderates."))
    rationale = rationale.strip()
    if not rationale:
        raise ValidationError(_("Give the rationale of the consensus."))
    ready, missing = moderation_ready(assessment)
    if not ready:
        raise ValidationError(
            _(
                "Moderation opens when every evaluator has submitted: "
                "waiting for %(who)s."
            )
            % {"who": ", ".join(missing)}
        )
    target = Criterion.objects.filter(
        catalogue_id=assessment.catalogue_id, code=criterion
    ).first()
    if target is None:
        raise ValidationError(_("Unknown criterion: %(code)s.") % {"code": criterion})
    with transaction.atomic():
        locked = _open(assessment)
        updated = record_answers(
            locked,
            user=user,
            version=locked.version,
            answers=[
                AnswerData(
                    criterion,
                    level=None if not_applicable else level,
                    evidence=evidence,
                    not_applicable=not_applicable,
                    justification=rationale,
                )
            ],
            moderated=True,
        )
        decision = ModerationDecision.objects.create(
            assessment=updated,
            criterion=target,
            level=None if not_applicable else level,
            not_applicable=not_applicable,
            evidence=evidence,
            rationale=rationale,
            moderator=user,
            decided_at=timezone.now(),
        )
        _record(
            updated,
            user,
            Recorded.CONSENSUS_RECORDED,
            criterion=criterion,
            changes=[
                {"field": "level", "before": None, "after": decision.level},
                {"field": "evidence", "before": None, "after": evidence},
            ],
            reason=rationale,
        )
    return decision


def add_comment(
    assessment: Assessment, *, user, criterion: str, text: str
) -> PanelComment:
    """A message in a criterion's thread (evaluators, moderator, lead); recorded."""
    roles.require(user, Action.EDIT, assessment.organisation_id)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write something to comment."))
    if len(text) > MAX_TEXT:
        raise ValidationError(_("The comment is too long."))
    target = Criterion.objects.filter(
        catalogue_id=assessment.catalogue_id, code=criterion
    ).first()
    if target is None:
        raise ValidationError(_("Unknown criterion: %(code)s.") % {"code": criterion})
    with transaction.atomic():
        locked = _open(assessment, drafts_only=False)
        comment = PanelComment.objects.create(
            assessment=locked, criterion=target, author=user, text=text
        )
        _record(
            locked,
            user,
            Recorded.COMMENT_ADDED,
            criterion=criterion,
            changes=[{"field": "comment", "before": None, "after": text}],
        )
    return comment


def _require_seat(procurement: Procurement | None, user) -> PanelSeat:
    seat = None if procurement is None else seat_of(procurement, user)
    if seat is None:
        raise PermissionDenied(_("You do not sit on this procurement's panel."))
    return seat


def _review_for_scoring(assessment: Assessment, user) -> PanelReview:
    review = PanelReview.objects.filter(assessment=assessment, evaluator=user).first()
    if review is None:
        raise ValidationError(
            _("Declare your interests in this offer before scoring it.")
        )
    if not review.may_score:
        raise PermissionDenied(
            _(
                "You declared a conflict of interest with this bidder: "
                "you do not score it."
            )
        )
    return review


def _open(assessment: Assessment, *, drafts_only: bool = True) -> Assessment:
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("procurement", "offer")
        .get(pk=assessment.pk)
    )
    if locked.procurement is None:
        raise PermissionDenied(_("Reference cases are read-only."))
    if locked.procurement.status == Procurement.Status.CLOSED:
        raise ProcurementClosed()
    if drafts_only and locked.status != Assessment.Status.DRAFT:
        raise ValidationError(_("A submitted assessment is read-only."))
    return locked


def _record(
    assessment: Assessment,
    user,
    action: str,
    *,
    subject: str = "",
    criterion: str = "",
    changes=(),
    reason: str = "",
) -> None:
    record(
        assessment.procurement.organisation_id,
        user=user,
        events=[
            Event(
                action,
                subject or str(assessment.offer),
                procurement=assessment.procurement_id,
                assessment=assessment.pk,
                offer=assessment.offer_id,
                criterion=criterion,
                changes=changes,
                reason=reason,
            )
        ],
    )


def _names(user_ids: Iterable[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=set(user_ids))
    return {u.pk: _person(u) for u in users}


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _seat_text(seat: PanelSeat, names: dict[int, str]) -> str:
    pillars = ", ".join(seat.pillars) if seat.pillars else _("all pillars")
    text = f"{names.get(seat.user_id, seat.user_id)}: {pillars}"
    return text + (" · " + _("moderator") if seat.moderator else "")
