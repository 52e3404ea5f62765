"""The web UI: log in and out, language, home, providers, procurements, reference
cases. Assessment pages (editor, scorecard, workflow) are in
``test_views_assessments.py``."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from procurement import services
from procurement.models import (
    Assessment,
    Certification,
    Membership,
    Offer,
    Procurement,
    Provider,
    ProviderFact,
)
from tests.factories import (
    OfferFactory,
    OrganisationFactory,
    ProcurementFactory,
    ProviderFactFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def answers_at(catalogue, level, evidence="verified"):
    return [
        services.AnswerData(criterion=c.code, level=level, evidence=evidence)
        for c in catalogue.criteria.all()
    ]


def scored_assessment(procurement, user, level, **offer):
    """An assessment of a new offer with every criterion at ``level``."""
    offer = OfferFactory(provider__organisation=procurement.organisation, **offer)
    assessment = services.start_assessment(
        user=user, procurement=procurement, offer=offer
    )
    return services.record_answers(
        assessment,
        user=user,
        version=assessment.version,
        answers=answers_at(procurement.catalogue, level),
    )


def reference_case(catalogue, name="Cloudwatt", level=1):
    """A reference case built by factories: provider, facts, approved assessment."""
    provider = ProviderFactory(
        reference_case=True,
        name=name,
        reference_key=name.lower(),
        founded_on=datetime.date(2012, 9, 6),
        ceased_on=datetime.date(2020, 2, 1),
        status=Provider.Status.CEASED,
        description="A French sovereign cloud.",
        lesson="Ownership is not enough.",
        translations={"fr": {"lesson": "La propriété ne suffit pas."}},
    )
    ProviderFactFactory(
        provider=provider,
        statement="Orange, the State and Thales found the company.",
        as_of=datetime.date(2012, 9, 6),
        source_title="Press release",
        source_url="https://example.org/founding",
        translations={
            "fr": {"statement": "Orange, l'État et Thales fondent la société."}
        },
    )
    ProviderFactFactory(
        provider=provider,
        statement="The platform is switched off.",
        as_of=datetime.date(2020, 2, 1),
        date_precision=ProviderFact.Precision.MONTH,
        source_title="Shutdown notice",
        source_url="https://example.org/shutdown",
        verify=True,
        note="Only one source.",
    )
    offer = OfferFactory(provider=provider, name="Public cloud")
    assessment = Assessment.objects.create(
        offer=offer,
        procurement=None,
        catalogue=catalogue,
        profile=catalogue.profiles.get(code="N2"),
        status=Assessment.Status.APPROVED,
        as_of=datetime.date(2014, 3, 31),
    )
    for data in answers_at(catalogue, level, evidence="documented"):
        assessment.answers.create(
            criterion=catalogue.criteria.get(code=data.criterion),
            level=data.level,
            evidence=data.evidence,
        )
    return services.refresh_snapshot(assessment)


# ------------------------------------------------------------- log in and out


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("procurement:home", []),
        ("procurement:provider-list", []),
        ("procurement:provider-create", []),
        ("procurement:provider-detail", [1]),
        ("procurement:procurement-list", []),
        ("procurement:procurement-create", []),
        ("procurement:procurement-detail", [1]),
        ("procurement:assessment-detail", [1]),
        ("procurement:assessment-edit", [1]),
        ("procurement:reference-case-list", []),
        ("procurement:reference-case-detail", ["cloudwatt"]),
    ],
)
def test_anonymous_user_is_redirected_to_login(client, name, args):
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_has_labelled_fields_and_a_language_switch(client):
    response = client.get(reverse("login"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in content
    assert '<label for="id_password">' in content
    assert f'action="{reverse("set_language")}"' in content


def test_logging_in_leads_home(client, lead):
    response = client.post(
        reverse("login"), {"username": lead.username, "password": "secret-password"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:home")


def test_wrong_password_is_refused_with_a_message(client, lead):
    response = client.post(
        reverse("login"), {"username": lead.username, "password": "wrong"}
    )

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_logout_is_a_post_form(client, lead):
    login(client, lead)

    page = client.get(reverse("procurement:home")).content.decode()
    response = client.post(reverse("logout"))

    assert f'<form action="{reverse("logout")}" method="post"' in page
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_language_switch_persists_in_a_cookie(client, lead):
    login(client, lead)

    response = client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("procurement:home")}
    )
    page = client.get(reverse("procurement:home"))

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr">' in page.content.decode()
    assert "Accueil" in page.content.decode()
    assert "Marchés" in page.content.decode()


def test_catalogue_texts_follow_the_language(client, lead, catalogue):
    procurement = ProcurementFactory(organisation=lead.memberships.get().organisation)
    assessment = scored_assessment(procurement, lead, 2)
    login(client, lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    content = client.get(
        reverse("procurement:assessment-edit", args=[assessment.pk])
    ).content.decode()

    own1 = catalogue.criteria.get(code="OWN-1")
    assert own1.name_fr in content
    assert own1.question_fr.replace("'", "&#x27;") in content
    assert "Inconnu" in content


# ------------------------------------------------------------------------ home


def test_home_shows_procurements_waiting_work_and_reference_cases(
    client, lead, organisation, catalogue
):
    procurement = ProcurementFactory(organisation=organisation, title="Payroll hosting")
    draft = scored_assessment(procurement, lead, 2, name="Draft offer")
    submitted = services.submit_assessment(
        scored_assessment(procurement, lead, 3, name="Submitted offer"), user=lead
    )
    reference_case(catalogue)
    login(client, lead)

    response = client.get(reverse("procurement:home"))

    content = response.content.decode()
    assert "Payroll hosting" in content
    assert reverse("procurement:assessment-edit", args=[draft.pk]) in content
    assert submitted.get_absolute_url() in content
    assert "To approve" in content
    assert reverse("procurement:reference-case-detail", args=["cloudwatt"]) in content


def test_home_does_not_ask_a_viewer_to_work(client, viewer, organisation, lead):
    procurement = ProcurementFactory(organisation=organisation)
    draft = scored_assessment(procurement, lead, 2)
    login(client, viewer)

    content = client.get(reverse("procurement:home")).content.decode()

    assert reverse("procurement:assessment-edit", args=[draft.pk]) not in content
    assert reverse("procurement:procurement-create") not in content


def test_home_renders_in_constant_queries(
    client, lead, organisation, catalogue, django_assert_max_num_queries
):
    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 2)
    reference_case(catalogue)
    login(client, lead)
    url = reverse("procurement:home")

    # session, user, memberships, procurements, waiting assessments, references
    with django_assert_max_num_queries(6):
        client.get(url)

    for index in range(4):
        other = ProcurementFactory(organisation=organisation)
        scored_assessment(other, lead, index)
    reference_case(catalogue, name="Numergy")
    with django_assert_max_num_queries(6):
        client.get(url)


# ------------------------------------------------------------------- providers


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

    # session, user, count, providers page, editable organisations
    with django_assert_max_num_queries(5):
        client.get(url)

    for _ in range(5):
        provider = ProviderFactory(organisation=organisation)
        OfferFactory(provider=provider)
        ProviderFactFactory(provider=provider)
    reference_case(catalogue)
    with django_assert_max_num_queries(5):
        client.get(url)


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


# ---------------------------------------------------------------- procurements


def test_procurement_list_shows_only_the_users_organisations(
    client, lead, organisation
):
    ProcurementFactory(organisation=organisation, title="Ours")
    ProcurementFactory(organisation=OrganisationFactory(), title="Theirs")
    login(client, lead)

    content = client.get(reverse("procurement:procurement-list")).content.decode()

    assert "Ours" in content
    assert "Theirs" not in content


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

    # session, user, count, procurements page, editable organisations
    with django_assert_max_num_queries(5):
        client.get(url)

    for _ in range(5):
        scored_assessment(ProcurementFactory(organisation=organisation), lead, 2)
    with django_assert_max_num_queries(5):
        client.get(url)


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


def test_procurement_ranks_eligible_offers_and_explains_exclusions(
    client, lead, organisation
):
    procurement = ProcurementFactory(organisation=organisation)
    best = scored_assessment(procurement, lead, 4, name="Best offer")
    first_tie = scored_assessment(procurement, lead, 3, name="Tie A")
    second_tie = scored_assessment(procurement, lead, 3, name="Tie B")
    excluded = scored_assessment(procurement, lead, 1, name="Weak offer")
    login(client, lead)

    response = client.get(procurement.get_absolute_url())

    report = response.context["report"]
    rows = [(row.assessment.pk, row.rank, row.tied) for row, _item in report.rows]
    assert rows == [
        (best.pk, 1, False),
        (first_tie.pk, 2, True),
        (second_tie.pk, 2, True),
        (excluded.pk, None, False),
    ]
    content = response.content.decode()
    assert "tied" in content
    assert "Excluded under N3" in content
    excluded_report = report.reports[excluded.pk]
    assert excluded_report.knockouts
    for line in excluded_report.knockouts:
        assert line.text.replace('"', "&quot;") in content
    assert "JUR-1 Exposure to extraterritorial access laws: level 1, N3 requires 3" in (
        content
    )
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in content


def test_procurement_radar_overlays_the_chosen_reference_cases(
    client, lead, organisation, catalogue
):
    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 3)
    cloudwatt = reference_case(catalogue, "Cloudwatt")
    reference_case(catalogue, "Numergy")
    login(client, lead)

    plain = client.get(procurement.get_absolute_url()).content.decode()
    overlaid = client.get(
        procurement.get_absolute_url(), {"ref": cloudwatt.pk}
    ).content.decode()

    assert "Cloudwatt (reference" not in plain
    assert "Cloudwatt (reference" in overlaid
    assert "Numergy (reference" not in overlaid
    assert f'value="{cloudwatt.pk}" id="ref-{cloudwatt.pk}" checked' in overlaid


def test_viewer_sees_the_ranking_but_no_button_to_add_an_offer(
    client, viewer, lead, organisation
):
    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 3, name="Visible offer")
    login(client, viewer)

    content = client.get(procurement.get_absolute_url()).content.decode()

    assert "Visible offer" in content
    assert (
        reverse("procurement:procurement-add-offer", args=[procurement.pk])
        not in content
    )


def test_another_organisations_procurement_is_a_404(client, lead):
    procurement = ProcurementFactory(organisation=OrganisationFactory())
    login(client, lead)

    detail = client.get(procurement.get_absolute_url())
    add = client.get(
        reverse("procurement:procurement-add-offer", args=[procurement.pk])
    )

    assert (detail.status_code, add.status_code) == (404, 404)


def test_procurement_detail_renders_in_constant_queries(
    client, lead, organisation, catalogue, django_assert_max_num_queries
):
    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 3)
    reference_case(catalogue)
    login(client, lead)
    url = procurement.get_absolute_url()

    # session, user, procurement, catalogue with its method (11), ranking,
    # answers and their facts, reference cases, role
    with django_assert_max_num_queries(19):
        client.get(url, {"ref": "1"})

    for level in (0, 1, 2, 4):
        scored_assessment(procurement, lead, level)
    with django_assert_max_num_queries(19):
        client.get(url, {"ref": "1"})


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


# ------------------------------------------------------------- reference cases


def test_reference_case_list_shows_every_case_with_its_score(client, viewer, catalogue):
    cloudwatt = reference_case(catalogue, "Cloudwatt")
    numergy = reference_case(catalogue, "Numergy", level=2)
    login(client, viewer)

    content = client.get(reverse("procurement:reference-case-list")).content.decode()

    for case in (cloudwatt, numergy):
        assert case.offer.provider.name in content
        assert f"{case.global_score}" in content


def test_reference_case_tells_its_story_next_to_its_scorecard(
    client, viewer, catalogue
):
    case = reference_case(catalogue)
    login(client, viewer)

    response = client.get(
        reverse("procurement:reference-case-detail", args=["cloudwatt"])
    )

    content = response.content.decode()
    assert [fact.statement for fact, _codes in response.context["before"]] == [
        "Orange, the State and Thales found the company."
    ]
    assert [fact.statement for fact, _codes in response.context["after"]] == [
        "The platform is switched off."
    ]
    assert "What a buyer could know on 31 March 2014" in content
    assert (
        '<a href="https://example.org/shutdown" rel="noopener noreferrer">' in content
    )
    assert "To verify" in content
    assert "Only one source." in content
    assert "February 2020" in content
    assert f"{case.global_score}" in content
    assert "Ownership is not enough." in content


def test_reference_case_reads_its_french_texts(client, viewer, catalogue):
    reference_case(catalogue)
    login(client, viewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    content = client.get(
        reverse("procurement:reference-case-detail", args=["cloudwatt"])
    ).content.decode()

    assert "Orange, l&#x27;État et Thales fondent la société." in content
    assert "La propriété ne suffit pas." in content


def test_unknown_reference_case_is_a_404(client, viewer):
    login(client, viewer)

    response = client.get(reverse("procurement:reference-case-detail", args=["nobody"]))

    assert response.status_code == 404


def test_reference_pages_render_in_constant_queries(
    client, viewer, catalogue, django_assert_max_num_queries
):
    case = reference_case(catalogue)
    login(client, viewer)
    detail = reverse("procurement:reference-case-detail", args=["cloudwatt"])
    listing = reverse("procurement:reference-case-list")

    # session, user, provider, assessment, catalogue with its method (11),
    # answers and their facts, facts, offers, certifications
    with django_assert_max_num_queries(18):
        client.get(detail)
    with django_assert_max_num_queries(3):
        client.get(listing)

    for _ in range(6):
        ProviderFactFactory(provider=case.offer.provider)
    reference_case(catalogue, "Numergy")
    with django_assert_max_num_queries(18):
        client.get(detail)
    with django_assert_max_num_queries(3):
        client.get(listing)
