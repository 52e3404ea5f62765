"""Procurements in the API: creating and changing one, opening and closing
it, its ranking and its ranking under every profile (sensitivity)."""

import datetime

import pytest

from procurement import robustness as page_robustness
from procurement import services
from procurement.models import Procurement
from procurement.scorecards import procurement_summary
from tests.factories import OfferFactory, ProcurementFactory
from tests.procurement.api.helpers import (
    add_offers,
    assert_same_queries,
    client_for,
    problem_errors,
    problem_fields,
    url,
)
from tests.procurement.views.helpers import scored_assessment

pytestmark = pytest.mark.django_db


# creating -------------------------------------------------------------------


def test_a_procurement_needs_only_a_title_and_a_profile_code(
    catalogue, organisation, evaluator
):
    response = client_for(evaluator).post(
        url("procurement-list"), {"title": "Payroll hosting", "profile": "N3"}
    )

    procurement = Procurement.objects.get(pk=response.json()["id"])
    assert response.status_code == 201
    assert (
        procurement.organisation,
        procurement.catalogue,
        procurement.profile.code,
    ) == (organisation, catalogue, "N3")
    assert response.json()["profile"] == "N3"


def test_an_unknown_profile_code_is_a_400_listing_the_codes(
    catalogue, organisation, evaluator
):
    response = client_for(evaluator).post(
        url("procurement-list"), {"title": "Payroll hosting", "profile": "N9"}
    )

    assert response.status_code == 400
    assert "N9" in problem_errors(response)["/profile"][0]
    assert "N1, N2, N3, N4" in problem_errors(response)["/profile"][0]
    assert not Procurement.objects.exists()


# changing -------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(procurement, evaluator):
    response = client_for(evaluator).patch(
        url("procurement-detail", procurement.pk),
        {"title": "Archive hosting", "deadline": "2027-03-31"},
    )

    procurement.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["title"] == "Archive hosting"
    assert response.json()["assessment_count"] == 0
    assert (
        procurement.title,
        procurement.reference,
        procurement.deadline,
    ) == ("Archive hosting", "T-1", datetime.date(2027, 3, 31))


def test_the_status_is_not_changed_by_patch(procurement, lead):
    response = client_for(lead).patch(
        url("procurement-detail", procurement.pk), {"status": "closed"}
    )

    procurement.refresh_from_db()
    assert response.status_code == 400
    assert "status" in problem_errors(response)["/status"][0]
    assert procurement.status == "open"


def test_the_profile_changes_while_no_offer_is_assessed(procurement, evaluator):
    response = client_for(evaluator).patch(
        url("procurement-detail", procurement.pk), {"profile": "N2"}
    )

    procurement.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["profile"] == "N2"
    assert procurement.profile.code == "N2"


def test_the_profile_is_pinned_once_an_offer_is_assessed(procurement, evaluator, offer):
    services.start_assessment(user=evaluator, procurement=procurement, offer=offer)

    response = client_for(evaluator).patch(
        url("procurement-detail", procurement.pk), {"profile": "N2"}
    )

    procurement.refresh_from_db()
    assert response.status_code == 400
    assert problem_fields(response) == ["profile"]
    assert procurement.profile.code == "N3"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"profile": "N9"}, "profile"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"deadline": "soon"}, "deadline"),
        ({"reference": "T-9"}, "reference"),
    ],
)
def test_a_bad_change_is_a_400_naming_the_field(procurement, evaluator, body, field):
    ProcurementFactory(organisation=procurement.organisation, reference="T-9")

    response = client_for(evaluator).patch(
        url("procurement-detail", procurement.pk), body
    )

    assert response.status_code == 400
    assert problem_fields(response) == [field]


def test_put_of_a_procurement_is_not_offered_and_an_open_one_is_not_deleted(
    procurement, lead
):
    client = client_for(lead)

    put = client.put(url("procurement-detail", procurement.pk), {"title": "X"})
    delete = client.delete(url("procurement-detail", procurement.pk))

    assert (put.status_code, delete.status_code) == (405, 400)


# opening and closing --------------------------------------------------------


def test_a_lead_closes_then_reopens(procurement, lead):
    client = client_for(lead)

    closed = client.post(url("procurement-close", procurement.pk))
    reopened = client.post(url("procurement-open", procurement.pk))

    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert (reopened.status_code, reopened.json()["status"]) == (200, "open")


def test_an_evaluator_cannot_close(procurement, evaluator):
    response = client_for(evaluator).post(url("procurement-close", procurement.pk))

    procurement.refresh_from_db()
    assert response.status_code == 403
    assert procurement.status == "open"


def test_closing_a_closed_procurement_is_a_400(procurement, lead):
    services.close_procurement(procurement, user=lead)

    response = client_for(lead).post(url("procurement-close", procurement.pk))

    assert response.status_code == 400
    assert problem_errors(response) == {"": ["This procurement is already closed."]}


def test_a_closed_procurement_refuses_new_assessments(procurement, lead, offer):
    client = client_for(lead)
    client.post(url("procurement-close", procurement.pk))

    response = client.post(
        url("assessment-list"), {"procurement": procurement.pk, "offer": offer.pk}
    )

    assert response.status_code == 409
    assert "closed" in str(response.json())
    assert not procurement.assessments.exists()


