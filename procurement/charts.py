"""Server-rendered SVG charts: a radar of pillar scores and pillar bars.

The web pages and the PDF exports embed the same markup, so a chart on screen
and on paper always agree. Colours are SVG presentation attributes (not CSS
classes) because WeasyPrint and browsers both honour them. Each chart carries
a <title> and <desc>; pages also show the numbers in a table for screen
readers and for print.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Colour-blind-safe palette (Okabe-Ito), darkest first for the main series;
# each offer also gets its own line style, so that no two series depend on
# colour alone. The reference cases take colours no offer uses.
PALETTE = ("#0b4f8a", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
DASHES = ("", "10 4", "3 3", "10 3 3 3", "6 2", "1 3")
REFERENCE_COLOURS = {"cloudwatt": "#5b6773", "numergy": "#000000"}
REFERENCE_DASHES = {"cloudwatt": "6 4", "numergy": "2 2"}
GRID = "#c8ced6"
LABEL_MARGIN = 40  # room beside the radar for the axis labels
LABEL_CHARACTERS = 48  # what fits on a bar chart's label line at 12px
LEGEND_ROW = 18
LEGEND_CHARACTERS = 60
INK = "#1d2733"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | float | None]  # one per axis, 0-100; None = no score
    colour: str = PALETTE[0]
    dashed: bool = False  # a reference case: a lighter fill
    # per axis, the points (0-100) left unknown beyond the value: hatched
    unknown: Sequence[Decimal | float] | None = None
    dash: str = ""  # the line's stroke-dasharray; empty: a solid line

    @property
    def line_dash(self) -> str:
        return self.dash or ("6 4" if self.dashed else "")


def offer_style(index: int) -> dict[str, str]:
    """The colour and line style of the ``index``-th offer of a chart."""
    return {
        "colour": PALETTE[index % len(PALETTE)],
        "dash": DASHES[(index + index // len(PALETTE)) % len(DASHES)],
    }


def legend(series: Sequence[Series]) -> list[tuple[str, str, str]]:
    """A chart's legend rows (label, colour, stroke-dasharray), as pages show it."""
    return [(item.name, item.colour, item.line_dash) for item in series]


def radar_svg(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    size: int = 360,
    title: str = "",
    description: str = "",
    with_legend: bool = False,
) -> SafeString:
    """A radar chart with one polygon per series over 0-100 axes.

    ``with_legend`` draws the legend under the radar, for the exports, where
    the chart travels alone (PDF, the images of ODT and DOCX); the pages show
    the same rows as HTML (``legend``).
    """
    centre = size / 2
    radius = size / 2 - 48
    count = len(axes)
    rows = _legend_rows(series) if with_legend else []
    height = size + LEGEND_ROW * len(rows) + (8 if rows else 0)
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} 0 {} {}" width="{}" '
            'height="{}" role="img" class="chart chart-radar" aria-label="{}" '
            'font-family="sans-serif"><title>{}</title><desc>{}</desc>',
            -LABEL_MARGIN,
            size + 2 * LABEL_MARGIN,
            height,
            size + 2 * LABEL_MARGIN,
            height,
            title,
            title,
            description,
        )
    ]
    for ring in (25, 50, 75, 100):
        points = _polygon([ring] * count, centre, radius)
        parts.append(
            format_html(
                '<polygon points="{}" fill="none" stroke="{}" stroke-width="1"/>',
                points,
                GRID,
            )
        )
        x, y = _point(0, count, ring, centre, radius)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="9" fill="{}" class="radar-ring">'
                "{}</text>",
                _fmt(x + 3),
                _fmt(y + 3),
                "#5b6773",
                ring,
            )
        )
    for index, label in enumerate(axes):
        x, y = _point(index, count, 100, centre, radius)
        lx, ly = _point(index, count, 118, centre, radius)
        anchor = (
            "middle" if abs(lx - centre) < 1 else ("start" if lx > centre else "end")
        )
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" font-size="12" font-weight="600" fill="{}" '
                'text-anchor="{}" dominant-baseline="middle" class="radar-axis">'
                "{}</text>",
                _fmt(centre),
                _fmt(centre),
                _fmt(x),
                _fmt(y),
                GRID,
                _fmt(lx),
                _fmt(ly),
                INK,
                anchor,
                label,
            )
        )
    for item in series:
        values = [float(v) if v is not None else 0.0 for v in item.values]
        if item.unknown is not None and any(item.unknown):
            parts.append(_unknown_band(values, item, centre, radius))
        parts.append(
            format_html(
                '<polygon points="{}" fill="{}" fill-opacity="{}" stroke="{}" '
                'stroke-width="2.5"{}><title>{}</title></polygon>',
                _polygon(values, centre, radius),
                item.colour,
                "0.08" if item.dashed else "0.14",
                item.colour,
                _dash_attribute(item.line_dash),
                item.name,
            )
        )
    for index, (label, colour, dash, hatched) in enumerate(rows):
        parts.append(_legend_row(index, size + 8, label, colour, dash, hatched))
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant tag
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


