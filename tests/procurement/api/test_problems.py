"""One error format for the whole API: RFC 9457 problem details with a
stable ``code`` and, for a refused input, JSON pointers to what is wrong."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from config.api import document_errors
from tests.factories import ProviderFactory
from tests.procurement.api.helpers import client_for, problem_errors, url

pytestmark = pytest.mark.django_db


def test_a_404_is_a_problem_with_every_member(lead):
    response = client_for(lead).get(url("assessment-detail", 999999))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:cloud-of-trust:problem:not_found",
        "title": "Not found",
        "status": 404,
        "detail": "No Assessment matches the given query.",
        "code": "not_found",
    }


def test_a_refused_input_lists_every_error_with_a_pointer_and_a_code(
    assessment, evaluator
):
    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        {
            "version": 1,
            "answers": [
                {"criterion": "OWN-1", "level": 3},
                {"criterion": "OWN-2", "level": 9},
                {"criterion": "OWN-3", "evidence": "rumour"},
            ],
        },
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "invalid")
    assert [(e["pointer"], e["code"]) for e in body["errors"]] == [
        ("/answers/1/level", "max_value"),
        ("/answers/2/evidence", "invalid_choice"),
    ]
    assert body["detail"] == "2 values are invalid; see errors."


def test_a_refusal_of_the_whole_request_points_at_the_whole_body(assessment, lead):
    response = client_for(lead).post(url("assessment-approve", assessment.pk))

    assert response.status_code == 400
    assert list(problem_errors(response)) == [""]


def test_problems_are_translated_but_codes_are_not(lead):
    response = client_for(lead).get(
        url("assessment-detail", 999999), HTTP_ACCEPT_LANGUAGE="fr"
    )

    body = response.json()
    assert (body["title"], body["code"]) == ("Introuvable", "not_found")
    assert body["type"] == "urn:cloud-of-trust:problem:not_found"


def test_a_field_error_is_translated_too(procurement, lead):
    response = client_for(lead).patch(
        url("procurement-detail", procurement.pk),
        {"title": ""},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    body = response.json()
    assert body["title"] == "Requête invalide"
    assert body["errors"] == [
        {
            "pointer": "/title",
            "code": "blank",
            "detail": "Ce champ ne peut être vide.",
        }
    ]


def test_a_provider_name_taken_in_any_case_is_a_unique_error_on_name(
    organisation, evaluator
):
    ProviderFactory(organisation=organisation, name="Beta Cloud")

    response = client_for(evaluator).post(url("provider-list"), {"name": "BETA cloud"})

    assert response.status_code == 400
    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [
        ("/name", "unique")
    ]


def test_renaming_a_provider_to_a_taken_name_is_the_same_unique_error(
    organisation, evaluator
):
    ProviderFactory(organisation=organisation, name="Beta Cloud")
    provider = ProviderFactory(organisation=organisation, name="Gamma")

    response = client_for(evaluator).patch(
        url("provider-detail", provider.pk), {"name": "Beta Cloud"}
    )

    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [
        ("/name", "unique")
    ]


def test_a_procurement_reference_taken_is_a_unique_error_on_reference(
    procurement, lead
):
    response = client_for(lead).post(
        url("procurement-list"),
        {"title": "Again", "profile": "N3", "reference": procurement.reference},
    )

    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [
        ("/reference", "unique")
    ]


def test_an_offer_name_taken_is_a_unique_error_on_name(offer, evaluator):
    response = client_for(evaluator).post(
        url("offer-list"), {"provider": offer.provider_id, "name": offer.name}
    )

    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [
        ("/name", "unique")
    ]


def test_a_stale_version_is_a_conflict_problem_with_the_current_version(
    assessment, evaluator
):
    client = client_for(evaluator)
    client.post(
        url("assessment-answers", assessment.pk),
        {"version": 1, "answers": [{"criterion": "OWN-1", "level": 2}]},
    )

    response = client.post(
        url("assessment-answers", assessment.pk),
        {"version": 1, "answers": [{"criterion": "OWN-1", "level": 3}]},
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (409, "stale_version")
    assert (body["current_version"], body["criteria"]) == (2, ["OWN-1"])


def test_a_method_not_allowed_is_a_problem(lead):
    response = client_for(lead).delete(url("provider-list"))

    assert (response.status_code, response.json()["code"]) == (
        405,
        "method_not_allowed",
    )


def test_a_json_parse_error_is_a_problem(lead):
    response = client_for(lead).post(
        url("provider-list"), "{", content_type="application/json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_throttling_is_a_problem_with_retry_after(lead, settings, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "1/min"})
    cache.clear()
    client = APIClient()
    body = {"username": lead.username, "password": "wrong"}

    client.post(url("token"), body)
    response = client.post(url("token"), body)

    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_the_schema_documents_every_error_as_a_shared_problem_component():
    schema = {
        "paths": {
            "/api/v1/things/{id}/": {
                "post": {
                    "security": [{"tokenAuth": []}],
                    "responses": {
                        "200": {"description": "ok"},
                        "409": {
                            "description": "Old shape",
                            "content": {"application/json": {"schema": {}}},
                        },
                    },
                }
            }
        },
        "components": {"schemas": {"Conflict": {"type": "object"}}},
    }

    result = document_errors(schema, None, None, True)

    responses = result["paths"]["/api/v1/things/{id}/"]["post"]["responses"]
    refs = {
        code: response["content"]["application/problem+json"]["schema"]["$ref"]
        for code, response in responses.items()
        if code != "200"
    }
    assert refs == {
        "400": "#/components/schemas/ValidationProblem",
        "401": "#/components/schemas/Problem",
        "403": "#/components/schemas/Problem",
        "404": "#/components/schemas/Problem",
        "409": "#/components/schemas/ConflictProblem",
        "413": "#/components/schemas/Problem",
        "415": "#/components/schemas/Problem",
    }
    assert "Conflict" not in result["components"]["schemas"]
