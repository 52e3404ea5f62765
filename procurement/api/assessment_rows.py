"""The assessments list's rows, written without DRF's serializer machinery.

``AssessmentSerializer`` names and documents a row; this writes the same
dict by hand, as ``scorecard_body`` does for the scorecard: a page of 50
assessments ran DRF's per-field code some 3,000 times, half of the request.
Tests check that the two agree on every field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from .fields import score_number, weight_number
from .scorecards import catalogue_ref

# The columns a row reads (``QuerySet.only``): the others, the JSON of every
# criterion's result above all, were read and decoded 50 times a page.
ROW_READS = (
    *("procurement_id", "offer_id", "catalogue_id", "profile_id"),
    *("status", "version", "as_of", "summary", "translations"),
    *("created_at", "updated_at", "submitted_at", "approved_at", "scored_at"),
    *("global_score", "global_score_claimed", "trust_level", "eligible"),
    *("highest_profile_passed", "completeness", "pillar_scores"),
    *("failed_knockouts", "bidder_score", "bidder_differs"),
    *("offer__name", "offer__translations", "offer__provider_id"),
    *("offer__provider__name", "catalogue__slug", "catalogue__version"),
    "profile__code",
)


def assessment_row(assessment) -> dict[str, Any]:
    """``AssessmentSerializer(assessment).data``, written out by hand."""
    offer = assessment.offer
    return {
        "id": assessment.pk,
        "procurement": assessment.procurement_id,
        "offer": assessment.offer_id,
        "offer_name": _text(offer.name_i18n),
        "provider": offer.provider_id,
        "provider_name": _text(offer.provider.name),
        "catalogue": catalogue_ref(assessment.catalogue),
        "profile": str(assessment.profile.code),
        "status": _text(assessment.status),
        "version": assessment.version,
        "as_of": _date(assessment.as_of),
        "summary": _text(assessment.summary_i18n),
        "is_reference_case": assessment.is_reference_case,
        "created_at": _datetime(assessment.created_at),
        "updated_at": _datetime(assessment.updated_at),
        "submitted_at": _datetime(assessment.submitted_at),
        "approved_at": _datetime(assessment.approved_at),
        "snapshot": _snapshot(assessment),
    }


def _snapshot(assessment) -> dict[str, Any]:
    # JSON columns that are never null in the schema (a list by default).
    return {
        "global_score": score_number(assessment.global_score),
        "global_score_claimed": score_number(assessment.global_score_claimed),
        "trust_level": assessment.trust_level,
        "eligible": bool(assessment.eligible),
        "highest_profile_passed": assessment.highest_profile_passed or None,
        "completeness": score_number(assessment.completeness),
        "pillars": [_pillar(line) for line in assessment.pillar_scores],
        "knockouts": [_knockout(line) for line in assessment.failed_knockouts],
        "bidder_score": score_number(assessment.bidder_score),
        "bidder_differs": [_text(code) for code in assessment.bidder_differs],
        "scored_at": _datetime(assessment.scored_at),
    }


def _pillar(stored: dict) -> dict[str, Any]:
    return {
        "code": _text(stored.get("code")),
        "weight": weight_number(stored.get("weight")),
        "score": score_number(stored.get("score")),
        "score_claimed": score_number(stored.get("score_claimed")),
        "trust_level": _integer(stored.get("trust_level")),
    }


def _knockout(stored: dict) -> dict[str, Any]:
    return {
        "criterion": _text(stored.get("criterion")),
        "required": _integer(stored.get("required")),
        "effective": _integer(stored.get("effective")),
    }


def _text(value) -> str | None:
    return None if value is None else str(value)


def _integer(value) -> int | None:
    return None if value is None else int(value)


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime | None) -> str | None:
    """In the reader's time zone, UTC as ``Z``: DRF's ISO 8601."""
    if not value:
        return None
    written = value.astimezone(timezone.get_current_timezone()).isoformat()
    return written[:-6] + "Z" if written.endswith("+00:00") else written
