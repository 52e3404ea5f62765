"""A ranking's rows, written without DRF's serializer machinery.

``RankingRowSerializer`` names and documents a row; ``ranking_row`` writes
the same dict by hand, as ``scorecard_body`` does for the scorecard: a
50-offer ranking ran DRF's per-field code some 250 times, half of the
request. Tests check that the two agree.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext

from .fields import score_number
from .scorecards import knockout_body


def ranking_row(row, report) -> dict[str, Any]:
    """``RankingRowSerializer({"row": row, "report": report}).data``, by hand."""
    assessment = row.assessment
    offer = assessment.offer
    knockouts = [knockout_body(line) for line in report.knockouts]
    return {
        "rank": row.rank,
        "tied": bool(row.tied),
        "assessment": assessment.pk,
        "offer": assessment.offer_id,
        "offer_name": str(offer.name_i18n),
        "provider": offer.provider_id,
        "provider_name": str(offer.provider.name),
        "status": str(assessment.status),
        "eligible": bool(assessment.eligible),
        "global_score": score_number(assessment.global_score),
        "global_score_claimed": score_number(assessment.global_score_claimed),
        "trust_level": assessment.trust_level,
        "bidder_score": score_number(assessment.bidder_score),
        "bidder_differs": [str(code) for code in assessment.bidder_differs],
        "knockouts": knockouts,
        "reason": excluded_reason(
            row, report, [knockout["reason"] for knockout in knockouts]
        ),
    }


def excluded_reason(row, report, texts: list[str] | None = None) -> str | None:
    """Why an offer is excluded, in words; None for an eligible offer."""
    if not row.excluded:
        return None
    if texts is None:
        texts = [knockout.text for knockout in report.knockouts]
    return ngettext(
        "Excluded: fails %(count)d knock-out of %(profile)s: %(list)s.",
        "Excluded: fails %(count)d knock-outs of %(profile)s: %(list)s.",
        len(texts),
    ) % {"count": len(texts), "profile": report.profile.code, "list": "; ".join(texts)}
