"""Procurement pages: the list, opening a new one, editing it, closing and
reopening it, and adding an offer to it. The procurement's page itself
(its ranking) is in ``test_procurement_ranking.py``."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from procurement import services
from procurement.models import Procurement
from tests.factories import (
    OfferFactory,
    OrganisationFactory,
    ProcurementFactory,
    published_profile,
)
from tests.procurement.views.helpers import login, scored_assessment, url

pytestmark = pytest.mark.django_db


# the list -------------------------------------------------------------------


def test_procurement_list_shows_only_the_users_organisations(
    client, lead, organisation
):
    ProcurementFactory(organisation=organisation, title="Ours")
    ProcurementFactory(organisation=OrganisationFactory(), title="Theirs")
    login(client, lead)

    content = client.get(reverse("procurement:procurement-list")).content.decode()

    assert "Ours" in content
    assert "Theirs" not in content


@pytest.mark.parametrize("page", ["procurement:procurement-list", "procurement:home"])
def test_each_procurement_counts_its_offers_and_the_eligible_ones(
    client, lead, organisation, page
):
    counted = ProcurementFactory(organisation=organisation, title="Counted")
    scored_assessment(counted, lead, 4, name="Strong")
    scored_assessment(counted, lead, 0, name="Weak")  # fails the knock-outs
    ProcurementFactory(organisation=organisation, title="Empty")
    login(client, lead)

    listed = client.get(reverse(page)).context
    procurements = listed["page"] if "page" in listed else listed["procurements"]

    assert {(p.title, p.offer_count, p.eligible_count) for p in procurements} == {
        ("Counted", 2, 1),
        ("Empty", 0, 0),
    }


def test_procurement_list_filters_by_text_and_status(client, lead, organisation):
    ProcurementFactory(organisation=organisation, title="Payroll", reference="P-1")
    ProcurementFactory(
        organisation=organisation, title="Archive", status=Procurement.Status.CLOSED
    )
    login(client, lead)
    url = reverse("procurement:procurement-list")

    by_text = client.get(url, {"q": "p-1"}).content.decode()
    by_status = client.get(url, {"status": "closed"}).content.decode()

    assert ("Payroll" in by_text, "Archive" in by_text) == (True, False)
    assert ("Payroll" in by_status, "Archive" in by_status) == (False, True)


def test_procurement_list_renders_in_constant_queries(
    client, lead, organisation, django_assert_max_num_queries
):
    ProcurementFactory(organisation=organisation)
    login(client, lead)
    url = reverse("procurement:procurement-list")

    # session, user, the user's organisations, count, procurements page
    # (their organisations and catalogues apart: for_list), editable
    # organisations
    with django_assert_max_num_queries(8):
        client.get(url)

    for _ in range(5):
        scored_assessment(ProcurementFactory(organisation=organisation), lead, 2)
    with django_assert_max_num_queries(8):
        client.get(url)


# a new procurement ----------------------------------------------------------


def test_lead_opens_a_procurement_on_a_published_profile(
    client, lead, organisation, catalogue
):
    profile = catalogue.profiles.get(code="N3")
    login(client, lead)

    response = client.post(
        reverse("procurement:procurement-create"),
        {
            "organisation": organisation.pk,
            "title": "Health data hosting",
            "reference": "HDH-1",
            "profile": profile.pk,
            "deadline": "2027-03-31",
        },
    )

    procurement = Procurement.objects.get(reference="HDH-1")
    assert response.status_code == 302
    assert response["Location"] == procurement.get_absolute_url()
    assert (procurement.catalogue, procurement.profile, procurement.created_by) == (
        catalogue,
        profile,
        lead,
    )


def test_procurement_form_lists_the_published_profiles(client, lead, catalogue):
    login(client, lead)

    content = client.get(reverse("procurement:procurement-create")).content.decode()

    for profile in catalogue.profiles.all():
        assert f'value="{profile.pk}"' in content


def test_duplicate_procurement_reference_gets_a_message(
    client, lead, organisation, catalogue
):
    ProcurementFactory(organisation=organisation, reference="HDH-1")
    login(client, lead)

    response = client.post(
        reverse("procurement:procurement-create"),
        {
            "organisation": organisation.pk,
            "title": "Again",
            "reference": "HDH-1",
            "profile": catalogue.profiles.get(code="N2").pk,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reference"] == [
        f"{organisation.name} already has a procurement with this reference."
    ]


def test_viewer_cannot_open_a_procurement(client, viewer, organisation, catalogue):
    login(client, viewer)

    response = client.post(
        reverse("procurement:procurement-create"),
        {
            "organisation": organisation.pk,
            "title": "Nope",
            "profile": catalogue.profiles.get(code="N2").pk,
        },
    )

    assert response.status_code == 403
    assert not Procurement.objects.filter(title="Nope").exists()


# editing --------------------------------------------------------------------


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
    # (for the help that says which data each profile is for, then the options)
    with django_assert_max_num_queries(7):
        client.get(path)

    for level in (1, 2, 3):
        scored_assessment(procurement, lead, level)
    with django_assert_max_num_queries(7):
        client.get(path)


# opening and closing --------------------------------------------------------


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


# adding an offer ------------------------------------------------------------


def test_evaluator_puts_an_existing_offer_under_assessment(
    client, evaluator, organisation
):
    procurement = ProcurementFactory(organisation=organisation)
    offer = OfferFactory(provider__organisation=organisation)
    login(client, evaluator)

    response = client.post(
        reverse("procurement:procurement-add-offer", args=[procurement.pk]),
        {"action": "existing", "existing-offer": offer.pk},
    )

    assessment = procurement.assessments.get()
    assert assessment.offer == offer
    assert response["Location"] == reverse(
        "procurement:assessment-edit", args=[assessment.pk]
    )


def test_evaluator_records_a_new_provider_and_offer_for_a_procurement(
    client, evaluator, organisation
):
    procurement = ProcurementFactory(organisation=organisation)
    login(client, evaluator)

    response = client.post(
        reverse("procurement:procurement-add-offer", args=[procurement.pk]),
        {
            "action": "new",
            "new-provider_name": "Epsilon",
            "new-country": "fr",
            "new-offer_name": "Epsilon IaaS",
            "new-service_model": "iaas",
            "new-deployment_model": "private",
        },
    )

    assessment = procurement.assessments.select_related("offer__provider").get()
    assert response.status_code == 302
    assert (
        assessment.offer.provider.name,
        assessment.offer.provider.country,
        assessment.offer.provider.organisation,
        assessment.offer.name,
    ) == ("Epsilon", "FR", organisation, "Epsilon IaaS")


def test_add_offer_page_lists_only_offers_not_yet_assessed(client, lead, organisation):
    procurement = ProcurementFactory(organisation=organisation)
    taken = scored_assessment(procurement, lead, 2, name="Already in").offer
    OfferFactory(provider__organisation=organisation, name="Still free")
    OfferFactory(provider__organisation=OrganisationFactory(), name="Not ours")
    login(client, lead)

    response = client.get(
        reverse("procurement:procurement-add-offer", args=[procurement.pk])
    )

    offers = list(response.context["existing"].fields["offer"].queryset)
    assert [offer.name for offer in offers] == ["Still free"]
    assert taken not in offers


def test_add_offer_page_renders_in_constant_queries(
    client, lead, organisation, django_assert_max_num_queries
):
    procurement = ProcurementFactory(organisation=organisation)
    OfferFactory(provider__organisation=organisation)
    login(client, lead)
    url = reverse("procurement:procurement-add-offer", args=[procurement.pk])

    # session, user, procurement, role, offers: exists, then the options
    # (twice: Select reads its first option to decide on "required")
    with django_assert_max_num_queries(7):
        client.get(url)

    for _ in range(5):
        OfferFactory(provider__organisation=organisation)
    with django_assert_max_num_queries(7):
        client.get(url)


def test_viewer_cannot_add_an_offer_to_a_procurement(client, viewer, organisation):
    procurement = ProcurementFactory(organisation=organisation)
    offer = OfferFactory(provider__organisation=organisation)
    login(client, viewer)

    response = client.post(
        reverse("procurement:procurement-add-offer", args=[procurement.pk]),
        {"action": "existing", "existing-offer": offer.pk},
    )

    assert response.status_code == 403
    assert not procurement.assessments.exists()


def test_the_profile_help_says_which_data_each_profile_is_for(client, lead, catalogue):
    login(client, lead)

    content = client.get(reverse("procurement:procurement-create")).content.decode()

    for profile in catalogue.profiles.all():
        first_sentence = profile.description_en.split(". ")[0]
        assert f"<strong>{profile.code} {profile.name_en}</strong>: " in content
        assert escape(first_sentence) in content
