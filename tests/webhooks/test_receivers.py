"""Each state change procurement announces becomes an event with its data:
the assessment's workflow, a procurement opened or closed, an export made;
and the organisation's data export lists its endpoints."""

import json

import pytest

from procurement import jobs
from procurement import services as procurement_services
from procurement.models import Procurement
from procurement.portability import export_organisation_data
from procurement.services import AnswerData
from procurement.signals import state_changed
from tests.factories import AssessmentFactory, ProcurementFactory

pytestmark = pytest.mark.django_db


def events(receiver):
    return [json.loads(request["body"]) for request in receiver.requests]


def types(receiver):
    return [event["type"] for event in events(receiver)]


@pytest.fixture
def assessment(organisation, evaluator, catalogue):
    assessment = AssessmentFactory(procurement__organisation=organisation)
    answers = [AnswerData(c.code, 3, "verified") for c in catalogue.criteria.all()]
    return procurement_services.record_answers(
        assessment, user=evaluator, version=assessment.version, answers=answers
    )


def test_the_assessment_workflow_sends_one_event_per_step(
    receiver, endpoint, assessment, evaluator, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = procurement_services.submit_assessment(assessment, user=evaluator)
        approved = procurement_services.approve_assessment(submitted, user=lead)
        reopened = procurement_services.reopen_assessment(
            approved, user=lead, reason="A fact changed."
        )
        procurement_services.withdraw_assessment(
            reopened, user=lead, reason="The offer was withdrawn by its provider."
        )

    assert types(receiver) == [
        "assessment.submitted",
        "assessment.approved",
        "assessment.reopened",
        "assessment.withdrawn",
    ]
    assert [event["data"]["status"] for event in events(receiver)] == [
        "submitted",
        "approved",
        "draft",
        "withdrawn",
    ]


def test_a_refused_step_sends_nothing(
    receiver, endpoint, assessment, lead, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Exception, match="submitted"),
    ):
        procurement_services.approve_assessment(assessment, user=lead)

    assert receiver.requests == []


def test_closing_and_opening_a_procurement_send_events_with_its_fields(
    receiver,
    endpoint,
    organisation,
    lead,
    catalogue,
    django_capture_on_commit_callbacks,
):
    procurement = ProcurementFactory(
        organisation=organisation, reference="T-9", status=Procurement.Status.OPEN
    )

    with django_capture_on_commit_callbacks(execute=True):
        procurement_services.close_procurement(procurement, user=lead)
        procurement_services.open_procurement(procurement, user=lead)

    assert [(e["type"], e["data"]) for e in events(receiver)] == [
        (
            f"procurement.{verb}",
            {
                "object": "procurement",
                "id": procurement.pk,
                "url": f"/api/v1/procurements/{procurement.pk}/",
                "reference": "T-9",
                "title": procurement.title,
                "status": status,
            },
        )
        for verb, status in [("closed", "closed"), ("opened", "open")]
    ]


def test_a_background_export_sends_export_ready(
    receiver, endpoint, assessment, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_export(assessment, "pdf", language="en", user=lead)

    [event] = events(receiver)
    assert event["type"] == "export.ready"
    assert event["data"] == {
        "object": "export_job",
        "id": str(job.pk),
        "url": f"/api/v1/export-jobs/{job.pk}/",
        "file_url": f"/api/v1/export-jobs/{job.pk}/file/",
        "kind": "assessment",
        "object_id": assessment.pk,
        "format": "pdf",
        "title": job.title,
        "expires_at": event["data"]["expires_at"],
    }
    assert event["data"]["expires_at"]


def test_a_failing_listener_does_not_stop_the_change(assessment, evaluator, caplog):
    def broken(sender, **kwargs):
        raise RuntimeError("listener broke")

    state_changed.connect(broken)
    try:
        submitted = procurement_services.submit_assessment(assessment, user=evaluator)
    finally:
        state_changed.disconnect(broken)

    assert submitted.status == "submitted"
    assert "listener broke" in caplog.text


def test_the_organisation_export_lists_its_endpoints_without_secrets(
    organisation, endpoint, secret
):
    data = export_organisation_data(organisation)

    assert data["webhook_endpoints"] == [
        {
            "url": endpoint.url,
            "description": "",
            "events": endpoint.events,
            "is_active": True,
            "created_at": endpoint.created_at.isoformat(),
        }
    ]
    assert secret not in json.dumps(data)
