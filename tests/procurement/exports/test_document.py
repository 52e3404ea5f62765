"""The PDF's HTML read as a document: headings, paragraph styles, runs,
tables, charts, page breaks and metadata. No database: HTML in, blocks out."""

import datetime

from procurement.exports import document
from procurement.exports.content import ExportContext
from procurement.exports.document import BREAK, Heading, Image, Paragraph, Run, Table
from procurement.exports.pdf import Page

CONTEXT = ExportContext(
    language="fr", now=datetime.datetime(2026, 11, 22, 10, 30, tzinfo=datetime.UTC)
)
HEAD = (
    '<html lang="fr"><head><title>Analyse des offres - Ministère</title>'
    '<meta name="description" content="Analyse des offres">'
    '<meta name="keywords" content="cloud-of-trust 1.0, N3"></head><body>'
)
CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-40 0 460 380" width="460" '
    'height="380"><title>Scores par pilier</title><desc>OWN 100</desc>'
    '<polygon points="10,10 100,10 50,90" fill="#0b4f8a"/></svg>'
)


def read(body):
    page = Page(HEAD + body + "</body></html>", "Analyse", "Ministère", "pied", "Page")
    return document.read(page, CONTEXT)


def test_white_space_collapses_as_in_html_but_a_no_break_space_stays():
    doc = read("<p>\n  Prestataire\u00a0:   <strong>Testwatt</strong>\n  · N2 </p>")

    assert doc.blocks == (
        Paragraph(
            (Run("Prestataire\u00a0: "), Run("Testwatt", bold=True), Run(" · N2"))
        ),
    )


def test_characters_xml_cannot_carry_are_dropped():
    doc = read("<p>Level\x01 4\x0b</p>")

    assert doc.blocks == (Paragraph((Run("Level 4"),)),)


def test_a_line_break_stays_a_line_break_and_code_is_monospaced():
    doc = read("<p>Empreinte :<br><span class='mono'>94dc</span> <code>x</code></p>")

    assert doc.blocks[0].runs == (
        Run("Empreinte :"),
        BREAK,
        Run("94dc", mono=True),
        Run(" "),
        Run("x", mono=True),
    )


def test_classes_name_the_paragraph_styles_and_a_pillar_head_is_a_heading():
    doc = read(
        '<h2>Méthode</h2><p class="legend keep">Légende</p>'
        '<p class="small muted">Petit</p><p class="warning">Attention</p>'
        '<div class="pillar-head">OWN · Actionnariat</div><p class="ans-head">OWN-1</p>'
    )

    assert [
        (type(block).__name__, getattr(block, "style", None), block.text)
        for block in doc.blocks
    ] == [
        ("Heading", None, "Méthode"),
        ("Paragraph", document.LEGEND, "Légende"),
        ("Paragraph", document.SMALL, "Petit"),
        ("Paragraph", document.WARNING, "Attention"),
        ("Heading", None, "OWN · Actionnariat"),
        ("Paragraph", document.CRITERION, "OWN-1"),
    ]
    assert [b.level for b in doc.blocks if isinstance(b, Heading)] == [2, 4]


def test_thead_is_the_header_row_and_a_th_in_the_body_is_a_label():
    doc = read(
        "<table><thead><tr><th>Rang</th><th>Offre</th></tr></thead>"
        "<tbody><tr><td>1</td><td>Strong<br>Cloud</td></tr></tbody></table>"
        "<table><tr><th>Statut</th><td>Ouvert</td></tr></table>"
    )

    ranking, cover = doc.blocks
    assert [p.text for cell in ranking.header for p in cell] == ["Rang", "Offre"]
    assert [[p.text for p in cell] for cell in ranking.rows[0]] == [
        ["1"],
        ["Strong\nCloud"],
    ]
    assert cover.header == ()
    assert [cell[0].style for cell in cover.rows[0]] == [
        document.TABLE_HEADING,
        document.TABLE,
    ]


def test_a_column_of_numbers_is_narrower_than_a_column_of_criteria():
    table = Table(
        header=((Paragraph((Run("Score"),)),), (Paragraph((Run("Critère"),)),)),
        rows=(
            (
                (Paragraph((Run("100,0"),)),),
                (Paragraph((Run("Maîtrise des clés de chiffrement par le client"),)),),
            ),
        ),
    )

    narrow, wide = table.widths(17.6)

    assert round(narrow + wide, 6) == 17.6
    assert wide > 4 * narrow


def test_the_cover_and_each_offer_start_a_new_page():
    doc = read(
        '<section class="cover"><h1>Analyse</h1></section><h2>Méthode</h2>'
        '<section class="offer"><p class="offer-kicker">Offre 1 sur 2</p></section>'
    )

    assert [(block.text, block.new_page) for block in doc.blocks] == [
        ("Analyse", False),
        ("Méthode", True),
        ("Offre 1 sur 2", True),
    ]


def test_a_chart_becomes_a_png_picture_described_by_its_title():
    doc = read(f'<div class="radar">{CHART}</div>')

    (image,) = doc.blocks
    assert isinstance(image, Image)
    assert image.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.description == "Scores par pilier OWN 100"
    assert (round(image.width_cm, 1), round(image.height_cm, 1)) == (12.2, 10.1)


def test_the_metadata_and_the_page_margins_come_with_the_document():
    doc = read("<p>x</p>")

    assert (doc.title, doc.description, doc.keywords, doc.author, doc.language) == (
        "Analyse des offres - Ministère",
        "Analyse des offres",
        "cloud-of-trust 1.0, N3",
        "Ministère",
        "fr",
    )
    assert (doc.header, doc.footer, doc.page) == ("Analyse · Ministère", "pied", "Page")
