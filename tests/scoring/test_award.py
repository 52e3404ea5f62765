"""The award decision, computed by hand: price formulas, weights, ties, exclusions."""

from decimal import Decimal as D

import pytest

from scoring.award import (
    LINEAR_LOWEST,
    LINEAR_RANGE,
    PRICE,
    PROPORTIONAL,
    QUALITY,
    SOVEREIGNTY,
    AwardCriterionSpec,
    OfferAwardInput,
    award,
    price_marks,
)

CRITERIA = (
    AwardCriterionSpec("sov", SOVEREIGNTY, 40),
    AwardCriterionSpec("price", PRICE, 40, PROPORTIONAL),
    AwardCriterionSpec("quality", QUALITY, 20),
)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (PROPORTIONAL, {"a": D(100), "b": D(80), "c": D("66.67")}),
        (LINEAR_LOWEST, {"a": D(100), "b": D(75), "c": D(50)}),
        (LINEAR_RANGE, {"a": D(100), "b": D(50), "c": D(0)}),
    ],
)
def test_price_formulas_by_hand(formula, expected):
    marks = price_marks({"a": D(800), "b": D(1000), "c": D(1200)}, formula)

    assert {k: v.quantize(D("0.01")) for k, v in marks.items()} == expected


def test_linear_lowest_never_goes_below_zero():
    marks = price_marks({"a": D(100), "b": D(300)}, LINEAR_LOWEST)

    assert marks["b"] == 0


def test_the_same_price_everywhere_gets_full_marks_in_a_range():
    assert price_marks({"a": D(5), "b": D(5)}, LINEAR_RANGE) == {
        "a": D(100),
        "b": D(100),
    }


def offer(key, sovereignty, price, quality, eligible=True):
    return OfferAwardInput(
        key, eligible, D(sovereignty), {"price": D(price), "quality": D(quality)}
    )


def test_the_weighted_award_by_hand():
    lines = award(
        CRITERIA,
        [offer("a", 80, 1000, 70), offer("b", 60, 800, 90)],
    )

    # a: 0.4*80 + 0.4*80 + 0.2*70 = 78; b: 0.4*60 + 0.4*100 + 0.2*90 = 82
    assert [(line.key, line.total, line.rank) for line in lines] == [
        ("b", D("82.00"), 1),
        ("a", D("78.00"), 2),
    ]


def test_an_excluded_offer_with_the_lowest_price_moves_nobodys_price_mark():
    lines = award(
        CRITERIA,
        [
            offer("a", 80, 1000, 70),
            offer("b", 60, 800, 90),
            offer("cheap", 20, 100, 100, eligible=False),
        ],
    )

    by_key = {line.key: line for line in lines}
    assert by_key["b"].marks["price"] == 100
    assert (by_key["cheap"].total, by_key["cheap"].rank) == (None, None)
    assert lines[-1].key == "cheap"


def test_equal_totals_share_a_rank():
    lines = award(
        CRITERIA,
        [offer("a", 80, 1000, 70), offer("b", 80, 1000, 70), offer("c", 10, 2000, 0)],
    )

    assert [(line.key, line.rank, line.tied) for line in lines] == [
        ("a", 1, True),
        ("b", 1, True),
        ("c", 3, False),
    ]


def test_a_missing_mark_counts_as_zero_and_is_flagged():
    lines = award(
        CRITERIA,
        [
            OfferAwardInput("a", True, D(80), {"price": D(1000)}),
            offer("b", 80, 1000, 10),
        ],
    )

    by_key = {line.key: line for line in lines}
    assert by_key["a"].missing == ("quality",)
    assert by_key["a"].total == D("72.00")  # 32 + 40 + 0
    assert by_key["b"].total == D("74.00")
