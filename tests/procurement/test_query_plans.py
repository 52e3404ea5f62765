"""Lists cost the same at any size: no list scans every assessment or answer.

On PostgreSQL, every query a list page or endpoint runs is explained with
sequential scans discouraged (``enable_seqscan = off``): the planner then
takes an index whenever one can narrow the query. A large table read whole
(a sequential scan, or an index walked end to end with no condition on it)
means no index can, and the list's cost would grow with every row stored.
A small database is enough to check the plan's shape; ``bench/`` measures
the time at a million answers.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.models import Answer, Assessment, HistoryEntry, Procurement
from tests.procurement.api.helpers import add_offers, client_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's; CI runs the suite on PostgreSQL too",
    ),
]

LARGE_TABLES = [
    model._meta.db_table for model in (Assessment, Answer, HistoryEntry, Procurement)
]


def sequential_scans(request) -> list[str]:
    """The large tables that some query of the request reads whole."""
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200
    scans = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0][0]["Plan"]
                scans += [f"{table}: {sql[:160]}" for table in _read_whole(plan)]
        finally:
            cursor.execute("SET enable_seqscan = on")
    return scans


def _read_whole(node: dict) -> list[str]:
    """Large tables a plan node (or its children) reads without a condition."""
    found = []
    table = node.get("Relation Name")
    if table in LARGE_TABLES:
        kind = node["Node Type"]
        if kind == "Seq Scan" or (
            kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        ):
            found.append(table)
    for child in node.get("Plans", []):
        found += _read_whole(child)
    return found


@pytest.fixture
def filled(procurement, lead, catalogue):
    add_offers(procurement, lead, 3, catalogue)
    return procurement


@pytest.mark.parametrize(
    "page",
    ["procurement:home", "procurement:procurement-list", "procurement:provider-list"],
)
def test_list_pages_use_indexes(client, lead, filled, page):
    client.force_login(lead)

    assert sequential_scans(lambda: client.get(reverse(page))) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "api:assessment-list",
        "api:procurement-list",
        "api:provider-list",
        "api:offer-list",
    ],
)
def test_api_lists_use_indexes(lead, filled, endpoint):
    client = client_for(lead)

    assert sequential_scans(lambda: client.get(reverse(endpoint))) == []


def test_the_procurement_page_and_its_ranking_use_indexes(client, lead, filled):
    client.force_login(lead)
    api = client_for(lead)

    page = sequential_scans(lambda: client.get(filled.get_absolute_url()))
    ranking = sequential_scans(
        lambda: api.get(reverse("api:procurement-ranking", args=[filled.pk]))
    )

    assert (page, ranking) == ([], [])


def test_an_assessments_history_uses_indexes(lead, filled):
    assessment = filled.assessments.first()
    client = client_for(lead)

    assert (
        sequential_scans(
            lambda: client.get(reverse("api:assessment-history", args=[assessment.pk]))
        )
        == []
    )


def test_the_check_finds_a_list_that_scans_every_assessment(lead, filled):
    from django.http import HttpResponse

    def unindexed():
        list(Assessment.objects.filter(summary__icontains="cloud"))
        return HttpResponse()

    assert sequential_scans(unindexed) != []
