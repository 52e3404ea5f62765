"""The web UI's certification pages, offer and procurement editing, opening
and closing a procurement, and the ranking under every profile."""

import datetime

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import Certification, Procurement
from tests.factories import (
    OfferFactory,
    OrganisationFactory,
    ProcurementFactory,
    ProviderFactory,
    published_profile,
)
from tests.procurement.test_views import login, reference_case, scored_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(organisation):
    return OfferFactory(
        provider=ProviderFactory(organisation=organisation, name="Beta"),
        name="Trusted IaaS",
    )


@pytest.fixture
def certification(offer):
    return Certification.objects.create(offer=offer, scheme="SecNumCloud 3.2")


@pytest.fixture
def procurement(organisation):
    return ProcurementFactory(organisation=organisation, reference="T-1")


def foreign_objects(catalogue):
    """An offer, its certification and a procurement of another organisation."""
    other = OrganisationFactory()
    offer = OfferFactory(provider__organisation=other)
    return {
        "offer": offer,
        "certification": Certification.objects.create(offer=offer, scheme="HDS"),
        "procurement": ProcurementFactory(organisation=other),
    }


def url(name, obj):
    return reverse(f"procurement:{name}", args=[obj.pk])


# ------------------------------------------------------------- every new page

PAGES = [
    ("get", "offer-edit", "offer"),
    ("post", "offer-edit", "offer"),
    ("get", "certification-create", "offer"),
    ("post", "certification-create", "offer"),
    ("post", "certification-remove", "certification"),
    ("get", "procurement-edit", "procurement"),
    ("post", "procurement-edit", "procurement"),
    ("post", "procurement-close", "procurement"),
    ("post", "procurement-open", "procurement"),
]


@pytest.mark.parametrize(("method", "name", "kind"), PAGES)
def test_anonymous_user_is_sent_to_log_in(client, catalogue, method, name, kind):
    target = foreign_objects(catalogue)[kind]
    path = url(name, target)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


@pytest.mark.parametrize(("method", "name", "kind"), PAGES)
def test_another_organisations_objects_are_a_404(
    client, lead, catalogue, method, name, kind
):
    objects = foreign_objects(catalogue)
    login(client, lead)

    response = getattr(client, method)(url(name, objects[kind]), {"title": "Mine"})

    assert response.status_code == 404
    assert Certification.objects.filter(pk=objects["certification"].pk).exists()
    assert Procurement.objects.get(pk=objects["procurement"].pk).status == "open"


@pytest.mark.parametrize(("method", "name", "kind"), PAGES)
def test_a_viewer_is_refused(
    client, viewer, offer, certification, procurement, method, name, kind
):
    target = {"offer": offer, "certification": certification}.get(kind, procurement)
    login(client, viewer)

    response = getattr(client, method)(url(name, target), {"title": "Mine"})

    assert response.status_code == 403
    assert Certification.objects.filter(pk=certification.pk).exists()
    procurement.refresh_from_db()
    assert (procurement.title, procurement.status) == (
        "Hosting of the payroll system",
        "open",
    )


