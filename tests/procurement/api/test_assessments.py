"""Assessments in the API: creating, filtering and ordering them, saving
answers with the version check, submitting and approving, and reference
cases read-only."""

import pytest

from procurement import services
from procurement.models import Answer, Assessment, Membership
from tests.conftest import member
from tests.factories import OfferFactory, OrganisationFactory, UserFactory
from tests.procurement.api.helpers import (
    client_for,
    problem_errors,
    problem_fields,
    url,
)

pytestmark = pytest.mark.django_db


def test_an_assessment_needs_only_a_procurement_and_an_offer(procurement, evaluator):
    offer = OfferFactory(provider__organisation=procurement.organisation)

    response = client_for(evaluator).post(
        url("assessment-list"), {"procurement": procurement.pk, "offer": offer.pk}
    )

    data = response.json()
    assert response.status_code == 201
    assert (data["profile"], data["catalogue"]["id"], data["version"]) == (
        procurement.profile.code,
        procurement.catalogue_id,
        1,
    )
    assert data["snapshot"]["global_score"] == 0.0


def test_the_same_offer_twice_in_a_procurement_is_a_400(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-list"),
        {"procurement": assessment.procurement_id, "offer": assessment.offer_id},
    )

    assert response.status_code == 400
    assert "already under assessment" in problem_errors(response)["/offer"][0]


def test_assessments_filter_by_reference_procurement_offer_and_status(
    assessment, reference_case, lead
):
    client = client_for(lead)

    def ids(**params):
        return [
            a["id"]
            for a in client.get(url("assessment-list"), params).json()["results"]
        ]

    assert ids(reference="true") == [reference_case.pk]
    assert ids(reference="false") == [assessment.pk]
    assert ids(procurement=assessment.procurement_id) == [assessment.pk]
    assert ids(offer=reference_case.offer_id) == [reference_case.pk]
    assert ids(status="approved") == [reference_case.pk]


def test_a_filter_on_someone_elses_procurement_is_a_400(foreign_assessment, lead):
    response = client_for(lead).get(
        url("assessment-list"), {"procurement": foreign_assessment.procurement_id}
    )

    assert response.status_code == 400
    assert problem_fields(response) == ["procurement"]


def test_lists_order_by_the_ordering_parameter(procurement, evaluator, catalogue):
    low, high = (
        services.start_assessment(
            user=evaluator,
            procurement=procurement,
            offer=OfferFactory(provider__organisation=procurement.organisation),
        )
        for _ in range(2)
    )
    services.record_answers(
        high,
        user=evaluator,
        version=1,
        answers=[services.AnswerData("OWN-1", 4, "verified")],
    )

    response = client_for(evaluator).get(
        url("assessment-list"), {"ordering": "-global_score"}
    )

    assert [a["id"] for a in response.json()["results"]] == [high.pk, low.pk]


def test_a_later_page_holds_the_next_newest_in_order(procurement, evaluator):
    started = [
        services.start_assessment(
            user=evaluator,
            procurement=procurement,
            offer=OfferFactory(provider__organisation=procurement.organisation),
        )
        for _ in range(5)
    ]

    response = client_for(evaluator).get(
        url("assessment-list"), {"page": 2, "page_size": 2}
    )

    newest_first = sorted(started, key=lambda a: (a.created_at, a.pk), reverse=True)
    assert [a["id"] for a in response.json()["results"]] == [
        a.pk for a in newest_first[2:4]
    ]


# answers --------------------------------------------------------------------


def test_answers_are_saved_rescored_and_read_back(assessment, evaluator):
    client = client_for(evaluator)

    saved = client.post(
        url("assessment-answers", assessment.pk),
        {
            "version": 1,
            "answers": [
                {
                    "criterion": "JUR-1",
                    "level": 3,
                    "evidence": "verified",
                    "justification": "Checked in the contract",
                    "evidence_reference": "Annex 4",
                },
                {"criterion": "OWN-1", "level": None},
                {"criterion": "TEC-5", "not_applicable": True},
            ],
        },
    )
    read = client.get(url("assessment-answers", assessment.pk)).json()

    assert saved.status_code == 200
    assert saved.json()["version"] == 2
    assert saved.json()["snapshot"]["global_score"] > 0
    assert read["version"] == 2
    assert [
        (a["criterion"], a["level"], a["not_applicable"], a["evidence"])
        for a in read["answers"]
    ] == [
        ("OWN-1", None, False, "declared"),
        ("JUR-1", 3, False, "verified"),
        ("TEC-5", None, True, "declared"),
    ]
    assert read["answers"][1]["answered_by"] == evaluator.username


def test_head_on_answers_reads_like_get(assessment, evaluator):
    response = client_for(evaluator).head(url("assessment-answers", assessment.pk))

    assert response.status_code == 200


