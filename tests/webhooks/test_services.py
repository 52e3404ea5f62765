"""Deliveries: an approval reaches a local receiver signed; failures are
retried with backoff, logged, resent; nothing leaves for a rollback, another
organisation, a disabled endpoint or an event not asked for."""

import datetime
import json
import time
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from procurement import services as procurement_services
from procurement.models import Membership
from procurement.services import AnswerData
from tests.conftest import member
from tests.factories import AssessmentFactory, OrganisationFactory
from webhooks import services, signing
from webhooks.models import Attempt, Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(organisation, evaluator, catalogue):
    assessment = AssessmentFactory(procurement__organisation=organisation)
    answers = [AnswerData(c.code, 3, "verified") for c in catalogue.criteria.all()]
    procurement_services.record_answers(
        assessment, user=evaluator, version=assessment.version, answers=answers
    )
    return procurement_services.submit_assessment(assessment, user=evaluator)


def approve(assessment, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return procurement_services.approve_assessment(assessment, user=lead)


def fail_then(receiver, *statuses):
    receiver.statuses.extend(statuses)


def make_due(delivery):
    """The retry's time has come (as if the clock had moved on)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_an_approval_reaches_the_receiver_signed(
    receiver, endpoint, secret, submitted, lead, django_capture_on_commit_callbacks
):
    approve(submitted, lead, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request["headers"].items()}
    signing.verify(secret, headers, request["body"], now=time.time())
    delivery = Delivery.objects.get()
    assert headers["webhook-id"] == f"msg_{delivery.pk.hex}"
    assert headers["content-type"] == "application/json"
    assert request["path"] == "/hooks"


def test_the_payload_names_the_event_the_organisation_and_the_object(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    approve(submitted, lead, django_capture_on_commit_callbacks)

    payload = json.loads(receiver.requests[0]["body"])
    assert uuid.UUID(payload["id"])
    assert payload["occurred_at"].endswith("Z")
    assert (payload["type"], payload["organisation"]) == (
        "assessment.approved",
        submitted.organisation_id,
    )
    assert payload["data"] == {
        "object": "assessment",
        "id": submitted.pk,
        "url": f"/api/v1/assessments/{submitted.pk}/",
        "status": "approved",
        "version": submitted.version + 1,
        "procurement": submitted.procurement_id,
        "procurement_url": f"/api/v1/procurements/{submitted.procurement_id}/",
        "offer": submitted.offer_id,
        "global_score": str(submitted.global_score),
        "trust_level": submitted.trust_level,
        "eligible": submitted.eligible,
    }


def test_the_site_url_makes_the_api_urls_absolute(
    settings, receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_SITE_URL = "https://scorecard.example.org/"

    approve(submitted, lead, django_capture_on_commit_callbacks)

    data = json.loads(receiver.requests[0]["body"])["data"]
    assert data["url"] == (
        f"https://scorecard.example.org/api/v1/assessments/{submitted.pk}/"
    )


def test_a_successful_attempt_is_logged(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    approve(submitted, lead, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    attempt = delivery.attempts.get()
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (
        "succeeded",
        1,
        200,
    )
    assert (attempt.status_code, attempt.error, attempt.response_excerpt) == (
        200,
        "",
        "answer 200",
    )


def test_nothing_is_sent_for_a_change_rolled_back(receiver, endpoint, submitted, lead):
    with pytest.raises(RuntimeError), transaction.atomic():
        procurement_services.approve_assessment(submitted, user=lead)
        raise RuntimeError("rolled back")

    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_an_endpoint_gets_only_the_events_it_asked_for(
    receiver, organisation, lead, submitted, django_capture_on_commit_callbacks
):
    services.create_endpoint(
        organisation, user=lead, url=receiver.url, events=["procurement.closed"]
    )

    approve(submitted, lead, django_capture_on_commit_callbacks)

    assert receiver.requests == []


def test_a_disabled_endpoint_gets_nothing(
    receiver, endpoint, lead, submitted, django_capture_on_commit_callbacks
):
    services.update_endpoint(endpoint, user=lead, is_active=False)

    approve(submitted, lead, django_capture_on_commit_callbacks)

    assert receiver.requests == []


def test_another_organisations_endpoint_gets_nothing(
    receiver, submitted, lead, django_capture_on_commit_callbacks
):
    other = OrganisationFactory()
    services.create_endpoint(
        other,
        user=member(other, Membership.Role.LEAD),
        url=receiver.url,
        events=Event.values,
    )

    approve(submitted, lead, django_capture_on_commit_callbacks)

    assert receiver.requests == []


def test_every_endpoint_of_the_organisation_gets_the_event(
    receiver,
    endpoint,
    organisation,
    lead,
    submitted,
    django_capture_on_commit_callbacks,
):
    services.create_endpoint(
        organisation, user=lead, url=receiver.url + "/second", events=Event.values
    )

    approve(submitted, lead, django_capture_on_commit_callbacks)

    assert sorted(r["path"] for r in receiver.requests) == ["/hooks", "/hooks/second"]
    bodies = {r["body"] for r in receiver.requests}
    assert len(bodies) == 1  # one event, the same id for both


def test_a_failed_attempt_is_logged_and_retried_after_a_minute(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    fail_then(receiver, 500)
    before = timezone.now()

    approve(submitted, lead, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    attempt = delivery.attempts.get()
    assert (delivery.status, delivery.tries, attempt.status_code) == ("pending", 1, 500)
    assert attempt.error == "The endpoint answered 500 Internal Server Error."
    assert attempt.response_excerpt == "answer 500"
    wait = delivery.next_attempt_at - before
    assert datetime.timedelta(seconds=60) <= wait < datetime.timedelta(seconds=70)


def test_a_retry_that_succeeds_delivers_the_same_message(
    receiver, endpoint, secret, submitted, lead, django_capture_on_commit_callbacks
):
    fail_then(receiver, 503)
    approve(submitted, lead, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    make_due(delivery)

    queued = services.send_due()

    delivery.refresh_from_db()
    first, second = receiver.requests
    assert (queued, delivery.status, delivery.tries) == (1, "succeeded", 2)
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert first["body"] == second["body"]
    signing.verify(secret, second["headers"], second["body"], now=time.time())


def test_retries_back_off_then_give_up(
    settings, receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    fail_then(receiver, *[500] * 6)
    approve(submitted, lead, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    waits = []
    while True:
        delivery.refresh_from_db()
        if delivery.status != "pending":
            break
        waits.append(
            round((delivery.next_attempt_at - delivery.updated_at).seconds, -1)
        )
        make_due(delivery)
        services.send_due()

    assert waits == [60, 300, 1800, 7200, 21600]
    assert (delivery.status, delivery.attempts.count()) == ("failed", 6)


def test_the_database_queue_defers_the_retry(
    settings, receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fail_then(receiver, 500)
    approve(submitted, lead, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    first = DBTaskResult.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_delivery(delivery.pk)

    delivery.refresh_from_db()
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.args_kwargs["args"] == [str(delivery.pk)]
    assert retry.run_after == delivery.next_attempt_at


def test_a_timeout_is_logged_as_an_error(
    settings, receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.2
    receiver.delay = 1

    approve(submitted, lead, django_capture_on_commit_callbacks)

    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error == "No answer within 0.2 seconds."


def test_an_answer_sent_slowly_is_read_only_until_the_timeout(
    settings, receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.3
    receiver.dribble = 2

    approve(submitted, lead, django_capture_on_commit_callbacks)

    attempt = Attempt.objects.get()
    assert (attempt.status_code, attempt.response_excerpt) == (200, "a")
    assert Delivery.objects.get().status == "succeeded"


def test_a_redirect_is_not_followed(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    fail_then(receiver, 302)
    receiver.headers = {"Location": "http://127.0.0.1:1/elsewhere"}

    approve(submitted, lead, django_capture_on_commit_callbacks)

    attempt = Attempt.objects.get()
    assert [r["path"] for r in receiver.requests] == ["/hooks"]
    assert (attempt.status_code, Delivery.objects.get().status) == (302, "pending")


def test_a_refused_connection_is_logged(
    endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    Endpoint.objects.filter(pk=endpoint.pk).update(url="http://127.0.0.1:1/hooks")

    approve(submitted, lead, django_capture_on_commit_callbacks)

    assert Attempt.objects.get().error.startswith("ConnectionRefusedError")


def test_the_address_is_checked_again_before_each_attempt(
    settings, receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_LOCALHOST = False

    approve(submitted, lead, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    assert "HTTPS" in Attempt.objects.get().error


def test_a_task_run_twice_sends_once(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    approve(submitted, lead, django_capture_on_commit_callbacks)

    again = services.attempt_delivery(Delivery.objects.get().pk)

    assert again is None
    assert len(receiver.requests) == 1


def test_a_resend_sends_the_same_message_again_with_a_fresh_signature(
    receiver, endpoint, secret, submitted, lead, django_capture_on_commit_callbacks
):
    approve(submitted, lead, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.resend_delivery(delivery, user=lead)

    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert first["body"] == second["body"]
    signing.verify(secret, second["headers"], second["body"], now=time.time())
    assert list(delivery.attempts.order_by("pk").values_list("manual", flat=True)) == [
        False,
        True,
    ]


def test_a_failed_delivery_resent_starts_its_retries_again(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    fail_then(receiver, 500)
    approve(submitted, lead, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", tries=6)

    with django_capture_on_commit_callbacks(execute=True):
        services.resend_delivery(delivery, user=lead)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.tries) == ("succeeded", 1)


def test_only_a_lead_resends(
    receiver, endpoint, evaluator, submitted, lead, django_capture_on_commit_callbacks
):
    approve(submitted, lead, django_capture_on_commit_callbacks)

    with pytest.raises(PermissionDenied):
        services.resend_delivery(Delivery.objects.get(), user=evaluator)


def test_a_delivery_to_a_disabled_endpoint_is_not_resent(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    approve(submitted, lead, django_capture_on_commit_callbacks)
    services.update_endpoint(endpoint, user=lead, is_active=False)

    with pytest.raises(ValidationError, match="Enable the endpoint"):
        services.resend_delivery(Delivery.objects.get(), user=lead)


def test_a_pending_delivery_of_a_disabled_endpoint_fails_without_sending(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    fail_then(receiver, 500)
    approve(submitted, lead, django_capture_on_commit_callbacks)
    services.update_endpoint(endpoint, user=lead, is_active=False)
    delivery = Delivery.objects.get()
    make_due(delivery)

    services.send_due()

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert len(receiver.requests) == 1
    assert delivery.attempts.order_by("-pk").first().error == (
        "The endpoint is disabled; nothing was sent."
    )


def test_a_delivery_held_by_a_dead_worker_is_sent_again(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    fail_then(receiver, 500)
    approve(submitted, lead, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=None,
        claimed_at=timezone.now() - datetime.timedelta(minutes=10),
    )

    services.send_due()

    delivery.refresh_from_db()
    assert (delivery.status, len(receiver.requests)) == ("succeeded", 2)


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(
    receiver, endpoint, secret, submitted, lead, django_capture_on_commit_callbacks
):
    new = services.rotate_secret(endpoint, user=lead)

    approve(submitted, lead, django_capture_on_commit_callbacks)

    request = receiver.requests[0]
    signing.verify(new, request["headers"], request["body"], now=time.time())
    signing.verify(secret, request["headers"], request["body"], now=time.time())
    day_later = timezone.now() + datetime.timedelta(hours=25)
    assert Endpoint.objects.get().secrets(day_later) == [new]


def test_only_a_lead_registers_an_endpoint(organisation, evaluator, receiver):
    with pytest.raises(PermissionDenied):
        services.create_endpoint(
            organisation, user=evaluator, url=receiver.url, events=Event.values
        )


def test_an_endpoint_needs_known_events(organisation, lead, receiver):
    with pytest.raises(ValidationError) as caught:
        services.create_endpoint(
            organisation, user=lead, url=receiver.url, events=["assessment.deleted"]
        )

    assert caught.value.message_dict == {
        "events": ["Unknown events: assessment.deleted."]
    }


def test_an_endpoint_to_a_private_address_is_refused(organisation, lead):
    with pytest.raises(ValidationError) as caught:
        services.create_endpoint(
            organisation, user=lead, url="https://10.0.0.1/", events=Event.values
        )

    assert list(caught.value.message_dict) == ["url"]


def test_an_endpoint_that_answers_410_gone_is_disabled_and_not_retried(
    receiver, endpoint, submitted, lead, django_capture_on_commit_callbacks
):
    fail_then(receiver, 410)

    approve(submitted, lead, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    assert "410 Gone: it was disabled" in delivery.attempts.get().error


def test_finished_deliveries_past_the_keeping_period_are_deleted(
    endpoint, settings, submitted, lead, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_KEEP_DAYS = 30
    approve(submitted, lead, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    pending = Delivery.objects.create(
        endpoint=endpoint,
        event_id=delivery.event_id,
        event=delivery.event,
        body=delivery.body,
    )
    Delivery.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )

    assert services.prune_deliveries() == 1
    assert list(Delivery.objects.all()) == [pending]
    assert not Attempt.objects.filter(delivery_id=delivery.pk).exists()
