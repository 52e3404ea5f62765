"""What exports say of the record: the workflow of each assessment and the trail.

``workflow`` names who submitted, approved or withdrew an assessment and when,
and says when it was approved by its own submitter (four eyes off).
``history`` lists the entries of the record in the order they were written,
each with its hash, so that a filed export carries the trail it came with.
Neither is part of the digest's inputs: they describe the record, not the score.
"""

from __future__ import annotations

from typing import Any

from ..models import Assessment, HistoryEntry, Procurement
from .content import local, person

MOMENTS = ("submitted_at", "approved_at", "withdrawn_at")


def workflow(assessment: Assessment) -> dict[str, Any]:
    """Who moved the assessment through its workflow, and when (ISO dates)."""
    steps = workflow_steps(assessment)
    return {key: _iso(steps[key]) if key in MOMENTS else steps[key] for key in steps}


def workflow_steps(assessment: Assessment) -> dict[str, Any]:
    """The same with local datetimes, for a report to format."""
    return {
        "status": assessment.status,
        "submitted_by": person(assessment.submitted_by),
        "submitted_at": local(assessment.submitted_at),
        "approved_by": person(assessment.approved_by),
        "approved_at": local(assessment.approved_at),
        "approved_by_submitter": assessment.approved_by_submitter,
        "withdrawn_at": local(assessment.withdrawn_at),
        "withdrawal_reason": assessment.withdrawal_reason,
    }


def assessment_history(assessment: Assessment) -> list[dict[str, Any]]:
    if assessment.is_reference_case:
        return []
    return history(HistoryEntry.objects.of_assessment(assessment))


def procurement_history(procurement: Procurement) -> list[dict[str, Any]]:
    return history(HistoryEntry.objects.of_procurement_and_offers(procurement))


def history(entries) -> list[dict[str, Any]]:
    """Entries oldest first, as plain values (one query)."""
    return [
        {
            "sequence": entry.sequence,
            "at": _iso(entry.at),
            "user": entry.user_name,
            "action": entry.action,
            "action_label": str(entry.get_action_display()),
            "subject": entry.subject,
            "criterion": entry.criterion or None,
            "changes": entry.changes,
            "reason": entry.reason,
            "hash": entry.hash,
        }
        for entry in entries.order_by("sequence")
    ]


def _iso(moment) -> str | None:
    return None if moment is None else local(moment).isoformat()
