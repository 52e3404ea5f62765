"""The REST API end to end: authentication, scoping, roles and each workflow."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from procurement import services
from procurement.models import (
    Answer,
    Assessment,
    Membership,
    Offer,
    Procurement,
    Provider,
)
from tests.conftest import member
from tests.factories import (
    AssessmentFactory,
    OfferFactory,
    OrganisationFactory,
    ProcurementFactory,
    ProviderFactFactory,
    ProviderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def procurement(catalogue, organisation):
    return ProcurementFactory(organisation=organisation)


@pytest.fixture
def assessment(procurement, evaluator):
    offer = OfferFactory(provider__organisation=procurement.organisation)
    return services.start_assessment(
        user=evaluator, procurement=procurement, offer=offer
    )


@pytest.fixture
def reference_case(catalogue):
    """A read-only reference assessment with one answer."""
    offer = OfferFactory(provider=ProviderFactory(reference_case=True))
    assessment = AssessmentFactory(
        procurement=None,
        offer=offer,
        catalogue=catalogue,
        profile=catalogue.profiles.get(code="N2"),
        status=Assessment.Status.APPROVED,
    )
    Answer.objects.create(
        assessment=assessment, criterion=catalogue.criteria.get(code="OWN-1"), level=2
    )
    return assessment


@pytest.fixture
def foreign_assessment(catalogue):
    """An assessment of another organisation, with a fact on its provider."""
    assessment = AssessmentFactory()
    ProviderFactFactory(provider=assessment.offer.provider)
    return assessment


def url(name, *args):
    return reverse(f"api:{name}", args=args)


# Authentication -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "catalogue-list",
        "provider-list",
        "offer-list",
        "procurement-list",
        "assessment-list",
    ],
)
def test_anonymous_lists_are_401_without_data(name, reference_case):
    response = APIClient().get(url(name))

    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "name", ["assessment-detail", "assessment-scorecard", "assessment-answers"]
)
def test_anonymous_cannot_read_even_a_reference_case(name, reference_case):
    response = APIClient().get(url(name, reference_case.pk))

    assert response.status_code == 401


@pytest.fixture
def token_client():
    """An anonymous client, with the token throttle's counters reset."""
    cache.clear()
    yield APIClient()
    cache.clear()


def test_a_token_is_issued_for_username_and_password_and_authenticates(
    token_client, evaluator, procurement
):
    response = token_client.post(
        url("token"), {"username": evaluator.username, "password": "secret-password"}
    )
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    listed = token_client.get(url("procurement-list"))

    assert response.status_code == 200
    assert [p["id"] for p in listed.json()["results"]] == [procurement.pk]


