"""Template filters that format scorecard values; no rule or query here.

``{% load scorecard %}`` gives filters that print a score, a trust level, a
fact's date at its known precision, and a percentage for a CSS bar width.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

DATE_FORMATS = {"day": "j F Y", "month": "F Y", "year": "Y"}


ONE_TENTH = Decimal("0.1")


@register.filter
def score(value) -> str:
    """A 0-100 score with one decimal in the active locale, or a dash.

    What ``floatformat:1`` prints, without its general machinery for the
    numbers a score is (a page of 50 offers prints hundreds).
    """
    if value in (None, ""):
        return "–"
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
        if number.is_finite() and abs(number) < 1000:
            rounded = number.quantize(ONE_TENTH, ROUND_HALF_UP)
            text = f"{rounded or abs(rounded):f}"  # never "-0.0"
            separator = get_format("DECIMAL_SEPARATOR")
            return mark_safe(text if separator == "." else text.replace(".", separator))
    return floatformat(value, 1)


@register.filter
def width(value) -> str:
    """A score as a CSS percentage, never localised (62.5%, not 62,5%)."""
    if value in (None, ""):
        return "0%"
    number = min(max(Decimal(str(value)), Decimal(0)), Decimal(100))
    return f"{number:.1f}%"


@register.filter
def level_class(level) -> str:
    """The CSS class of a trust level badge (``lvl-0`` to ``lvl-4``)."""
    return "lvl-none" if level in (None, "") else f"lvl-{int(level)}"


@register.filter
def scale_text(catalogue, level) -> str:
    """The catalogue's generic meaning of a level, in the active language."""
    if level in (None, ""):
        return _("Not rated: no assurance-relevant criterion applies.")
    return catalogue.scale_text(int(level))


@register.filter
def fact_date(fact) -> str:
    """A fact's date at the precision it is known, and its end if a period."""
    formatting = DATE_FORMATS.get(fact.date_precision, DATE_FORMATS["day"])
    start = date_filter(fact.as_of, formatting)
    if fact.as_of_end:
        return f"{start} – {date_filter(fact.as_of_end, formatting)}"
    return start


@register.filter
def at_precision(day, precision) -> str:
    """A date no more precise than its source: "2016", "January 2016" or a day."""
    if not day:
        return ""
    return date_filter(day, DATE_FORMATS.get(precision, DATE_FORMATS["day"]))


@register.filter
def lookup(mapping, key):
    """``mapping[key]``, or an empty string (for dicts built by the view)."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def descriptor(line, level) -> str:
    """The criterion's descriptor of a level (``CriterionLine.descriptor``)."""
    return line.descriptor(level) if level not in (None, "") else ""
