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

from procurement.models import (
    Answer,
    Assessment,
    HistoryEntry,
    Membership,
    Procurement,
)
from procurement.models.organisations import ROLES_CACHE
from tests.factories import MembershipFactory, ProcurementFactory
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
    return [
        f"{table}: {sql[:160]}"
        for sql, plan in _plans(request, ("enable_seqscan",))
        for table in _read_whole(plan)
    ]


def sorts_of_everything(request) -> list[str]:
    """The large tables whose rows some query sorts or groups by the
    organisation (or whole): a list's page must come ordered from an index.

    Sorting, hashing and grouping are discouraged as well, so the planner
    keeps one only where no index gives the order. A sort of the rows of one
    procurement, or inside a subquery run for each row shown, is bounded.
    """
    return [
        f"{table}: {sql[:160]}"
        for sql, plan in _plans(request, DISCOURAGED)
        for table in _sorted_wide(plan)
    ]


def _plans(request, discouraged) -> list[tuple[str, dict]]:
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for setting in discouraged:
            cursor.execute(f"SET {setting} = off")
        try:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plans.append((sql, cursor.fetchone()[0][0]["Plan"]))
        finally:
            for setting in discouraged:
                cursor.execute(f"SET {setting} = on")
    return plans


DISCOURAGED = ("enable_seqscan", "enable_sort", "enable_hashagg")
SORTING = {"Sort", "Incremental Sort", "Aggregate", "WindowAgg", "Unique"}
# Conditions that narrow a large table to one procurement or a few rows.
NARROW = ("procurement_id", "assessment_id", "(id = ", ".id = ", "(id = ANY")


def _sorted_wide(node: dict, inside_subplan: bool = False) -> list[str]:
    found = []
    sorting = node["Node Type"] in SORTING and node.get("Strategy") != "Plain"
    if sorting and not inside_subplan:
        found += _wide_scans(node)
    for child in node.get("Plans", []):
        found += _sorted_wide(
            child, inside_subplan or child.get("Parent Relationship") == "SubPlan"
        )
    return list(dict.fromkeys(found))


def _wide_scans(node: dict) -> list[str]:
    """Large tables read below a node by the organisation, or whole."""
    found = []
    table = node.get("Relation Name")
    if table in LARGE_TABLES:
        conditions = " ".join(
            str(node.get(key, ""))
            for key in ("Index Cond", "Recheck Cond", "Join Filter")
        )
        if not any(narrow in conditions for narrow in NARROW):
            found.append(table)
    for child in node.get("Plans", []):
        if child.get("Parent Relationship") != "SubPlan":
            found += _wide_scans(child)
    return found


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


@pytest.mark.parametrize("page", ["procurement:home", "procurement:procurement-list"])
def test_list_pages_sort_no_organisation_whole(client, lead, filled, page):
    client.force_login(lead)

    assert sorts_of_everything(lambda: client.get(reverse(page))) == []


def test_the_procurement_page_and_its_ranking_sort_no_organisation_whole(
    client, lead, filled
):
    client.force_login(lead)
    api = client_for(lead)

    page = sorts_of_everything(lambda: client.get(filled.get_absolute_url()))
    ranking = sorts_of_everything(
        lambda: api.get(reverse("api:procurement-ranking", args=[filled.pk]))
    )

    assert (page, ranking) == ([], [])


def test_the_assessments_api_sorts_no_organisation_whole(lead, filled):
    # visible_to's OR (the user's organisations, or a reference case) leaves
    # no index of one organisation that gives the order: the page walks the
    # newest-first index of every assessment and stops at its last row.
    client = client_for(lead)

    assert sorts_of_everything(lambda: client.get(reverse("api:assessment-list"))) == []


@pytest.fixture
def member_of_two(lead, filled, catalogue):
    """The lead also leads a second organisation, with a procurement of its own."""
    other = MembershipFactory(user=lead, role=Membership.Role.LEAD).organisation
    lead.__dict__.pop(ROLES_CACHE, None)  # the roles it read before
    add_offers(ProcurementFactory(organisation=other), lead, 2, catalogue)
    return lead


@pytest.mark.parametrize("page", ["procurement:home", "procurement:procurement-list"])
def test_list_pages_of_a_member_of_two_organisations_sort_no_organisation_whole(
    client, member_of_two, page
):
    # No index of one organisation gives the order of two: the newest-first
    # indexes across organisations do, and the page stops at its last row.
    client.force_login(member_of_two)

    assert sorts_of_everything(lambda: client.get(reverse(page))) == []


@pytest.mark.parametrize("endpoint", ["api:procurement-list", "api:assessment-list"])
def test_api_lists_of_a_member_of_two_organisations_sort_no_organisation_whole(
    member_of_two, endpoint
):
    client = client_for(member_of_two)

    assert sorts_of_everything(lambda: client.get(reverse(endpoint))) == []


def test_the_check_finds_a_list_that_groups_every_procurement(lead, filled):
    from django.db.models import Count
    from django.http import HttpResponse

    def grouped():
        list(
            Procurement.objects.filter(organisation=filled.organisation)
            .annotate(offers=Count("assessments", distinct=True))
            .order_by("-created_at")[:10]
        )
        return HttpResponse()

    assert sorts_of_everything(grouped) != []
