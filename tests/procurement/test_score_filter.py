"""The ``score`` filter prints what ``floatformat:1`` prints, faster."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from procurement.templatetags.scorecard import score

VALUES = [
    Decimal("0"),
    Decimal("0.0"),
    Decimal("62.5"),
    Decimal("62.45"),
    Decimal("62.55"),
    Decimal("-0.04"),
    Decimal("-3.25"),
    Decimal("99.95"),
    Decimal("100"),
    Decimal("5E+1"),
    Decimal("12.345678"),
    0,
    7,
    100,
    0.05,
    33.333333333333336,
    66.65,
    "41.7",
    "not a number",
    True,
    Decimal("NaN"),
    Decimal("1E+9"),
]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_score_prints_as_floatformat_with_one_decimal(value, language):
    with translation.override(language):
        assert score(value) == floatformat(value, 1)


def test_no_score_prints_a_dash():
    assert score(None) == score("") == "–"
