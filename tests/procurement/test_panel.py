"""A panel scores on its own, blind, then a moderator records the consensus."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement import services
from procurement.models import HistoryEntry
from procurement.services import panel
from procurement.services.panel import ScoreData, SeatData
from scoring.spread import spread

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(procurement, lead, alice, bob):
    """Alice scores JUR only, Bob scores JUR and SEC."""
    panel.set_panel(
        procurement,
        user=lead,
        seats=[SeatData(alice.pk, ["JUR"]), SeatData(bob.pk, ["JUR", "SEC"])],
    )
    return procurement


def jur_codes(assessment):
    return list(
        assessment.catalogue.criteria.filter(pillar__code="JUR")
        .order_by("position")
        .values_list("code", flat=True)
    )


def score_all(assessment, user, level, pillars=("JUR",), submit=True):
    codes = list(
        assessment.catalogue.criteria.filter(pillar__code__in=pillars).values_list(
            "code", flat=True
        )
    )
    panel.declare_interests(assessment, user=user, conflict=False)
    panel.save_scores(
        assessment, user=user, scores=[ScoreData(code, level) for code in codes]
    )
    if submit:
        panel.submit_scores(assessment, user=user)


def test_only_a_lead_names_the_panel(procurement, alice):
    with pytest.raises(PermissionDenied):
        panel.set_panel(procurement, user=alice, seats=[SeatData(alice.pk)])


def test_a_panel_of_strangers_or_unknown_pillars_is_refused(procurement, lead):
    from tests.factories import UserFactory

    with pytest.raises(ValidationError) as refused:
        panel.set_panel(
            procurement,
            user=lead,
            seats=[SeatData(UserFactory().pk), SeatData(lead.pk, ["XYZ"])],
        )

    assert "Unknown pillars: XYZ." in refused.value.messages
    assert len(refused.value.messages) == 2


def test_naming_the_panel_is_recorded(seated, alice):
    entry = HistoryEntry.objects.get(action="panel.changed")

    assert entry.procurement_id == seated.pk
    assert any("JUR" in seat for seat in entry.changes[0]["after"])


def test_with_a_panel_answers_come_only_from_moderation(seated, assessment, lead):
    with pytest.raises(ValidationError) as refused:
        services.record_answers(
            assessment,
            user=lead,
            version=assessment.version,
            answers=[services.AnswerData("JUR-1", 3)],
        )

    assert "A panel scores this procurement" in refused.value.messages[0]


def test_an_evaluator_declares_interests_before_scoring(seated, assessment, alice):
    with pytest.raises(ValidationError) as refused:
        panel.save_scores(assessment, user=alice, scores=[ScoreData("JUR-1", 3)])

    assert "Declare your interests" in refused.value.messages[0]


def test_a_conflicted_evaluator_cannot_score_until_a_lead_overrides(
    seated, assessment, alice, lead
):
    panel.declare_interests(
        assessment, user=alice, conflict=True, statement="I advised this bidder."
    )

    with pytest.raises(PermissionDenied):
        panel.save_scores(assessment, user=alice, scores=[ScoreData("JUR-1", 3)])
    panel.override_conflict(
        assessment, user=lead, evaluator=alice, reason="Advice ended in 2019."
    )
    saved = panel.save_scores(assessment, user=alice, scores=[ScoreData("JUR-1", 3)])

    assert saved[0].level == 3
    assert HistoryEntry.objects.get(action="panel.overridden").reason == (
        "Advice ended in 2019."
    )


def test_a_conflict_needs_a_statement_and_an_override_a_reason(
    seated, assessment, alice, lead
):
    with pytest.raises(ValidationError):
        panel.declare_interests(assessment, user=alice, conflict=True)
    panel.declare_interests(assessment, user=alice, conflict=True, statement="Ex.")
    with pytest.raises(ValidationError):
        panel.override_conflict(assessment, user=lead, evaluator=alice, reason=" ")


def test_an_evaluator_scores_only_their_pillars(seated, assessment, alice):
    panel.declare_interests(assessment, user=alice, conflict=False)

    with pytest.raises(ValidationError) as refused:
        panel.save_scores(assessment, user=alice, scores=[ScoreData("SEC-1", 3)])

    assert "SEC-1 is not one of the criteria you score." in refused.value.messages


def test_scores_are_blind_until_the_reader_submitted(seated, assessment, alice, bob):
    score_all(assessment, alice, 3)
    score_all(assessment, bob, 1, pillars=("JUR", "SEC"), submit=False)

    bob_sees = {s.evaluator_id for s in panel.visible_scores(assessment, bob)}
    alice_sees = {s.evaluator_id for s in panel.visible_scores(assessment, alice)}

    assert bob_sees == {bob.pk}
    assert alice_sees == {alice.pk}  # Bob's are a draft: nobody else reads them
    panel.submit_scores(assessment, user=bob)
    assert {s.evaluator_id for s in panel.visible_scores(assessment, bob)} == {
        alice.pk,
        bob.pk,
    }


def test_submitted_scores_are_fixed_and_recorded_by_their_digest(
    seated, assessment, alice
):
    score_all(assessment, alice, 3)

    with pytest.raises(ValidationError):
        panel.save_scores(assessment, user=alice, scores=[ScoreData("JUR-1", 4)])
    entry = HistoryEntry.objects.get(action="panel.submitted")
    mine = assessment.individual_scores.filter(evaluator=alice).select_related(
        "criterion"
    )
    assert {"field": "sha256", "before": None, "after": panel.scores_digest(mine)} in (
        entry.changes
    )
    assert "3" not in str([c["after"] for c in entry.changes if c["field"] != "sha256"])


def test_a_submission_needs_every_criterion_scored(seated, assessment, alice):
    panel.declare_interests(assessment, user=alice, conflict=False)
    panel.save_scores(assessment, user=alice, scores=[ScoreData("JUR-1", 3)])

    with pytest.raises(ValidationError) as refused:
        panel.submit_scores(assessment, user=alice)

    assert "1 of" in refused.value.messages[0]


def test_moderation_waits_for_every_evaluator(seated, assessment, alice, lead):
    score_all(assessment, alice, 3)

    with pytest.raises(ValidationError) as refused:
        panel.record_consensus(
            assessment,
            user=lead,
            criterion="JUR-1",
            level=3,
            evidence="documented",
            rationale="Agreed.",
        )

    assert "waiting for" in refused.value.messages[0]


def test_the_consensus_not_an_individual_score_is_what_the_engine_scores(
    seated, assessment, alice, bob, lead
):
    score_all(assessment, alice, 4)
    score_all(assessment, bob, 1, pillars=("JUR", "SEC"))

    panel.record_consensus(
        assessment,
        user=lead,
        criterion="JUR-1",
        level=2,
        evidence="documented",
        rationale="Bob's reading of the contract holds.",
    )

    assessment.refresh_from_db()
    answer = assessment.answers.get(criterion__code="JUR-1")
    assert (answer.level, answer.justification) == (
        2,
        "Bob's reading of the contract holds.",
    )
    assert assessment.scorecard().criterion("JUR-1").level == 2
    assert assessment.individual_scores.filter(level=4).count() == len(
        jur_codes(assessment)
    )
    assert HistoryEntry.objects.filter(
        action="panel.consensus", criterion="JUR-1"
    ).exists()


def test_a_consensus_without_a_rationale_is_refused(
    seated, assessment, alice, bob, lead
):
    score_all(assessment, alice, 4)
    score_all(assessment, bob, 1, pillars=("JUR", "SEC"))

    with pytest.raises(ValidationError):
        panel.record_consensus(
            assessment,
            user=lead,
            criterion="JUR-1",
            level=2,
            evidence="documented",
            rationale="  ",
        )


def test_an_evaluator_who_is_not_moderator_cannot_moderate(
    seated, assessment, alice, bob
):
    score_all(assessment, alice, 4)
    score_all(assessment, bob, 1, pillars=("JUR", "SEC"))

    with pytest.raises(PermissionDenied):
        panel.record_consensus(
            assessment,
            user=alice,
            criterion="JUR-1",
            level=2,
            evidence="documented",
            rationale="Mine.",
        )


def test_a_conflicted_evaluator_does_not_hold_moderation_back(
    seated, assessment, alice, bob, lead
):
    panel.declare_interests(assessment, user=alice, conflict=True, statement="Ex.")
    score_all(assessment, bob, 2, pillars=("JUR", "SEC"))

    assert panel.moderation_ready(assessment) == (True, [])


def test_moderation_rows_flag_wide_and_threshold_spreads(
    seated, assessment, alice, bob
):
    score_all(assessment, alice, 3)
    score_all(assessment, bob, 2, pillars=("JUR", "SEC"))

    rows = {row.criterion.code: row for row in panel.moderation_rows(assessment)}

    jur1 = rows["JUR-1"]
    assert sorted(s.level for s in jur1.scores) == [2, 3]
    assert not jur1.spread.wide
    assert ("N3", 3) in jur1.spread.thresholds  # 2 fails N3's JUR-1 >= 3, 3 passes


@pytest.mark.parametrize(
    ("levels", "wide", "straddled"),
    [
        ([2, 3], False, [("N3", 3)]),
        ([3, 3], False, []),
        ([3, 4], False, []),
        ([1, 3], True, [("N3", 3)]),
        ([None, 2], True, []),
        ([2], False, []),
    ],
)
def test_spread_is_exact_at_the_thresholds(levels, wide, straddled):
    result = spread(levels, [("N3", 3), ("N4", 5)])

    assert (result.wide, list(result.thresholds)) == (wide, straddled)


def test_a_comment_is_kept_and_recorded(seated, assessment, alice):
    panel.add_comment(assessment, user=alice, criterion="JUR-1", text="See clause 4.")

    assert assessment.panel_comments.get().text == "See clause 4."
    assert HistoryEntry.objects.get(action="panel.comment").criterion == "JUR-1"


def test_a_procurement_without_a_panel_works_as_before(procurement, assessment, lead):
    updated = services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=[services.AnswerData("JUR-1", 3)],
    )

    assert updated.answers.get(criterion__code="JUR-1").level == 3
