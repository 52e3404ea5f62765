"""What an export depends on, as one SHA-256: a changed input, a new file.

A fingerprint is read with a few small queries (no answer text, no
rendering): the rows' versions and timestamps where they have them, every
field of the few rows that have none (offers), and the number and last id of
the rows that are only ever added or removed (facts, certifications). An
answer saved through the services raises its assessment's ``version`` and
``updated_at``; a changed procurement or provider its ``updated_at``. A
panel's seats and work (declarations, submissions, decisions, comments) are
counted too: of these only a consensus changes an assessment's version.
Names of people (who answered, who approved) are read at export time and are
not part of it: renaming an account does not remake a report.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import Count, Max, Sum

from ..models import (
    Assessment,
    Certification,
    Membership,
    ModerationDecision,
    Offer,
    Organisation,
    PanelComment,
    PanelReview,
    PanelSeat,
    Procurement,
    Provider,
    ProviderFact,
)

OFFER_FIELDS = (
    "pk",
    "provider_id",
    "name",
    "service_model",
    "deployment_model",
    "regions",
    "description",
    "translations",
)
ASSESSMENT_FIELDS = (
    "pk",
    "version",
    "updated_at",
    "status",
    "catalogue_id",
    "profile_id",
    "offer__provider__updated_at",
)


def of_assessment(assessment: Assessment) -> str:
    """An assessment's scorecard: its answers, its offer, the reference cases
    it is compared with, and its procurement (named in the report)."""
    rows = Assessment.objects.filter(pk=assessment.pk)
    references = Assessment.objects.reference_cases().order_by("pk")
    return _digest(
        list(rows.values_list(*ASSESSMENT_FIELDS)),
        list(references.values_list(*ASSESSMENT_FIELDS)),
        list(
            rows.values_list(
                "procurement__updated_at", "procurement__organisation__name"
            )
        ),
        list(Offer.objects.filter(assessments=assessment).values_list(*OFFER_FIELDS)),
        _added_or_removed(
            ProviderFact.objects.filter(provider__offers__assessments=assessment),
            Certification.objects.filter(offer__assessments=assessment),
        ),
        _panel(
            PanelSeat.objects.filter(procurement__assessments=assessment),
            rows.values("pk"),
        ),
    )


def of_procurement(procurement: Procurement) -> str:
    """A procurement's report: the procurement, and every offer's scorecard."""
    assessments = Assessment.objects.filter(procurement=procurement).order_by("pk")
    return _digest(
        list(
            Procurement.objects.filter(pk=procurement.pk).values_list(
                "updated_at", "catalogue_id", "profile_id", "organisation__name"
            )
        ),
        list(assessments.values_list(*ASSESSMENT_FIELDS)),
        list(
            Offer.objects.filter(assessments__procurement=procurement)
            .order_by("pk")
            .values_list(*OFFER_FIELDS)
        ),
        _added_or_removed(
            ProviderFact.objects.filter(
                provider__offers__assessments__procurement=procurement
            ),
            Certification.objects.filter(offer__assessments__procurement=procurement),
        ),
        _panel(PanelSeat.objects.filter(procurement=procurement), assessments),
    )


def of_organisation(organisation: Organisation) -> str:
    """Everything an organisation entered: one aggregate per kind of row,
    and the members and offers as they are."""
    assessments = Assessment.objects.filter(procurement__organisation=organisation)
    return _digest(
        [organisation.name, organisation.kind, organisation.country],
        list(
            Membership.objects.filter(organisation=organisation)
            .order_by("pk")
            .values_list("pk", "user_id", "role")
        ),
        _changes(Provider.objects.filter(organisation=organisation), "updated_at"),
        _changes(Procurement.objects.filter(organisation=organisation), "updated_at"),
        assessments.aggregate(
            count=Count("pk"),
            last=Max("pk"),
            changed=Max("updated_at"),
            versions=Sum("version"),
        ),
        list(
            Offer.objects.filter(provider__organisation=organisation)
            .order_by("pk")
            .values_list(*OFFER_FIELDS)
        ),
        _added_or_removed(
            ProviderFact.objects.filter(provider__organisation=organisation),
            Certification.objects.filter(offer__provider__organisation=organisation),
        ),
    )


def _changes(queryset, timestamp: str) -> dict[str, Any]:
    return queryset.aggregate(count=Count("pk"), last=Max("pk"), changed=Max(timestamp))


def _added_or_removed(*querysets) -> list[dict[str, Any]]:
    return [
        queryset.aggregate(count=Count("pk", distinct=True), last=Max("pk"))
        for queryset in querysets
    ]


def _panel(seats, assessments) -> list[Any]:
    """The panel and its work, which the reports show: a declaration, a
    submission or a comment changes no assessment's version."""
    reviews = PanelReview.objects.filter(assessment__in=assessments)
    return [
        list(seats.order_by("pk").values_list("pk", "user_id", "pillars", "moderator")),
        reviews.aggregate(
            count=Count("pk"),
            submitted=Count("submitted_at"),
            last_submitted=Max("submitted_at"),
            overridden=Count("overridden_at"),
        ),
        _added_or_removed(
            ModerationDecision.objects.filter(assessment__in=assessments),
            PanelComment.objects.filter(assessment__in=assessments),
        ),
    ]


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
