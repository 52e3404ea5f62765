"""The record through the API: partial answers, conflicts, the workflow, history."""

import pytest

from procurement import services
from procurement.models import Assessment, Membership
from tests.conftest import member
from tests.procurement.api.helpers import client_for, problem_fields, url

pytestmark = pytest.mark.django_db


def post_answers(user, assessment, version, *answers):
    return client_for(user).post(
        url("assessment-answers", assessment.pk),
        {"version": version, "answers": list(answers)},
    )


def test_an_answer_naming_only_its_level_keeps_its_evidence_and_texts(
    assessment, evaluator
):
    post_answers(
        evaluator,
        assessment,
        1,
        {
            "criterion": "JUR-1",
            "level": 3,
            "evidence": "verified",
            "justification": "Opinion of counsel.",
            "evidence_reference": "Annex 2",
        },
    )

    response = post_answers(
        evaluator, assessment, 2, {"criterion": "JUR-1", "level": 4}
    )

    answer = assessment.answers.get(criterion__code="JUR-1")
    assert response.status_code == 200
    assert (answer.level, answer.evidence, answer.justification) == (
        4,
        "verified",
        "Opinion of counsel.",
    )
    assert answer.evidence_reference == "Annex 2"


def test_an_empty_save_is_a_400_and_keeps_the_version(assessment, evaluator):
    response = post_answers(evaluator, assessment, 1)

    assessment.refresh_from_db()
    assert response.status_code == 400
    assert assessment.version == 1


def test_a_stale_version_on_another_criterion_is_merged(assessment, evaluator, lead):
    post_answers(evaluator, assessment, 1, {"criterion": "OWN-1", "level": 2})

    response = post_answers(lead, assessment, 1, {"criterion": "OWN-2", "level": 3})

    assert response.status_code == 200
    assert response.json()["version"] == 3


def test_a_stale_version_on_a_criterion_someone_changed_is_a_409_naming_it(
    assessment, evaluator, lead
):
    post_answers(evaluator, assessment, 1, {"criterion": "OWN-1", "level": 2})

    response = post_answers(
        lead,
        assessment,
        1,
        {"criterion": "OWN-1", "level": 4},
        {"criterion": "OWN-2", "level": 3},
    )

    assert response.status_code == 409
    assert response.json()["criteria"] == ["OWN-1"]
    assert response.json()["current_version"] == 2
    assert not assessment.answers.filter(criterion__code="OWN-2").exists()


def test_answers_to_a_closed_procurement_are_a_409(assessment, evaluator, lead):
    services.close_procurement(assessment.procurement, user=lead)

    response = post_answers(
        evaluator, assessment, 1, {"criterion": "OWN-1", "level": 2}
    )

    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


@pytest.mark.parametrize("status", ["open", "closed"])
def test_an_evaluator_cannot_create_an_open_or_closed_procurement(
    evaluator, catalogue, status
):
    response = client_for(evaluator).post(
        url("procurement-list"), {"title": "Payroll", "profile": "N3", "status": status}
    )

    assert response.status_code == 403


def test_an_evaluators_new_procurement_is_a_draft(evaluator, catalogue):
    response = client_for(evaluator).post(
        url("procurement-list"), {"title": "Payroll", "profile": "N3"}
    )

    assert (response.status_code, response.json()["status"]) == (201, "draft")


def submitted_by(user, assessment):
    return services.submit_assessment(assessment, user=user)


def test_the_submitter_cannot_approve_under_four_eyes(assessment, lead):
    submitted_by(lead, assessment)

    response = client_for(lead).post(
        url("assessment-approve", assessment.pk), {"reason": "Workflow test."}
    )

    assert response.status_code == 403
    assert "four-eyes" in response.json()["detail"]


def test_an_incomplete_approval_needs_a_reason(assessment, evaluator, lead):
    submitted_by(evaluator, assessment)

    refused = client_for(lead).post(url("assessment-approve", assessment.pk))
    approved = client_for(lead).post(
        url("assessment-approve", assessment.pk), {"reason": "Bidder answered no more."}
    )

    assert refused.status_code == 400
    assert problem_fields(refused) == ["reason"]
    assert approved.json()["status"] == "approved"


def test_a_lead_reopens_an_approved_assessment_with_a_reason(
    assessment, evaluator, lead
):
    submitted_by(evaluator, assessment)
    services.approve_assessment(assessment, user=lead, reason="Test.")

    refused = client_for(lead).post(url("assessment-reopen", assessment.pk))
    reopened = client_for(lead).post(
        url("assessment-reopen", assessment.pk), {"reason": "New evidence arrived."}
    )

    assert refused.status_code == 400
    assert reopened.json()["status"] == "draft"


def test_a_lead_withdraws_an_offer_and_the_ranking_lists_it_apart(assessment, lead):
    response = client_for(lead).post(
        url("assessment-withdraw", assessment.pk), {"reason": "Bidder withdrew."}
    )
    ranking = client_for(lead).get(
        url("procurement-ranking", assessment.procurement_id)
    )

    assert response.json()["status"] == "withdrawn"
    data = ranking.json()
    assert data["eligible"] == data["excluded"] == []
    assert [w["reason"] for w in data["withdrawn"]] == ["Bidder withdrew."]


