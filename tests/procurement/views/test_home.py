"""The home page: the user's procurements, the work waiting, the reference
cases."""

import pytest
from django.urls import reverse

from procurement import services
from tests.factories import ProcurementFactory
from tests.procurement.views.helpers import login, reference_case, scored_assessment

pytestmark = pytest.mark.django_db


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

    # session, user, memberships (with names, and as ids for the lists),
    # procurements (their organisations and catalogues apart: for_list),
    # waiting assessments (drafts, then submissions: each walks its index),
    # the panel seats (the drafts to score on them are then not asked for:
    # none), references
    with django_assert_max_num_queries(11):
        client.get(url)

    for index in range(4):
        other = ProcurementFactory(organisation=organisation)
        scored_assessment(other, lead, index)
    reference_case(catalogue, name="Numergy")
    with django_assert_max_num_queries(11):
        client.get(url)


def test_work_waiting_is_listed_most_recently_changed_first(client, lead, organisation):
    procurement = ProcurementFactory(organisation=organisation)
    older_draft = scored_assessment(procurement, lead, 2, name="Older draft")
    submitted = services.submit_assessment(
        scored_assessment(procurement, lead, 3, name="Submitted"), user=lead
    )
    newer_draft = scored_assessment(procurement, lead, 1, name="Newer draft")
    login(client, lead)

    waiting = client.get(reverse("procurement:home")).context["waiting"]

    assert [a.pk for a in waiting] == [newer_draft.pk, submitted.pk, older_draft.pk]
