"""SVG charts: escaped, labelled, and in the reader's number format."""

from decimal import Decimal as D

from django.utils import translation

from procurement.charts import (
    PALETTE,
    REFERENCE_COLOURS,
    Series,
    bars_svg,
    legend,
    offer_style,
    radar_svg,
)


def test_radar_escapes_names_and_has_a_title():
    svg = radar_svg(
        ["OWN", "JUR", "DAT"], [Series("<b>Acme</b>", [D(50), D(60), None])], title="T"
    )

    assert "&lt;b&gt;Acme&lt;/b&gt;" in svg
    assert "<title>T</title>" in svg
    assert svg.count("<polygon") == 4 + 1  # four rings and one series


def test_bar_values_use_the_languages_decimal_separator():
    with translation.override("fr"):
        french = bars_svg(["OWN"], [D("64.3")], title="t")
    with translation.override("en"):
        english = bars_svg(["OWN"], [D("64.3")], title="t")

    assert ">64,3<" in french
    assert ">64.3<" in english


def test_long_bar_labels_are_cut_at_a_word():
    svg = bars_svg(
        ["DAT Data protection, localisation & cryptographic control of the keys"],
        [D(1)],
    )

    assert ">DAT Data protection, localisation…<" in svg


def test_a_radar_hatches_what_unknown_criteria_could_add():
    series = Series("Acme", [D(50), D(60), D(70)], unknown=[D(20), 0, D(50)])

    svg = radar_svg(["OWN", "JUR", "DAT"], [series])

    assert svg.count('class="radar-unknown"') == 1
    assert 'fill="url(#unknown-hatch-0b4f8a)"' in svg
    assert "Acme: unknown, scored 0" in svg


def test_a_radar_without_unknowns_has_no_hatch():
    svg = radar_svg(["OWN", "JUR"], [Series("Acme", [D(50), D(60)], unknown=[0, 0])])

    assert "radar-unknown" not in svg


def test_no_two_series_of_a_radar_share_a_colour_and_a_line_style():
    offers = [offer_style(index) for index in range(12)]
    references = set(REFERENCE_COLOURS.values())

    assert len({(o["colour"], o["dash"]) for o in offers}) == 12
    assert len({o["colour"] for o in offers[: len(PALETTE)]}) == len(PALETTE)
    assert len({o["dash"] for o in offers[: len(PALETTE)]}) == len(PALETTE)
    assert references.isdisjoint(PALETTE)


def test_an_exported_radar_carries_its_legend_with_the_line_styles():
    series = [
        Series("Acme", [D(50), D(60)], unknown=[D(10), 0], **offer_style(0)),
        Series("Beta", [D(40), D(30)], **offer_style(1)),
        Series("Numergy (reference)", [D(20), D(30)], dashed=True, dash="2 2"),
    ]

    with_legend = radar_svg(["OWN", "JUR"], series, with_legend=True)
    plain = radar_svg(["OWN", "JUR"], series)

    assert with_legend.count('class="radar-legend"') == 4  # 3 series + hatched
    assert ">Beta</text>" in with_legend
    assert 'stroke-dasharray="10 4"' in with_legend
    assert "radar-legend" not in plain
    assert legend(series)[1:] == [
        ("Beta", PALETTE[1], "10 4"),
        ("Numergy (reference)", "#0b4f8a", "2 2"),
    ]


def test_radar_labels_can_be_resized_for_a_phone():
    svg = radar_svg(["OWN", "JUR", "DAT"], [Series("Acme", [D(1), D(2), D(3)])])

    assert svg.count('class="radar-axis"') == 3
    assert svg.count('class="radar-ring"') == 4