# ranking --------------------------------------------------------------------


def test_the_ranking_puts_eligible_offers_first_and_says_why_others_are_out(
    procurement, evaluator, catalogue
):
    strong, weak = (
        services.start_assessment(
            user=evaluator,
            procurement=procurement,
            offer=OfferFactory(provider__organisation=procurement.organisation),
        )
        for _ in range(2)
    )
    everything_verified = [
        services.AnswerData(c.code, 4, "verified") for c in catalogue.criteria.all()
    ]
    services.record_answers(
        strong, user=evaluator, version=1, answers=everything_verified
    )
    services.record_answers(
        weak,
        user=evaluator,
        version=1,
        answers=[services.AnswerData("JUR-1", 1, "verified")],
    )

    data = client_for(evaluator).get(url("procurement-ranking", procurement.pk)).json()

    assert [(r["assessment"], r["rank"], r["tied"]) for r in data["eligible"]] == [
        (strong.pk, 1, False)
    ]
    excluded = data["excluded"][0]
    jur1 = next(k for k in excluded["knockouts"] if k["criterion"] == "JUR-1")
    assert (excluded["assessment"], excluded["rank"]) == (weak.pk, None)
    assert (jur1["required"], jur1["effective"]) == (3, 1)
    assert "N3 requires 3" in jur1["reason"]
    assert excluded["reason"].startswith("Excluded: fails")
    assert data["eligible"][0]["global_score"] == 100.0


# sensitivity ----------------------------------------------------------------


def test_the_sensitivity_ranks_every_offer_under_every_profile(
    procurement, lead, catalogue
):
    add_offers(procurement, lead, 2, catalogue)

    data = client_for(lead).get(url("procurement-sensitivity", procurement.pk)).json()

    report = services.rank_procurement(procurement)
    assert (data["procurement"], data["profile"]) == (procurement.pk, "N3")
    assert data["catalogue"] == {
        "id": catalogue.pk,
        "slug": catalogue.slug,
        "version": catalogue.version,
    }
    assert [(p["code"], p["current"], p["total"]) for p in data["profiles"]] == [
        ("N1", False, 2),
        ("N2", False, 2),
        ("N3", True, 2),
        ("N4", False, 2),
    ]
    assert [o["assessment"] for o in data["offers"]] == [
        row.assessment.pk for row in report.rows
    ]
    own = [
        next(p for p in o["profiles"] if p["profile"] == "N3") for o in data["offers"]
    ]
    assert [(p["global_score"], p["eligible"], p["rank"]) for p in own] == [
        (float(row.assessment.global_score), row.assessment.eligible, row.rank)
        for row in report.rows
    ]
    assert set(data["offers"][0]["profiles"][0]) == {
        "profile",
        "global_score",
        "trust_level",
        "eligible",
        "rank",
        "tied",
        "knockouts",
    }


def test_the_sensitivity_of_an_empty_procurement_has_profiles_and_no_offer(
    procurement, viewer
):
    data = client_for(viewer).get(url("procurement-sensitivity", procurement.pk)).json()

    assert data["offers"] == []
    assert [(p["code"], p["eligible"], p["leaders"]) for p in data["profiles"]] == [
        ("N1", 0, []),
        ("N2", 0, []),
        ("N3", 0, []),
        ("N4", 0, []),
    ]
    assert data["leader_depends_on_profile"] is False


def test_the_sensitivity_costs_the_same_queries_at_any_size(
    procurement, lead, catalogue, django_assert_num_queries
):
    add_offers(procurement, lead, 1, catalogue)
    client = client_for(lead)
    path = url("procurement-sensitivity", procurement.pk)

    # the user's organisations; procurement; the ranked snapshots: every
    # profile's result is stored, no answer is read, and the catalogue's
    # method is in memory (test_queries.test_catalogue_detail)
    first, second = assert_same_queries(
        lambda: client.get(path),
        lambda: add_offers(procurement, lead, 4, catalogue),
        3,
        django_assert_num_queries,
    )
    assert [len(r.json()["offers"]) for r in (first, second)] == [1, 5]


def test_the_robustness_endpoint_gives_the_pages_numbers(organisation, lead):

    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 4, name="Winner")
    scored_assessment(procurement, lead, 3, name="Runner-up")
    expected = page_robustness.procurement_robustness(procurement_summary(procurement))

    body = client_for(lead).get(url("procurement-robustness", procurement.pk)).json()

    assert body["winner"]["offer_name"] == "Winner"
    assert body["swap_points"] is None  # every pillar favours the winner
    assert body["seed"] == 2014
    assert [d["share"] for d in body["draws"]] == [1.0, 0.0]
    assert len(body["decisive"]) == len(expected.decisive)


def test_robustness_of_a_single_offer_is_no_content(organisation, lead):

    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 4, name="Alone")

    response = client_for(lead).get(url("procurement-robustness", procurement.pk))

    assert response.status_code == 204
