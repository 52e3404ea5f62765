"""An assessment's life: submit, approve (four eyes), reopen, withdraw.

- Submit hands a draft to the leads; it is read-only from then on.
- Approve is a lead's, and not the submitter's while the organisation keeps
  the four-eyes rule (on by default). An incomplete assessment is approved
  only with a stated reason. Approval freezes what the report shows
  (``procurement.approvals``).
- Reopen (a lead, with a reason once approved) sends it back to draft.
- Withdraw (a lead, with a reason) takes an offer out of the ranking; the
  assessment stays on record. Nothing submitted or approved is deleted.

Nothing changes in a closed procurement. Every step is in the record, with
its reason, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import approvals, signals
from ..models import Assessment, Organisation, Procurement
from ..record import Action as Recorded
from ..record import Event, record
from . import roles
from .assessments import StaleAssessment
from .providers import ProcurementClosed
from .roles import Action

Status = Assessment.Status
COMPLETE = 100


def submit_assessment(
    assessment: Assessment, *, user, version: int | None = None
) -> Assessment:
    """Hand a draft over for approval; from now on it is read-only."""
    return _transition(
        assessment,
        user=user,
        action=Action.EDIT,
        sources=(Status.DRAFT,),
        target=Status.SUBMITTED,
        version=version,
        refusal=_("Only a draft can be submitted."),
        recorded=Recorded.ASSESSMENT_SUBMITTED,
        event="assessment.submitted",
    )


def approve_assessment(
    assessment: Assessment, *, user, version: int | None = None, reason: str = ""
) -> Assessment:
    """Approve a submitted assessment (leads), freezing what its report shows.

    Refused to its own submitter while the organisation keeps the four-eyes
    rule; an assessment with unanswered criteria needs a reason.
    """

    def check(locked: Assessment) -> None:
        organisation = locked.procurement.organisation
        if organisation.four_eyes and locked.submitted_by_id == user.pk:
            raise PermissionDenied(
                _(
                    "You submitted this assessment: another lead must approve it "
                    "(four-eyes rule of %(organisation)s)."
                )
                % {"organisation": organisation}
            )
        if locked.completeness < COMPLETE and not reason.strip():
            raise ValidationError(
                {
                    "reason": _(
                        "%(percent)s%% of the criteria are answered: say why this "
                        "assessment can be approved with unanswered criteria."
                    )
                    % {"percent": locked.completeness}
                }
            )

    return _transition(
        assessment,
        user=user,
        action=Action.LEAD,
        sources=(Status.SUBMITTED,),
        target=Status.APPROVED,
        version=version,
        refusal=_("Only a submitted assessment can be approved."),
        recorded=Recorded.ASSESSMENT_APPROVED,
        event="assessment.approved",
        reason=reason,
        check=check,
    )


def reopen_assessment(
    assessment: Assessment, *, user, version: int | None = None, reason: str = ""
) -> Assessment:
    """Send a submitted or approved assessment back to draft (leads).

    Reopening an approved assessment needs a reason; its frozen record is
    released and the record keeps the approval it undoes.
    """

    def check(locked: Assessment) -> None:
        if locked.status == Status.APPROVED and not reason.strip():
            raise ValidationError(
                {"reason": _("Say why an approved assessment is reopened.")}
            )

    return _transition(
        assessment,
        user=user,
        action=Action.LEAD,
        sources=(Status.SUBMITTED, Status.APPROVED),
        target=Status.DRAFT,
        version=version,
        refusal=_("Only a submitted or approved assessment can be reopened."),
        recorded=Recorded.ASSESSMENT_REOPENED,
        event="assessment.reopened",
        reason=reason,
        check=check,
    )


def withdraw_assessment(
    assessment: Assessment, *, user, version: int | None = None, reason: str = ""
) -> Assessment:
    """Take an offer out of a procurement's ranking (leads, with a reason).

    The assessment and its answers stay, listed as withdrawn.
    """

    def check(locked: Assessment) -> None:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the offer is withdrawn.")})

    return _transition(
        assessment,
        user=user,
        action=Action.LEAD,
        sources=(Status.DRAFT, Status.SUBMITTED, Status.APPROVED),
        target=Status.WITHDRAWN,
        version=version,
        refusal=_("This offer is already withdrawn."),
        recorded=Recorded.ASSESSMENT_WITHDRAWN,
        event="assessment.withdrawn",
        reason=reason,
        check=check,
    )


def _transition(
    assessment: Assessment,
    *,
    user,
    action: Action,
    sources: Iterable[str],
    target: str,
    version: int | None,
    refusal: str,
    recorded: str,
    event: str,
    reason: str = "",
    check=None,
) -> Assessment:
    roles.require_assessment_editor(user, assessment, action)
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("procurement__organisation", "offer")
            .get(pk=assessment.pk)
        )
        if locked.procurement.status == Procurement.Status.CLOSED:
            raise ProcurementClosed()
        if version is not None and locked.version != version:
            raise StaleAssessment(locked)
        if locked.status not in sources:
            raise ValidationError(refusal)
        if check is not None:
            check(locked)
        changes = [{"field": "status", "before": locked.status, "after": target}]
        previous = locked.status
        locked.status = target
        locked.version += 1
        if target == Status.SUBMITTED:
            locked.submitted_by, locked.submitted_at = user, now
        elif target == Status.APPROVED:
            locked.approved_by, locked.approved_at = user, now
            locked.approval_record = approvals.freeze(locked)
            changes.append(
                {
                    "field": "approval_record",
                    "before": None,
                    "after": approvals.record_digest(locked.approval_record),
                }
            )
            if locked.approved_by_submitter:
                changes.append(
                    {"field": "approved_by_submitter", "before": None, "after": True}
                )
        elif target == Status.WITHDRAWN:
            locked.withdrawn_by, locked.withdrawn_at = user, now
            locked.withdrawal_reason = reason.strip()
        elif previous == Status.APPROVED:
            locked.approved_by, locked.approved_at = None, None
            locked.approval_record = None
        locked.save()
        record(
            locked.procurement.organisation_id,
            user=user,
            events=[
                Event(
                    recorded,
                    str(locked.offer),
                    procurement=locked.procurement_id,
                    assessment=locked.pk,
                    offer=locked.offer_id,
                    changes=changes,
                    reason=reason.strip(),
                )
            ],
        )
        signals.announce(event, locked)
    return locked


def set_four_eyes(
    organisation: Organisation, *, user, enabled: bool, reason: str = ""
) -> Organisation:
    """Turn the four-eyes rule on or off for an organisation (leads, recorded).

    Off is meant for a one-person organisation; a reason is asked for then.
    """
    roles.require(user, Action.LEAD, organisation)
    if not enabled and not reason.strip():
        raise ValidationError(
            {"reason": _("Say why one person may submit and approve alone.")}
        )
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.four_eyes == enabled:
            return locked
        record(
            locked,
            user=user,
            events=[
                Event(
                    Recorded.ORGANISATION_CHANGED,
                    str(locked),
                    changes=[
                        {
                            "field": "four_eyes",
                            "before": locked.four_eyes,
                            "after": enabled,
                        }
                    ],
                    reason=reason.strip(),
                )
            ],
        )
        locked.four_eyes = enabled
        locked.save(update_fields=["four_eyes"])
    return locked
