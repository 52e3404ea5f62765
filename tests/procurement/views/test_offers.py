"""Offers and their certifications: adding and editing an offer, recording
and removing a certification, and how the provider page shows them."""

import datetime

import pytest
from django.urls import reverse

from procurement.models import Certification
from tests.factories import OfferFactory, ProviderFactory
from tests.procurement.views.helpers import login, url

pytestmark = pytest.mark.django_db


# adding an offer ------------------------------------------------------------


def test_evaluator_adds_an_offer(client, evaluator, organisation):
    provider = ProviderFactory(organisation=organisation)
    login(client, evaluator)

    response = client.post(
        reverse("procurement:offer-create", args=[provider.pk]),
        {
            "name": "Sovereign IaaS",
            "service_model": "iaas",
            "deployment_model": "public",
            "regions": "fr, de",
        },
    )

    offer = provider.offers.get()
    assert response.status_code == 302
    assert (offer.name, offer.regions) == ("Sovereign IaaS", ["FR", "DE"])


def test_duplicate_offer_name_gets_a_message(client, evaluator, organisation):
    provider = ProviderFactory(organisation=organisation, name="Beta")
    OfferFactory(provider=provider, name="IaaS")
    login(client, evaluator)

    response = client.post(
        reverse("procurement:offer-create", args=[provider.pk]),
        {"name": "IaaS", "service_model": "iaas", "deployment_model": "public"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Beta already has an offer named IaaS."
    ]


# the provider page ----------------------------------------------------------


def test_an_editor_gets_links_to_edit_offers_and_manage_certifications(
    client, evaluator, offer, certification
):
    login(client, evaluator)

    content = client.get(offer.provider.get_absolute_url()).content.decode()

    assert url("offer-edit", offer) in content
    assert url("certification-create", offer) in content
    assert f'action="{url("certification-remove", certification)}"' in content
    assert "Remove the certification SecNumCloud 3.2 of Trusted IaaS?" in content


def test_a_viewer_sees_certifications_but_no_way_to_change_them(
    client, viewer, offer, certification
):
    login(client, viewer)

    content = client.get(offer.provider.get_absolute_url()).content.decode()

    assert "SecNumCloud 3.2" in content
    assert url("offer-edit", offer) not in content
    assert url("certification-create", offer) not in content
    assert url("certification-remove", certification) not in content


def test_an_expired_certification_is_marked_expired(client, viewer, offer):
    Certification.objects.create(
        offer=offer,
        scheme="ISO 27001",
        valid_from=datetime.date(2019, 1, 1),
        valid_to=datetime.date(2022, 1, 1),
    )
    Certification.objects.create(
        offer=offer, scheme="SecNumCloud 3.2", valid_to=datetime.date(2099, 1, 1)
    )
    login(client, viewer)

    content = client.get(offer.provider.get_absolute_url()).content.decode()

    assert content.count('<li class="cert cert--expired">') == 1
    assert content.count(">Expired</span>") == 1
    assert "valid 1 January 2019 – 1 January 2022" in content
    assert "valid until 1 January 2099" in content


def test_the_provider_page_with_certifications_renders_in_constant_queries(
    client, evaluator, organisation, django_assert_max_num_queries
):
    provider = ProviderFactory(organisation=organisation)
    offer = OfferFactory(provider=provider)
    Certification.objects.create(offer=offer, scheme="HDS")
    login(client, evaluator)
    url_ = provider.get_absolute_url()

    # session, user, provider, offers, certifications, assessments, facts, role
    with django_assert_max_num_queries(8):
        client.get(url_)

    for year in (2020, 2021, 2030, 2031):
        offer = OfferFactory(provider=provider)
        Certification.objects.create(
            offer=offer, scheme="ISO 27001", valid_to=datetime.date(year, 1, 1)
        )
        Certification.objects.create(offer=offer, scheme="C5", scope="IaaS")
    with django_assert_max_num_queries(8):
        client.get(url_)


# certifications -------------------------------------------------------------


def test_an_evaluator_records_a_certification(client, evaluator, offer):
    login(client, evaluator)

    response = client.post(
        url("certification-create", offer),
        {
            "scheme": "SecNumCloud 3.2",
            "scope": "IaaS, Paris region",
            "valid_from": "2025-03-01",
            "valid_to": "2028-02-29",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == offer.provider.get_absolute_url() + "#offers"
    assert list(
        offer.certifications.values_list("scheme", "scope", "valid_from", "valid_to")
    ) == [
        (
            "SecNumCloud 3.2",
            "IaaS, Paris region",
            datetime.date(2025, 3, 1),
            datetime.date(2028, 2, 29),
        )
    ]


def test_the_certification_form_has_labelled_dated_fields(client, evaluator, offer):
    login(client, evaluator)

    content = client.get(url("certification-create", offer)).content.decode()

    assert '<label for="id_scheme">' in content
    assert 'type="date" name="valid_to"' in content
    assert "New certification of Trusted IaaS" in content


def test_a_certification_ending_before_it_starts_gets_a_message_on_valid_to(
    client, evaluator, offer
):
    login(client, evaluator)

    response = client.post(
        url("certification-create", offer),
        {"scheme": "C5", "valid_from": "2026-01-01", "valid_to": "2025-01-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "valid_to": ["A certification cannot end before it starts."]
    }
    assert not offer.certifications.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"scheme": ""}, "scheme"),
        ({"scheme": "C5", "valid_to": "31/12/2026"}, "valid_to"),
        ({"scheme": "x" * 101}, "scheme"),
    ],
)
def test_bad_certification_input_gets_a_message_next_to_the_field(
    client, evaluator, offer, data, field
):
    login(client, evaluator)

    response = client.post(url("certification-create", offer), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert 'class="field field--error"' in response.content.decode()


def test_an_evaluator_removes_a_certification(client, evaluator, offer, certification):
    login(client, evaluator)

    response = client.post(url("certification-remove", certification), follow=True)

    assert response.redirect_chain == [
        (offer.provider.get_absolute_url() + "#offers", 302)
    ]
    assert not offer.certifications.exists()
    assert "Certification SecNumCloud 3.2 removed from Trusted IaaS." in (
        response.content.decode()
    )


def test_removing_a_certification_needs_a_post(client, evaluator, certification):
    login(client, evaluator)

    response = client.get(url("certification-remove", certification))

    assert response.status_code == 405
    assert Certification.objects.filter(pk=certification.pk).exists()


def test_removing_an_unknown_certification_is_a_404(client, evaluator, offer):
    login(client, evaluator)

    response = client.post(reverse("procurement:certification-remove", args=[0]))

    assert response.status_code == 404


# editing an offer -----------------------------------------------------------


def test_an_evaluator_edits_an_offer(client, evaluator, offer):
    login(client, evaluator)

    page = client.get(url("offer-edit", offer))
    response = client.post(
        url("offer-edit", offer),
        {
            "name": "Trusted IaaS 2",
            "service_model": "paas",
            "deployment_model": "private",
            "regions": "fr, de",
            "description": "Now a PaaS.",
        },
    )

    offer.refresh_from_db()
    assert 'value="Trusted IaaS"' in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == offer.provider.get_absolute_url() + "#offers"
    assert (
        offer.name,
        offer.service_model,
        offer.deployment_model,
        offer.regions,
        offer.description,
    ) == ("Trusted IaaS 2", "paas", "private", ["FR", "DE"], "Now a PaaS.")


def test_renaming_an_offer_to_a_taken_name_gets_a_message(client, evaluator, offer):
    OfferFactory(provider=offer.provider, name="Storage")
    login(client, evaluator)

    response = client.post(
        url("offer-edit", offer),
        {"name": "Storage", "service_model": "iaas", "deployment_model": "public"},
    )

    offer.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["Beta already has an offer named Storage."]
    }
    assert "Edit offer Trusted IaaS" in response.content.decode()
    assert offer.name == "Trusted IaaS"


def test_an_offer_keeps_its_name_when_only_other_fields_change(
    client, evaluator, offer
):
    login(client, evaluator)

    response = client.post(
        url("offer-edit", offer),
        {"name": "Trusted IaaS", "service_model": "saas", "deployment_model": "public"},
    )

    offer.refresh_from_db()
    assert response.status_code == 302
    assert offer.service_model == "saas"


def test_an_unknown_service_model_gets_a_message(client, evaluator, offer):
    login(client, evaluator)

    response = client.post(
        url("offer-edit", offer),
        {"name": "X", "service_model": "mainframe", "deployment_model": "public"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["service_model"]
