"""The panel through the API: seats, declarations, blind scores, moderation."""

import pytest

from procurement.models import Membership
from procurement.services import panel
from procurement.services.panel import SeatData
from tests.conftest import member
from tests.procurement.api.helpers import (
    assert_same_queries,
    client_for,
    problem_errors,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(procurement, lead, alice, bob):
    """Alice and Bob both score JUR; the lead moderates."""
    panel.set_panel(
        procurement,
        user=lead,
        seats=[SeatData(alice.pk, ["JUR"]), SeatData(bob.pk, ["JUR"])],
    )
    return procurement


def jur(assessment):
    return list(
        assessment.catalogue.criteria.filter(pillar__code="JUR")
        .order_by("position")
        .values_list("code", flat=True)
    )


def score(assessment, user, level, *, submit=True, declare=True):
    """Declare no conflict, score every JUR criterion at ``level``, submit."""
    client = client_for(user)
    if declare:
        declared = client.post(
            url("assessment-declarations", assessment.pk), {"conflict": False}
        )
        assert declared.status_code == 201, declared.json()
    saved = client.post(
        url("assessment-my-scores", assessment.pk),
        {
            "scores": [
                {"criterion": code, "level": level, "evidence": "documented"}
                for code in jur(assessment)
            ]
        },
    )
    assert saved.status_code == 200, saved.json()
    if submit:
        submitted = client.post(url("assessment-submit-my-scores", assessment.pk))
        assert submitted.status_code == 200, submitted.json()
    return client


def consensus(client, assessment, **fields):
    return client.post(
        url("assessment-moderation", assessment.pk),
        {
            "criterion": "JUR-1",
            "level": 2,
            "evidence": "documented",
            "rationale": "Bob's reading of the contract holds.",
            **fields,
        },
    )


def test_a_lead_names_the_panel_and_everyone_reads_it(procurement, lead, alice):
    named = client_for(lead).put(
        url("procurement-panel", procurement.pk),
        {"seats": [{"user": alice.pk, "pillars": ["JUR"], "moderator": True}]},
    )

    read = client_for(alice).get(url("procurement-panel", procurement.pk))
    assert named.status_code == 200
    assert read.json()["seats"] == [
        {
            "user": alice.pk,
            "name": alice.get_full_name() or alice.username,
            "pillars": ["JUR"],
            "moderator": True,
        }
    ]


def test_an_evaluator_cannot_name_the_panel(procurement, alice):
    response = client_for(alice).put(
        url("procurement-panel", procurement.pk), {"seats": [{"user": alice.pk}]}
    )

    assert response.status_code == 403


def test_a_panel_with_an_unknown_pillar_is_a_400(procurement, lead, alice):
    response = client_for(lead).put(
        url("procurement-panel", procurement.pk),
        {"seats": [{"user": alice.pk, "pillars": ["XYZ"]}]},
    )

    assert response.status_code == 400
    assert "Unknown pillars: XYZ." in problem_errors(response)[""]


def test_an_evaluator_reads_only_their_own_scores_until_they_submit(
    seated, assessment, alice, bob
):
    score(assessment, alice, 4)
    bob_client = score(assessment, bob, 1, submit=False)

    before = bob_client.get(url("assessment-individual-scores", assessment.pk))
    alice_reads = client_for(alice).get(
        url("assessment-individual-scores", assessment.pk)
    )
    bob_client.post(url("assessment-submit-my-scores", assessment.pk))
    after = bob_client.get(url("assessment-individual-scores", assessment.pk))

    assert {s["evaluator"] for s in before.json()} == {bob.pk}
    assert {s["evaluator"] for s in alice_reads.json()} == {alice.pk}  # Bob's draft
    assert {s["evaluator"] for s in after.json()} == {alice.pk, bob.pk}


def test_an_evaluator_still_scoring_cannot_read_the_moderation(
    seated, assessment, alice, bob
):
    score(assessment, alice, 4)
    bob_client = score(assessment, bob, 1, submit=False)

    response = bob_client.get(url("assessment-moderation", assessment.pk))

    assert response.status_code == 403


def test_a_viewer_cannot_read_individual_scores(seated, assessment, alice, viewer):
    score(assessment, alice, 4)

    response = client_for(viewer).get(
        url("assessment-individual-scores", assessment.pk)
    )

    assert response.status_code == 403


def test_my_scores_say_what_is_left_to_do(seated, assessment, alice):
    score(assessment, alice, 3, submit=False)

    mine = client_for(alice).get(url("assessment-my-scores", assessment.pk)).json()

    assert (mine["declared"], mine["may_score"], mine["submitted_at"]) == (
        True,
        True,
        None,
    )
    assert mine["criteria"] == jur(assessment)
    assert {s["level"] for s in mine["scores"]} == {3}


def test_someone_off_the_panel_has_no_scores_of_their_own(seated, assessment, lead):
    response = client_for(lead).get(url("assessment-my-scores", assessment.pk))

    assert response.status_code == 403


def test_a_conflicted_evaluator_cannot_score_the_offer(seated, assessment, alice):
    client = client_for(alice)
    client.post(
        url("assessment-declarations", assessment.pk),
        {"conflict": True, "statement": "I advised this bidder."},
    )

    response = client.post(
        url("assessment-my-scores", assessment.pk),
        {"scores": [{"criterion": "JUR-1", "level": 3}]},
    )

    assert response.status_code == 403


def test_a_lead_lets_a_conflicted_evaluator_score_with_a_reason(
    seated, assessment, alice, lead
):
    client_for(alice).post(
        url("assessment-declarations", assessment.pk),
        {"conflict": True, "statement": "I advised this bidder."},
    )

    overridden = client_for(lead).post(
        url("assessment-override", assessment.pk, alice.pk),
        {"reason": "The advice ended in 2019."},
    )
    listed = client_for(lead).get(url("assessment-declarations", assessment.pk))

    assert overridden.status_code == 200
    assert overridden.json()["may_score"] is True
    assert listed.json()[0]["override_reason"] == "The advice ended in 2019."
    assert score(assessment, alice, 3, declare=False)


def test_an_evaluator_cannot_override_a_conflict(seated, assessment, alice, bob):
    client_for(alice).post(
        url("assessment-declarations", assessment.pk),
        {"conflict": True, "statement": "Ex."},
    )

    response = client_for(bob).post(
        url("assessment-override", assessment.pk, alice.pk), {"reason": "Fine."}
    )

    assert response.status_code == 403


def test_overriding_someone_who_made_no_declaration_is_a_404(
    seated, assessment, alice, lead
):
    response = client_for(lead).post(
        url("assessment-override", assessment.pk, alice.pk), {"reason": "Fine."}
    )

    assert response.status_code == 404


def test_a_submission_with_criteria_left_is_a_400(seated, assessment, alice):
    client = client_for(alice)
    client.post(url("assessment-declarations", assessment.pk), {"conflict": False})
    client.post(
        url("assessment-my-scores", assessment.pk),
        {"scores": [{"criterion": "JUR-1", "level": 3}]},
    )

    response = client.post(url("assessment-submit-my-scores", assessment.pk))

    assert response.status_code == 400
    assert "1 of" in problem_errors(response)[""][0]


def test_invalid_scores_come_back_aligned_with_the_list_sent(seated, assessment, alice):
    client = client_for(alice)
    client.post(url("assessment-declarations", assessment.pk), {"conflict": False})

    response = client.post(
        url("assessment-my-scores", assessment.pk),
        {
            "scores": [
                {"criterion": "JUR-1", "level": 3},
                {"criterion": "JUR-2", "level": 9},
            ]
        },
    )

    assert response.status_code == 400
    assert list(problem_errors(response)) == ["/scores/1/level"]


def test_moderation_shows_every_score_side_by_side_with_the_spread(
    seated, assessment, alice, bob, lead
):
    score(assessment, alice, 4)
    score(assessment, bob, 1)

    moderation = client_for(lead).get(
        url("assessment-moderation", assessment.pk), {"pillar": "JUR"}
    )

    data = moderation.json()
    row = next(r for r in data["rows"] if r["criterion"] == "JUR-1")
    assert (data["ready"], data["waiting_for"]) == (True, [])
    assert sorted(s["level"] for s in row["scores"]) == [1, 4]
    assert row["spread"]["wide"] is True
    assert {"profile": "N3", "threshold": 3} in row["spread"]["thresholds"]
    assert {r["pillar"] for r in data["rows"]} == {"JUR"}


def test_moderation_says_who_it_waits_for(seated, assessment, alice, bob, lead):
    score(assessment, alice, 4)

    data = client_for(lead).get(url("assessment-moderation", assessment.pk)).json()

    assert data["ready"] is False
    assert data["waiting_for"] == [bob.get_full_name() or bob.username]


def test_an_evaluator_who_is_not_moderator_cannot_record_the_consensus(
    seated, assessment, alice, bob
):
    alice_client = score(assessment, alice, 4)
    score(assessment, bob, 1)

    response = consensus(alice_client, assessment)

    assert response.status_code == 403


def test_a_consensus_without_a_rationale_is_a_400(seated, assessment, alice, bob, lead):
    score(assessment, alice, 4)
    score(assessment, bob, 1)

    response = consensus(client_for(lead), assessment, rationale="  ")

    assert response.status_code == 400
    assert problem_errors(response) == {"": ["Give the rationale of the consensus."]}


def test_the_consensus_sets_the_level_of_the_scorecard(
    seated, assessment, alice, bob, lead
):
    score(assessment, alice, 4)
    score(assessment, bob, 1)
    client = client_for(lead)

    recorded = consensus(client, assessment, level=2)
    scorecard = client.get(url("assessment-scorecard", assessment.pk)).json()

    assert recorded.status_code == 201
    assert recorded.json()["rationale"] == "Bob's reading of the contract holds."
    line = next(c for c in scorecard["criteria"] if c["code"] == "JUR-1")
    assert line["level"] == 2


def test_the_moderation_shows_the_consensus_and_keeps_the_individual_scores(
    seated, assessment, alice, bob, lead
):
    score(assessment, alice, 4)
    score(assessment, bob, 1)
    client = client_for(lead)
    consensus(client, assessment, level=2)

    data = client.get(url("assessment-moderation", assessment.pk)).json()

    row = next(r for r in data["rows"] if r["criterion"] == "JUR-1")
    assert row["decision"]["level"] == 2
    assert row["decision"]["moderator"] == lead.pk
    assert sorted(s["level"] for s in row["scores"]) == [1, 4]


def test_moderating_a_procurement_without_a_panel_is_a_400(assessment, lead):
    response = client_for(lead).get(url("assessment-moderation", assessment.pk))

    assert response.status_code == 400


def test_comments_are_read_per_criterion(seated, assessment, alice, bob):
    client_for(alice).post(
        url("assessment-comments", assessment.pk),
        {"criterion": "JUR-1", "text": "See clause 4."},
    )
    client_for(bob).post(
        url("assessment-comments", assessment.pk),
        {"criterion": "JUR-2", "text": "Agreed."},
    )

    thread = client_for(bob).get(
        url("assessment-comments", assessment.pk), {"criterion": "JUR-1"}
    )

    assert [(c["author"], c["text"]) for c in thread.json()] == [
        (alice.pk, "See clause 4.")
    ]


def test_an_empty_comment_is_a_400(seated, assessment, alice):
    response = client_for(alice).post(
        url("assessment-comments", assessment.pk), {"criterion": "JUR-1", "text": " "}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "name", "body"),
    [
        ("get", "assessment-declarations", None),
        ("post", "assessment-declarations", {"conflict": False}),
        ("get", "assessment-my-scores", None),
        ("post", "assessment-submit-my-scores", {}),
        ("get", "assessment-individual-scores", None),
        ("get", "assessment-moderation", None),
        ("post", "assessment-comments", {"criterion": "JUR-1", "text": "Hi."}),
    ],
)
def test_another_organisations_assessment_is_a_404(
    foreign_assessment, lead, method, name, body
):
    response = getattr(client_for(lead), method)(url(name, foreign_assessment.pk), body)

    assert response.status_code == 404


