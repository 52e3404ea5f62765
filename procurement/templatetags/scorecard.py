"""Template filters that format scorecard values; no rule or query here.

``{% load scorecard %}`` gives filters that print a score, a trust level, a
fact's date at its known precision, and a percentage for a CSS bar width;
and tags that write the small fragments a page repeats per offer (the same
HTML as the partials ``_scorebar.html``, ``_trust.html``, ``_status.html``,
``_bidder_claims.html`` and a cell of ``_sensitivity.html``), which a page
of 50 offers would otherwise include hundreds of times.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


@register.simple_tag
def scorebar(value) -> str:
    """A score with a small bar: ``_scorebar.html``."""
    return format_html(
        '<span class="scorebar"><span class="scorebar__value">{}</span>'
        '<span class="scorebar__track" aria-hidden="true">'
        '<span class="scorebar__fill" style="width: {}"></span></span></span>',
        score(value),
        width(value),
    )


@register.simple_tag
def trust_badge(level) -> str:
    """A trust level badge without the level's meaning: ``_trust.html``."""
    if level in (None, ""):
        words = _("Trust level –")
    else:
        words = _("Trust level %(level)s") % {"level": conditional_escape(level)}
    return format_html(
        '<span class="trust {}">{}</span>', level_class(level), mark_safe(words)
    )


@register.simple_tag
def status_badge(assessment) -> str:
    """An assessment's workflow status: ``_status.html``."""
    return format_html(
        '<span class="status status--{}">{}</span>',
        assessment.status,
        assessment.get_status_display(),
    )


@register.simple_tag
def bidder_claims(assessment) -> str:
    """What the bidder's own answers score, and where they differ
    (``_bidder_claims.html``)."""
    if assessment.bidder_score is None:
        return format_html('<span class="muted">{}</span>', _("none"))
    differs = assessment.bidder_differs
    if not differs:
        return score(assessment.bidder_score)
    count = len(differs)
    words = ngettext(
        "differs on %(counter)s criterion", "differs on %(counter)s criteria", count
    ) % {"counter": count}
    return format_html(
        '{}<br><span class="small" data-bidder-differs>{}: {}</span>',
        score(assessment.bidder_score),
        mark_safe(words),
        ", ".join(conditional_escape(code) for code in differs),
    )


@register.simple_tag
def sensitivity_cells(row, current) -> str:
    """An offer's cells under every profile in the sensitivity table
    (``_sensitivity.html``). Plain strings, the fixed words translated once
    per row: 200 cells for 50 offers (words from the catalogue of messages
    are trusted, as in templates; the knock-out codes are escaped)."""
    tied = f' <span class="tag tag--tie">{_("tied")}</span>'
    excluded = _("excluded")
    rank = _("rank %(rank)s")
    cells = []
    for result in row.results:
        classes = "num sensitivity__cell"
        if result.profile == current:
            classes += " is-current"
        if result.eligible:
            words = rank % {"rank": result.rank}
            verdict = (
                f'<span class="sensitivity__rank">{words}'
                f"{tied if result.tied else ''}</span>"
            )
        else:
            classes += " is-excluded"
            count = len(result.knockouts)
            failed = ngettext(
                "%(counter)s knock-out failed", "%(counter)s knock-outs failed", count
            ) % {"counter": count}
            codes = conditional_escape(", ".join(str(c) for c in result.knockouts))
            verdict = (
                f'<span class="sensitivity__rank"><span class="tag tag--fail">'
                f"{excluded}</span></span>\n        "
                f'<span class="sensitivity__why muted small" title="{codes}">'
                f"{failed}</span>"
            )
        cells.append(
            f'\n      <td class="{classes}">\n        <span class="sensitivity__score">'
            f"{score(result.global_score)}</span>\n        {verdict}\n      </td>"
        )
    return mark_safe("".join(cells))


@register.simple_tag
def pillar_cells(offers) -> str:
    """A pillar's score for each offer, with how many of its criteria are
    unknown (the pillar table of ``procurement_detail.html``)."""
    cells = []
    for value, unknown in offers:
        count = ""
        if unknown:
            words = ngettext("%(counter)s unknown", "%(counter)s unknown", unknown)
            count = (
                f' <span class="unknown-count">{words % {"counter": unknown}}</span>'
            )
        cells.append(f'<td class="num">{score(value)}{count}</td>')
    return mark_safe("".join(cells))
