"""``/api/v1/webhooks/``: leads manage their organisations' endpoints, read
the deliveries and resend one; nobody else sees them."""

import json

import pytest
from rest_framework.test import APIClient

from accounts import services as accounts_services
from procurement.models import Membership
from tests.conftest import member
from tests.factories import OrganisationFactory
from tests.procurement.api.helpers import problem_errors, problem_fields
from webhooks import services
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def emit(organisation, capture, event="procurement.closed"):
    with capture(execute=True):
        services.emit(event, organisation_id=organisation.pk, data={"id": 1})


@pytest.fixture
def foreign_endpoint(receiver):
    other = OrganisationFactory()
    endpoint, _secret = services.create_endpoint(
        other,
        user=member(other, Membership.Role.LEAD),
        url=receiver.url,
        events=Event.values,
    )
    return endpoint


def test_a_lead_registers_an_endpoint_and_sees_its_secret_once(
    lead, organisation, receiver
):
    client = client_of(lead)

    created = client.post(
        URL,
        {"url": receiver.url, "events": ["assessment.approved"], "description": "ERP"},
    )
    read = client.get(f"{URL}{created.json()['id']}/")

    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret_hint"] == body["secret"][:10] + "…"
    assert (body["organisation"], body["events"], body["is_active"]) == (
        organisation.pk,
        ["assessment.approved"],
        True,
    )
    assert "secret" not in read.json()
    assert Endpoint.objects.get().created_by == lead


def test_a_plain_http_url_is_a_400_that_says_why(settings, lead):
    settings.WEBHOOKS_ALLOW_LOCALHOST = False

    response = client_of(lead).post(
        URL, {"url": "http://127.0.0.1:9/hooks", "events": ["export.ready"]}
    )

    assert response.status_code == 400
    assert problem_errors(response) == {
        "/url": ["Webhooks are sent over HTTPS only: the URL must start with https://."]
    }


def test_a_private_address_is_a_400(lead):
    response = client_of(lead).post(
        URL, {"url": "https://192.168.1.2/hooks", "events": ["export.ready"]}
    )

    assert response.status_code == 400
    assert "private network" in problem_errors(response)["/url"][0]


def test_unknown_events_are_a_400(lead, receiver):
    response = client_of(lead).post(
        URL, {"url": receiver.url, "events": ["assessment.deleted"]}
    )

    assert response.status_code == 400
    assert problem_fields(response) == ["events"]


def test_no_events_is_a_400(lead, receiver):
    response = client_of(lead).post(URL, {"url": receiver.url, "events": []})

    assert response.status_code == 400
    assert problem_fields(response) == ["events"]


def test_an_evaluator_cannot_register_an_endpoint(evaluator, receiver):
    response = client_of(evaluator).post(
        URL, {"url": receiver.url, "events": ["export.ready"]}
    )

    assert response.status_code == 403
    assert not Endpoint.objects.exists()


def test_a_lead_cannot_register_for_another_organisation(lead, receiver):
    other = OrganisationFactory()

    response = client_of(lead).post(
        URL,
        {"url": receiver.url, "events": ["export.ready"], "organisation": other.pk},
    )

    assert response.status_code == 400
    assert problem_fields(response) == ["organisation"]


def test_a_lead_of_two_organisations_must_say_which(lead, receiver):
    second = OrganisationFactory()
    Membership.objects.create(user=lead, organisation=second, role="lead")

    response = client_of(lead).post(
        URL, {"url": receiver.url, "events": ["export.ready"]}
    )

    assert response.status_code == 400
    assert "several organisations" in problem_errors(response)["/organisation"][0]


def test_the_list_holds_only_the_leads_organisations_endpoints(
    lead, endpoint, foreign_endpoint
):
    response = client_of(lead).get(URL)

    assert [item["id"] for item in response.json()["results"]] == [endpoint.pk]


def test_an_evaluator_sees_no_endpoint(evaluator, endpoint):
    response = client_of(evaluator).get(URL)

    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("get", "deliveries/"),
        ("post", "rotate-secret/"),
    ],
)
def test_another_organisations_endpoint_is_a_404(
    lead, foreign_endpoint, method, suffix
):
    response = getattr(client_of(lead), method)(f"{URL}{foreign_endpoint.pk}/{suffix}")

    assert response.status_code == 404
    assert Endpoint.objects.filter(pk=foreign_endpoint.pk).exists()


def test_a_lead_changes_the_events_and_disables_an_endpoint(lead, endpoint):
    response = client_of(lead).patch(
        f"{URL}{endpoint.pk}/",
        {"events": ["procurement.closed", "assessment.approved"], "is_active": False},
    )

    endpoint.refresh_from_db()
    assert response.status_code == 200
    assert (endpoint.events, endpoint.is_active) == (
        ["assessment.approved", "procurement.closed"],
        False,
    )


