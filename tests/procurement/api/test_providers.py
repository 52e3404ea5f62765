"""Providers and offers in the API, with their facts and certifications."""

import datetime

import pytest

from procurement.models import Certification, Membership, Offer, Provider
from tests.conftest import member
from tests.factories import OfferFactory, OrganisationFactory, ProviderFactory
from tests.procurement.api.helpers import (
    assert_same_queries,
    client_for,
    problem_errors,
    problem_fields,
    url,
)

pytestmark = pytest.mark.django_db


# providers ------------------------------------------------------------------


def test_a_provider_needs_only_a_name_and_goes_to_the_users_organisation(
    organisation, evaluator
):
    response = client_for(evaluator).post(url("provider-list"), {"name": "Beta"})

    provider = Provider.objects.get(pk=response.json()["id"])
    assert response.status_code == 201
    assert (provider.name, provider.organisation) == ("Beta", organisation)
    assert response.json()["facts"] == []


def test_a_user_of_several_organisations_must_name_one(organisation, evaluator):
    second = OrganisationFactory()
    Membership.objects.create(
        user=evaluator, organisation=second, role=Membership.Role.LEAD
    )
    client = client_for(evaluator)

    refused = client.post(url("procurement-list"), {"title": "X", "profile": "N3"})
    accepted = client.post(
        url("provider-list"), {"name": "Beta", "organisation": second.pk}
    )

    assert refused.status_code == 400
    assert "several organisations" in problem_errors(refused)["/organisation"][0]
    assert accepted.status_code == 201
    assert Provider.objects.get(pk=accepted.json()["id"]).organisation == second


def test_a_viewer_defaults_to_no_organisation_and_gets_a_403(organisation, viewer):
    response = client_for(viewer).post(url("provider-list"), {"name": "Beta"})

    assert response.status_code == 403
    assert not Provider.objects.exists()


def test_a_viewer_naming_their_organisation_gets_the_services_403(organisation, viewer):
    response = client_for(viewer).post(
        url("provider-list"), {"name": "Beta", "organisation": organisation.pk}
    )

    assert response.status_code == 403
    assert "role" in response.json()["detail"]
    assert not Provider.objects.exists()


def test_creating_in_another_organisation_is_refused_like_an_unknown_id(
    organisation, evaluator
):
    other = OrganisationFactory()

    response = client_for(evaluator).post(
        url("provider-list"), {"name": "Beta", "organisation": other.pk}
    )

    assert response.status_code == 400
    assert "does not exist" in problem_errors(response)["/organisation"][0]
    assert not Provider.objects.exists()


def test_patch_changes_only_the_fields_sent(organisation, evaluator):
    provider = ProviderFactory(organisation=organisation, country="FR")

    response = client_for(evaluator).patch(
        url("provider-detail", provider.pk), {"parent_country": "US"}
    )

    provider.refresh_from_db()
    assert response.status_code == 200
    assert (provider.country, provider.parent_country) == ("FR", "US")


def test_put_and_delete_are_not_offered(organisation, lead):
    provider = ProviderFactory(organisation=organisation)
    client = client_for(lead)

    put = client.put(url("provider-detail", provider.pk), {"name": "X"})
    delete = client.delete(url("provider-detail", provider.pk))

    assert (put.status_code, delete.status_code) == (405, 405)
    assert Provider.objects.filter(pk=provider.pk).exists()


def test_an_invalid_provider_field_is_a_400_naming_it(organisation, evaluator):
    response = client_for(evaluator).post(
        url("provider-list"), {"name": "Beta", "website": "not a url"}
    )

    assert response.status_code == 400
    assert problem_fields(response) == ["website"]


def test_a_fact_is_added_to_a_provider(organisation, evaluator):
    provider = ProviderFactory(organisation=organisation)

    response = client_for(evaluator).post(
        url("provider-facts", provider.pk),
        {
            "statement": "Acquired by a non-EU group.",
            "as_of": "2026-01-15",
            "source_title": "Press release",
            "category": "change_of_control",
        },
    )
    detail = client_for(evaluator).get(url("provider-detail", provider.pk))

    assert response.status_code == 201
    assert [f["statement"] for f in detail.json()["facts"]] == [
        "Acquired by a non-EU group."
    ]


def test_reference_case_providers_are_readable_and_read_only(reference_case, lead):
    provider = reference_case.offer.provider
    name = provider.name
    client = client_for(lead)

    read = client.get(url("provider-detail", provider.pk))
    patch = client.patch(url("provider-detail", provider.pk), {"name": "Hacked"})
    fact = client.post(
        url("provider-facts", provider.pk),
        {"statement": "x", "as_of": "2020-01-01", "source_title": "x"},
    )
    offer = client.post(url("offer-list"), {"provider": provider.pk, "name": "New"})

    assert (read.status_code, patch.status_code, fact.status_code) == (
        200,
        403,
        403,
    )
    assert offer.status_code == 403
    provider.refresh_from_db()
    assert (provider.name, provider.facts.count(), provider.offers.count()) == (
        name,
        0,
        1,
    )


# offers ---------------------------------------------------------------------


def test_an_offer_needs_only_a_provider_and_a_name(organisation, evaluator):
    provider = ProviderFactory(organisation=organisation)

    response = client_for(evaluator).post(
        url("offer-list"), {"provider": provider.pk, "name": "Trusted IaaS"}
    )

    assert response.status_code == 201
    assert Offer.objects.get(pk=response.json()["id"]).provider == provider


def test_an_offer_name_twice_for_one_provider_is_a_400(organisation, evaluator):
    offer = OfferFactory(provider__organisation=organisation)

    response = client_for(evaluator).post(
        url("offer-list"), {"provider": offer.provider.pk, "name": offer.name}
    )

    assert response.status_code == 400
    assert Offer.objects.count() == 1


def test_offer_regions_must_be_a_list_of_strings(organisation, evaluator):
    offer = OfferFactory(provider__organisation=organisation)

    response = client_for(evaluator).patch(
        url("offer-detail", offer.pk), {"regions": {"FR": 1}}
    )

    assert response.status_code == 400
    assert problem_fields(response) == ["regions"]


def test_patch_an_offer(organisation, evaluator):
    offer = OfferFactory(provider__organisation=organisation)

    response = client_for(evaluator).patch(
        url("offer-detail", offer.pk), {"regions": ["FR", "DE"]}
    )

    assert response.status_code == 200
    assert response.json()["regions"] == ["FR", "DE"]


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

    # the user's organisations, count, page of offers joined to providers,
    # their certifications
    first, second = assert_same_queries(
        lambda: client.get(url("offer-list")), grow, 4, django_assert_num_queries
    )
    assert (first.json()["count"], second.json()["count"]) == (1, 5)


# certifications -------------------------------------------------------------


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
        "scheme_code": "",
        "covers_offer": True,
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
    assert problem_errors(response) == {
        "/valid_to": ["A certification cannot end before it starts."]
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
    assert problem_fields(response) == [field]


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