@pytest.mark.parametrize("name", ["offer-edit", "certification-create"])
def test_a_reference_cases_offer_is_read_only(client, lead, catalogue, name):
    offer = reference_case(catalogue).offer
    login(client, lead)

    page = client.get(url(name, offer))
    post = client.post(url(name, offer), {"name": "Mine", "scheme": "HDS"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert not offer.certifications.exists()


def test_a_reference_cases_certification_cannot_be_removed(client, lead, catalogue):
    offer = reference_case(catalogue).offer
    certification = Certification.objects.create(offer=offer, scheme="HDS")
    login(client, lead)

    response = client.post(url("certification-remove", certification))

    assert response.status_code == 403
    assert offer.certifications.exists()


# ---------------------------------------------------------- the provider page


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


# ------------------------------------------------------------- certifications


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


# ---------------------------------------------------------------- offer edit


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


# ---------------------------------------------------------- procurement edit


def test_an_evaluator_edits_a_procurement(client, evaluator, procurement):
    login(client, evaluator)

    response = client.post(
        url("procurement-edit", procurement),
        {
            "title": "Archive hosting",
            "reference": "T-2",
            "description": "Ten years of archives.",
            "profile": procurement.profile.pk,
            "deadline": "2027-03-31",
        },
    )

    procurement.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == procurement.get_absolute_url()
    assert (
        procurement.title,
        procurement.reference,
        procurement.description,
        procurement.deadline,
    ) == (
        "Archive hosting",
        "T-2",
        "Ten years of archives.",
        datetime.date(2027, 3, 31),
    )


def test_the_profile_can_change_before_any_offer_is_assessed(
    client, evaluator, procurement
):
    n2 = published_profile("N2")
    login(client, evaluator)

    page = client.get(url("procurement-edit", procurement)).content.decode()
    response = client.post(
        url("procurement-edit", procurement),
        {"title": "Payroll", "profile": n2.pk},
    )

    procurement.refresh_from_db()
    assert "You can still change it" in page
    assert response.status_code == 302
    assert procurement.profile == n2


def test_the_profile_is_pinned_once_an_offer_is_assessed(client, lead, procurement):
    scored_assessment(procurement, lead, 3)
    login(client, lead)

    page = client.get(url("procurement-edit", procurement)).content.decode()
    response = client.post(
        url("procurement-edit", procurement),
        {"title": "Payroll", "profile": published_profile("N1").pk},
    )

    procurement.refresh_from_db()
    assert "Pinned: offers are under assessment" in page
    assert 'name="profile"' in page
    assert "disabled" in page.split('name="profile"')[1].split(">")[0]
    assert response.status_code == 302
    assert (procurement.title, procurement.profile.code) == ("Payroll", "N3")


def test_a_taken_reference_gets_a_message_on_the_reference(
    client, evaluator, procurement
):
    ProcurementFactory(organisation=procurement.organisation, reference="T-9")
    login(client, evaluator)

    response = client.post(
        url("procurement-edit", procurement),
        {"title": "Payroll", "reference": "T-9", "profile": procurement.profile.pk},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reference"]
    procurement.refresh_from_db()
    assert procurement.reference == "T-1"


def test_the_same_reference_in_another_organisation_is_fine(
    client, evaluator, procurement
):
    ProcurementFactory(reference="T-9")
    login(client, evaluator)

    response = client.post(
        url("procurement-edit", procurement),
        {"title": "Payroll", "reference": "T-9", "profile": procurement.profile.pk},
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Payroll", "deadline": "soon"}, "deadline"),
        ({"title": "Payroll", "profile": "999999"}, "profile"),
    ],
)
def test_bad_procurement_input_gets_a_message_next_to_the_field(
    client, evaluator, procurement, data, field
):
    login(client, evaluator)
    data = {"profile": procurement.profile.pk, **data}

    response = client.post(url("procurement-edit", procurement), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert "Edit Hosting of the payroll system" in response.content.decode()


def test_the_edit_page_renders_in_constant_queries(
    client, lead, procurement, django_assert_max_num_queries
):
    login(client, lead)
    path = url("procurement-edit", procurement)

    # session, user, procurement, role, any assessment, published profiles
    with django_assert_max_num_queries(6):
        client.get(path)

    for level in (1, 2, 3):
        scored_assessment(procurement, lead, level)
    with django_assert_max_num_queries(6):
        client.get(path)


# ----------------------------------------------------- opening and closing


def test_a_lead_gets_edit_and_close_buttons_that_ask_first(client, lead, procurement):
    login(client, lead)

    content = client.get(procurement.get_absolute_url()).content.decode()

    assert url("procurement-edit", procurement) in content
    assert (
        f'<form method="post" action="{url("procurement-close", procurement)}" '
        'class="inline-form" data-confirm="Close this procurement?'
    ) in content
    assert url("procurement-open", procurement) not in content


def test_an_evaluator_may_edit_but_not_close(client, evaluator, procurement):
    login(client, evaluator)

    content = client.get(procurement.get_absolute_url()).content.decode()

    assert url("procurement-edit", procurement) in content
    assert url("procurement-close", procurement) not in content


def test_a_viewer_gets_neither_edit_nor_close(client, viewer, procurement):
    login(client, viewer)

    content = client.get(procurement.get_absolute_url()).content.decode()

    assert url("procurement-edit", procurement) not in content
    assert url("procurement-close", procurement) not in content


def test_a_lead_closes_a_procurement_and_offers_can_no_longer_be_added(
    client, lead, procurement
):
    login(client, lead)

    response = client.post(url("procurement-close", procurement), follow=True)
    add = client.get(url("procurement-add-offer", procurement), follow=True)

    procurement.refresh_from_db()
    content = response.content.decode()
    assert procurement.status == "closed"
    assert "Procurement closed" in content
    assert url("procurement-open", procurement) in content
    assert "Reopen the procurement" in content
    assert url("procurement-add-offer", procurement) not in content
    assert add.redirect_chain == [(procurement.get_absolute_url(), 302)]
    assert "a lead must reopen it to add offers" in add.content.decode()


def test_a_lead_reopens_a_closed_procurement(client, lead, procurement):
    services.close_procurement(procurement, user=lead)
    login(client, lead)

    response = client.post(url("procurement-open", procurement), follow=True)

    procurement.refresh_from_db()
    assert procurement.status == "open"
    assert "Procurement open" in response.content.decode()
    assert url("procurement-add-offer", procurement) in response.content.decode()


def test_an_evaluator_cannot_close(client, evaluator, procurement):
    login(client, evaluator)

    response = client.post(url("procurement-close", procurement))

    procurement.refresh_from_db()
    assert response.status_code == 403
    assert procurement.status == "open"


def test_closing_twice_gets_a_message_not_an_error(client, lead, procurement):
    services.close_procurement(procurement, user=lead)
    login(client, lead)

    response = client.post(url("procurement-close", procurement), follow=True)

    assert response.status_code == 200
    assert "This procurement is already closed." in response.content.decode()


def test_closing_needs_a_post(client, lead, procurement):
    login(client, lead)

    response = client.get(url("procurement-close", procurement))

    procurement.refresh_from_db()
    assert response.status_code == 405
    assert procurement.status == "open"


# ------------------------------------------------------------- sensitivity


def test_the_procurement_page_ranks_the_offers_under_every_profile(
    client, lead, procurement
):
    scored_assessment(procurement, lead, 3, name="Fair offer")
    scored_assessment(procurement, lead, 2, name="Middling offer")
    login(client, lead)

    response = client.get(procurement.get_absolute_url())

    content = response.content.decode()
    analysis = response.context["sensitivity"]
    assert [(c.code, c.current, c.eligible) for c in analysis.columns] == [
        ("N1", False, 2),
        ("N2", False, 2),
        ("N3", True, 1),
        ("N4", False, 0),
    ]
    assert 'id="sensitivity-title">Sensitivity to the profile' in content
    assert content.count("this procurement</span>") == 1
    assert "sensitivity__profile is-current" in content
    # The middling offer: ranked 2nd under N1 and N2, excluded under N3.
    table = content.split('id="sensitivity"')[1]
    middling = table.split("Middling offer")[1].split("</tr>")[0]
    assert middling.count("rank 2") == 2
    assert middling.count(">excluded</span>") == 2


def test_the_ranking_under_every_profile_keeps_the_query_bound(
    client, lead, organisation, catalogue, django_assert_max_num_queries
):
    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 3)
    reference_case(catalogue)
    login(client, lead)
    path = procurement.get_absolute_url()

    # session, user, procurement, catalogue with its method (11), ranking,
    # answers and their facts, reference cases, role: the sensitivity table
    # reuses the answers loaded for the ranking.
    with django_assert_max_num_queries(19):
        first = client.get(path, {"ref": "1"})

    for level in (0, 1, 2, 4):
        scored_assessment(procurement, lead, level)
    with django_assert_max_num_queries(19):
        second = client.get(path, {"ref": "1"})

    sizes = [len(r.context["sensitivity"].rows) for r in (first, second)]
    assert sizes == [1, 5]


def test_an_empty_procurement_shows_no_sensitivity_table(client, lead, procurement):
    login(client, lead)

    content = client.get(procurement.get_absolute_url()).content.decode()

    assert "sensitivity-title" not in content