def test_the_organisation_of_an_endpoint_does_not_change(lead, endpoint):
    other = OrganisationFactory()
    Membership.objects.create(user=lead, organisation=other, role="lead")

    client_of(lead).patch(f"{URL}{endpoint.pk}/", {"organisation": other.pk})

    endpoint.refresh_from_db()
    assert endpoint.organisation_id != other.pk


def test_a_lead_deletes_an_endpoint(lead, endpoint):
    response = client_of(lead).delete(f"{URL}{endpoint.pk}/")

    assert response.status_code == 204
    assert not Endpoint.objects.exists()


def test_rotating_gives_a_new_secret_once(lead, endpoint, secret):
    response = client_of(lead).post(f"{URL}{endpoint.pk}/rotate-secret/")

    endpoint.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["secret"] == endpoint.secret != secret
    assert endpoint.previous_secret == secret


def test_the_deliveries_list_every_attempt(
    lead, organisation, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses.append(500)
    emit(organisation, django_capture_on_commit_callbacks)

    response = client_of(lead).get(f"{URL}{endpoint.pk}/deliveries/")

    [delivery] = response.json()["results"]
    assert delivery["event"] == "procurement.closed"
    assert delivery["status"] == "pending"
    assert delivery["payload"]["data"] == {"id": 1}
    assert delivery["message_id"] == f"msg_{Delivery.objects.get().pk.hex}"
    assert [
        (a["status_code"], a["error"], a["response_excerpt"])
        for a in delivery["attempts"]
    ] == [(500, "The endpoint answered 500 Internal Server Error.", "answer 500")]


def test_a_lead_resends_a_delivery(
    lead, organisation, endpoint, receiver, django_capture_on_commit_callbacks
):
    emit(organisation, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(lead).post(
            f"{URL}{endpoint.pk}/deliveries/{delivery.pk}/resend/"
        )

    assert response.status_code == 202
    assert len(receiver.requests) == 2
    assert Delivery.objects.get().attempts.filter(manual=True).count() == 1


def test_resending_another_endpoints_delivery_is_a_404(
    lead, organisation, endpoint, receiver, django_capture_on_commit_callbacks
):
    second, _secret = services.create_endpoint(
        organisation, user=lead, url=receiver.url, events=["export.ready"]
    )
    emit(organisation, django_capture_on_commit_callbacks)

    response = client_of(lead).post(
        f"{URL}{second.pk}/deliveries/{Delivery.objects.get().pk}/resend/"
    )

    assert response.status_code == 404


def test_an_evaluator_cannot_resend(
    evaluator, organisation, endpoint, django_capture_on_commit_callbacks
):
    emit(organisation, django_capture_on_commit_callbacks)

    response = client_of(evaluator).post(
        f"{URL}{endpoint.pk}/deliveries/{Delivery.objects.get().pk}/resend/"
    )

    assert response.status_code == 404


def test_a_read_only_token_cannot_register_an_endpoint(lead, receiver):
    _token, key = accounts_services.create_token(lead, name="ro", scope="read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(URL, {"url": receiver.url, "events": ["export.ready"]})

    assert response.status_code == 403


def test_anonymous_users_see_nothing(endpoint):
    response = APIClient().get(URL)

    assert response.status_code == 401


def test_the_deliveries_page_reads_a_fixed_number_of_queries(
    lead,
    organisation,
    endpoint,
    receiver,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    client = client_of(lead)
    emit(organisation, django_capture_on_commit_callbacks)
    url = f"{URL}{endpoint.pk}/deliveries/"
    client.get(url)  # the user's roles, read once per user object

    # The endpoint (with the lead's organisations), the count, the page of
    # deliveries, their attempts.
    with django_assert_num_queries(4):
        client.get(url)
    for _ in range(3):
        emit(organisation, django_capture_on_commit_callbacks)
    with django_assert_num_queries(4):
        response = client.get(url)
    assert json.loads(response.content)["count"] == 4


def test_an_unknown_field_is_a_400_naming_it(lead, receiver):
    response = client_of(lead).post(
        URL, {"url": receiver.url, "events": ["export.ready"], "colour": "red"}
    )

    assert response.status_code == 400
    assert problem_fields(response) == ["colour"]
    assert not Endpoint.objects.exists()


def test_the_list_syncs_only_endpoints_changed_after_a_moment(lead, endpoint):
    seen = endpoint.updated_at.isoformat()
    services.update_endpoint(endpoint, user=lead, description="Payroll")

    changed = client_of(lead).get(URL, {"updated_after": seen}).json()["results"]
    unchanged = (
        client_of(lead)
        .get(URL, {"updated_after": Endpoint.objects.get().updated_at.isoformat()})
        .json()["results"]
    )

    assert [item["description"] for item in changed] == ["Payroll"]
    assert unchanged == []
