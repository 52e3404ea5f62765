"""``ETag`` and ``If-Match`` on assessments and their answers, beside the
body's ``version``."""

import pytest

from procurement.models import Answer
from tests.procurement.api.helpers import client_for, url

pytestmark = pytest.mark.django_db

ONE_ANSWER = {"answers": [{"criterion": "OWN-1", "level": 3}]}


def test_an_assessment_and_its_answers_carry_the_same_etag(assessment, viewer):
    client = client_for(viewer)

    detail = client.get(url("assessment-detail", assessment.pk))
    answers = client.get(url("assessment-answers", assessment.pk))

    assert detail["ETag"] == answers["ETag"] == f'"a{assessment.pk}v1"'


def test_a_save_answers_with_the_new_etag(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        ONE_ANSWER,
        HTTP_IF_MATCH=f'"a{assessment.pk}v1"',
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response["ETag"] == f'"a{assessment.pk}v2"'


def test_a_stale_if_match_is_a_412_and_saves_nothing(assessment, evaluator):
    client = client_for(evaluator)
    stale = client.get(url("assessment-detail", assessment.pk))["ETag"]
    client.post(
        url("assessment-answers", assessment.pk),
        {"version": 1, "answers": [{"criterion": "OWN-2", "level": 1}]},
    )

    response = client.post(
        url("assessment-answers", assessment.pk), ONE_ANSWER, HTTP_IF_MATCH=stale
    )

    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    assert not Answer.objects.filter(criterion__code="OWN-1").exists()


def test_if_match_is_checked_before_the_bodys_version(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        {"version": 1, **ONE_ANSWER},
        HTTP_IF_MATCH='"a0v1"',
    )

    assert response.status_code == 412


def test_without_if_match_nor_version_an_answer_save_is_a_400(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk), ONE_ANSWER
    )

    assert [e["pointer"] for e in response.json()["errors"]] == ["/version"]


def test_if_match_guards_a_workflow_step(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-submit", assessment.pk),
        {},
        HTTP_IF_MATCH=f'"a{assessment.pk}v9"',
    )

    assessment.refresh_from_db()
    assert response.status_code == 412
    assert assessment.status == "draft"


def test_if_match_star_matches_any_version(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-submit", assessment.pk), {}, HTTP_IF_MATCH="*"
    )

    assert response.status_code == 200
