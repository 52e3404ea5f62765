"""Who may call what: an anonymous call is a 401, a token is issued for a
password, another organisation's objects are a 404, a viewer gets a 403,
and lists hold only the user's own work and the reference cases."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from procurement.models import Certification
from tests.factories import AssessmentFactory
from tests.procurement.api.helpers import client_for, problem_fields, url

pytestmark = pytest.mark.django_db


# authentication -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "catalogue-list",
        "provider-list",
        "offer-list",
        "procurement-list",
        "assessment-list",
    ],
)
def test_anonymous_lists_are_401_without_data(name, reference_case):
    response = APIClient().get(url(name))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "results" not in response.json()
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "name", ["assessment-detail", "assessment-scorecard", "assessment-answers"]
)
def test_anonymous_cannot_read_even_a_reference_case(name, reference_case):
    response = APIClient().get(url(name, reference_case.pk))

    assert response.status_code == 401


@pytest.fixture
def token_client():
    """An anonymous client, with the token throttle's counters reset."""
    cache.clear()
    yield APIClient()
    cache.clear()


def test_a_token_is_issued_for_username_and_password_and_authenticates(
    token_client, evaluator, procurement
):
    response = token_client.post(
        url("token"), {"username": evaluator.username, "password": "secret-password"}
    )
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    listed = token_client.get(url("procurement-list"))

    assert response.status_code == 201
    assert [p["id"] for p in listed.json()["results"]] == [procurement.pk]


def test_a_wrong_password_gets_a_400_and_no_token(token_client, evaluator):
    response = token_client.post(
        url("token"), {"username": evaluator.username, "password": "guess"}
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_token_requests_are_throttled(token_client, evaluator, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    body = {"username": evaluator.username, "password": "guess"}

    codes = [token_client.post(url("token"), body).status_code for _ in range(3)]

    assert codes == [400, 400, 429]


# another organisation's objects ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "obj", "body"),
    [
        ("get", "provider-detail", "provider", None),
        ("patch", "provider-detail", "provider", {"name": "Mine"}),
        ("post", "provider-facts", "provider", {"statement": "x"}),
        ("get", "offer-detail", "offer", None),
        ("patch", "offer-detail", "offer", {"name": "Mine"}),
        ("get", "procurement-detail", "procurement", None),
        ("get", "procurement-ranking", "procurement", None),
        ("get", "assessment-detail", "assessment", None),
        ("get", "assessment-answers", "assessment", None),
        ("post", "assessment-answers", "assessment", {"version": 1, "answers": []}),
        ("post", "assessment-submit", "assessment", {}),
        ("post", "assessment-approve", "assessment", {}),
        ("get", "assessment-scorecard", "assessment", None),
    ],
)
def test_another_organisations_objects_are_404_everywhere(
    method, name, obj, body, foreign_assessment, lead
):
    target = {
        "assessment": foreign_assessment,
        "procurement": foreign_assessment.procurement,
        "offer": foreign_assessment.offer,
        "provider": foreign_assessment.offer.provider,
    }[obj]

    response = getattr(client_for(lead), method)(url(name, target.pk), body)

    assert response.status_code == 404
    foreign_assessment.refresh_from_db()
    assert (foreign_assessment.version, foreign_assessment.status) == (1, "draft")


def test_lists_show_own_work_and_reference_cases_only(
    foreign_assessment, reference_case, assessment, lead
):
    client = client_for(lead)

    listed = {
        name: {item["id"] for item in client.get(url(name)).json()["results"]}
        for name in ["provider-list", "offer-list", "assessment-list"]
    }

    assert listed == {
        "provider-list": {
            assessment.offer.provider_id,
            reference_case.offer.provider_id,
        },
        "offer-list": {assessment.offer_id, reference_case.offer_id},
        "assessment-list": {assessment.pk, reference_case.pk},
    }


def test_an_assessment_of_a_foreign_procurement_or_offer_is_refused(
    foreign_assessment, procurement, evaluator
):
    client = client_for(evaluator)

    response = client.post(
        url("assessment-list"),
        {
            "procurement": foreign_assessment.procurement_id,
            "offer": foreign_assessment.offer_id,
        },
    )

    assert response.status_code == 400
    assert sorted(problem_fields(response)) == ["offer", "procurement"]


# certifications and procurement changes -------------------------------------


@pytest.fixture
def foreign(catalogue):
    """Another organisation's offer, certification and procurement."""
    assessment = AssessmentFactory()
    offer = assessment.offer
    return {
        "offer": offer,
        "certification": Certification.objects.create(offer=offer, scheme="HDS"),
        "procurement": assessment.procurement,
    }


def call(client, method, name, target, body=None):
    args = [target["offer"].pk, target["certification"].pk]
    if name == "offer-certification":
        path = url(name, *args)
    elif name.startswith("offer"):
        path = url(name, args[0])
    else:
        path = url(name, target["procurement"].pk)
    return getattr(client, method)(path, body)


ENDPOINTS = [
    ("post", "offer-certifications", {"scheme": "ISO 27001"}),
    ("delete", "offer-certification", None),
    ("patch", "procurement-detail", {"title": "Mine"}),
    ("post", "procurement-close", None),
    ("post", "procurement-open", None),
    ("get", "procurement-sensitivity", None),
]


@pytest.mark.parametrize(("method", "name", "body"), ENDPOINTS)
def test_anonymous_is_a_401(foreign, method, name, body):
    response = call(APIClient(), method, name, foreign, body)

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "name", "body"), ENDPOINTS)
def test_another_organisations_objects_are_a_404(foreign, lead, method, name, body):
    response = call(client_for(lead), method, name, foreign, body)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert list(foreign["offer"].certifications.values_list("scheme", flat=True)) == [
        "HDS"
    ]
    foreign["procurement"].refresh_from_db()
    assert (foreign["procurement"].title, foreign["procurement"].status) == (
        "Hosting of the payroll system",
        "open",
    )


@pytest.mark.parametrize(
    ("method", "name", "body"), [e for e in ENDPOINTS if e[0] != "get"]
)
def test_a_viewer_is_a_403(
    viewer, offer, certification, procurement, method, name, body
):
    target = {
        "offer": offer,
        "certification": certification,
        "procurement": procurement,
    }

    response = call(client_for(viewer), method, name, target, body)

    assert response.status_code == 403
    assert list(offer.certifications.values_list("scheme", flat=True)) == ["HDS"]
    procurement.refresh_from_db()
    assert (procurement.title, procurement.status) == (
        "Hosting of the payroll system",
        "open",
    )


def test_a_viewer_reads_the_sensitivity(viewer, procurement):
    response = client_for(viewer).get(url("procurement-sensitivity", procurement.pk))

    assert response.status_code == 200
