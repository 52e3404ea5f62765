"""All the offers of a procurement side by side, criterion by criterion."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement import services
from procurement.models import Membership
from tests.conftest import member
from tests.factories import OrganisationFactory, ProcurementFactory
from tests.procurement.views.helpers import login, scored_assessment

pytestmark = pytest.mark.django_db


def compare_url(procurement, **query):
    suffix = "?differ=1" if query.get("differ") else ""
    return reverse("procurement:procurement-compare", args=[procurement.pk]) + suffix


@pytest.fixture
def two_offers(organisation, lead):
    procurement = ProcurementFactory(organisation=organisation)
    strong = scored_assessment(procurement, lead, 4, name="Strong")
    weak = scored_assessment(procurement, lead, 4, name="Weak")
    services.record_answers(
        weak,
        user=lead,
        version=weak.version,
        answers=[services.AnswerData("JUR-1", 1)],
    )
    return procurement, strong, weak


def test_every_criterion_is_a_row_and_every_offer_a_column(client, lead, two_offers):
    procurement, strong, weak = two_offers
    login(client, lead)

    response = client.get(compare_url(procurement))

    matrix = response.context["matrix"]
    assert [a.pk for a in matrix.offers] == [strong.pk, weak.pk]
    assert len(matrix.rows) == procurement.catalogue.criteria.count()


def test_the_filter_keeps_only_where_the_offers_differ(client, lead, two_offers):
    procurement, _strong, _weak = two_offers
    login(client, lead)

    response = client.get(compare_url(procurement, differ=True))

    rows = response.context["matrix"].rows
    assert [row.criterion.code for row in rows] == ["JUR-1"]
    assert rows[0].cells[1].fails_knockout  # 1 against N3's 3
    assert "compare__cell--failed" in response.content.decode()


def test_another_organisation_cannot_compare(client, two_offers):
    procurement, _strong, _weak = two_offers
    stranger = OrganisationFactory()
    login(client, member(stranger, Membership.Role.LEAD))

    assert client.get(compare_url(procurement)).status_code == 404


def test_the_matrix_costs_the_same_queries_at_two_sizes(client, lead, organisation):
    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 3, name="One")
    login(client, lead)
    client.get(compare_url(procurement))

    with CaptureQueriesContext(connection) as small:
        client.get(compare_url(procurement))
    for n in range(3):
        scored_assessment(procurement, lead, 2, name=f"More {n}")
    with CaptureQueriesContext(connection) as large:
        client.get(compare_url(procurement))

    assert len(large.captured_queries) == len(small.captured_queries)
