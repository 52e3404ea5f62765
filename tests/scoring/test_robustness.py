"""Would the winner change: the smallest swap, the weight draws, decisive answers."""

import random
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import AnswerInput
from scoring.robustness import (
    decisive_answers,
    smallest_swap,
    weight_draws,
    weighted_mean,
)
from tests.scoring.test_engine import JUR_ONLY

PILLARS = ("OWN", "JUR", "DAT", "SEC")
WEIGHTS = {"OWN": 30, "JUR": 30, "DAT": 20, "SEC": 20}


def scores(**values):
    return {code: Decimal(str(value)) for code, value in values.items()}


def lead(weights, winner, runner_up):
    exact = {c: Fraction(w) for c, w in weights.items()}
    return weighted_mean(exact, winner) - weighted_mean(exact, runner_up)


def test_a_hand_computed_swap_moves_weight_from_the_winners_best_pillar():
    winner = scores(OWN=80, JUR=60, DAT=50, SEC=50)  # 62
    runner_up = scores(OWN=40, JUR=70, DAT=50, SEC=50)  # 53

    swap = smallest_swap(WEIGHTS, winner, runner_up)

    # Each point from OWN (+40) to JUR (-10) cuts the lead by 0.5: 9 / 0.5 = 18.
    assert swap.points == 18
    assert [(m.source, m.target, m.points) for m in swap.moves] == [("OWN", "JUR", 18)]
    assert lead(swap.weights, winner, runner_up) == 0


def test_when_every_pillar_favours_the_winner_nothing_swaps_them():
    assert (
        smallest_swap(
            WEIGHTS,
            scores(OWN=9, JUR=9, DAT=9, SEC=9),
            scores(OWN=1, JUR=1, DAT=1, SEC=1),
        )
        is None
    )


def test_offers_already_level_need_no_change():
    same = scores(OWN=50, JUR=50, DAT=50, SEC=50)

    assert smallest_swap(WEIGHTS, same, same).points == 0


pillar_score = st.integers(min_value=0, max_value=1000).map(lambda n: Decimal(n) / 10)
offer_scores = st.fixed_dictionaries(
    {
        code: st.one_of(pillar_score, st.none()) if code == "SEC" else pillar_score
        for code in PILLARS
    }
)
weight_sets = st.fixed_dictionaries(
    {code: st.integers(min_value=1, max_value=60) for code in PILLARS}
)


@settings(max_examples=300, deadline=None)
@given(weight_sets, offer_scores, offer_scores)
def test_the_reported_swap_ties_the_two_and_no_smaller_shift_does(
    weights, winner, runner_up
):
    if lead(weights, winner, runner_up) <= 0:
        winner, runner_up = runner_up, winner
    swap = smallest_swap(weights, winner, runner_up)
    if swap is None:
        return

    assert lead(swap.weights, winner, runner_up) == 0
    assert sum(swap.weights.values()) == sum(weights.values())
    assert all(weight >= 0 for weight in swap.weights.values())
    if swap.points:
        # The same moves scaled down by a tenth leave the winner ahead.
        shorter = {c: Fraction(w) for c, w in weights.items()}
        for move in swap.moves:
            shorter[move.source] -= move.points * Fraction(9, 10)
            shorter[move.target] += move.points * Fraction(9, 10)
        assert lead(shorter, winner, runner_up) > 0


def test_weight_draws_are_reproducible_with_the_seed_and_share_every_draw():
    offers = {
        "A": scores(OWN=80, JUR=60, DAT=50, SEC=50),
        "B": scores(OWN=50, JUR=75, DAT=55, SEC=60),
        "C": scores(OWN=10, JUR=10, DAT=10, SEC=10),
    }

    first = weight_draws(WEIGHTS, offers, draws=400, seed=7)
    again = weight_draws(WEIGHTS, offers, draws=400, seed=7)
    other = weight_draws(WEIGHTS, offers, draws=400, seed=8)

    assert first == again
    assert first.first != other.first
    assert abs(sum(first.first.values()) - 1) < 1e-9
    assert first.first["C"] == 0
    assert 0 < first.first["B"] < first.first["A"]


