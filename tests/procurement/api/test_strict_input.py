"""Strict input: what DRF would let through silently is a 400 naming it."""

import pytest

from config.rest import OrderingFilter
from procurement.api import ProviderViewSet
from procurement.models import Answer, Provider
from tests.procurement.api.helpers import client_for, problem_errors, url

pytestmark = pytest.mark.django_db


def test_an_unknown_field_is_a_400_naming_it(organisation, evaluator):
    response = client_for(evaluator).post(
        url("provider-list"), {"name": "Beta", "nmae": "Beta", "colour": "red"}
    )

    assert response.status_code == 400
    assert problem_errors(response) == {
        "/colour": ["Unknown field: colour."],
        "/nmae": ["Unknown field: nmae."],
    }
    assert not Provider.objects.exists()


def test_an_unknown_field_inside_an_answer_points_at_that_answer(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        {"version": 1, "answers": [{"criterion": "OWN-1", "level": 3, "lvl": 2}]},
    )

    assert list(problem_errors(response)) == ["/answers/0/lvl"]
    assert not Answer.objects.exists()


def test_a_field_of_the_read_body_sent_back_is_named_too(procurement, lead):
    read = client_for(lead).get(url("procurement-detail", procurement.pk)).json()

    response = client_for(lead).patch(
        url("procurement-detail", procurement.pk),
        {"title": "New", "updated_at": read["updated_at"]},
    )

    assert list(problem_errors(response)) == ["/updated_at"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", "a boolean"),
        (1, "a boolean"),
        ("true", "a boolean"),
    ],
)
def test_a_boolean_must_be_a_json_boolean(value, expected, assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        {
            "version": 1,
            "answers": [{"criterion": "OWN-1", "not_applicable": value}],
        },
    )

    errors = problem_errors(response)
    assert expected in errors["/answers/0/not_applicable"][0]
    assert response.json()["errors"][0]["code"] == "invalid_type"


def test_a_number_for_a_string_is_a_400(organisation, evaluator):
    response = client_for(evaluator).post(url("provider-list"), {"name": 12})

    assert "a string" in problem_errors(response)["/name"][0]


@pytest.mark.parametrize("size", ["0", "-5", "100000", "ten"])
def test_a_page_size_out_of_range_is_a_400_naming_it(size, lead):
    response = client_for(lead).get(url("provider-list"), {"page_size": size})

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_page_size"
    assert "from 1 to 200" in problem_errors(response)["/page_size"][0]


@pytest.mark.parametrize("page", ["0", "99", "first"])
def test_a_page_that_is_not_one_of_the_lists_is_a_400_naming_it(page, lead):
    response = client_for(lead).get(url("provider-list"), {"page": page})

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_page"
    assert list(problem_errors(response)) == ["/page"]


def test_a_page_size_in_range_is_honoured(organisation, lead):
    Provider.objects.bulk_create(
        Provider(organisation=organisation, name=f"P{i}") for i in range(3)
    )

    response = client_for(lead).get(url("provider-list"), {"page_size": 2})

    assert [len(response.json()["results"]), response.json()["count"]] == [2, 3]


def test_an_unknown_ordering_lists_the_known_ones(lead):
    response = client_for(lead).get(url("provider-list"), {"ordering": "name,-secret"})

    [message] = problem_errors(response)["/ordering"]
    assert response.json()["errors"][0]["code"] == "invalid_ordering"
    assert message.startswith("Unknown ordering: -secret. Known: name, -name,")


def test_a_known_ordering_orders(organisation, lead):
    Provider.objects.bulk_create(
        Provider(organisation=organisation, name=name) for name in ["B", "A", "C"]
    )

    response = client_for(lead).get(url("provider-list"), {"ordering": "-name"})

    assert [p["name"] for p in response.json()["results"]] == ["C", "B", "A"]


def test_the_schema_lists_the_ordering_values():
    [parameter] = OrderingFilter().get_schema_operation_parameters(ProviderViewSet())

    assert parameter["schema"] == {
        "type": "array",
        "items": {
            "type": "string",
            "enum": [
                "name",
                "-name",
                "country",
                "-country",
                "created_at",
                "-created_at",
                "updated_at",
                "-updated_at",
            ],
        },
    }
    assert (parameter["style"], parameter["explode"]) == ("form", False)


@pytest.mark.parametrize("name", ["Beta\x1bCloud", "Beta\x00", ["FR", "D\x07E"]])
def test_text_with_control_characters_is_a_400(name, offer, evaluator):
    field = "regions" if isinstance(name, list) else "name"

    response = client_for(evaluator).patch(url("offer-detail", offer.pk), {field: name})

    assert response.json()["errors"][0]["code"] == "invalid_characters"
    assert list(problem_errors(response)) == [f"/{field}"]


def test_tabs_and_newlines_are_text_like_any_other(assessment, evaluator):
    response = client_for(evaluator).put(
        url("assessment-summary", assessment.pk), {"summary": "One.\n\tTwo.\r\n"}
    )

    assert response.status_code == 200
