"""Evidence files on answers: add one, remove one from a draft.

Either an evaluator of the buyer (by role) or a bidder (through its
invitation) adds a file to one criterion of an assessment. The file is
checked by its content (``procurement.evidence``), stored under its hash
through the "evidence" storage, and recorded with its name, size and
SHA-256. Files of a submitted, approved or withdrawn assessment stay: only a
draft's can be removed. Nothing changes in a closed procurement.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from scoring.models import Criterion

from .. import evidence
from ..models import Assessment, EvidenceFile, Invitation, Procurement
from ..record import Action as Recorded
from ..record import Event, record
from . import roles
from .providers import ProcurementClosed


def add_evidence(
    assessment: Assessment,
    criterion: str,
    uploaded,
    *,
    user=None,
    invitation: Invitation | None = None,
) -> EvidenceFile:
    """Store a file for one criterion, after checking who sends it and what it is."""
    if invitation is None:
        roles.require_assessment_editor(user, assessment)
    elif invitation.assessment_id != assessment.pk or invitation.submitted_at:
        raise PermissionDenied(_("This questionnaire can no longer change."))
    target = Criterion.objects.filter(
        catalogue_id=assessment.catalogue_id, code=criterion
    ).first()
    if target is None:
        raise ValidationError(
            {"criterion": _("Unknown criterion %(code)s.") % {"code": criterion}}
        )
    inspected = evidence.inspect(uploaded)
    name = (getattr(uploaded, "name", "") or "file").rsplit("/", 1)[-1][:255]
    with transaction.atomic():
        locked = _open_assessment(assessment)
        if EvidenceFile.objects.filter(
            assessment=locked, criterion=target, sha256=inspected.sha256
        ).exists():
            raise ValidationError(
                _("This file is already attached to %(code)s.") % {"code": criterion}
            )
        stored = EvidenceFile(
            assessment=locked,
            criterion=target,
            name=name,
            size=inspected.size,
            sha256=inspected.sha256,
            content_type=inspected.content_type,
            uploaded_by=user if invitation is None else None,
            invitation=invitation,
        )
        stored.file.save(f"{criterion}-{inspected.sha256}", uploaded, save=False)
        stored.save()
        _record(locked, stored, Recorded.FILE_ADDED, user, invitation)
    return stored


def remove_evidence(stored: EvidenceFile, *, user) -> None:
    """Remove a file from a draft assessment (evaluators and leads); recorded."""
    assessment = stored.assessment
    roles.require_assessment_editor(user, assessment)
    with transaction.atomic():
        locked = _open_assessment(assessment)
        if locked.status != Assessment.Status.DRAFT:
            raise ValidationError(
                _("The files of a submitted assessment stay with it: it is on record.")
            )
        _record(locked, stored, Recorded.FILE_REMOVED, user, None)
        path, storage = stored.file.name, stored.file.storage
        stored.delete()
        if not EvidenceFile.objects.filter(file=path).exists():
            transaction.on_commit(lambda: storage.delete(path))


def _open_assessment(assessment: Assessment) -> Assessment:
    """The assessment, locked, refusing a closed procurement or a withdrawn offer."""
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("procurement", "offer")
        .get(pk=assessment.pk)
    )
    if locked.procurement is None:
        raise PermissionDenied(_("Reference cases are read-only."))
    if locked.procurement.status == Procurement.Status.CLOSED:
        raise ProcurementClosed()
    if locked.status == Assessment.Status.WITHDRAWN:
        raise ValidationError(_("This offer was withdrawn."))
    return locked


def _record(assessment, stored, action, user, invitation) -> None:
    values = {"name": stored.name, "size": stored.size, "sha256": stored.sha256}
    added = action == Recorded.FILE_ADDED
    record(
        assessment.organisation_id,
        user=user,
        actor=str(invitation.label) if invitation is not None else None,
        events=[
            Event(
                action,
                f"{stored.criterion.code} · {stored.name}",
                procurement=assessment.procurement_id,
                assessment=assessment.pk,
                offer=assessment.offer_id,
                criterion=stored.criterion.code,
                changes=[
                    {
                        "field": field,
                        "before": None if added else value,
                        "after": value if added else None,
                    }
                    for field, value in values.items()
                ],
            )
        ],
    )