def test_a_wrong_password_gets_a_400_and_no_token(token_client, evaluator):
    response = token_client.post(
        url("token"), {"username": evaluator.username, "password": "guess"}
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_token_requests_are_throttled(token_client, evaluator, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    body = {"username": evaluator.username, "password": "guess"}

    codes = [token_client.post(url("token"), body).status_code for _ in range(3)]

    assert codes == [400, 400, 429]


# Catalogues -----------------------------------------------------------------


def test_catalogue_detail_has_pillars_criteria_and_profiles(catalogue, viewer):
    response = client_for(viewer).get(url("catalogue-detail", catalogue.pk))

    data = response.json()
    criterion = next(c for c in data["criteria"] if c["code"] == "JUR-1")
    n3 = next(p for p in data["profiles"] if p["code"] == "N3")
    assert (len(data["pillars"]), len(data["criteria"])) == (8, 45)
    assert set(criterion) >= {
        "code",
        "name",
        "question",
        "levels",
        "weight",
        "na_allowed",
        "evidence_guidance",
        "traces",
    }
    assert [level["level"] for level in criterion["levels"]] == [0, 1, 2, 3, 4]
    assert {"criterion": "JUR-1", "min_level": 3} in n3["knockouts"]
    assert {"pillar": "JUR", "weight": 18.0} in n3["pillar_weights"]
    assert {"evidence_type": "declared", "max_level": 2} in n3["evidence_caps"]


def test_catalogue_texts_follow_accept_language(catalogue, viewer):
    client = client_for(viewer)
    path = url("catalogue-detail", catalogue.pk)

    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    french = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")

    assert (english.json()["name"], french.json()["name"]) == (
        "Cloud of Trust",
        "Cloud de confiance",
    )
    assert french.json()["criteria"][0]["name"] == (
        catalogue.criteria.order_by("pillar__position", "position").first().name_fr
    )
    assert "Accept-Language" in french["Vary"]
    assert french["Content-Language"] == "fr"


# Providers ------------------------------------------------------------------


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
    assert "several organisations" in refused.json()["organisation"][0]
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
    assert "does not exist" in response.json()["organisation"][0]
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
    assert list(response.json()) == ["website"]


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


# Offers ---------------------------------------------------------------------


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
    assert list(response.json()) == ["regions"]


def test_patch_an_offer(organisation, evaluator):
    offer = OfferFactory(provider__organisation=organisation)

    response = client_for(evaluator).patch(
        url("offer-detail", offer.pk), {"regions": ["FR", "DE"]}
    )

    assert response.status_code == 200
    assert response.json()["regions"] == ["FR", "DE"]


# Another organisation's objects ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "obj", "body"),
    [
        ("get", "provider-detail", "provider", None),
        ("patch", "provider-detail", "provider", {"name": "Mine"}),
        ("post", "provider-facts", "provider", {"statement": "x"}),
        ("get", "offer-detail", "offer", None),
        ("patch", "offer-detail", "offer", {"name": "Mine"}),
        ("get", "procurement-detail", "procurement", None),
        ("get", "procurement-ranking", "procurement", None),
        ("get", "assessment-detail", "assessment", None),
        ("get", "assessment-answers", "assessment", None),
        ("post", "assessment-answers", "assessment", {"version": 1, "answers": []}),
        ("post", "assessment-submit", "assessment", {}),
        ("post", "assessment-approve", "assessment", {}),
        ("get", "assessment-scorecard", "assessment", None),
    ],
)
def test_another_organisations_objects_are_404_everywhere(
    method, name, obj, body, foreign_assessment, lead
):
    target = {
        "assessment": foreign_assessment,
        "procurement": foreign_assessment.procurement,
        "offer": foreign_assessment.offer,
        "provider": foreign_assessment.offer.provider,
    }[obj]

    response = getattr(client_for(lead), method)(url(name, target.pk), body)

    assert response.status_code == 404
    foreign_assessment.refresh_from_db()
    assert (foreign_assessment.version, foreign_assessment.status) == (1, "draft")


def test_lists_show_own_work_and_reference_cases_only(
    foreign_assessment, reference_case, assessment, lead
):
    client = client_for(lead)

    listed = {
        name: {item["id"] for item in client.get(url(name)).json()["results"]}
        for name in ["provider-list", "offer-list", "assessment-list"]
    }

    assert listed == {
        "provider-list": {
            assessment.offer.provider_id,
            reference_case.offer.provider_id,
        },
        "offer-list": {assessment.offer_id, reference_case.offer_id},
        "assessment-list": {assessment.pk, reference_case.pk},
    }


def test_an_assessment_of_a_foreign_procurement_or_offer_is_refused(
    foreign_assessment, procurement, evaluator
):
    client = client_for(evaluator)

    response = client.post(
        url("assessment-list"),
        {
            "procurement": foreign_assessment.procurement_id,
            "offer": foreign_assessment.offer_id,
        },
    )

    assert response.status_code == 400
    assert sorted(response.json()) == ["offer", "procurement"]


# Procurements ---------------------------------------------------------------


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
    assert "N9" in response.json()["profile"][0]
    assert "N1, N2, N3, N4" in response.json()["profile"][0]
    assert not Procurement.objects.exists()


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


# Assessments ----------------------------------------------------------------


def test_an_assessment_needs_only_a_procurement_and_an_offer(procurement, evaluator):
    offer = OfferFactory(provider__organisation=procurement.organisation)

    response = client_for(evaluator).post(
        url("assessment-list"), {"procurement": procurement.pk, "offer": offer.pk}
    )

    data = response.json()
    assert response.status_code == 201
    assert (data["profile"], data["catalogue"], data["version"]) == (
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
    assert "already under assessment" in response.json()["offer"][0]


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
    assert list(response.json()) == ["procurement"]


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

    errors = response.json()["answers"]
    assert response.status_code == 400
    assert [sorted(e) for e in errors] == [[], ["criterion"], ["not_applicable"]]
    assert "XYZ-9" in errors[1]["criterion"][0]
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
    assert response.json()["answers"][0] == {}
    assert "less than or equal to 4" in response.json()["answers"][1]["level"][0]
    assert not Answer.objects.filter(assessment=assessment).exists()


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
    approved = client_for(lead).post(url("assessment-approve", assessment.pk))

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
    assert "submitted" in response.json()["non_field_errors"][0]


def test_answering_a_submitted_assessment_is_a_400(assessment, evaluator):
    services.submit_assessment(assessment, user=evaluator)

    response = client_for(evaluator).post(
        url("assessment-answers", assessment.pk),
        {"version": 2, "answers": [{"criterion": "OWN-1", "level": 4}]},
    )

    assert response.status_code == 400
    assert "read-only" in response.json()["non_field_errors"][0]


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
