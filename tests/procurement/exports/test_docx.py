"""Editable DOCX reports read back with python-docx: headings, tables with
the engine's numbers, charts, numbered pages, properties and language."""

import io

import docx
import pytest
from docx.oxml.ns import qn

from procurement.exports import export_assessment, export_procurement
from procurement.scorecards import assessment_report
from procurement.services import rank_procurement
from tests.procurement.exports.helpers import NOW, reference_case, tender

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def read(exported):
    return docx.Document(io.BytesIO(exported.content))


def headings(document):
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    ]


def table_headed(document, first):
    """The table whose first row starts with ``first``: (its first row marked
    as a header row, header texts, body rows' texts)."""
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == first:
            repeated = table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
            return repeated, rows[0], rows[1:]
    raise AssertionError(f"No table headed {first!r}")


def test_procurement_docx_is_named_typed_and_titled(procurement):
    exported = export_procurement(procurement, "docx", now=NOW)

    properties = read(exported).core_properties
    assert (exported.content_type, exported.filename) == (
        DOCX,
        "procurement-t-202607-2026-11-22.docx",
    )
    assert (properties.title, properties.author, properties.language) == (
        f"Analysis of the offers - {procurement.organisation}",
        procurement.organisation.name,
        "en-GB",
    )


def test_procurement_docx_has_the_reports_headings_in_words_heading_styles(
    procurement,
):
    found = headings(read(export_procurement(procurement, "docx")))

    assert found[0] == ("Heading 1", "Analysis of the offers")
    for expected in (
        ("Heading 2", "Method"),
        ("Heading 2", "Ranking"),
        ("Heading 3", "Excluded offers and reasons"),
        ("Heading 2", "Strong IaaS"),
        ("Heading 2", "Weak IaaS"),
        ("Heading 3", "Answers"),
    ):
        assert expected in found


def test_procurement_docx_ranks_the_offers_with_the_engines_scores(procurement):
    ranking = rank_procurement(procurement)

    repeated, header, rows = table_headed(
        read(export_procurement(procurement, "docx")), "Rank"
    )

    assert repeated
    assert header[:3] == ["Rank", "Offer", "Score"]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (
            "Excluded" if line.excluded else str(line.rank),
            f"{line.assessment.offer.name}\n{line.assessment.offer.provider.name}",
            str(line.assessment.scorecard().global_score),
        )
        for line in ranking.rows
    ]


def test_scorecard_docx_shows_the_engines_pillar_scores(strong):
    report = assessment_report(strong)

    repeated, header, rows = table_headed(
        read(export_assessment(strong, "docx")), "Pillar"
    )

    assert repeated
    assert header == ["Pillar", "Weight", "Score", "As claimed", "Trust level"]
    assert [(row[0], row[2]) for row in rows] == [
        (f"{pillar.code} {pillar.name}", str(pillar.result.score))
        for pillar in report.pillars
    ]


def test_docx_carries_the_charts_as_png_pictures_with_alternative_text(strong):
    document = read(export_assessment(strong, "docx"))

    shapes = document.inline_shapes
    parts = [
        document.part.related_parts[
            shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        ]
        for shape in shapes
    ]
    assert len(shapes) == 1  # the scorecard's radar
    assert [part.content_type for part in parts] == ["image/png"]
    assert parts[0].blob[:8] == b"\x89PNG\r\n\x1a\n"
    assert shapes[0]._inline.docPr.get("descr")


def test_docx_numbers_its_pages_in_the_footer(procurement):
    document = read(export_procurement(procurement, "docx"))

    footer = document.sections[0].footer._element
    fields = [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert document.sections[0].footer.paragraphs[-1].text.startswith("Page ")


def test_french_docx_is_in_french_throughout(catalogue):
    reference = reference_case(catalogue)
    first = catalogue.criteria.order_by("pillar__position", "position").first()

    document = read(export_assessment(reference, "docx", language="fr", now=NOW))

    body = "\n".join(p.text for p in document.paragraphs)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == "fr-FR"
    assert document.core_properties.language == "fr-FR"
    assert ("Heading 2", "Méthode") in headings(document)
    assert "Cloud public Testwatt" in body
    assert f"Documenté en 2014 ({first.code})." in body
    assert (
        "généré le 22 novembre 2026" in document.sections[0].footer.paragraphs[0].text
    )


def test_a_docx_of_a_procurement_without_offers_says_so(organisation, lead):
    empty = tender(organisation, lead, bidders=[])

    document = read(export_procurement(empty, "docx"))

    assert "No offer has been assessed in this procurement yet." in [
        p.text for p in document.paragraphs
    ]


def test_the_french_report_counts_offers_without_parenthesised_plurals(
    organisation, lead
):
    procurement = tender(organisation, lead, (("Strong", 4), ("Fair", 4), ("Weak", 1)))

    exported = export_procurement(procurement, "docx", language="fr", now=NOW)

    text = " ".join(
        cell.text for table in read(exported).tables for cell in table._cells
    )
    assert "3 offres\u00a0: 2 éligibles, 1 exclue" in text
    assert "(s)" not in text
