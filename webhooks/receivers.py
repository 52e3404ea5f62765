"""What each announcement of ``procurement.signals`` becomes: an event's data.

The data is read from the object the service hands over, as it stands in
the service's transaction, without a query: its id, its API URL (absolute
when ``WEBHOOKS_SITE_URL`` is set) and the fields a receiver most likely
acts on. The receiver fetches the rest from the API with its own token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from procurement.models import Assessment, ExportJob, Procurement

from . import services
from .models import Endpoint


def api_url(name: str, pk) -> str:
    return settings.WEBHOOKS_SITE_URL.rstrip("/") + reverse(f"api:{name}", args=[pk])


def assessment_data(assessment: Assessment) -> dict[str, Any]:
    return {
        "object": "assessment",
        "id": assessment.pk,
        "url": api_url("assessment-detail", assessment.pk),
        "status": assessment.status,
        "version": assessment.version,
        "procurement": assessment.procurement_id,
        "procurement_url": api_url("procurement-detail", assessment.procurement_id),
        "offer": assessment.offer_id,
        "global_score": assessment.global_score,
        "trust_level": assessment.trust_level,
        "eligible": assessment.eligible,
    }


def procurement_data(procurement: Procurement) -> dict[str, Any]:
    return {
        "object": "procurement",
        "id": procurement.pk,
        "url": api_url("procurement-detail", procurement.pk),
        "reference": procurement.reference,
        "title": procurement.title,
        "status": procurement.status,
    }


def export_data(job: ExportJob) -> dict[str, Any]:
    return {
        "object": "export_job",
        "id": str(job.pk),
        "url": api_url("export-job-detail", job.pk),
        "file_url": api_url("export-job-file", job.pk),
        "kind": job.kind,
        "object_id": job.object_id,
        "format": job.format,
        "title": job.title,
        "expires_at": job.expires_at,
    }


DATA = {
    Assessment: assessment_data,
    Procurement: procurement_data,
    ExportJob: export_data,
}


def announced(sender, *, event: str, instance, **kwargs) -> None:
    """Emit the event to the organisation's endpoints (none for the
    reference cases' exports, which belong to no organisation)."""
    if instance.organisation_id is None or sender not in DATA:
        return
    services.emit(
        event, organisation_id=instance.organisation_id, data=DATA[sender](instance)
    )


def organisation_exported(sender, *, organisation, **kwargs):
    """The organisation's endpoints for its data export, without their
    secrets (an import does not register them again: a lead does, and gives
    the receivers the new secrets)."""
    return (
        "webhook_endpoints",
        [
            {
                "url": endpoint.url,
                "description": endpoint.description,
                "events": endpoint.events,
                "is_active": endpoint.is_active,
                "created_at": endpoint.created_at.isoformat(),
            }
            for endpoint in Endpoint.objects.filter(organisation=organisation).order_by(
                "pk"
            )
        ],
    )
