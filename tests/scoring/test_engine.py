"""The pure engine, without a database: hand-computed cases and properties."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import engine
from scoring.engine import (
    AnswerInput,
    CatalogueSpec,
    CriterionSpec,
    KnockOut,
    PillarSpec,
    ProfileSpec,
    RankedEntry,
    RankInput,
    ScoringError,
    rank,
    score,
)
from scoring.loader import spec_from_file

CATALOGUE = spec_from_file()
CAPS = {"declared": 2, "documented": 3, "verified": 4}

# The JUR pillar of the worked example in 8.5, alone in a small catalogue:
# JUR-1 and JUR-3 weigh 2, the others 1. A second, non-core pillar holds a
# score-only criterion and one that may be N/A.
JUR_ONLY = CatalogueSpec(
    slug="example",
    version="1",
    pillars=(PillarSpec("JUR", core=True), PillarSpec("TEC", core=False)),
    criteria=(
        CriterionSpec("JUR-1", "JUR", 2),
        CriterionSpec("JUR-2", "JUR", 1),
        CriterionSpec("JUR-3", "JUR", 2),
        CriterionSpec("JUR-4", "JUR", 1),
        CriterionSpec("JUR-5", "JUR", 1),
        CriterionSpec("TEC-1", "TEC", 1),
        CriterionSpec("TEC-5", "TEC", 1, na_allowed=True),
    ),
    profiles=(
        ProfileSpec(
            "N2",
            pillar_weights={"JUR": D(75), "TEC": D(25)},
            thresholds={"JUR-2": 2, "JUR-3": 1},
        ),
        ProfileSpec(
            "N3",
            pillar_weights={"JUR": D(90), "TEC": D(10)},
            thresholds={"JUR-1": 3, "JUR-2": 3, "JUR-3": 3, "JUR-4": 2, "JUR-5": 2},
            evidence_caps=CAPS,
        ),
    ),
)


def worked_example(evidence="verified", **overrides):
    levels = {"JUR-1": 3, "JUR-2": 3, "JUR-3": 3, "JUR-4": 2, "JUR-5": 2, "TEC-1": 2}
    levels.update(overrides)
    return [AnswerInput(code, level, evidence) for code, level in levels.items()]


def everything_at(level, evidence="verified"):
    return [AnswerInput(c.code, level, evidence) for c in CATALOGUE.criteria]


def test_worked_jur_example_scores_67_9():
    scorecard = score(JUR_ONLY, "N3", worked_example())

    # 100 x (2x3 + 3 + 2x3 + 2 + 2) / (4 x 7) = 1900 / 28 = 67.857...
    assert scorecard.pillar("JUR").score == D("67.9")


def test_worked_example_passes_every_n3_knockout():
    scorecard = score(JUR_ONLY, "N3", worked_example())

    assert (scorecard.eligible, scorecard.knockouts) == (True, ())


def test_global_score_weights_exact_pillar_scores_and_rounds_once():
    scorecard = score(JUR_ONLY, "N3", worked_example())

    # JUR 1900/28 = 67.857..., TEC (2 + 0) / 8 x 100 = 25 (TEC-5 unknown = 0).
    # (90 x 67.857... + 10 x 25) / 100 = 63.571... -> 63.6
    assert (scorecard.pillar("TEC").score, scorecard.global_score) == (
        D("25.0"),
        D("63.6"),
    )


def test_declared_evidence_caps_knockout_criteria_at_n3():
    scorecard = score(JUR_ONLY, "N3", worked_example(evidence="declared"))

    assert [
        (c.code, c.level, c.effective_level, c.capped) for c in scorecard.criteria
    ] == [
        ("JUR-1", 3, 2, True),
        ("JUR-2", 3, 2, True),
        ("JUR-3", 3, 2, True),
        ("JUR-4", 2, 2, False),
        ("JUR-5", 2, 2, False),
        ("TEC-1", 2, 2, False),  # no knock-out, so no cap
        ("TEC-5", None, 0, False),
    ]


def test_capped_claims_are_the_evidence_gaps_and_fail_knockouts():
    scorecard = score(JUR_ONLY, "N3", worked_example(evidence="declared"))

    assert scorecard.evidence_gaps == ("JUR-1", "JUR-2", "JUR-3")
    assert scorecard.knockouts == (
        KnockOut("JUR-1", 3, 2),
        KnockOut("JUR-2", 3, 2),
        KnockOut("JUR-3", 3, 2),
    )


def test_claimed_score_ignores_the_evidence_caps():
    scorecard = score(JUR_ONLY, "N3", worked_example(evidence="declared"))

    # As evidenced: 100 x (4 + 2 + 4 + 2 + 2) / 28 = 50; as claimed: 67.9.
    assert (scorecard.pillar("JUR").score, scorecard.pillar("JUR").score_claimed) == (
        D("50.0"),
        D("67.9"),
    )


def test_no_cap_applies_at_a_profile_without_caps():
    scorecard = score(JUR_ONLY, "N2", worked_example(evidence="declared"))

    assert (scorecard.evidence_gaps, scorecard.pillar("JUR").score) == ((), D("67.9"))


def test_unknown_level_counts_as_zero():
    scorecard = score(JUR_ONLY, "N3", worked_example(**{"JUR-1": None}))

    # 100 x (0 + 3 + 6 + 2 + 2) / 28 = 46.43
    assert scorecard.pillar("JUR").score == D("46.4")
    assert scorecard.knockouts == (KnockOut("JUR-1", 3, 0),)


def test_not_applicable_leaves_the_criterion_out_of_its_pillar():
    answers = [*worked_example(), AnswerInput("TEC-5", None, None, not_applicable=True)]

    scorecard = score(JUR_ONLY, "N3", answers)

    # TEC: only TEC-1 counts, 2 / 4 = 50.
    assert scorecard.pillar("TEC").score == D("50.0")
    assert scorecard.criterion("TEC-5").effective_level is None


def test_not_applicable_is_refused_where_the_criterion_does_not_allow_it():
    with pytest.raises(ScoringError, match="JUR-1 cannot be N/A"):
        score(JUR_ONLY, "N3", [AnswerInput("JUR-1", None, None, not_applicable=True)])


def test_a_pillar_entirely_not_applicable_has_no_score_and_leaves_the_global_score():
    spec = CatalogueSpec(
        slug="na",
        version="1",
        pillars=(PillarSpec("A", core=True), PillarSpec("B", core=False)),
        criteria=(
            CriterionSpec("A-1", "A", 1),
            CriterionSpec("B-1", "B", 1, na_allowed=True),
        ),
        profiles=(
            ProfileSpec("P", pillar_weights={"A": D(50), "B": D(50)}, thresholds={}),
        ),
    )

    scorecard = score(
        spec,
        "P",
        [AnswerInput("A-1", 3), AnswerInput("B-1", None, None, not_applicable=True)],
    )

    assert scorecard.pillar("B").score is None
    assert scorecard.global_score == D("75.0")  # A alone: 3 / 4


def test_nothing_answered_scores_zero_everywhere():
    scorecard = score(CATALOGUE, "N2", [])

    assert (
        scorecard.global_score,
        scorecard.global_score_claimed,
        scorecard.trust_level,
        scorecard.completeness,
        scorecard.highest_profile_passed,
    ) == (D("0.0"), D("0.0"), 0, D("0.0"), None)
    assert {p.score for p in scorecard.pillars} == {D("0.0")}


def test_nothing_answered_fails_every_knockout_of_the_profile():
    scorecard = score(CATALOGUE, "N2", [])

    assert len(scorecard.knockouts) == 13
    assert scorecard.eligible is False


def test_all_four_verified_is_perfect_and_eligible_at_n4():
    scorecard = score(CATALOGUE, "N4", everything_at(4))

    assert (
        scorecard.global_score,
        scorecard.trust_level,
        scorecard.eligible,
        scorecard.highest_profile_passed,
        scorecard.completeness,
    ) == (D("100.0"), 4, True, "N4", D("100.0"))


def test_all_four_declared_is_capped_to_two_at_n4_but_passes_n2():
    scorecard = score(CATALOGUE, "N4", everything_at(4, evidence="declared"))

    assert scorecard.trust_level == 2
    assert scorecard.highest_profile_passed == "N2"
    assert scorecard.global_score_claimed == D("100.0")
    assert len(scorecard.evidence_gaps) == 35  # every N4 knock-out criterion


def test_trust_level_is_the_weakest_assurance_relevant_core_criterion():
    answers = {a.criterion: a for a in everything_at(4)}
    answers["OPS-3"] = AnswerInput("OPS-3", 2, "verified")
    answers["SUP-4"] = AnswerInput("SUP-4", 2, "verified")
    answers["TEC-6"] = AnswerInput("TEC-6", 0, "verified")  # TEC is not a core pillar
    answers["OWN-5"] = AnswerInput("OWN-5", 0, "verified")  # score-only criterion

    scorecard = score(CATALOGUE, "N3", answers.values())

    assert scorecard.trust_level == 2
    assert scorecard.binding_criteria == ("OPS-3", "SUP-4")
    assert (
        scorecard.pillar("TEC").trust_level,
        scorecard.pillar("OWN").trust_level,
    ) == (0, 4)


def test_highest_profile_passed_is_the_strictest_profile_with_no_failed_knockout():
    answers = {a.criterion: a for a in everything_at(3)}
    answers["DAT-1"] = AnswerInput("DAT-1", 1, "verified")

    scorecard = score(CATALOGUE, "N3", answers.values())

    # DAT-1 >= 2 is an N3 knock-out but not an N2 one.
    assert scorecard.knockouts == (KnockOut("DAT-1", 2, 1),)
    assert scorecard.eligibility == {"N1": True, "N2": True, "N3": False, "N4": False}
    assert scorecard.highest_profile_passed == "N2"


def test_completeness_counts_levels_and_not_applicable_but_not_unknown():
    answers = [
        AnswerInput("OWN-1", 3, "documented"),
        AnswerInput("OWN-2", None, "declared"),
        AnswerInput("TEC-5", None, None, not_applicable=True),
    ]

    scorecard = score(CATALOGUE, "N2", answers)

    assert (scorecard.answered, scorecard.total, scorecard.completeness) == (
        2,
        45,
        D("4.4"),
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (AnswerInput("XXX-1", 2), "Unknown criterion 'XXX-1'"),
        (AnswerInput("OWN-1", 5), "Level 5 of OWN-1 is not in 0-4"),
        (AnswerInput("OWN-1", -1), "Level -1 of OWN-1 is not in 0-4"),
        (AnswerInput("OWN-1", 2, "hearsay"), "Evidence type 'hearsay' of OWN-1"),
    ],
)
def test_bad_answers_are_refused_with_a_message_naming_them(answer, message):
    with pytest.raises(ScoringError, match=message):
        score(CATALOGUE, "N2", [answer])


def test_a_criterion_answered_twice_is_refused():
    with pytest.raises(ScoringError, match="OWN-1 is answered twice"):
        score(CATALOGUE, "N2", [AnswerInput("OWN-1", 1), AnswerInput("OWN-1", 2)])


def test_an_unknown_profile_is_refused():
    with pytest.raises(ScoringError, match="Unknown profile 'N9'"):
        score(CATALOGUE, "N9", [])


def test_rank_puts_eligible_entries_first_by_score_and_states_ties():
    entries = [
        RankInput("excluded-high", eligible=False, global_score=D("90")),
        RankInput("b", eligible=True, global_score=D("70")),
        RankInput("a", eligible=True, global_score=D("80")),
        RankInput("c", eligible=True, global_score=D("70")),
        RankInput("excluded-low", eligible=False, global_score=D("10")),
    ]

    assert rank(entries) == [
        RankedEntry("a", 1, False),
        RankedEntry("b", 2, True),
        RankedEntry("c", 2, True),
        RankedEntry("excluded-high", None, False),
        RankedEntry("excluded-low", None, False),
    ]


# Properties, over the real catalogue.

LEVELS = st.one_of(st.none(), st.integers(min_value=0, max_value=4))
EVIDENCE = st.sampled_from(CATALOGUE.evidence_types)
PROFILES = st.sampled_from([p.code for p in CATALOGUE.profiles])


@st.composite
def answer_sets(draw):
    answers = {}
    for criterion in CATALOGUE.criteria:
        if criterion.na_allowed and draw(st.booleans()):
            answers[criterion.code] = AnswerInput(criterion.code, None, None, True)
        else:
            answers[criterion.code] = AnswerInput(
                criterion.code, draw(LEVELS), draw(EVIDENCE)
            )
    return answers


def all_scores(scorecard):
    pillar_scores = [
        value
        for p in scorecard.pillars
        for value in (p.score, p.score_claimed)
        if value is not None
    ]
    return [scorecard.global_score, scorecard.global_score_claimed, *pillar_scores]


@settings(max_examples=150, deadline=None)
@given(answers=answer_sets(), profile=PROFILES)
def test_every_score_stays_within_0_and_100(answers, profile):
    scorecard = score(CATALOGUE, profile, answers.values())

    assert all(D(0) <= value <= D(100) for value in all_scores(scorecard))
    assert scorecard.trust_level is None or 0 <= scorecard.trust_level <= 4


@settings(max_examples=150, deadline=None)
@given(answers=answer_sets(), profile=PROFILES, data=st.data())
def test_raising_a_level_never_lowers_any_score(answers, profile, data):
    code = data.draw(
        st.sampled_from([c for c, a in answers.items() if not a.not_applicable])
    )
    before = answers[code]
    raised = dict(answers)
    raised[code] = AnswerInput(
        code,
        data.draw(st.integers(min_value=before.level or 0, max_value=4)),
        before.evidence,
    )

    low = score(CATALOGUE, profile, answers.values())
    high = score(CATALOGUE, profile, raised.values())

    assert all(h >= lo for h, lo in zip(all_scores(high), all_scores(low), strict=True))
    assert (high.trust_level or 0) >= (low.trust_level or 0)
    assert high.eligible >= low.eligible


@settings(max_examples=150, deadline=None)
@given(answers=answer_sets(), profile=PROFILES, data=st.data())
def test_a_weaker_evidence_type_never_raises_any_score(answers, profile, data):
    code = data.draw(
        st.sampled_from([c for c, a in answers.items() if not a.not_applicable])
    )
    before = answers[code]
    order = CATALOGUE.evidence_types
    weaker = data.draw(st.sampled_from(order[: order.index(before.evidence) + 1]))
    weakened = dict(answers)
    weakened[code] = AnswerInput(code, before.level, weaker)

    strong = score(CATALOGUE, profile, answers.values())
    weak = score(CATALOGUE, profile, weakened.values())

    assert all(
        w <= s for w, s in zip(all_scores(weak), all_scores(strong), strict=True)
    )
    assert (weak.trust_level or 0) <= (strong.trust_level or 0)


@settings(max_examples=200, deadline=None)
@given(answers=answer_sets())
def test_eligible_at_a_stricter_profile_means_eligible_at_every_laxer_one(answers):
    eligibility = list(score(CATALOGUE, "N1", answers.values()).eligibility.values())

    # Once a profile fails, every stricter one fails too: [True..., False...].
    assert eligibility == sorted(eligibility, reverse=True)


@settings(max_examples=100, deadline=None)
@given(answers=answer_sets(), profile=PROFILES)
def test_eligibility_map_agrees_with_scoring_under_each_profile(answers, profile):
    scorecard = score(CATALOGUE, "N1", answers.values())

    assert (
        score(CATALOGUE, profile, answers.values()).eligible
        == scorecard.eligibility[profile]
    )


def test_the_unknown_share_is_the_weight_of_unknown_criteria_over_the_applicable():
    results = [
        engine.CriterionResult("A-1", "A", 3, None, None, False, 0, None, None),
        engine.CriterionResult("A-2", "A", 1, 4, "declared", False, 4, None, None),
        engine.CriterionResult("A-3", "A", 2, None, None, True, None, None, None),
    ]

    assert engine.unknown_share(results) == 75.0
    assert engine.unknown_share(results[2:]) == 0.0
