"""Bidders answer: invitations, claims from the questionnaire or the grid.

A lead invites a bidder for one offer in one procurement: a link with a
random token (only its SHA-256 is stored), an expiry, revocable. Through it
the bidder, without an account, saves claims (a level, a justification, the
documents it names) and submits once; the grid (``exports.grid``) brings the
same claims in one file. Claims never change the evaluators' answers: the
engine scores them apart ("as claimed by the bidder"), and the snapshot says
where the evaluators accepted another level. Everything is in the record.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.models import Criterion

from ..models import Assessment, Claim, Invitation, Procurement
from ..record import Action as Recorded
from ..record import Event, changes_between, record
from . import roles
from .assessments import apply_bidder_snapshot
from .providers import ProcurementClosed
from .roles import Action

MAX_JUSTIFICATION = 20000
CLAIM_FIELDS = ("level", "not_applicable", "justification", "documents")


class InvitationGone(Exception):
    """The link expired or was revoked (a 410); nothing else is said."""


@dataclass(frozen=True)
class ClaimData:
    """One criterion's claim as the questionnaire or the grid gives it."""

    criterion: str
    level: int | None = None
    not_applicable: bool = False
    justification: str = ""
    documents: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite_bidder(
    assessment: Assessment,
    *,
    user,
    contact_email: str = "",
    days: int | None = None,
    language: str = "en",
) -> tuple[Invitation, str]:
    """Create an invitation (leads); returns it with its token, shown only once."""
    roles.require_assessment_editor(user, assessment, Action.LEAD)
    days = settings.INVITATION_DAYS if days is None else days
    if not 1 <= days <= 365:
        raise ValidationError({"days": _("Between 1 and 365 days.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = _open(assessment)
        invitation = Invitation(
            assessment=locked,
            token_hash=token_hash(token),
            contact_email=contact_email,
            language=language if language in ("en", "fr") else "en",
            created_by=user,
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        invitation.full_clean()
        invitation.save()
        _record(
            locked,
            user,
            Recorded.INVITATION_CREATED,
            str(invitation.label),
            [
                {"field": "contact_email", "before": None, "after": contact_email},
                {
                    "field": "expires_at",
                    "before": None,
                    "after": invitation.expires_at.isoformat(),
                },
            ],
        )
    return invitation, token


def revoke_invitation(invitation: Invitation, *, user) -> Invitation:
    """Stop a link from working (leads); recorded."""
    roles.require_assessment_editor(user, invitation.assessment, Action.LEAD)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        _record(
            invitation.assessment,
            user,
            Recorded.INVITATION_REVOKED,
            str(locked.label),
            [
                {
                    "field": "revoked_at",
                    "before": None,
                    "after": locked.revoked_at.isoformat(),
                }
            ],
        )
    return locked


def invitation_for(token: str) -> Invitation:
    """The invitation a link's token opens: ``Invitation.DoesNotExist`` when none,
    ``InvitationGone`` when it expired or was revoked."""
    invitation = (
        Invitation.objects.select_related(
            "assessment__offer__provider",
            "assessment__procurement__organisation",
            "assessment__catalogue",
            "assessment__profile",
        )
        .filter(token_hash=token_hash(token))
        .get()
    )
    if not invitation.is_usable():
        raise InvitationGone()
    Invitation.objects.filter(pk=invitation.pk).update(last_opened_at=timezone.now())
    return invitation


def save_claims(
    invitation: Invitation, claims: Sequence[ClaimData], *, submit: bool = False
) -> Assessment:
    """Save the bidder's claims through its invitation; ``submit`` ends its turn."""
    if invitation.submitted_at is not None:
        raise PermissionDenied(_("This questionnaire was submitted: it is read-only."))
    with transaction.atomic():
        assessment = _store_claims(
            invitation.assessment,
            claims,
            source=Claim.Source.QUESTIONNAIRE,
            invitation=invitation,
            user=None,
            actor=str(invitation.label),
        )
        if submit:
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            locked.submitted_at = timezone.now()
            locked.save(update_fields=["submitted_at"])
            invitation.submitted_at = locked.submitted_at
            _record(
                assessment,
                None,
                Recorded.CLAIMS_SUBMITTED,
                str(invitation.label),
                [],
                actor=str(invitation.label),
            )
    return assessment


def import_claims(
    assessment: Assessment, claims: Sequence[ClaimData], *, user, sha256: str
) -> Assessment:
    """The claims of a grid a bidder returned, imported by an evaluator or lead."""
    roles.require_assessment_editor(user, assessment)
    with transaction.atomic():
        updated = _store_claims(
            assessment,
            claims,
            source=Claim.Source.GRID,
            invitation=None,
            user=user,
            actor=None,
        )
        _record(
            updated,
            user,
            Recorded.GRID_IMPORTED,
            str(updated.offer),
            [{"field": "sha256", "before": None, "after": sha256}],
        )
    return updated


def _store_claims(
    assessment: Assessment,
    claims: Sequence[ClaimData],
    *,
    source: str,
    invitation: Invitation | None,
    user,
    actor: str | None,
) -> Assessment:
    locked = _open(assessment)
    criteria = {
        c.code: c for c in Criterion.objects.filter(catalogue_id=locked.catalogue_id)
    }
    _check(claims, criteria)
    stored = {c.criterion.code: c for c in locked.claims.select_related("criterion")}
    now, events = timezone.now(), []
    for data in claims:
        claim = stored.get(data.criterion) or Claim(
            assessment=locked, criterion=criteria[data.criterion]
        )
        before = (
            {name: getattr(claim, name) for name in CLAIM_FIELDS} if claim.pk else {}
        )
        for name in CLAIM_FIELDS:
            setattr(claim, name, getattr(data, name))
        changes = changes_between(before, _claim_values(claim))
        if not changes:
            continue
        claim.source, claim.invitation, claim.claimed_at = source, invitation, now
        claim.save()
        events.append(
            Event(
                Recorded.CLAIM_CHANGED,
                f"{data.criterion} · {locked.offer}",
                procurement=locked.procurement_id,
                assessment=locked.pk,
                offer=locked.offer_id,
                criterion=data.criterion,
                changes=changes,
            )
        )
    if events:
        record(locked.organisation_id, user=user, actor=actor, events=events)
        apply_bidder_snapshot(locked, locked.scoring_spec(), locked.answer_inputs())
        locked.save(update_fields=["bidder_score", "bidder_differs", "updated_at"])
    return locked


def _claim_values(claim: Claim) -> dict:
    return {name: getattr(claim, name) for name in CLAIM_FIELDS}


def _check(claims: Sequence[ClaimData], criteria: dict[str, Criterion]) -> None:
    errors = {}
    seen = set()
    for data in claims:
        criterion = criteria.get(data.criterion)
        problems = []
        if criterion is None:
            problems.append(_("Unknown criterion."))
        elif data.criterion in seen:
            problems.append(_("Answered twice."))
        else:
            if data.level is not None and not 0 <= data.level <= 4:
                problems.append(_("Level must be between 0 and 4, or empty."))
            if data.not_applicable and not criterion.na_allowed:
                problems.append(_("This criterion cannot be marked N/A."))
            if data.not_applicable and data.level is not None:
                problems.append(_("An N/A answer has no level."))
            if len(data.justification) > MAX_JUSTIFICATION:
                problems.append(_("At most 20,000 characters."))
            if "\x00" in data.justification + data.documents:
                problems.append(_("The text holds a NUL character."))
        seen.add(data.criterion)
        if problems:
            errors[data.criterion] = problems
    if errors:
        raise ValidationError(errors)


def _open(assessment: Assessment) -> Assessment:
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("procurement", "offer", "catalogue", "profile")
        .get(pk=assessment.pk)
    )
    if locked.procurement is None:
        raise PermissionDenied(_("Reference cases are read-only."))
    if locked.procurement.status == Procurement.Status.CLOSED:
        raise ProcurementClosed()
    if locked.status != Assessment.Status.DRAFT:
        raise ValidationError(
            _("This assessment is no longer a draft: the bidder's answers are closed.")
        )
    return locked


def _record(assessment, user, action, subject, changes, actor=None) -> None:
    record(
        assessment.organisation_id,
        user=user,
        actor=actor,
        events=[
            Event(
                action,
                subject,
                procurement=assessment.procurement_id,
                assessment=assessment.pk,
                offer=assessment.offer_id,
                changes=changes,
            )
        ],
    )