def bars_svg(
    labels: Sequence[str],
    values: Sequence[Decimal | float | None],
    *,
    width: int = 360,
    title: str = "",
    colour: str = PALETTE[0],
    markers: Sequence[Decimal | float | None] | None = None,
    unknown: Sequence[Decimal | float] | None = None,
) -> SafeString:
    """Horizontal bars 0-100, one per label, each label on the line above its bar.

    Labels above the bars leave the bars the whole width, so the chart stays
    narrow and its 12px text stays legible when a phone scales it down.
    ``markers`` draws a thin tick per bar (e.g. the score as claimed).
    ``unknown`` hatches, after each bar, the points left unknown (scored 0):
    what the pillar could gain once those criteria are answered.
    """
    row = 38
    bar_width = width - 8
    height = row * len(labels) + 4
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" '
            'height="{}" role="img" class="chart chart-bars" aria-label="{}" '
            'font-family="sans-serif"><title>{}</title>',
            width,
            height,
            width,
            height,
            title,
            title,
        )
    ]
    if unknown is not None and any(unknown):
        parts.append(
            format_html(
                '<defs><pattern id="unknown-hatch" width="6" height="6" '
                'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                '<rect width="6" height="6" fill="#ffffff"/>'
                '<line x1="0" y1="0" x2="0" y2="6" stroke="{}" stroke-width="2"/>'
                "</pattern></defs>",
                INK,
            )
        )
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 2 + index * row
        bar_y = y + 18
        length = bar_width * (float(value) if value is not None else 0) / 100
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="12" fill="{}">{}</text>'
                '<text x="{}" y="{}" font-size="12" font-weight="600" fill="{}" '
                'text-anchor="end">{}</text>'
                '<rect x="0" y="{}" width="{}" height="14" fill="#e8ecf1" rx="3"/>'
                '<rect x="0" y="{}" width="{}" height="14" fill="{}" rx="3"/>',
                _fmt(y + 12),
                INK,
                _shorten(label, LABEL_CHARACTERS),
                width,
                _fmt(y + 12),
                INK,
                "-" if value is None else number_format(value, 1),
                _fmt(bar_y),
                _fmt(bar_width),
                _fmt(bar_y),
                _fmt(length),
                colour,
            )
        )
        share = float(unknown[index]) if unknown is not None else 0.0
        if share:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="14" '
                    'fill="url(#unknown-hatch)" opacity="0.5" class="bar-unknown">'
                    "<title>{}</title></rect>",
                    _fmt(length),
                    _fmt(bar_y),
                    _fmt(min(bar_width * share / 100, bar_width - length)),
                    _("unknown, scored 0"),
                )
            )
        marker = markers[index] if markers is not None else None
        if marker is not None:
            mx = bar_width * float(marker) / 100
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
                    'stroke-width="2"/>',
                    _fmt(mx),
                    _fmt(bar_y - 3),
                    _fmt(mx),
                    _fmt(bar_y + 17),
                    INK,
                )
            )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant tag
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


def _legend_rows(series: Sequence[Series]) -> list[tuple[str, str, str, bool]]:
    rows = [(item.name, item.colour, item.line_dash, False) for item in series]
    if any(item.unknown is not None and any(item.unknown) for item in series):
        rows.append((_("Hatched: unknown, scored 0"), INK, "", True))
    return rows


def _legend_row(index, top, label, colour, dash, hatched) -> SafeString:
    """One legend line under a radar: a sample of the line, then its label."""
    y = top + index * LEGEND_ROW + LEGEND_ROW / 2
    if hatched:
        sample = format_html(
            '{}<rect x="0" y="{}" width="28" height="10" '
            'fill="url(#unknown-hatch-{})" stroke="{}" stroke-width="0.5"/>',
            _hatch(colour),
            _fmt(y - 5),
            colour.lstrip("#"),
            colour,
        )
    else:
        sample = format_html(
            '<line x1="0" y1="{}" x2="28" y2="{}" stroke="{}" stroke-width="3"{}/>',
            _fmt(y),
            _fmt(y),
            colour,
            _dash_attribute(dash),
        )
    return format_html(
        '<g class="radar-legend">{}<text x="36" y="{}" font-size="12" fill="{}" '
        'dominant-baseline="middle">{}</text></g>',
        sample,
        _fmt(y),
        INK,
        _shorten(label, LEGEND_CHARACTERS),
    )


def _dash_attribute(dash: str) -> SafeString:
    return format_html(' stroke-dasharray="{}"', dash) if dash else mark_safe("")


def _hatch(colour: str) -> SafeString:
    """A diagonal hatch in one colour; its id names the colour, so repeats agree."""
    return format_html(
        '<defs><pattern id="unknown-hatch-{}" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="{}" stroke-width="2"/>'
        "</pattern></defs>",
        colour.lstrip("#"),
        colour,
    )


def _unknown_band(
    values: Sequence[float], item: Series, centre: float, radius: float
) -> SafeString:
    """The ring between a series' scores and what its unknown criteria could add."""
    reach = [
        min(100.0, value + float(share))
        for value, share in zip(values, item.unknown or (), strict=True)
    ]
    return format_html(
        '{}<path d="M{}Z M{}Z" fill="url(#unknown-hatch-{})" fill-rule="evenodd" '
        'stroke="none" opacity="0.6" class="radar-unknown"><title>{}</title></path>',
        _hatch(item.colour),
        _polygon(reach, centre, radius).replace(" ", " L"),
        _polygon(values, centre, radius).replace(" ", " L"),
        item.colour.lstrip("#"),
        _("%(name)s: unknown, scored 0") % {"name": item.name},
    )


def _point(index: int, count: int, value: float, centre: float, radius: float):
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = radius * value / 100
    return centre + distance * math.cos(angle), centre + distance * math.sin(angle)


def _polygon(values: Sequence[float], centre: float, radius: float) -> str:
    count = len(values)
    return " ".join(
        f"{_fmt(x)},{_fmt(y)}"
        for x, y in (_point(i, count, v, centre, radius) for i, v in enumerate(values))
    )


def _shorten(text: str, limit: int) -> str:
    """Cut a label at a word boundary to fit; the table below has it in full."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;&- ")
    return f"{cut}…"


def _fmt(number: float) -> str:
    return f"{number:.1f}"