def test_the_ranking_says_when_it_is_provisional_and_each_rows_status(assessment, lead):
    data = (
        client_for(lead)
        .get(url("procurement-ranking", assessment.procurement_id))
        .json()
    )

    rows = data["eligible"] + data["excluded"]
    assert data["provisional"] is True
    assert [row["status"] for row in rows] == ["draft"]


def test_the_assessment_history_is_newest_first_with_every_field(
    assessment, evaluator, lead
):
    post_answers(evaluator, assessment, 1, {"criterion": "OWN-1", "level": 2})
    post_answers(lead, assessment, 2, {"criterion": "OWN-1", "level": 3})

    entries = (
        client_for(lead).get(url("assessment-history", assessment.pk)).json()["results"]
    )

    newest = entries[0]
    assert set(newest) >= {"at", "user", "action", "criterion", "changes", "hash"}
    assert (newest["user"], newest["criterion"]) == (lead.username, "OWN-1")
    assert newest["changes"] == [{"field": "level", "before": 2, "after": 3}]
    assert newest["previous_hash"] == entries[1]["hash"]
    assert [e["action"] for e in entries][-1] == "assessment.started"


def test_the_history_filters_by_criterion_and_user(assessment, evaluator, lead):
    post_answers(evaluator, assessment, 1, {"criterion": "OWN-1", "level": 2})
    post_answers(lead, assessment, 2, {"criterion": "OWN-2", "level": 3})
    history = url("assessment-history", assessment.pk)

    by_criterion = client_for(lead).get(history, {"criterion": "OWN-2"}).json()
    by_user = client_for(lead).get(history, {"user": evaluator.username}).json()

    assert [e["criterion"] for e in by_criterion["results"]] == ["OWN-2"]
    assert [e["criterion"] for e in by_user["results"]][0] == "OWN-1"
    assert "OWN-2" not in [e["criterion"] for e in by_user["results"]]


def test_the_procurement_history_includes_its_status_changes(assessment, lead):
    services.close_procurement(assessment.procurement, user=lead, reason="Deadline.")

    entries = (
        client_for(lead)
        .get(url("procurement-history", assessment.procurement_id))
        .json()["results"]
    )

    assert entries[0]["action"] == "procurement.closed"
    assert entries[0]["reason"] == "Deadline."


def test_history_queries_do_not_grow_with_the_entries(
    assessment, evaluator, django_assert_max_num_queries
):
    for version in range(1, 31):
        post_answers(
            evaluator, assessment, version, {"criterion": "OWN-1", "level": version % 5}
        )

    with django_assert_max_num_queries(8):
        client_for(evaluator).get(url("assessment-history", assessment.pk))


def test_another_organisations_history_is_a_404(assessment, catalogue):
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(role="lead").user

    response = client_for(outsider).get(url("assessment-history", assessment.pk))

    assert response.status_code == 404


def test_a_lead_deletes_a_draft_procurement(organisation, lead, catalogue):
    created = client_for(lead).post(
        url("procurement-list"), {"title": "Draft", "profile": "N2", "status": "draft"}
    )

    response = client_for(lead).delete(url("procurement-detail", created.json()["id"]))

    assert response.status_code == 204


def test_a_lead_turns_four_eyes_off_with_a_reason(organisation, lead):
    refused = client_for(lead).patch(
        url("organisation-detail", organisation.pk), {"four_eyes": False}
    )
    done = client_for(lead).patch(
        url("organisation-detail", organisation.pk),
        {"four_eyes": False, "reason": "One-person team."},
    )

    assert refused.status_code == 400
    assert (done.status_code, done.json()["four_eyes"]) == (200, False)


def test_an_evaluator_cannot_change_four_eyes(organisation, evaluator):
    response = client_for(evaluator).patch(
        url("organisation-detail", organisation.pk),
        {"four_eyes": False, "reason": "x"},
    )

    assert response.status_code == 403


def test_a_second_lead_approves(assessment, evaluator, organisation):
    second = member(organisation, Membership.Role.LEAD)
    submitted_by(evaluator, assessment)

    response = client_for(second).post(
        url("assessment-approve", assessment.pk), {"reason": "Test."}
    )

    assert Assessment.objects.get(pk=assessment.pk).approved_by == second
    assert response.status_code == 200


def test_the_history_syncs_only_entries_after_a_moment(assessment, evaluator, lead):
    post_answers(evaluator, assessment, 1, {"criterion": "OWN-1", "level": 2})
    history = url("assessment-history", assessment.pk)
    seen = client_for(lead).get(history).json()["results"][0]["at"]
    post_answers(lead, assessment, 2, {"criterion": "OWN-2", "level": 3})

    newer = client_for(lead).get(history, {"updated_after": seen}).json()["results"]

    assert [e["criterion"] for e in newer] == ["OWN-2"]
