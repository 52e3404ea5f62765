"""The Webhooks pages of an organisation's settings: leads only, forms with
clear errors, the secret shown once, the deliveries log and its resend."""

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory
from webhooks import services
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def url(name, organisation, *args):
    return reverse(f"webhooks:{name}", args=[organisation.pk, *args])


def emit(organisation, capture):
    with capture(execute=True):
        services.emit("export.ready", organisation_id=organisation.pk, data={"id": 1})


def test_the_settings_page_links_to_the_webhooks(lead_client, organisation):
    response = lead_client.get(
        reverse("procurement:organisation-settings", args=[organisation.pk])
    )

    assert url("endpoint-list", organisation) in response.content.decode()


def test_the_list_shows_the_organisations_endpoints(
    lead_client, organisation, endpoint
):
    response = lead_client.get(url("endpoint-list", organisation))

    assert response.status_code == 200
    assert endpoint.url in response.content.decode()


def test_an_evaluator_is_refused_the_webhooks_pages(client, evaluator, organisation):
    client.force_login(evaluator)

    response = client.get(url("endpoint-list", organisation))

    assert response.status_code == 403


def test_another_organisations_webhooks_are_a_404(lead_client):
    other = OrganisationFactory()

    response = lead_client.get(url("endpoint-list", other))

    assert response.status_code == 404


def test_another_organisations_endpoint_is_a_404_under_mine(
    lead_client, organisation, receiver
):
    other = OrganisationFactory()
    foreign = Endpoint.objects.create(
        organisation=other, url=receiver.url, events=Event.values, secret="whsec_x"
    )

    response = lead_client.get(url("endpoint-detail", organisation, foreign.pk))

    assert response.status_code == 404


def test_creating_an_endpoint_shows_its_secret_once(
    lead_client, organisation, receiver
):
    response = lead_client.post(
        url("endpoint-create", organisation),
        {"url": receiver.url, "events": ["assessment.approved"], "is_active": "on"},
    )

    endpoint = Endpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret in response.content.decode()
    detail = lead_client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret not in detail
    assert endpoint.secret_hint in detail


def test_a_private_address_is_refused_on_the_form_with_the_reason(
    lead_client, organisation
):
    response = lead_client.post(
        url("endpoint-create", organisation),
        {"url": "https://10.0.0.8/hooks", "events": ["export.ready"]},
    )

    assert response.status_code == 200
    assert "an address of a private network" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_form_asks_for_at_least_one_event(lead_client, organisation, receiver):
    response = lead_client.post(
        url("endpoint-create", organisation), {"url": receiver.url}
    )

    assert "Choose at least one event." in response.content.decode()


def test_the_form_in_french_says_why_http_is_refused(
    settings, lead_client, organisation
):
    settings.WEBHOOKS_ALLOW_LOCALHOST = False

    response = lead_client.post(
        url("endpoint-create", organisation),
        {"url": "http://127.0.0.1/hooks", "events": ["export.ready"]},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert "HTTPS" in response.content.decode()
    assert "uniquement" in response.content.decode()


def test_a_lead_changes_the_events(lead_client, organisation, endpoint):
    response = lead_client.post(
        url("endpoint-edit", organisation, endpoint.pk),
        {"url": endpoint.url, "events": ["procurement.opened"], "is_active": "on"},
    )

    endpoint.refresh_from_db()
    assert response.status_code == 302
    assert endpoint.events == ["procurement.opened"]


def test_a_lead_disables_then_enables_an_endpoint(lead_client, organisation, endpoint):
    lead_client.post(url("endpoint-toggle", organisation, endpoint.pk))
    disabled = Endpoint.objects.get().is_active
    lead_client.post(url("endpoint-toggle", organisation, endpoint.pk))

    assert (disabled, Endpoint.objects.get().is_active) == (False, True)


def test_rotating_shows_the_new_secret(lead_client, organisation, endpoint, secret):
    response = lead_client.post(url("endpoint-rotate", organisation, endpoint.pk))

    endpoint.refresh_from_db()
    assert endpoint.secret != secret
    assert endpoint.secret in response.content.decode()


def test_a_lead_deletes_an_endpoint_after_confirming(
    lead_client, organisation, endpoint
):
    confirm = lead_client.get(url("endpoint-delete", organisation, endpoint.pk))
    response = lead_client.post(url("endpoint-delete", organisation, endpoint.pk))

    assert confirm.status_code == 200
    assert response.status_code == 302
    assert not Endpoint.objects.exists()


def test_the_endpoint_page_logs_each_attempt(
    lead_client, organisation, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses.append(500)
    emit(organisation, django_capture_on_commit_callbacks)

    page = lead_client.get(endpoint.get_absolute_url()).content.decode()

    assert "HTTP 500" in page
    assert "The endpoint answered 500 Internal Server Error." in page
    assert Delivery.objects.get().message_id in page


def test_the_resend_button_sends_again(
    lead_client, organisation, endpoint, receiver, django_capture_on_commit_callbacks
):
    emit(organisation, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            url("delivery-resend", organisation, endpoint.pk, delivery.pk)
        )

    assert response.status_code == 302
    assert len(receiver.requests) == 2


def test_the_endpoint_page_reads_a_fixed_number_of_queries(
    lead_client,
    organisation,
    endpoint,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    emit(organisation, django_capture_on_commit_callbacks)
    lead_client.get(endpoint.get_absolute_url())

    # Session, user, organisation, roles, endpoint, count, deliveries,
    # attempts, plus the session and messages bookkeeping.
    with django_assert_max_num_queries(12) as first:
        lead_client.get(endpoint.get_absolute_url())
    for _ in range(3):
        emit(organisation, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(12) as second:
        lead_client.get(endpoint.get_absolute_url())
    assert len(second.captured_queries) == len(first.captured_queries)
