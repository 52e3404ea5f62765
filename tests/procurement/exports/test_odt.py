"""Editable ODT reports read back with odfpy: headings, tables with the
engine's numbers, charts, numbered pages, metadata and language."""

import io
import shutil
import subprocess
import zipfile

import pytest
from odf import dc, draw, style, table, teletype, text
from odf.opendocument import load

from procurement.exports import export_assessment, export_procurement
from procurement.scorecards import assessment_report
from procurement.services import rank_procurement
from tests.procurement.exports.helpers import NOW, reference_case, tender

pytestmark = pytest.mark.django_db

ODT = "application/vnd.oasis.opendocument.text"


def read(exported):
    return load(io.BytesIO(exported.content))


def headings(document):
    """Each heading's style (an automatic style's parent, as an editor shows
    it), outline level and text."""
    parents = {
        s.getAttribute("name"): s.getAttribute("parentstylename")
        for s in document.automaticstyles.getElementsByType(style.Style)
    }
    return [
        (
            parents.get(heading.getAttribute("stylename"))
            or heading.getAttribute("stylename"),
            heading.getAttribute("outlinelevel"),
            teletype.extractText(heading),
        )
        for heading in document.getElementsByType(text.H)
    ]


def rows_of(element):
    """The cell texts of each row, whether in the header rows or the body."""
    return [
        [teletype.extractText(cell) for cell in row.getElementsByType(table.TableCell)]
        for row in element.getElementsByType(table.TableRow)
    ]


def table_headed(document, first):
    """The table whose header row starts with ``first``: (header, body rows)."""
    for candidate in document.getElementsByType(table.Table):
        header_rows = candidate.getElementsByType(table.TableHeaderRows)
        if header_rows and rows_of(header_rows[0])[0][0] == first:
            rows = rows_of(candidate)
            return rows[0], rows[1:]
    raise AssertionError(f"No table headed {first!r}")


def test_procurement_odt_is_named_typed_and_titled(procurement):
    exported = export_procurement(procurement, "odt", now=NOW)

    document = read(exported)
    assert (exported.content_type, exported.filename) == (
        ODT,
        "procurement-t-202607-2026-11-22.odt",
    )
    assert exported.content[:2] == b"PK"
    assert [
        teletype.extractText(document.meta.getElementsByType(kind)[0])
        for kind in (dc.Title, dc.Language, dc.Creator)
    ] == [
        f"Analysis of the offers - {procurement.organisation}",
        "en-GB",
        procurement.organisation.name,
    ]


def test_procurement_odt_has_the_reports_headings_in_heading_styles(procurement):
    document = read(export_procurement(procurement, "odt"))

    found = headings(document)
    assert found[0] == ("Heading_20_1", "1", "Analysis of the offers")
    for expected in (
        ("Heading_20_2", "2", "Method"),
        ("Heading_20_2", "2", "Ranking"),
        ("Heading_20_3", "3", "Excluded offers and reasons"),
        ("Heading_20_2", "2", "Strong IaaS"),
        ("Heading_20_2", "2", "Weak IaaS"),
        ("Heading_20_3", "3", "Answers"),
    ):
        assert expected in found
    defined = {
        s.getAttribute("name"): s.getAttribute("displayname")
        for s in document.styles.getElementsByType(style.Style)
    }
    assert [defined[f"Heading_20_{level}"] for level in (1, 2, 3)] == [
        "Heading 1",
        "Heading 2",
        "Heading 3",
    ]


def test_procurement_odt_ranks_the_offers_with_the_engines_scores(procurement):
    ranking = rank_procurement(procurement)

    header, rows = table_headed(read(export_procurement(procurement, "odt")), "Rank")

    assert header[:3] == ["Rank", "Offer", "Score"]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (
            "Excluded" if line.excluded else str(line.rank),
            f"{line.assessment.offer.name}\n{line.assessment.offer.provider.name}",
            str(line.assessment.scorecard().global_score),
        )
        for line in ranking.rows
    ]


def test_scorecard_odt_shows_the_engines_pillar_scores(strong):
    report = assessment_report(strong)

    header, rows = table_headed(read(export_assessment(strong, "odt")), "Pillar")

    assert header == ["Pillar", "Weight", "Score", "As claimed", "Trust level"]
    assert [(row[0], row[2]) for row in rows] == [
        (f"{pillar.code} {pillar.name}", str(pillar.result.score))
        for pillar in report.pillars
    ]


def test_odt_carries_the_charts_as_png_pictures_with_a_description(procurement):
    exported = export_procurement(procurement, "odt")

    document = read(exported)
    frames = document.getElementsByType(draw.Frame)
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    pictures = [
        frame.getElementsByType(draw.Image)[0].getAttribute("href") for frame in frames
    ]
    assert len(pictures) == 3  # the ranking's radar, then one per offer
    assert all(archive.read(name)[:8] == b"\x89PNG\r\n\x1a\n" for name in pictures)
    assert all(teletype.extractText(frame).strip() for frame in frames)


def test_odt_numbers_its_pages_in_the_footer(procurement):
    document = read(export_procurement(procurement, "odt"))

    footer = document.masterstyles.getElementsByType(style.Footer)[0]
    assert footer.getElementsByType(text.PageNumber)
    assert footer.getElementsByType(text.PageCount)
    assert "Page 1 / 1" in teletype.extractText(footer)


def test_french_odt_is_in_french_throughout(catalogue):
    reference = reference_case(catalogue)
    first = catalogue.criteria.order_by("pillar__position", "position").first()

    document = read(export_assessment(reference, "odt", language="fr", now=NOW))

    body = teletype.extractText(document.text)
    default = document.styles.getElementsByType(style.DefaultStyle)[0]
    properties = default.getElementsByType(style.TextProperties)[0]
    assert (
        properties.getAttribute("language"),
        properties.getAttribute("country"),
    ) == (
        "fr",
        "FR",
    )
    assert teletype.extractText(document.meta.getElementsByType(dc.Language)[0]) == (
        "fr-FR"
    )
    assert ("Heading_20_2", "2", "Méthode") in headings(document)
    assert "Cloud public Testwatt" in body
    assert f"Documenté en 2014 ({first.code})." in body
    assert "généré le 22 novembre 2026" in teletype.extractText(document.masterstyles)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
def test_libreoffice_opens_the_odt_and_prints_it(procurement, tmp_path):
    source = tmp_path / "report.odt"
    source.write_bytes(export_procurement(procurement, "odt").content)

    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
        + [f"-env:UserInstallation=file://{tmp_path}/profile", str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )

    assert (tmp_path / "report.pdf").read_bytes()[:4] == b"%PDF"


def test_an_odt_of_a_procurement_without_offers_says_so(organisation, lead):
    empty = tender(organisation, lead, bidders=[])

    body = teletype.extractText(read(export_procurement(empty, "odt")).text)

    assert "No offer has been assessed in this procurement yet." in body
