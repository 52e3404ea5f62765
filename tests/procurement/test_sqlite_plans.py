"""On SQLite, the statistics that ``migrate`` gathers (``config.sqlite``) let
the lists walk their newest-first index to the page's last row, instead of
sorting every assessment or procurement of the organisation: SQLite gathers
none by itself, and without them takes the organisation's index for a
selective one; with them, it puts small joined tables first (``for_list``)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.sqlite import refresh_statistics
from procurement.models import Membership
from tests.factories import AssessmentFactory, MembershipFactory, ProcurementFactory
from tests.procurement.api.helpers import client_for, url

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="SQLite's planner and statistics"
    ),
]


def _plan_of(request, query_start: str) -> str:
    """SQLite's plan of the one query of the request that starts so."""
    with CaptureQueriesContext(connection) as captured:
        assert request().status_code == 200
    (sql,) = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(query_start)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(row[-1] for row in cursor.fetchall())


@pytest.fixture
def one_large_organisation(organisation):
    procurement = ProcurementFactory(organisation=organisation)
    AssessmentFactory.create_batch(60, procurement=procurement)


def test_the_assessments_list_walks_the_newest_first_index_once_analysed(
    lead, one_large_organisation
):
    refresh_statistics()

    plan = _plan_of(
        lambda: client_for(lead).get(url("assessment-list")),
        'SELECT "procurement_assessment"."id" AS "pk"',
    )

    assert "USING INDEX assessment_created" in plan
    assert "TEMP B-TREE" not in plan


def test_migrate_gathers_the_statistics_of_the_tables_as_they_are(
    one_large_organisation,
):
    call_command("migrate", verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'assessment_created'")
        (stat,) = cursor.fetchone()
    assert int(stat.split()[0]) >= 60


PROCUREMENT_QUERY = 'SELECT "procurement_procurement"."id"'


def _procurement_list_plan(client, lead, page) -> str:
    refresh_statistics()
    client.force_login(lead)
    return _plan_of(lambda: client.get(page), PROCUREMENT_QUERY)


@pytest.mark.parametrize("page", ["/", "/procurements/"])
def test_the_procurement_lists_walk_the_newest_first_index_once_analysed(
    client, lead, organisation, page
):
    ProcurementFactory.create_batch(60, organisation=organisation)

    plan = _procurement_list_plan(client, lead, page)

    assert "procurement_newest" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.parametrize("page", ["/", "/procurements/"])
def test_a_member_of_two_organisations_walks_the_index_across_them(
    client, lead, organisation, page
):
    other = MembershipFactory(user=lead, role=Membership.Role.LEAD).organisation
    ProcurementFactory.create_batch(60, organisation=organisation)
    ProcurementFactory.create_batch(5, organisation=other)

    plan = _procurement_list_plan(client, lead, page)

    assert "procurement_created" in plan
    assert "TEMP B-TREE" not in plan
