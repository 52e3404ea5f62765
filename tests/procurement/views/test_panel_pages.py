"""The panel's pages: naming the panel, an evaluator's blind sheet, conflicts,
moderation with its spreads and rationale, comments, and what the ranking
shows after a consensus."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement import services
from procurement.models import IndividualScore, Membership, PanelComment, PanelSeat
from procurement.services import panel
from procurement.services.panel import ScoreData, SeatData
from tests.conftest import member
from tests.factories import OfferFactory, OrganisationFactory, ProcurementFactory
from tests.procurement.views.helpers import answers_at, login, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(procurement, lead, alice, bob):
    """Alice and Bob score JUR."""
    panel.set_panel(
        procurement,
        user=lead,
        seats=[SeatData(alice.pk, ["JUR"]), SeatData(bob.pk, ["JUR"])],
    )
    return procurement


def jur(catalogue):
    return list(
        catalogue.criteria.filter(pillar__code="JUR")
        .order_by("position")
        .values_list("code", flat=True)
    )


def score_jur(assessment, user, level, *, submit=True, why="", **levels):
    """Declare no conflict, score every JUR criterion at ``level``, submit."""
    panel.declare_interests(assessment, user=user, conflict=False)
    panel.save_scores(
        assessment,
        user=user,
        scores=[
            ScoreData(
                code, levels.get(code.replace("-", "_"), level), "verified", False, why
            )
            for code in jur(assessment.catalogue)
        ],
    )
    if submit:
        panel.submit_scores(assessment, user=user)


def sheet(assessment, pillar="JUR"):
    return f"{url('assessment-my-scores', assessment)}?pillar={pillar}"


def moderation(assessment, pillar="JUR"):
    return f"{url('assessment-moderation', assessment)}?pillar={pillar}"


def consensus_post(
    code, level="3", rationale="Both read clause 4.", evidence="verified"
):
    return {
        "criterion": code,
        "pillar": "JUR",
        f"consensus-{code}-answer": level,
        f"consensus-{code}-evidence": evidence,
        f"consensus-{code}-rationale": rationale,
    }


def test_a_lead_names_the_panel_on_its_page(client, procurement, lead, alice):
    login(client, lead)

    response = client.post(
        url("procurement-panel", procurement),
        {f"seat_{alice.pk}": "on", f"pillars_{alice.pk}": ["JUR", "SEC"]},
    )

    assert response.status_code == 302
    seat = PanelSeat.objects.get(procurement=procurement)
    assert (seat.user, seat.pillars, seat.moderator) == (alice, ["JUR", "SEC"], False)


def test_an_evaluator_cannot_change_the_panel(client, procurement, alice):
    login(client, alice)

    response = client.post(url("procurement-panel", procurement), {})

    assert response.status_code == 403


def test_the_panel_page_shows_who_declared_scored_and_submitted(
    client, seated, assessment, lead, alice, bob
):
    score_jur(assessment, alice, 3)
    panel.declare_interests(assessment, user=bob, conflict=False)
    login(client, lead)

    content = client.get(url("procurement-panel", seated)).content.decode()

    total = len(jur(seated.catalogue))
    alice_row = content[content.index(f'data-progress="{alice.username}"') :]
    assert f"{total} / {total}" in alice_row.split("</tr>")[0]
    bob_row = content[content.index(f'data-progress="{bob.username}"') :]
    assert f"0 / {total}" in bob_row.split("</tr>")[0]
    assert "Moderation waits for" in content


def test_another_organisations_panel_pages_are_404(client, seated, assessment):
    stranger = member(OrganisationFactory(), Membership.Role.LEAD)
    login(client, stranger)

    for address in (
        url("procurement-panel", seated),
        sheet(assessment),
        moderation(assessment),
    ):
        assert client.get(address).status_code == 404


def test_the_sheet_asks_for_a_declaration_before_any_score(
    client, seated, assessment, alice
):
    login(client, alice)

    content = client.get(sheet(assessment)).content.decode()

    assert "data-declaration" in content
    assert 'name="JUR-1-answer"' not in content


def test_an_evaluator_saves_only_the_criteria_they_scored(
    client, seated, assessment, alice
):
    panel.declare_interests(assessment, user=alice, conflict=False)
    login(client, alice)

    form = {f"{code}-evidence": "declared" for code in jur(seated.catalogue)}
    form.update(
        {
            "action": "save",
            "pillar": "JUR",
            "JUR-1-answer": "2",
            "JUR-1-evidence": "documented",
            "JUR-1-justification": "Clause 4 of the contract.",
        }
    )

    response = client.post(sheet(assessment), form)

    assert response.status_code == 302
    saved = IndividualScore.objects.get(assessment=assessment, evaluator=alice)
    assert (saved.criterion.code, saved.level, saved.evidence) == (
        "JUR-1",
        2,
        "documented",
    )


def test_scoring_is_blind_until_the_evaluator_submits(
    client, seated, assessment, alice, bob
):
    score_jur(assessment, alice, 1, why="Alice's secret reasoning")
    score_jur(assessment, bob, 3, submit=False)
    login(client, bob)

    before = client.get(sheet(assessment)).content.decode()
    client.post(sheet(assessment), {"action": "submit", "confirm": "on"})
    after = client.get(sheet(assessment)).content.decode()

    assert "Alice&#x27;s secret reasoning" not in before
    assert "data-blind" in before
    assert "Alice&#x27;s secret reasoning" in after
    assert "data-submitted" in after


def test_submitting_asks_for_confirmation(client, seated, assessment, bob):
    score_jur(assessment, bob, 3, submit=False)
    login(client, bob)

    response = client.post(sheet(assessment), {"action": "submit"})

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not assessment.panel_reviews.get(evaluator=bob).submitted


def test_a_declared_conflict_keeps_the_sheet_closed(client, seated, assessment, alice):
    login(client, alice)
    client.post(
        sheet(assessment),
        {"action": "declare", "conflict": "yes", "statement": "I advised them."},
    )

    content = client.get(sheet(assessment)).content.decode()
    form = {f"{code}-evidence": "verified" for code in jur(seated.catalogue)}
    refused = client.post(
        sheet(assessment), {**form, "action": "save", "JUR-1-answer": "3"}
    )

    assert "data-kept-off" in content
    assert "I advised them." in content
    assert 'name="JUR-1-answer"' not in content
    assert refused.status_code == 403
    assert not IndividualScore.objects.filter(evaluator=alice).exists()


def test_a_conflict_without_a_statement_is_a_form_error(
    client, seated, assessment, alice
):
    login(client, alice)

    response = client.post(sheet(assessment), {"action": "declare", "conflict": "yes"})

    assert response.status_code == 200
    assert "Describe the conflict of interest." in response.content.decode()


def test_a_lead_lets_a_conflicted_evaluator_score_with_a_reason(
    client, seated, assessment, lead, alice
):
    panel.declare_interests(assessment, user=alice, conflict=True, statement="Ex-staff")
    login(client, lead)

    client.post(
        url("panel-override", assessment),
        {"evaluator": alice.pk, "reason": "Left in 2015."},
    )

    login(client, alice)
    content = client.get(sheet(assessment)).content.decode()
    assert 'name="JUR-1-answer"' in content
    assert "Left in 2015." in content


def test_moderation_is_refused_to_an_evaluator_who_does_not_moderate(
    client, seated, assessment, alice
):
    login(client, alice)

    assert client.get(moderation(assessment)).status_code == 403


def test_moderation_names_who_it_waits_for(
    client, seated, assessment, lead, alice, bob
):
    score_jur(assessment, bob, 3)
    login(client, lead)

    content = client.get(moderation(assessment)).content.decode()

    waiting = content.split("data-not-ready")[1].split("</p>")[0]
    assert f"waiting for {alice.username}." in waiting
    assert bob.username not in waiting
    assert 'name="consensus-JUR-1-answer"' not in content


def test_moderation_highlights_the_spreads(
    client, seated, assessment, lead, alice, bob
):
    score_jur(assessment, alice, 3, JUR_1=2, JUR_2=1)
    score_jur(assessment, bob, 3)
    login(client, lead)

    content = client.get(moderation(assessment)).content.decode()

    row = {
        code: content.split(f'data-criterion-row="{code}"')[1].split("</tr>")[0]
        for code in ("JUR-1", "JUR-2", "JUR-3")
    }
    assert (
        'class="conflict-table__differs" data-flagged data-criterion-row="JUR-1"'
        in (content)
    )
    assert "on both sides of the N3 threshold (3)" in row["JUR-1"]
    assert "levels 2+ apart" not in row["JUR-1"]
    assert "levels 2+ apart" in row["JUR-2"]
    assert "data-spread" not in row["JUR-3"]
    assert 'data-flagged data-criterion-row="JUR-3"' not in content


def test_a_consensus_without_a_rationale_shows_an_error(
    client, seated, assessment, lead, alice, bob
):
    score_jur(assessment, alice, 2)
    score_jur(assessment, bob, 3)
    login(client, lead)

    response = client.post(
        moderation(assessment), consensus_post("JUR-1", rationale="")
    )

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not assessment.moderation_decisions.exists()


def test_the_consensus_changes_the_ranking(
    client, procurement, lead, alice, bob, evaluator, catalogue
):
    ahead = _scored(procurement, evaluator, "Ahead")
    behind = _scored(procurement, evaluator, "Behind", JUR_1=0)
    panel.set_panel(
        procurement,
        user=lead,
        seats=[SeatData(alice.pk, ["JUR"]), SeatData(bob.pk, ["JUR"])],
    )
    score_jur(behind, alice, 3, JUR_1=4)
    score_jur(behind, bob, 3, JUR_1=3)
    login(client, lead)
    before = _eligible(client, procurement)

    response = client.post(moderation(behind), consensus_post("JUR-1", level="4"))

    assert response.status_code == 302
    assert before == [ahead.offer.provider.name]
    assert _eligible(client, procurement) == [
        behind.offer.provider.name,
        ahead.offer.provider.name,
    ]
    assert behind.answers.get(criterion__code="JUR-1").justification == (
        "Both read clause 4."
    )


def _scored(procurement, user, name, **levels):
    offer = OfferFactory(
        provider__organisation=procurement.organisation, provider__name=name
    )
    assessment = services.start_assessment(
        user=user, procurement=procurement, offer=offer
    )
    answers = [
        services.AnswerData(
            a.criterion, levels.get(a.criterion.replace("-", "_"), 3), "verified"
        )
        for a in answers_at(procurement.catalogue, 3)
    ]
    return services.record_answers(
        assessment, user=user, version=assessment.version, answers=answers
    )


def _eligible(client, procurement) -> list[str]:
    content = client.get(procurement.get_absolute_url()).content.decode()
    eligible = content.split('class="table ranking"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', eligible)


def test_the_editor_says_the_panel_scores_the_offer(client, seated, assessment, alice):
    login(client, alice)

    content = client.get(url("assessment-edit", assessment)).content.decode()

    assert "data-panel-banner" in content
    assert url("assessment-my-scores", assessment) in content
    assert url("assessment-moderation", assessment) not in content
    assert 'name="JUR-1-answer"' not in content


def test_a_comment_appears_on_the_sheet_and_in_moderation(
    client, seated, assessment, lead, alice
):
    login(client, alice)

    response = client.post(
        url("assessment-comment", assessment),
        {
            "criterion": "JUR-2",
            "return_to": "my-scores",
            "pillar": "JUR",
            "text": "Is annex B signed?",
        },
    )

    assert response["Location"].endswith("?pillar=JUR#criterion-JUR-2")
    assert PanelComment.objects.get().text == "Is annex B signed?"
    login(client, lead)
    assert "Is annex B signed?" in client.get(moderation(assessment)).content.decode()


def _panel_of(procurement, lead, assessment, size):
    evaluators = [
        member(procurement.organisation, Membership.Role.EVALUATOR)
        for _index in range(size)
    ]
    panel.set_panel(
        procurement, user=lead, seats=[SeatData(e.pk, ["JUR"]) for e in evaluators]
    )
    for index, evaluator in enumerate(evaluators):
        score_jur(assessment, evaluator, index % 5, why=f"Reason {index}")
        panel.add_comment(assessment, user=evaluator, criterion="JUR-1", text="Hm.")


def _moderation_queries(client, size, catalogue, lead):
    procurement = ProcurementFactory(organisation=lead_org(lead))
    offer = OfferFactory(provider__organisation=procurement.organisation)
    assessment = services.start_assessment(
        user=lead, procurement=procurement, offer=offer
    )
    _panel_of(procurement, lead, assessment, size)
    login(client, lead)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(moderation(assessment))
    assert response.status_code == 200
    assert response.content.decode().count("Reason ") >= size
    return len(queries)


def lead_org(lead):
    return Membership.objects.get(user=lead).organisation


def test_the_moderation_screen_reads_as_many_rows_at_3_and_9_evaluators(
    client, lead, catalogue
):
    three = _moderation_queries(client, 3, catalogue, lead)
    nine = _moderation_queries(client, 9, catalogue, lead)

    # session, user, roles, assessment, readiness (2), the catalogue and the
    # scorecard (about 15), the scores, decisions and comments (5)
    assert three == nine
    assert nine <= 30


def test_a_unanimous_criterion_starts_from_the_evaluators_level(
    client, seated, assessment, lead, alice, bob
):
    score_jur(assessment, alice, 3, JUR_1=1)
    score_jur(assessment, bob, 3, JUR_1=2)
    login(client, lead)

    content = client.get(moderation(assessment)).content.decode()

    assert re.search(r'name="consensus-JUR-2-answer" value="3"[^>]*checked', content)
    assert not re.search(
        r'name="consensus-JUR-1-answer" value="\d"[^>]*checked', content
    )


def test_moderating_before_everyone_submitted_says_who_is_missing(
    client, seated, assessment, lead, alice, bob
):
    score_jur(assessment, alice, 3)
    login(client, lead)

    response = client.post(moderation(assessment), consensus_post("JUR-1"), follow=True)

    assert f"waiting for {bob.username}" in response.content.decode()
    assert not assessment.moderation_decisions.exists()


def test_after_moderation_the_sheet_shows_the_consensus(
    client, seated, assessment, lead, alice, bob
):
    score_jur(assessment, alice, 2)
    score_jur(assessment, bob, 3)
    panel.record_consensus(
        assessment,
        user=lead,
        criterion="JUR-1",
        level=3,
        evidence="verified",
        rationale="Clause 4 settles it.",
    )
    login(client, alice)

    content = client.get(sheet(assessment)).content.decode()

    consensus = content.split('id="criterion-JUR-1"')[1].split("</article>")[0]
    assert "data-consensus" in consensus
    assert "Clause 4 settles it." in consensus


def test_saving_a_draft_can_go_on_to_the_next_pillar(
    client, procurement, lead, alice, assessment
):
    panel.set_panel(procurement, user=lead, seats=[SeatData(alice.pk, ["OWN", "JUR"])])
    panel.declare_interests(assessment, user=alice, conflict=False)
    codes = procurement.catalogue.criteria.filter(pillar__code="OWN")
    form = {f"{c.code}-evidence": "declared" for c in codes}
    login(client, alice)

    response = client.post(
        sheet(assessment, "OWN"),
        {**form, "action": "save", "OWN-1-answer": "2", "next": "JUR"},
    )

    assert response["Location"].endswith("?pillar=JUR#top")


def _panel_page_queries(client, lead, size):
    procurement = ProcurementFactory(organisation=lead_org(lead))
    evaluators = [
        member(procurement.organisation, Membership.Role.EVALUATOR)
        for _index in range(size)
    ]
    panel.set_panel(
        procurement, user=lead, seats=[SeatData(e.pk, ["JUR"]) for e in evaluators]
    )
    for _offer in range(size):
        offer = OfferFactory(provider__organisation=procurement.organisation)
        assessment = services.start_assessment(
            user=lead, procurement=procurement, offer=offer
        )
        for evaluator in evaluators:
            score_jur(assessment, evaluator, 2, submit=False)
    login(client, lead)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("procurement-panel", procurement)).status_code == 200
    return len(queries)


def test_the_panel_page_reads_as_many_rows_at_2_and_5_evaluators_and_offers(
    client, lead, catalogue
):
    assert _panel_page_queries(client, lead, 2) == _panel_page_queries(client, lead, 5)


def test_home_lists_the_offers_a_seated_evaluator_still_has_to_score(
    client, seated, alice
):
    assessment = services.start_assessment(
        user=alice,
        procurement=seated,
        offer=OfferFactory(provider__organisation=seated.organisation),
    )
    login(client, alice)

    listed = client.get("/").context["to_score"]

    assert [a.pk for a in listed] == [assessment.pk]
