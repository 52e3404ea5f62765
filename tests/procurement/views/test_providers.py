"""The register's provider pages: the list, a provider with its offers and
sourced facts, creating and editing a provider, adding a fact. Offers and
certifications are in ``test_offers.py``."""

import datetime

import pytest
from django.urls import reverse

from procurement.models import Certification, Membership, Offer, Provider
from tests.factories import (
    OfferFactory,
    OrganisationFactory,
    ProviderFactFactory,
    ProviderFactory,
)
from tests.procurement.views.helpers import login, reference_case

pytestmark = pytest.mark.django_db


# the list -------------------------------------------------------------------


def test_provider_list_searches_name_legal_name_and_parent(client, lead, organisation):
    ProviderFactory(organisation=organisation, name="Alpha Cloud")
    ProviderFactory(organisation=organisation, name="Beta", legal_name="Beta SAS")
    ProviderFactory(organisation=organisation, name="Gamma", parent_name="Omega Inc.")
    login(client, lead)
    url = reverse("procurement:provider-list")

    by_name = client.get(url, {"q": "alpha"}).content.decode()
    by_legal = client.get(url, {"q": "beta sas"}).content.decode()
    by_parent = client.get(url, {"q": "omega"}).content.decode()

    assert ("Alpha Cloud" in by_name, "Gamma" in by_name) == (True, False)
    assert ("Beta" in by_legal, "Alpha Cloud" in by_legal) == (True, False)
    assert ("Gamma" in by_parent, "Alpha Cloud" in by_parent) == (True, False)


def test_provider_list_hides_other_organisations(client, lead, organisation):
    ProviderFactory(organisation=organisation, name="Ours")
    ProviderFactory(organisation=OrganisationFactory(), name="Theirs")
    login(client, lead)

    content = client.get(reverse("procurement:provider-list")).content.decode()

    assert "Ours" in content
    assert "Theirs" not in content


def test_provider_list_renders_in_constant_queries(
    client, lead, organisation, catalogue, django_assert_max_num_queries
):
    ProviderFactory(organisation=organisation)
    login(client, lead)
    url = reverse("procurement:provider-list")

    # session, user, the user's organisations, count, providers page,
    # editable organisations
    with django_assert_max_num_queries(6):
        client.get(url)

    for _ in range(5):
        provider = ProviderFactory(organisation=organisation)
        OfferFactory(provider=provider)
        ProviderFactFactory(provider=provider)
    reference_case(catalogue)
    with django_assert_max_num_queries(6):
        client.get(url)


# a provider -----------------------------------------------------------------


def test_provider_detail_shows_offers_certifications_and_sourced_facts(
    client, lead, organisation
):
    provider = ProviderFactory(organisation=organisation, name="Beta Sovereign")
    offer = OfferFactory(provider=provider, name="Trusted IaaS")
    Certification.objects.create(offer=offer, scheme="SecNumCloud 3.2")
    ProviderFactFactory(
        provider=provider,
        statement="Qualified SecNumCloud.",
        source_url="https://example.org/anssi",
        source_title="ANSSI list",
        verify=True,
    )
    login(client, lead)

    content = client.get(provider.get_absolute_url()).content.decode()

    assert "Trusted IaaS" in content
    assert "SecNumCloud 3.2" in content
    assert "Qualified SecNumCloud." in content
    assert (
        '<a href="https://example.org/anssi" rel="noopener noreferrer">ANSSI list'
        in (content)
    )
    assert "To verify" in content
    assert reverse("procurement:fact-create", args=[provider.pk]) in content


def test_viewer_sees_no_edit_buttons_on_a_provider(client, viewer, organisation):
    provider = ProviderFactory(organisation=organisation)
    login(client, viewer)

    content = client.get(provider.get_absolute_url()).content.decode()

    assert reverse("procurement:provider-edit", args=[provider.pk]) not in content
    assert reverse("procurement:offer-create", args=[provider.pk]) not in content
    assert reverse("procurement:fact-create", args=[provider.pk]) not in content


def test_another_organisations_provider_is_a_404(client, lead):
    provider = ProviderFactory(organisation=OrganisationFactory())
    login(client, lead)

    for name in ("provider-detail", "provider-edit", "offer-create", "fact-create"):
        response = client.get(reverse(f"procurement:{name}", args=[provider.pk]))
        assert response.status_code == 404, name


def test_provider_detail_renders_in_constant_queries(
    client, lead, organisation, django_assert_max_num_queries
):
    provider = ProviderFactory(organisation=organisation)
    OfferFactory(provider=provider)
    ProviderFactFactory(provider=provider)
    login(client, lead)
    url = provider.get_absolute_url()

    # session, user, provider, offers, certifications, assessments, facts, role
    with django_assert_max_num_queries(8):
        client.get(url)

    for _ in range(4):
        offer = OfferFactory(provider=provider)
        Certification.objects.create(offer=offer, scheme="ISO 27001")
        ProviderFactFactory(provider=provider)
    with django_assert_max_num_queries(8):
        client.get(url)


# creating and editing -------------------------------------------------------


