"""Every list, the scorecard and the ranking cost the same queries at any size.

Each test makes one request at a small size and one at a larger size under
the same exact bound. Clients are force-authenticated, so no query is spent
on the token or the session.
"""

import pytest
import yaml
from django.urls import reverse

from procurement import services
from procurement.models import Certification
from scoring.loader import DEFAULT_CATALOGUE, load_catalogue_text
from scoring.models import forget_methods
from tests.factories import (
    AssessmentFactory,
    OfferFactory,
    ProcurementFactory,
    ProviderFactFactory,
    ProviderFactory,
)
from tests.procurement.api.helpers import add_offers, assert_same_queries, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(lead):
    return client_for(lead)


def test_catalogue_list(client, catalogue, django_assert_num_queries):
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    data["version"] = "1.1"

    # count, page of catalogues
    first, second = assert_same_queries(
        lambda: client.get(reverse("api:catalogue-list")),
        lambda: load_catalogue_text(yaml.safe_dump(data, allow_unicode=True)),
        2,
        django_assert_num_queries,
    )
    assert (first.json()["count"], second.json()["count"]) == (1, 2)


def test_catalogue_detail(client, catalogue, django_assert_num_queries):
    forget_methods()
    # the catalogue twice (lookup, then with_method), pillars, criteria,
    # levels, profiles, pillar weights and their pillars, knock-outs and
    # their criteria, evidence caps, evidence types
    with django_assert_num_queries(12):
        response = client.get(reverse("api:catalogue-detail", args=[catalogue.pk]))

    assert response.status_code == 200


def test_a_published_catalogues_method_is_read_from_memory_after_its_first_load(
    client, catalogue, django_assert_num_queries
):
    client.get(reverse("api:catalogue-detail", args=[catalogue.pk]))

    # the lookup only: the method of a published catalogue never changes
    with django_assert_num_queries(1):
        response = client.get(reverse("api:catalogue-detail", args=[catalogue.pk]))

    assert response.status_code == 200


def test_provider_list(client, organisation, django_assert_num_queries):
    ProviderFactory(organisation=organisation)

    # the user's organisations, count, page of providers
    first, second = assert_same_queries(
        lambda: client.get(reverse("api:provider-list")),
        lambda: [
            ProviderFactFactory(provider__organisation=organisation) for _ in range(4)
        ],
        3,
        django_assert_num_queries,
    )
    assert (first.json()["count"], second.json()["count"]) == (1, 5)


def test_provider_detail_with_facts(client, organisation, django_assert_num_queries):
    provider = ProviderFactory(organisation=organisation)
    ProviderFactFactory(provider=provider)

    # the user's organisations, provider, its facts
    first, second = assert_same_queries(
        lambda: client.get(reverse("api:provider-detail", args=[provider.pk])),
        lambda: ProviderFactFactory.create_batch(4, provider=provider),
        3,
        django_assert_num_queries,
    )
    assert (len(first.json()["facts"]), len(second.json()["facts"])) == (1, 5)


def test_offer_list(client, organisation, django_assert_num_queries):
    OfferFactory(provider__organisation=organisation)

    def grow():
        for _ in range(4):
            offer = OfferFactory(provider__organisation=organisation)
            Certification.objects.create(offer=offer, scheme="HDS")

    # the user's organisations, count, page of offers joined to providers,
    # their certifications
    first, second = assert_same_queries(
        lambda: client.get(reverse("api:offer-list")),
        grow,
        4,
        django_assert_num_queries,
    )
    assert (first.json()["count"], second.json()["count"]) == (1, 5)


def test_procurement_list(client, catalogue, organisation, django_assert_num_queries):
    ProcurementFactory(organisation=organisation)

    def grow():
        for _ in range(4):
            AssessmentFactory(procurement=ProcurementFactory(organisation=organisation))

    # the user's organisations, count, page of procurements with their
    # assessment counts, their organisations and catalogues (for_list)
    first, second = assert_same_queries(
        lambda: client.get(reverse("api:procurement-list")),
        grow,
        5,
        django_assert_num_queries,
    )
    assert (first.json()["count"], second.json()["count"]) == (1, 5)