def test_a_stale_version_is_a_409_with_the_current_version(assessment, evaluator):
    client = client_for(evaluator)
    body = {"version": 1, "answers": [{"criterion": "OWN-1", "level": 2}]}
    client.post(url("assessment-answers", assessment.pk), body)

    response = client.post(
        url("assessment-answers", assessment.pk),
        {"version": 1, "answers": [{"criterion": "OWN-1", "level": 4}]},
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert "version 2" in response.json()["detail"]
    assert Answer.objects.get(assessment=assessment).level == 2


def test_invalid_answers_are_a_400_aligned_with_the_payload_and_save_nothing(
    assessment, evaluator
):
    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        {
            "version": 1,
            "answers": [
                {"criterion": "OWN-1", "level": 3},
                {"criterion": "XYZ-9", "level": 2},
                {"criterion": "JUR-1", "not_applicable": True},
            ],
        },
    )

    errors = problem_errors(response)
    assert response.status_code == 400
    assert sorted(errors) == ["/answers/1/criterion", "/answers/2/not_applicable"]
    assert "XYZ-9" in errors["/answers/1/criterion"][0]
    assert not Answer.objects.filter(assessment=assessment).exists()
    assert Assessment.objects.get(pk=assessment.pk).version == 1


def test_a_level_out_of_range_is_a_400_on_that_answer(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        {
            "version": 1,
            "answers": [
                {"criterion": "OWN-1", "level": 3},
                {"criterion": "OWN-2", "level": 5},
            ],
        },
    )

    assert response.status_code == 400
    errors = problem_errors(response)
    assert list(errors) == ["/answers/1/level"]
    assert "less than or equal to 4" in errors["/answers/1/level"][0]
    assert not Answer.objects.filter(assessment=assessment).exists()


# workflow -------------------------------------------------------------------


def test_a_viewer_cannot_answer_submit_or_create(assessment, viewer):
    client = client_for(viewer)

    answer = client.post(
        url("assessment-answers", assessment.pk),
        {"version": 1, "answers": [{"criterion": "OWN-1", "level": 4}]},
    )
    submit = client.post(url("assessment-submit", assessment.pk))
    create = client.post(
        url("assessment-list"),
        {
            "procurement": assessment.procurement_id,
            "offer": OfferFactory(
                provider__organisation=assessment.procurement.organisation
            ).pk,
        },
    )

    assert (answer.status_code, submit.status_code, create.status_code) == (
        403,
        403,
        403,
    )
    assert Assessment.objects.get(pk=assessment.pk).version == 1
    assert Assessment.objects.count() == 1


def test_submit_then_approve_by_a_lead(assessment, evaluator, lead):
    submitted = client_for(evaluator).post(
        url("assessment-submit", assessment.pk), {"version": 1}
    )
    refused = client_for(evaluator).post(url("assessment-approve", assessment.pk))
    approved = client_for(lead).post(
        url("assessment-approve", assessment.pk),
        {"reason": "Nothing answered yet: a test of the workflow."},
    )

    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
    assert refused.status_code == 403
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")


def test_a_stale_submit_is_a_409(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-submit", assessment.pk), {"version": 7}
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == 1
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_approving_a_draft_is_a_400_not_a_500(assessment, lead):
    response = client_for(lead).post(url("assessment-approve", assessment.pk))

    assert response.status_code == 400
    assert "submitted" in problem_errors(response)[""][0]


def test_answering_a_submitted_assessment_is_a_400(assessment, evaluator):
    services.submit_assessment(assessment, user=evaluator)

    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        {"version": 2, "answers": [{"criterion": "OWN-1", "level": 4}]},
    )

    assert response.status_code == 400
    assert "read-only" in problem_errors(response)[""][0]


# reference cases ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("assessment-answers", {"version": 1, "answers": []}),
        ("assessment-submit", {}),
        ("assessment-approve", {}),
    ],
)
def test_reference_cases_are_readable_and_read_only_for_leads(
    name, body, reference_case, catalogue
):
    lead = member(OrganisationFactory(), Membership.Role.LEAD)
    client = client_for(lead)

    read = client.get(url("assessment-scorecard", reference_case.pk))
    write = client.post(url(name, reference_case.pk), body)

    assert read.status_code == 200
    assert write.status_code == 403
    assert "read-only" in write.json()["detail"]
    reference_case.refresh_from_db()
    assert (reference_case.version, reference_case.status) == (1, "approved")


def test_a_user_without_organisation_sees_only_reference_cases(reference_case):
    client = client_for(UserFactory())

    listed = client.get(url("assessment-list")).json()
    create = client.post(url("procurement-list"), {"title": "X", "profile": "N3"})

    assert [a["id"] for a in listed["results"]] == [reference_case.pk]
    assert create.status_code == 403


def test_the_catalogue_has_one_shape_wherever_it_is_named(assessment, lead):
    client = client_for(lead)
    expected = {
        "id": assessment.catalogue_id,
        "slug": assessment.catalogue.slug,
        "version": assessment.catalogue.version,
    }

    named = [
        client.get(url("assessment-detail", assessment.pk)).json()["catalogue"],
        client.get(url("assessment-scorecard", assessment.pk)).json()["catalogue"],
        client.get(url("procurement-detail", assessment.procurement_id)).json()[
            "catalogue"
        ],
        client.get(url("procurement-ranking", assessment.procurement_id)).json()[
            "catalogue"
        ],
    ]

    assert named == [expected] * 4


def test_the_trust_level_is_an_integer_in_the_stored_snapshot(assessment, lead):
    Assessment.objects.filter(pk=assessment.pk).update(trust_level=2)

    data = client_for(lead).get(url("assessment-detail", assessment.pk)).json()

    assert data["snapshot"]["trust_level"] == 2