def test_evaluator_creates_a_provider_in_their_organisation(
    client, evaluator, organisation
):
    login(client, evaluator)

    response = client.post(
        reverse("procurement:provider-create"),
        {
            "organisation": organisation.pk,
            "name": "Delta Cloud",
            "country": "fr",
            "status": "active",
        },
    )

    provider = Provider.objects.get(name="Delta Cloud")
    assert response.status_code == 302
    assert response["Location"] == provider.get_absolute_url()
    assert (provider.organisation, provider.country) == (organisation, "FR")


def test_provider_form_offers_only_organisations_where_the_user_may_edit(
    client, evaluator, organisation
):
    elsewhere = OrganisationFactory(name="Where I only read")
    Membership.objects.create(
        user=evaluator, organisation=elsewhere, role=Membership.Role.VIEWER
    )
    login(client, evaluator)

    content = client.get(reverse("procurement:provider-create")).content.decode()

    assert organisation.name in content
    assert "Where I only read" not in content


def test_viewer_cannot_create_a_provider(client, viewer, organisation):
    login(client, viewer)

    page = client.get(reverse("procurement:provider-create"))
    post = client.post(
        reverse("procurement:provider-create"),
        {"organisation": organisation.pk, "name": "Sneaky", "status": "active"},
    )

    assert (page.status_code, post.status_code) == (403, 403)
    assert not Provider.objects.filter(name="Sneaky").exists()


def test_provider_ceasing_before_founding_gets_a_message(client, lead, organisation):
    login(client, lead)

    response = client.post(
        reverse("procurement:provider-create"),
        {
            "organisation": organisation.pk,
            "name": "Time Traveller",
            "status": "active",
            "founded_on": "2020-01-01",
            "ceased_on": "2019-01-01",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["ceased_on"] == [
        "A provider cannot cease before it was founded."
    ]


def test_evaluator_edits_a_provider(client, evaluator, organisation):
    provider = ProviderFactory(organisation=organisation, name="Old name")
    login(client, evaluator)

    response = client.post(
        reverse("procurement:provider-edit", args=[provider.pk]),
        {"name": "New name", "status": "active", "country": "DE"},
    )

    provider.refresh_from_db()
    assert response.status_code == 302
    assert (provider.name, provider.country) == ("New name", "DE")


def test_viewer_cannot_edit_a_provider(client, viewer, organisation):
    provider = ProviderFactory(organisation=organisation, name="Kept")
    login(client, viewer)

    response = client.post(
        reverse("procurement:provider-edit", args=[provider.pk]),
        {"name": "Changed", "status": "active"},
    )

    provider.refresh_from_db()
    assert response.status_code == 403
    assert provider.name == "Kept"


def test_reference_case_provider_is_read_only(client, lead, catalogue):
    provider = reference_case(catalogue).offer.provider
    login(client, lead)

    page = client.get(provider.get_absolute_url())
    edit = client.get(reverse("procurement:provider-edit", args=[provider.pk]))
    fact = client.post(
        reverse("procurement:fact-create", args=[provider.pk]),
        {"statement": "x", "as_of": "2020-01-01", "source_title": "y"},
    )

    assert page.status_code == 200
    assert (edit.status_code, fact.status_code) == (403, 403)


# facts ----------------------------------------------------------------------


def test_evaluator_adds_a_dated_sourced_fact(client, evaluator, organisation):
    provider = ProviderFactory(organisation=organisation)
    login(client, evaluator)

    response = client.post(
        reverse("procurement:fact-create", args=[provider.pk]),
        {
            "category": "ownership",
            "statement": "Bought by a US group.",
            "as_of": "2024-05-01",
            "date_precision": "month",
            "source_title": "Press release",
            "source_url": "https://example.org/deal",
            "confidence": "high",
            "verify": "on",
        },
    )

    fact = provider.facts.get()
    assert response.status_code == 302
    assert (fact.statement, fact.verify, fact.as_of) == (
        "Bought by a US group.",
        True,
        datetime.date(2024, 5, 1),
    )


def test_fact_period_ending_before_it_starts_gets_a_message(
    client, evaluator, organisation
):
    provider = ProviderFactory(organisation=organisation)
    login(client, evaluator)

    response = client.post(
        reverse("procurement:fact-create", args=[provider.pk]),
        {
            "category": "other",
            "statement": "x",
            "as_of": "2024-05-01",
            "as_of_end": "2024-01-01",
            "date_precision": "day",
            "source_title": "y",
            "confidence": "medium",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["as_of_end"] == [
        "The period cannot end before it starts."
    ]
    assert not provider.facts.exists()


def test_viewer_cannot_add_an_offer_or_a_fact(client, viewer, organisation):
    provider = ProviderFactory(organisation=organisation)
    login(client, viewer)

    offer = client.post(
        reverse("procurement:offer-create", args=[provider.pk]),
        {"name": "x", "service_model": "iaas", "deployment_model": "public"},
    )
    fact = client.post(
        reverse("procurement:fact-create", args=[provider.pk]),
        {"statement": "x", "as_of": "2020-01-01", "source_title": "y"},
    )

    assert (offer.status_code, fact.status_code) == (403, 403)
    assert not Offer.objects.filter(provider=provider).exists()