def test_a_clear_winner_wins_every_draw():
    offers = {
        "A": scores(OWN=90, JUR=90, DAT=90, SEC=90),
        "B": scores(OWN=10, JUR=10, DAT=10, SEC=10),
    }

    assert weight_draws(WEIGHTS, offers, draws=100).first == {"A": 1.0, "B": 0.0}


def every_offer_drawn(weights, offers, *, draws, spread, seed):
    """The draws as first written: every offer's mean in every draw."""
    generator = random.Random(seed)
    codes = list(weights)
    base = [float(weights[c]) for c in codes]
    total = sum(base)
    table = {
        label: [None if s.get(c) is None else float(s[c]) for c in codes]
        for label, s in offers.items()
    }
    wins = dict.fromkeys(offers, 0.0)
    for _draw in range(draws):
        drawn = [w * generator.uniform(1 - spread, 1 + spread) for w in base]
        scale = total / sum(drawn) if sum(drawn) else 0
        drawn = [w * scale for w in drawn]
        means = {}
        for label, values in table.items():
            weight = points = 0.0
            for w, value in zip(drawn, values, strict=True):
                if value is not None:
                    weight += w
                    points += w * value
            means[label] = points / weight if weight else 0.0
        best = max(means.values(), default=0)
        leaders = [label for label, mean in means.items() if abs(mean - best) < 1e-9]
        for label in leaders:
            wins[label] += 1 / len(leaders)
    return {label: won / draws for label, won in wins.items()}


pillar_score = st.one_of(
    st.none(), st.integers(0, 1000).map(lambda tenths: Decimal(tenths) / 10)
)
offer_scores = st.fixed_dictionaries({code: pillar_score for code in PILLARS})


@settings(max_examples=300, deadline=None)
@given(
    weights=st.fixed_dictionaries(
        {code: st.sampled_from([0, 5, 10, 20, 30]) for code in PILLARS}
    ),
    offers=st.lists(offer_scores, max_size=10).flatmap(
        # some offers twice, so that ties happen
        lambda unique: (
            st.lists(st.sampled_from(unique), max_size=4).map(
                lambda again: unique + again
            )
            if unique
            else st.just(unique)
        )
    ),
    spread=st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0]),
    seed=st.integers(0, 99),
)
def test_leaving_out_offers_that_never_lead_changes_no_share(
    weights, offers, spread, seed
):
    labelled = {f"offer {index}": scores for index, scores in enumerate(offers)}

    shares = weight_draws(weights, labelled, draws=50, spread=spread, seed=seed)

    expected = every_offer_drawn(weights, labelled, draws=50, spread=spread, seed=seed)
    assert list(shares.first.items()) == list(expected.items())


def jur(**levels):
    return [AnswerInput(code, level, "verified") for code, level in levels.items()]


def test_a_winner_one_level_from_a_knockout_is_decisive():
    winner = jur(**{"JUR-1": 4, "JUR-2": 3, "JUR-3": 3, "JUR-4": 2, "JUR-5": 2})
    runner_up = jur(**{"JUR-1": 3, "JUR-2": 3, "JUR-3": 3, "JUR-4": 2, "JUR-5": 2})

    found = decisive_answers(JUR_ONLY, "N3", winner, runner_up)

    dropped = {(d.offer, d.criterion, d.level, d.winner_eligible) for d in found}
    # JUR-2 at 2 fails N3's knock-out (3): the runner-up would win.
    assert ("winner", "JUR-2", 2, False) in dropped
    # JUR-1 from 4 to 3 makes the two equal: level is enough to count.
    assert ("winner", "JUR-1", 3, True) in dropped
    # A runner-up's JUR-4 at 3 (weight 1) is worth less than the winner's lead.
    assert not any(d.offer == "runner_up" and d.criterion == "JUR-4" for d in found)


def test_a_far_ahead_winner_has_no_decisive_answer():
    winner = jur(**{"JUR-1": 4, "JUR-2": 4, "JUR-3": 4, "JUR-4": 4, "JUR-5": 4})
    runner_up = jur(**{"JUR-1": 3, "JUR-2": 3, "JUR-3": 3, "JUR-4": 2, "JUR-5": 2})

    assert decisive_answers(JUR_ONLY, "N2", winner, runner_up) == []