def test_another_organisations_panel_is_a_404(foreign_assessment, lead):
    response = client_for(lead).put(
        url("procurement-panel", foreign_assessment.procurement_id), {"seats": []}
    )

    assert response.status_code == 404


def test_moderation_queries_do_not_grow_with_the_evaluators(
    organisation, procurement, assessment, lead, django_assert_num_queries
):
    evaluators = [member(organisation, Membership.Role.EVALUATOR) for _ in range(9)]

    def seat(count):
        panel.set_panel(
            procurement,
            user=lead,
            seats=[SeatData(e.pk, ["JUR"]) for e in evaluators[:count]],
        )
        for evaluator in evaluators[:count]:
            if not assessment.panel_reviews.filter(evaluator=evaluator).exists():
                score(assessment, evaluator, 2)

    seat(3)
    client = client_for(lead)

    def request():
        return client.get(url("assessment-moderation", assessment.pk))

    request()  # warm the catalogue's spec cache

    _first, second = assert_same_queries(
        request, lambda: seat(9), 12, django_assert_num_queries
    )

    row = next(r for r in second.json()["rows"] if r["criterion"] == "JUR-1")
    assert len(row["scores"]) == 9


def test_a_viewer_gets_a_403_before_any_check_of_the_payload(procurement, viewer):
    response = client_for(viewer).put(
        url("procurement-panel", procurement.pk), {"seats": "not a list"}
    )

    assert response.status_code == 403


def test_a_consensus_the_criterion_does_not_allow_is_a_400(
    seated, assessment, alice, bob, lead
):
    score(assessment, alice, 4)
    score(assessment, bob, 1)
    code = (
        assessment.catalogue.criteria.filter(pillar__code="JUR", na_allowed=False)
        .values_list("code", flat=True)
        .first()
    )

    response = consensus(
        client_for(lead), assessment, criterion=code, level=None, not_applicable=True
    )

    assert response.status_code == 400
    assert problem_errors(response)[""]
