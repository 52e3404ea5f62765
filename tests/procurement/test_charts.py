"""SVG charts: escaped, labelled, and in the reader's number format."""

from decimal import Decimal as D

from django.utils import translation

from procurement.charts import Series, bars_svg, radar_svg


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
        ["DAT Data protection, localisation & cryptographic control"], [D(1)]
    )

    assert ">DAT Data protection…<" in svg


def test_a_radar_hatches_what_unknown_criteria_could_add():
    series = Series("Acme", [D(50), D(60), D(70)], unknown=[D(20), 0, D(50)])

    svg = radar_svg(["OWN", "JUR", "DAT"], [series])

    assert svg.count('class="radar-unknown"') == 1
    assert 'fill="url(#unknown-hatch-0b4f8a)"' in svg
    assert "Acme: unknown, scored 0" in svg


def test_a_radar_without_unknowns_has_no_hatch():
    svg = radar_svg(["OWN", "JUR"], [Series("Acme", [D(50), D(60)], unknown=[0, 0])])

    assert "radar-unknown" not in svg
