"""A procurement's page: its offers ranked, the reasons for each exclusion,
the radar against the reference cases, and the ranking under every
profile (sensitivity)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement import services
from procurement.services import ClaimData
from tests.factories import OrganisationFactory, ProcurementFactory
from tests.procurement.views.helpers import login, reference_case, scored_assessment

pytestmark = pytest.mark.django_db


# the ranking ----------------------------------------------------------------


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
    excluded_report = report.items[excluded.pk]
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
    # answers and their facts, reference cases, role; the side-by-side matrix
    # behind the warning signs (ranking, answers, criteria, reference cases);
    # from two eligible offers, the answers of the first two (robustness)
    with django_assert_max_num_queries(25):
        client.get(url, {"ref": "1"})

    for level in (0, 1, 2, 4):
        scored_assessment(procurement, lead, level)
    with django_assert_max_num_queries(25):
        client.get(url, {"ref": "1"})


# sensitivity ----------------------------------------------------------------


def test_the_procurement_page_ranks_the_offers_under_every_profile(
    client, lead, procurement
):
    scored_assessment(procurement, lead, 3, name="Fair offer")
    scored_assessment(procurement, lead, 2, name="Middling offer")
    login(client, lead)

    response = client.get(procurement.get_absolute_url())

    content = response.content.decode()
    analysis = response.context["sensitivity"]
    assert [(c.code, c.current, c.eligible) for c in analysis.columns] == [
        ("N1", False, 2),
        ("N2", False, 2),
        ("N3", True, 1),
        ("N4", False, 0),
    ]
    assert 'id="sensitivity-title">Sensitivity to the profile' in content
    assert content.count("this procurement</span>") == 1
    assert "sensitivity__profile is-current" in content
    # The middling offer: ranked 2nd under N1 and N2, excluded under N3.
    table = content.split('id="sensitivity"')[1]
    middling = table.split("Middling offer")[1].split("</tr>")[0]
    assert middling.count("rank 2") == 2
    assert middling.count(">excluded</span>") == 2


def test_the_ranking_under_every_profile_keeps_the_query_bound(
    client, lead, organisation, catalogue, django_assert_max_num_queries
):
    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 3)
    reference_case(catalogue)
    login(client, lead)
    path = procurement.get_absolute_url()

    # session, user, procurement, catalogue with its method (11), ranking,
    # answers and their facts, reference cases, role: the sensitivity table
    # reuses the answers loaded for the ranking.
    with django_assert_max_num_queries(25):
        first = client.get(path, {"ref": "1"})

    for level in (0, 1, 2, 4):
        scored_assessment(procurement, lead, level)
    with django_assert_max_num_queries(25):
        second = client.get(path, {"ref": "1"})

    sizes = [len(r.context["sensitivity"].rows) for r in (first, second)]
    assert sizes == [1, 5]


def test_an_empty_procurement_shows_no_sensitivity_table(client, lead, procurement):
    login(client, lead)

    content = client.get(procurement.get_absolute_url()).content.decode()

    assert "sensitivity-title" not in content


def test_the_ranking_shows_the_bidders_own_score_and_where_it_differs(
    client, lead, organisation
):
    procurement = ProcurementFactory(organisation=organisation)
    assessment = scored_assessment(procurement, lead, 4, name="Best offer")
    invitation, _token = services.invite_bidder(assessment, user=lead)
    services.save_claims(invitation, [ClaimData("OWN-1", 4), ClaimData("OWN-2", 2)])
    login(client, lead)

    content = client.get(procurement.get_absolute_url()).content.decode()

    assert "Bidder's own answers" in content
    assert "differs on 1 criterion: OWN-2" in content


# would the winner change -------------------------------------------------------


def test_the_page_says_how_far_the_weights_must_move_to_change_the_winner(
    client, lead, organisation
):
    procurement = ProcurementFactory(organisation=organisation)
    winner = scored_assessment(procurement, lead, 4, name="Winner")
    runner_up = scored_assessment(procurement, lead, 3, name="Runner-up")
    own = [c.code for c in procurement.catalogue.criteria.filter(pillar__code="OWN")]
    services.record_answers(
        winner,
        user=lead,
        version=winner.version,
        answers=[services.AnswerData(code, 3) for code in own],
    )
    services.record_answers(
        runner_up,
        user=lead,
        version=runner_up.version,
        answers=[services.AnswerData(code, 4) for code in own],
    )
    login(client, lead)

    response = client.get(procurement.get_absolute_url())

    robustness = response.context["robustness"]
    content = response.content.decode()
    assert robustness.winner.assessment.pk == winner.pk
    assert robustness.moves[0]["target"] == "OWN"
    assert f"Moving {robustness.swap.points_rounded} points of weight" in content
    assert "In 1000 random draws of the weights" in content
    assert sum(line.share for line in robustness.draws) == pytest.approx(1)


def test_one_eligible_offer_has_nothing_to_compare(client, lead, organisation):
    procurement = ProcurementFactory(organisation=organisation)
    scored_assessment(procurement, lead, 4, name="Alone")
    login(client, lead)

    response = client.get(procurement.get_absolute_url())

    assert response.context["robustness"] is None
    assert "Would the winner change?" not in response.content.decode()


def _decisive_now(procurement, winner, runner_up):
    from scoring import robustness

    return tuple(
        robustness.decisive_answers(
            procurement.scoring_spec(),
            procurement.profile.code,
            winner.answer_inputs(),
            runner_up.answer_inputs(),
        )
    )


def _close_pair(procurement, lead):
    """Two offers one answer apart: the runner-up one level lower on OWN."""
    winner = scored_assessment(procurement, lead, 4, name="Winner")
    runner_up = scored_assessment(procurement, lead, 4, name="Runner-up")
    own = procurement.catalogue.criteria.filter(pillar__code="OWN").first()
    services.record_answers(
        runner_up,
        user=lead,
        version=runner_up.version,
        answers=[services.AnswerData(own.code, 3)],
    )
    return winner, runner_up, own.code


def test_a_second_view_reads_no_answer_for_the_decisive_ones(
    client, lead, organisation, settings
):
    settings.PROCUREMENT_REPORT_CACHE_SECONDS = 0  # the report rendered again
    procurement = ProcurementFactory(organisation=organisation)
    _close_pair(procurement, lead)
    login(client, lead)
    client.get(procurement.get_absolute_url())

    with CaptureQueriesContext(connection) as second:
        response = client.get(procurement.get_absolute_url())

    assert response.context["robustness"].decisive
    assert not [q for q in second.captured_queries if "procurement_answer" in q["sql"]]


def test_the_decisive_answers_follow_a_saved_answer(client, lead, organisation):
    procurement = ProcurementFactory(organisation=organisation)
    winner, runner_up, code = _close_pair(procurement, lead)
    login(client, lead)
    before = client.get(procurement.get_absolute_url()).context["robustness"]
    runner_up.refresh_from_db()
    services.record_answers(
        runner_up,
        user=lead,
        version=runner_up.version,
        answers=[services.AnswerData(code, 4)],
    )

    after = client.get(procurement.get_absolute_url()).context["robustness"]

    runner_up.refresh_from_db()
    assert after.decisive != before.decisive
    assert after.decisive == _decisive_now(procurement, winner, runner_up)
