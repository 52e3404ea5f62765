"""Sync and search: ``updated_after``, cursor pages, ``q`` and the
assessment filters."""

import datetime

import pytest
from django.utils import timezone

from procurement import services
from procurement.models import Assessment, Offer, Procurement, Provider
from tests.factories import OfferFactory, ProcurementFactory, ProviderFactory
from tests.procurement.api.helpers import client_for, problem_errors, url

pytestmark = pytest.mark.django_db

AN_HOUR_AGO = datetime.timedelta(hours=1)


def _age(model, pk, delta):
    """Move a row's ``updated_at`` into the past (auto_now sets it to now)."""
    model.objects.filter(pk=pk).update(updated_at=timezone.now() - delta)


@pytest.mark.parametrize(
    ("name", "model", "factory"),
    [
        ("provider-list", Provider, ProviderFactory),
        ("offer-list", Offer, OfferFactory),
        ("procurement-list", Procurement, ProcurementFactory),
    ],
)
def test_updated_after_lists_only_what_changed_since(
    name, model, factory, organisation, lead
):
    old = factory(**_of(model, organisation))
    new = factory(**_of(model, organisation))
    _age(model, old.pk, 2 * AN_HOUR_AGO)
    since = (timezone.now() - AN_HOUR_AGO).isoformat()

    response = client_for(lead).get(url(name), {"updated_after": since})

    assert [item["id"] for item in response.json()["results"]] == [new.pk]


def _of(model, organisation):
    if model is Offer:
        return {"provider__organisation": organisation}
    return {"organisation": organisation}


def test_updated_after_on_assessments(assessment, procurement, lead, offer):
    other = services.start_assessment(user=lead, procurement=procurement, offer=offer)
    _age(Assessment, assessment.pk, 2 * AN_HOUR_AGO)

    response = client_for(lead).get(
        url("assessment-list"),
        {"updated_after": (timezone.now() - AN_HOUR_AGO).isoformat()},
    )

    assert [a["id"] for a in response.json()["results"]] == [other.pk]


def test_a_new_certification_marks_its_offer_changed(offer, evaluator):
    _age(Offer, offer.pk, 2 * AN_HOUR_AGO)
    client = client_for(evaluator)
    since = (timezone.now() - AN_HOUR_AGO).isoformat()

    client.post(url("offer-certifications", offer.pk), {"scheme": "HDS"})
    listed = client.get(url("offer-list"), {"updated_after": since})

    assert [o["id"] for o in listed.json()["results"]] == [offer.pk]


def test_an_updated_after_that_is_not_a_moment_is_a_400(lead):
    response = client_for(lead).get(url("provider-list"), {"updated_after": "soon"})

    assert list(problem_errors(response)) == ["/updated_after"]


def test_a_cursor_walks_every_item_once_in_the_order_they_changed(organisation, lead):
    providers = ProviderFactory.create_batch(5, organisation=organisation)
    for age, provider in enumerate(reversed(providers)):
        _age(Provider, provider.pk, datetime.timedelta(minutes=age + 1))
    client = client_for(lead)

    seen, link = [], url("provider-list") + "?cursor=&page_size=2"
    while link:
        page = client.get(link).json()
        seen += [p["id"] for p in page["results"]]
        link = page["next"]

    assert seen == [p.pk for p in providers]
    assert "count" not in page


def test_page_numbers_stay_the_default(organisation, lead):
    ProviderFactory(organisation=organisation)

    page = client_for(lead).get(url("provider-list")).json()

    assert (page["count"], page["next"]) == (1, None)


def test_a_cursor_that_is_not_one_is_a_400(lead):
    not_a_number = "bz1hYmM="  # base64 of "o=abc": an offset that is not one

    response = client_for(lead).get(url("provider-list"), {"cursor": not_a_number})

    assert response.json()["errors"][0]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("provider-list", "sovereign", ["Beta Sovereign"]),
        ("offer-list", "iaas", ["Trusted IaaS"]),
        ("procurement-list", "payroll", ["Payroll hosting"]),
    ],
)
def test_q_searches_names_in_any_case(name, query, expected, organisation, lead):
    beta = ProviderFactory(organisation=organisation, name="Beta Sovereign")
    ProviderFactory(organisation=organisation, name="Gamma")
    OfferFactory(provider=beta, name="Trusted IaaS")
    OfferFactory(provider=beta, name="Object storage")
    ProcurementFactory(organisation=organisation, title="Payroll hosting")
    ProcurementFactory(organisation=organisation, title="Archive")

    response = client_for(lead).get(url(name), {"q": query})

    names = [
        item.get("name") or item.get("title") for item in response.json()["results"]
    ]
    assert names == expected


def test_assessments_filter_on_provider_eligibility_and_trust_level(
    procurement, lead, organisation
):
    wanted = OfferFactory(provider__organisation=organisation)
    other = OfferFactory(provider__organisation=organisation)
    a = services.start_assessment(user=lead, procurement=procurement, offer=wanted)
    b = services.start_assessment(user=lead, procurement=procurement, offer=other)
    Assessment.objects.filter(pk=a.pk).update(eligible=True, trust_level=3)
    Assessment.objects.filter(pk=b.pk).update(eligible=False, trust_level=1)
    client = client_for(lead)

    def ids(**query):
        return [
            x["id"] for x in client.get(url("assessment-list"), query).json()["results"]
        ]

    assert ids(provider=wanted.provider_id) == [a.pk]
    assert ids(eligible="true") == [a.pk]
    assert ids(eligible="false") == [b.pk]
    assert ids(trust_level=1) == [b.pk]
    assert ids(trust_level_min=2) == [a.pk]
    assert ids(status="draft", ordering="trust_level") == [b.pk, a.pk]


def test_a_trust_level_out_of_the_scale_is_a_400(lead):
    response = client_for(lead).get(url("assessment-list"), {"trust_level": 7})

    assert list(problem_errors(response)) == ["/trust_level"]


@pytest.mark.parametrize("value", ["2026-02-30T10:00:00Z", "2026-01-01T23:59:60Z"])
def test_an_updated_after_that_names_no_moment_is_a_400(value, lead):
    response = client_for(lead).get(url("provider-list"), {"updated_after": value})

    assert list(problem_errors(response)) == ["/updated_after"]


def test_a_history_pages_by_number_even_when_asked_for_a_cursor(assessment, lead):
    response = client_for(lead).get(
        url("assessment-history", assessment.pk), {"cursor": ""}
    )

    assert response.status_code == 200
    assert "count" in response.json()


def test_the_organisations_list_syncs_on_what_changed(organisation, lead):
    seen = client_for(lead).get(url("organisation-list")).json()["results"][0]
    _age(type(organisation), organisation.pk, AN_HOUR_AGO)
    since = (timezone.now() - AN_HOUR_AGO / 2).isoformat()

    before = client_for(lead).get(url("organisation-list"), {"updated_after": since})
    organisation.four_eyes = False
    organisation.save()
    after = client_for(lead).get(url("organisation-list"), {"updated_after": since})

    assert "updated_at" in seen
    assert before.json()["results"] == []
    assert [o["id"] for o in after.json()["results"]] == [organisation.pk]


@pytest.mark.parametrize("name", ["export-job-list", "api-token-list"])
def test_jobs_and_tokens_take_updated_after_too(name, lead):
    response = client_for(lead).get(url(name), {"updated_after": "not a moment"})

    assert response.status_code == 400
    assert list(problem_errors(response)) == ["/updated_after"]
