"""Editable reports as Word documents (DOCX), written with python-docx.

Many buyers edit in Word: the analysis of the offers and the scorecard come
as DOCX too, with what the ODT has: the blocks of ``document`` (the PDF's
content) in Word's own Heading 1 to 4 styles and ``document.STYLES``,
tables whose header row repeats on each page, the charts as PNG pictures
with their description as alternative text, A4 pages with the report's
header and a footer numbered "Page n / N" (PAGE and NUMPAGES fields), the
title, author and language in the core properties and the default style.

python-docx has no call for fields, repeated header rows or the document's
language: those are three small pieces of WordprocessingML, below.
"""

from __future__ import annotations

import io

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..scorecards import AssessmentReport, ProcurementReport
from . import document
from .content import ExportContext
from .document import BREAK, Block, Bullets, Heading, Image, Paragraph, Run

FONT = "Arial"  # LibreOffice shows it in Liberation Sans, of the same metrics
MONO_FONT = "Courier New"
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
PAGE_MARGIN = "Page margin"
HEADING_LEVELS = tuple(document.HEADING_SIZES)


def assessment_docx(report: AssessmentReport, context: ExportContext) -> bytes:
    """The scorecard as an editable DOCX."""
    return write(document.assessment_document(report, context))


def procurement_docx(report: ProcurementReport, context: ExportContext) -> bytes:
    """The analysis of the offers as an editable DOCX."""
    return write(document.procurement_document(report, context))


def write(doc: document.Document) -> bytes:
    """The document as the bytes of a DOCX file."""
    word = docx.Document()
    _properties(word, doc)
    _styles(word, doc.language)
    _page(word, doc)
    # Style ids, looked up once: python-docx finds a style by its name by
    # reading every style of the document, for each paragraph.
    ids = {
        name: word.styles[name].style_id
        for name in (*document.STYLES, *(f"Heading {n}" for n in HEADING_LEVELS))
    }
    for block in doc.blocks:
        _block(word, ids, block)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _properties(word, doc: document.Document) -> None:
    properties = word.core_properties
    properties.title = doc.title
    properties.subject = doc.description
    properties.author = doc.author
    properties.last_modified_by = doc.author
    properties.keywords = doc.keywords
    properties.language = LOCALES[doc.language]
    properties.comments = "Cloud of Trust Scorecard"
    created = doc.created.replace(microsecond=0)
    properties.created = properties.modified = created
    properties.revision = 1


def _styles(word, language: str) -> None:
    styles = word.styles
    # The language of every run, unless a run says otherwise: spelling,
    # hyphenation and screen readers follow it.
    defaults = styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), LOCALES[language])
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    for name, spec in document.STYLES.items():
        _paragraph_style(word, name, spec)
    _paragraph_style(word, PAGE_MARGIN, document.Style(7.5, colour="5b6773"))
    for level, size in document.HEADING_SIZES.items():
        heading = styles[f"Heading {level}"]
        heading.font.name = FONT
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = RGBColor.from_string(document.HEADING_COLOUR)
        heading.paragraph_format.keep_with_next = True


def _paragraph_style(word, name: str, spec: document.Style) -> None:
    style = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = word.styles[
        "List Bullet" if name == document.BULLET else "Normal"
    ]
    style.quick_style = True
    style.font.size = Pt(spec.size)
    style.font.bold = spec.bold
    style.font.italic = spec.italic
    style.font.color.rgb = RGBColor.from_string(spec.colour)
    style.paragraph_format.space_after = Pt(4)
    style.paragraph_format.keep_with_next = spec.keep_with_next


def _page(word, doc: document.Document) -> None:
    """A4 with the report's header, and "Page n / N" in the footer."""
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(1.2)
    section.left_margin = section.right_margin = Cm(1.7)
    header = section.header.paragraphs[0]
    header.text, header.style = doc.header, PAGE_MARGIN
    footer = section.footer.paragraphs[0]
    footer.text, footer.style = doc.footer, PAGE_MARGIN
    pages = section.footer.add_paragraph(f"{doc.page} ", style=PAGE_MARGIN)
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _field(pages, "PAGE")
    pages.add_run(" / ")
    _field(pages, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    """A field Word and LibreOffice compute (the page number, the count)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _block(word, ids: dict[str, str], block: Block) -> None:
    if isinstance(block, Heading):
        paragraph = _paragraph(word, ids[f"Heading {block.level}"])
        paragraph.paragraph_format.page_break_before = block.new_page or None
        _fill(paragraph, block.runs)
    elif isinstance(block, Paragraph):
        paragraph = _paragraph(word, ids[block.style])
        paragraph.paragraph_format.page_break_before = block.new_page or None
        _fill(paragraph, block.runs)
    elif isinstance(block, Bullets):
        for item in block.items:
            _fill(_paragraph(word, ids[document.BULLET]), item.runs)
    elif isinstance(block, Image):
        _picture(_paragraph(word, ids[document.BODY]), block)
    else:
        _table(word, ids, block)


def _paragraph(container, style_id: str):
    """A new paragraph at the end of ``container``, in the style of that id."""
    paragraph = container.add_paragraph()
    paragraph._p.style = style_id
    return paragraph


def _fill(paragraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        if run == BREAK:
            paragraph.add_run().add_break()
            continue
        text = paragraph.add_run(run.text)
        text.bold = run.bold or None
        text.italic = run.italic or None
        if run.mono:
            text.font.name = MONO_FONT


def _table(word, ids: dict[str, str], block: document.Table) -> None:
    table = word.add_table(rows=0, cols=max(block.columns, 1))
    table.style = word.styles["Table Grid"]
    table.autofit = False
    widths = [Cm(width) for width in block.widths(document.TEXT_WIDTH_CM)]
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
    if block.header:
        row = table.add_row()
        # Repeat the header row at the top of each page the table runs on.
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(repeat)
        _cells(row, ids, block.header, widths)
    for cells in block.rows:
        row = table.add_row()
        # A row stays on one page, as in the PDF.
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        _cells(row, ids, cells, widths)
    # An empty paragraph after a table, or two tables in a row would merge.
    _paragraph(word, ids[document.SMALL])


def _cells(row, ids: dict[str, str], cells: tuple[document.Cell, ...], widths) -> None:
    for cell, paragraphs, width in zip(row.cells, cells, widths, strict=False):
        # Word reads each cell's width, LibreOffice the table's columns.
        cell.width = width
        first, *others = paragraphs
        target = cell.paragraphs[0]
        target._p.style = ids[first.style]
        _fill(target, first.runs)
        for paragraph in others:
            _fill(_paragraph(cell, ids[paragraph.style]), paragraph.runs)


def _picture(paragraph, image: Image) -> None:
    shape = paragraph.add_run().add_picture(
        io.BytesIO(image.png), width=Cm(image.width_cm), height=Cm(image.height_cm)
    )
    # The alternative text a screen reader says for the chart.
    shape._inline.docPr.set("descr", image.description)
    shape._inline.docPr.set("title", image.description[:250])
