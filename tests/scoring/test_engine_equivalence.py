"""The compiled engine gives the same scorecards as release 1.0's engine.

``reference_engine`` is the straightforward implementation the compiled
engine replaced; on thousands of random answer sets (levels, unknowns, N/A,
every evidence type, every profile) both must agree on every field.
"""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import AnswerInput, CatalogueSpec, ScoringError, score
from scoring.loader import spec_from_file
from tests.scoring import reference_engine
from tests.scoring.test_engine import JUR_ONLY

CATALOGUE = spec_from_file()


def random_answers(catalogue: CatalogueSpec, rng: random.Random) -> list[AnswerInput]:
    answers = []
    for criterion in catalogue.criteria:
        roll = rng.random()
        if roll < 0.1:
            continue  # not answered
        if roll < 0.15 and criterion.na_allowed:
            answers.append(AnswerInput(criterion.code, None, None, True))
            continue
        level = None if roll < 0.2 else rng.randint(0, 4)
        evidence = rng.choice([*catalogue.evidence_types, None])
        answers.append(AnswerInput(criterion.code, level, evidence))
    rng.shuffle(answers)
    return answers


def assert_same(catalogue, profile, answers):
    new = score(catalogue, profile, answers)
    old = reference_engine.score(catalogue, profile, answers)
    assert new == old
    assert [str(p.score) for p in new.pillars] == [str(p.score) for p in old.pillars]
    assert str(new.global_score) == str(old.global_score)
    assert str(new.global_score_claimed) == str(old.global_score_claimed)
    for code in new.eligibility:
        expected = reference_engine.score(catalogue, code, answers).knockouts
        assert new.knockouts_by_profile[code] == expected


@pytest.mark.parametrize("seed", range(4))
def test_compiled_engine_equals_the_reference_on_random_answer_sets(seed):
    rng = random.Random(seed)
    for _ in range(750):
        answers = random_answers(CATALOGUE, rng)
        assert_same(CATALOGUE, rng.choice(["N1", "N2", "N3", "N4"]), answers)


def test_compiled_engine_equals_the_reference_on_a_small_catalogue():
    rng = random.Random(7)
    for _ in range(500):
        assert_same(JUR_ONLY, rng.choice(["N2", "N3"]), random_answers(JUR_ONLY, rng))


@settings(max_examples=300, deadline=None)
@given(
    levels=st.lists(
        st.one_of(st.none(), st.integers(0, 4)),
        min_size=len(CATALOGUE.criteria),
        max_size=len(CATALOGUE.criteria),
    ),
    evidence=st.sampled_from(["declared", "documented", "verified", None]),
    profile=st.sampled_from(["N1", "N2", "N3", "N4"]),
)
def test_compiled_engine_equals_the_reference_for_any_levels(levels, evidence, profile):
    answers = [
        AnswerInput(c.code, level, evidence)
        for c, level in zip(CATALOGUE.criteria, levels, strict=True)
    ]
    assert_same(CATALOGUE, profile, answers)


@pytest.mark.parametrize(
    "answers",
    [
        [AnswerInput("NOPE-1", 1)],
        [AnswerInput("JUR-1", 1), AnswerInput("JUR-1", 2)],
        [AnswerInput("JUR-1", 5)],
        [AnswerInput("JUR-1", -1)],
        [AnswerInput("JUR-1", 1, "rumour")],
        [AnswerInput("JUR-1", None, None, True)],
    ],
)
def test_both_engines_refuse_the_same_inputs_with_the_same_message(answers):
    with pytest.raises(ScoringError) as new:
        score(CATALOGUE, "N3", answers)
    with pytest.raises(ScoringError) as old:
        reference_engine.score(CATALOGUE, "N3", answers)
    assert str(new.value) == str(old.value)


def test_both_engines_refuse_an_unknown_profile_with_the_same_message():
    with pytest.raises(ScoringError) as new:
        score(CATALOGUE, "N9", [])
    with pytest.raises(ScoringError) as old:
        reference_engine.score(CATALOGUE, "N9", [])
    assert str(new.value) == str(old.value)