def test_assessment_list_filtered_by_procurement(
    client, procurement, lead, catalogue, django_assert_num_queries
):
    add_offers(procurement, lead, 1, catalogue)
    AssessmentFactory(
        procurement=None,
        offer=OfferFactory(provider=ProviderFactory(reference_case=True)),
        catalogue=catalogue,
        profile=procurement.profile,
    )
    url = reverse("api:assessment-list")

    # the user's organisations, the procurement filter's lookup, count, the
    # page's ids, then its assessments with their offers, providers,
    # catalogues and profiles
    first, second = assert_same_queries(
        lambda: client.get(url, {"procurement": procurement.pk}),
        lambda: add_offers(procurement, lead, 4, catalogue),
        5,
        django_assert_num_queries,
    )
    assert (first.json()["count"], second.json()["count"]) == (1, 5)


def test_assessment_answers(
    client, procurement, lead, catalogue, django_assert_num_queries
):
    assessment = services.start_assessment(
        user=lead,
        procurement=procurement,
        offer=OfferFactory(provider__organisation=procurement.organisation),
    )
    fact = ProviderFactFactory(provider=assessment.offer.provider)
    codes = [c.code for c in catalogue.criteria.all()]
    services.record_answers(
        assessment,
        user=lead,
        version=1,
        answers=[services.AnswerData(codes[0], 2, facts=[fact.pk])],
    )
    url = reverse("api:assessment-answers", args=[assessment.pk])

    def grow():
        services.record_answers(
            assessment,
            user=lead,
            version=2,
            answers=[
                services.AnswerData(code, 3, facts=[fact.pk]) for code in codes[1:]
            ],
        )

    # the user's organisations, assessment, answers with criteria and users,
    # their facts
    first, second = assert_same_queries(
        lambda: client.get(url), grow, 4, django_assert_num_queries
    )
    assert (len(first.json()["answers"]), len(second.json()["answers"])) == (1, 45)


def test_scorecard(client, procurement, lead, catalogue, django_assert_num_queries):
    assessment = services.start_assessment(
        user=lead,
        procurement=procurement,
        offer=OfferFactory(provider__organisation=procurement.organisation),
    )
    fact = ProviderFactFactory(provider=assessment.offer.provider)
    codes = [c.code for c in catalogue.criteria.all()]
    services.record_answers(
        assessment, user=lead, version=1, answers=[services.AnswerData(codes[0], 2)]
    )
    url = reverse("api:assessment-scorecard", args=[assessment.pk])

    def grow():
        services.record_answers(
            assessment,
            user=lead,
            version=2,
            answers=[
                services.AnswerData(code, 3, "verified", facts=[fact.pk])
                for code in codes[1:]
            ],
        )

    # the user's organisations; the assessment with its stored scorecard. The
    # catalogue's method is in memory (see test_catalogue_detail) and no
    # answer is read.
    first, second = assert_same_queries(
        lambda: client.get(url), grow, 2, django_assert_num_queries
    )
    assert (first.json()["answered"], second.json()["answered"]) == (1, 45)


def test_ranking(client, procurement, lead, catalogue, django_assert_num_queries):
    add_offers(procurement, lead, 1, catalogue)
    url = reverse("api:procurement-ranking", args=[procurement.pk])

    # the user's organisations; procurement; the ranked snapshots; the award
    # criteria: the catalogue's method is in memory (test_catalogue_detail),
    # no answer is read
    first, second = assert_same_queries(
        lambda: client.get(url),
        lambda: add_offers(procurement, lead, 4, catalogue),
        4,
        django_assert_num_queries,
    )
    sizes = [
        len(r.json()["eligible"]) + len(r.json()["excluded"]) for r in (first, second)
    ]
    assert sizes == [1, 5]
