"""The API's certifications of an offer, procurement changes, opening and
closing, and the ranking under every profile."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from procurement import services
from procurement.models import Certification
from tests.conftest import member
from tests.factories import (
    AssessmentFactory,
    OfferFactory,
    OrganisationFactory,
    ProcurementFactory,
    ProviderFactory,
)
from tests.procurement.test_api_queries import add_offers, assert_same_queries

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(name, *args):
    return reverse(f"api:{name}", args=args)


@pytest.fixture
def offer(organisation):
    return OfferFactory(provider__organisation=organisation)


@pytest.fixture
def certification(offer):
    return Certification.objects.create(offer=offer, scheme="HDS")


@pytest.fixture
def procurement(catalogue, organisation):
    catalogue.to_spec()  # the engine's spec is built once per process
    return ProcurementFactory(organisation=organisation, reference="T-1")


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


# Access ----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "name", "body"), ENDPOINTS)
def test_anonymous_is_a_401(foreign, method, name, body):
    response = call(APIClient(), method, name, foreign, body)

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "name", "body"), ENDPOINTS)
def test_another_organisations_objects_are_a_404(foreign, lead, method, name, body):
    response = call(client_for(lead), method, name, foreign, body)

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
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


# Certifications --------------------------------------------------------------


def test_a_certification_is_added_and_listed_with_the_offer(offer, evaluator):
    client = client_for(evaluator)

    response = client.post(
        url("offer-certifications", offer.pk),
        {
            "scheme": "SecNumCloud 3.2",
            "scope": "IaaS",
            "valid_from": "2025-03-01",
            "valid_to": "2099-02-28",
        },
    )
    listed = client.get(url("offer-detail", offer.pk)).json()["certifications"]

    certification = offer.certifications.get()
    assert response.status_code == 201
    assert response.json() == {
        "id": certification.pk,
        "scheme": "SecNumCloud 3.2",
        "scope": "IaaS",
        "valid_from": "2025-03-01",
        "valid_to": "2099-02-28",
        "expired": False,
    }
    assert listed == [response.json()]


def test_an_expired_certification_says_so(offer, viewer):
    Certification.objects.create(
        offer=offer, scheme="ISO 27001", valid_to=datetime.date(2020, 1, 1)
    )
    Certification.objects.create(offer=offer, scheme="HDS")

    listed = client_for(viewer).get(url("offer-detail", offer.pk)).json()

    assert [(c["scheme"], c["expired"]) for c in listed["certifications"]] == [
        ("HDS", False),
        ("ISO 27001", True),
    ]


def test_a_certification_ending_before_it_starts_is_a_400_on_valid_to(offer, evaluator):
    response = client_for(evaluator).post(
        url("offer-certifications", offer.pk),
        {"scheme": "C5", "valid_from": "2026-01-01", "valid_to": "2025-01-01"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "valid_to": ["A certification cannot end before it starts."]
    }
    assert not offer.certifications.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "scheme"),
        ({"scheme": ""}, "scheme"),
        ({"scheme": "x" * 101}, "scheme"),
        ({"scheme": "C5", "valid_to": "soon"}, "valid_to"),
        ({"scheme": "C5", "valid_from": "2026-13-01"}, "valid_from"),
    ],
)
def test_a_bad_certification_is_a_400_naming_the_field(offer, evaluator, body, field):
    response = client_for(evaluator).post(url("offer-certifications", offer.pk), body)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_certification_is_removed(offer, certification, evaluator):
    response = client_for(evaluator).delete(
        url("offer-certification", offer.pk, certification.pk)
    )

    assert response.status_code == 204
    assert not offer.certifications.exists()


def test_a_certification_of_another_offer_is_a_404(offer, certification, evaluator):
    other = OfferFactory(provider=offer.provider)

    response = client_for(evaluator).delete(
        url("offer-certification", other.pk, certification.pk)
    )

    assert response.status_code == 404
    assert offer.certifications.exists()


def test_reference_case_certifications_are_read_only(catalogue):
    offer = OfferFactory(provider=ProviderFactory(reference_case=True))
    certification = Certification.objects.create(offer=offer, scheme="HDS")
    client = client_for(member(OrganisationFactory(), "lead"))

    add = client.post(url("offer-certifications", offer.pk), {"scheme": "C5"})
    remove = client.delete(url("offer-certification", offer.pk, certification.pk))

    assert (add.status_code, remove.status_code) == (403, 403)
    assert "read-only" in add.json()["detail"]
    assert list(offer.certifications.values_list("scheme", flat=True)) == ["HDS"]


# Changing a procurement ------------------------------------------------------


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
    assert response.status_code == 200
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
    assert list(response.json()) == ["profile"]
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
    assert list(response.json()) == [field]


def test_put_and_delete_of_a_procurement_are_not_offered(procurement, lead):
    client = client_for(lead)

    put = client.put(url("procurement-detail", procurement.pk), {"title": "X"})
    delete = client.delete(url("procurement-detail", procurement.pk))

    assert (put.status_code, delete.status_code) == (405, 405)


# Opening and closing ---------------------------------------------------------


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
    assert response.json() == {
        "non_field_errors": ["This procurement is already closed."]
    }


def test_a_closed_procurement_refuses_new_assessments(procurement, lead, offer):
    client = client_for(lead)
    client.post(url("procurement-close", procurement.pk))

    response = client.post(
        url("assessment-list"), {"procurement": procurement.pk, "offer": offer.pk}
    )

    assert response.status_code == 400
    assert "closed" in str(response.json())
    assert not procurement.assessments.exists()


# Sensitivity -----------------------------------------------------------------


def test_the_sensitivity_ranks_every_offer_under_every_profile(
    procurement, lead, catalogue
):
    add_offers(procurement, lead, 2, catalogue)

    data = client_for(lead).get(url("procurement-sensitivity", procurement.pk)).json()

    report = services.rank_procurement(procurement)
    assert (data["procurement"], data["profile"]) == (procurement.pk, "N3")
    assert (data["catalogue_slug"], data["catalogue_version"]) == (
        catalogue.slug,
        catalogue.version,
    )
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

    # procurement; the catalogue with its method (11); the ranked snapshots;
    # every offer's answers with criteria and users; their facts
    first, second = assert_same_queries(
        lambda: client.get(path),
        lambda: add_offers(procurement, lead, 4, catalogue),
        15,
        django_assert_num_queries,
    )
    assert [len(r.json()["offers"]) for r in (first, second)] == [1, 5]


def test_the_offer_list_with_certification_expiry_costs_the_same_queries(
    lead, organisation, django_assert_num_queries
):
    OfferFactory(provider__organisation=organisation)
    client = client_for(lead)

    def grow():
        for year in (2020, 2030, 2040, 2050):
            offer = OfferFactory(provider__organisation=organisation)
            Certification.objects.create(
                offer=offer, scheme="HDS", valid_to=datetime.date(year, 1, 1)
            )

    # count, page of offers joined to providers, their certifications
    first, second = assert_same_queries(
        lambda: client.get(url("offer-list")), grow, 3, django_assert_num_queries
    )
    assert (first.json()["count"], second.json()["count"]) == (1, 5)
