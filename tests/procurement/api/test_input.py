"""Bad input gets a 4xx whose message names the problem, and nothing is saved."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from procurement.api.answers import MAX_ANSWERS_PER_SAVE
from procurement.models import Answer, Assessment, Procurement, Provider
from tests.procurement.api.helpers import client_for, problem_errors, problem_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(evaluator):
    return client_for(evaluator)


@pytest.fixture
def answers_url(assessment):
    return reverse("api:assessment-answers", args=[assessment.pk])


def raw_post(client, url, body, content_type="application/json"):
    return client.generic("POST", url, body, content_type=content_type)


def assert_nothing_saved(assessment):
    assert not Answer.objects.filter(assessment=assessment).exists()
    assert Assessment.objects.get(pk=assessment.pk).version == 1


def test_malformed_json_is_a_400_that_says_so(client, answers_url, assessment):
    response = raw_post(client, answers_url, '{"version": 1, "answers": [')

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert_nothing_saved(assessment)


def test_json_that_is_not_an_object_is_a_400(client, answers_url, assessment):
    response = raw_post(client, answers_url, "[1, 2, 3]")

    assert response.status_code == 400
    assert "Expected a dictionary" in problem_errors(response)[""][0]
    assert_nothing_saved(assessment)


def test_json_nested_too_deeply_is_a_400(client, answers_url, assessment):
    response = raw_post(client, answers_url, "[" * 100_000 + "]" * 100_000)

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert_nothing_saved(assessment)


def test_another_content_type_is_a_415(client, answers_url, assessment):
    response = raw_post(client, answers_url, "version=1", "text/plain")

    assert response.status_code == 415
    assert "text/plain" in response.json()["detail"]
    assert_nothing_saved(assessment)


def test_a_body_over_the_upload_limit_is_a_413_naming_the_limit(
    client, answers_url, assessment, settings
):
    body = json.dumps(
        {
            "version": 1,
            "answers": [{"criterion": "OWN-1", "level": 3, "justification": "x"}],
        }
    )
    body = body.replace('"x"', '"' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"')

    response = raw_post(client, answers_url, body)

    assert response.status_code == 413
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in response.json()["detail"]
    assert_nothing_saved(assessment)


def test_too_many_answers_in_one_save_is_a_400(client, answers_url, assessment):
    answers = [{"criterion": "OWN-1", "level": 1}] * (MAX_ANSWERS_PER_SAVE + 1)

    response = client.post(answers_url, {"version": 1, "answers": answers})

    assert response.status_code == 400
    assert (
        f"no more than {MAX_ANSWERS_PER_SAVE}"
        in problem_errors(response)["/answers"][0]
    )
    assert_nothing_saved(assessment)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"answers": [{"criterion": "OWN-1"}]}, "version", "required"),
        ({"version": "one", "answers": []}, "version", "an integer expected"),
        ({"version": 0, "answers": []}, "version", "greater than or equal to 1"),
        ({"version": 1, "answers": {"OWN-1": 3}}, "answers", "Expected a list"),
        ({"version": 1}, "answers", "required"),
    ],
)
def test_a_wrong_envelope_is_a_400_naming_the_field(
    body, field, message, client, answers_url, assessment
):
    response = client.post(answers_url, body)

    assert response.status_code == 400
    assert message in json.dumps(problem_errors(response)[f"/{field}"])
    assert_nothing_saved(assessment)


@pytest.mark.parametrize(
    ("answer", "field", "message"),
    [
        ({"criterion": "OWN-1", "level": "high"}, "level", "an integer expected"),
        ({"criterion": "OWN-1", "level": 5}, "level", "less than or equal to 4"),
        ({"criterion": "OWN-1", "level": -1}, "level", "greater than or equal to 0"),
        ({"criterion": "OWN-1", "level": 10**40}, "level", "less than or equal"),
        ({"criterion": "OWN-1", "evidence": "rumour"}, "evidence", "not a valid"),
        ({"criterion": "NOPE-1", "level": 2}, "criterion", "Unknown criterion NOPE-1"),
        ({"criterion": ["OWN-1"]}, "criterion", "a string expected"),
        ({"level": 2}, "criterion", "required"),
        (
            {"criterion": "OWN-1", "not_applicable": "maybe"},
            "not_applicable",
            "a boolean",
        ),
        ({"criterion": "OWN-1", "not_applicable": "yes"}, "not_applicable", "boolean"),
        ({"criterion": "OWN-1", "not_applicable": 1}, "not_applicable", "boolean"),
        ({"criterion": "OWN-1", "levle": 3}, "levle", "Unknown field: levle."),
        ({"criterion": "TEC-5", "level": 2, "not_applicable": True}, "level", "N/A"),
        ({"criterion": "OWN-1", "justification": "a\x00b"}, "justification", "Control"),
        ({"criterion": "OWN-1", "facts": "12"}, "facts", "Expected a list"),
        ({"criterion": "OWN-1", "facts": [999999]}, "facts", "Cite only facts"),
        (
            {"criterion": "OWN-1", "evidence_reference": "r" * 501},
            "evidence_reference",
            "no more than 500",
        ),
        ("OWN-1", "", "Expected a dictionary"),
    ],
)
def test_a_bad_answer_is_a_400_naming_the_field_in_its_position(
    answer, field, message, client, answers_url, assessment
):
    response = client.post(
        answers_url,
        {"version": 1, "answers": [{"criterion": "OWN-2", "level": 3}, answer]},
    )

    errors = problem_errors(response)
    pointer = f"/answers/1/{field}" if field else "/answers/1"
    assert response.status_code == 400
    assert list(errors) == [pointer]
    assert message in errors[pointer][0]
    assert_nothing_saved(assessment)


def test_a_criterion_twice_is_a_400_on_the_second(client, answers_url, assessment):
    response = client.post(
        answers_url,
        {
            "version": 1,
            "answers": [
                {"criterion": "OWN-1", "level": 3},
                {"criterion": "OWN-1", "level": 4},
            ],
        },
    )

    assert response.status_code == 400
    errors = problem_errors(response)
    assert list(errors) == ["/answers/1/criterion"]
    assert "twice" in errors["/answers/1/criterion"][0]
    assert_nothing_saved(assessment)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"profile": "N3"}, "title", "required"),
        ({"title": "T"}, "profile", "required"),
        ({"title": "T", "profile": 3}, "profile", "a string expected"),
        ({"title": "T", "profile": "N9"}, "profile", "Unknown profile N9"),
        ({"title": "T", "profile": "N3", "colour": "red"}, "colour", "Unknown field"),
        ({"title": "T", "profile": "N3", "deadline": "soon"}, "deadline", "format"),
        ({"title": "T", "profile": "N3", "catalogue": 10**30}, "catalogue", "Invalid"),
        ({"title": "T", "profile": "N3", "status": "won"}, "status", "not a valid"),
        ({"title": "x" * 201, "profile": "N3"}, "title", "no more than 200"),
    ],
)
def test_a_bad_procurement_is_a_400_naming_the_field(
    body, field, message, client, catalogue, organisation
):
    response = client.post(reverse("api:procurement-list"), body)

    assert response.status_code == 400
    assert message in problem_errors(response)[f"/{field}"][0]
    assert not Procurement.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"procurement": "one", "offer": 1}, "procurement"),
        ({"procurement": 10**30, "offer": 1}, "procurement"),
        ({"procurement": None, "offer": 1}, "procurement"),
        ({"offer": 1}, "procurement"),
        ({"procurement": 1, "offer": [1]}, "offer"),
        ({"procurement": 1, "offer": 1, "as_of": "2026-02-30"}, "as_of"),
    ],
)
def test_a_bad_assessment_is_a_400_naming_the_field(body, field, client, assessment):
    response = client.post(reverse("api:assessment-list"), body)

    assert response.status_code == 400
    assert field in problem_fields(response)
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "B", "country": "FRA"}, "country"),
        ({"name": "B", "founded_on": "2020-01-01", "ceased_on": "2019-01-01"}, None),
        ({"name": "B", "status": "bankrupt"}, "status"),
        ({"name": "B", "organisation": "mine"}, "organisation"),
    ],
)
def test_a_bad_provider_is_a_400(body, field, client, organisation):
    response = client.post(reverse("api:provider-list"), body)

    assert response.status_code == 400
    assert field is None or field in problem_fields(response)
    assert not Provider.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"procurement": "abc"},
        {"reference": "perhaps"},
        {"page": "first"},
        {"page": 99},
    ],
)
def test_a_bad_query_parameter_is_a_4xx(query, client, assessment):
    response = client.get(reverse("api:assessment-list"), query)

    assert response.status_code in (400, 404)
    assert response.json()


def test_an_unknown_ordering_field_is_a_400_naming_it(client, assessment):
    response = client.get(reverse("api:assessment-list"), {"ordering": "password"})

    assert response.status_code == 400
    assert "password" in problem_errors(response)["/ordering"][0]


@pytest.mark.parametrize("pk", ["0", "-1", "99999999999999999999999", "abc"])
def test_odd_ids_in_the_path_are_a_json_404(pk, client, assessment):
    response = client.get(f"/api/v1/assessments/{pk}/scorecard/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_path_no_route_matches_is_a_json_404(method):
    client = APIClient(enforce_csrf_checks=True)

    response = getattr(client, method)("/api/v1/assessments/0.5/submit/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:cloud-of-trust:problem:not_found",
        "title": "Not found",
        "status": 404,
        "detail": "Not found.",
        "code": "not_found",
    }
