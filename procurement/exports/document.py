"""The editable reports' content: the PDF's HTML, read as a document.

The ODT and DOCX reports show what the PDF shows: ``pdf`` renders the same
templates (``templates/exports/``) with the same data and translations, and
this module reads that HTML as a word processor needs it: headings (h1-h4,
and the head of each pillar among the answers), paragraphs with a style
named after what they are (a legend, a warning, a criterion's head...),
bullet lists, tables with their header row, and the SVG charts as PNG
images. ``odt`` and ``docx`` write these blocks; nothing here knows either
format, and the style names (``STYLES``) are the ones both files carry.

The HTML is parsed with tinyhtml5, the HTML5 parser WeasyPrint reads it
with, so that a chart keeps its SVG as written. Charts become PNG with
CairoSVG, which needs the system's cairo library (Debian ``libcairo2``):
without it ``ExportUnavailable`` says so, as the PDF does without Pango.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from importlib import import_module

import tinyhtml5
from django.utils.translation import gettext as _

from ..scorecards import AssessmentReport, ProcurementReport
from . import pdf
from .content import ExportContext, ExportUnavailable

SVG = "{http://www.w3.org/2000/svg}"
XMLNS = "{http://www.w3.org/2000/xmlns/}"
CSS_PIXELS_PER_CM = 96 / 2.54
MAX_IMAGE_WIDTH_CM = 16.0  # within the text width
CHART_SCALE = 2  # PNG pixels per CSS pixel, for print
TEXT_WIDTH_CM = 17.6  # A4 less margins of 1.7 cm
# Table columns are sized by their content, in characters, within these.
MIN_COLUMN = 6
WIDE_COLUMN = 40

# Paragraph styles both files define: size (pt), bold, italic, colour, and
# whether the paragraph stays with the next one on a page.
BODY = "Body"
SMALL = "Small"
LEGEND = "Legend"
WARNING = "Warning"
KICKER = "Kicker"
SUBTITLE = "Report subtitle"
CRITERION = "Criterion"
LEVEL = "Level description"
FIGURE = "Key figure"
TABLE = "Table Contents"  # LibreOffice's names for these two
TABLE_HEADING = "Table Heading"
BULLET = "Bullet"


@dataclass(frozen=True)
class Style:
    size: float
    bold: bool = False
    italic: bool = False
    colour: str = "1d2733"
    keep_with_next: bool = False


STYLES = {
    BODY: Style(10),
    SMALL: Style(8.5, colour="3b4754"),
    LEGEND: Style(8.5, italic=True, colour="3b4754"),
    WARNING: Style(10, bold=True, colour="b3261e"),
    KICKER: Style(10, bold=True, colour="0b4f8a", keep_with_next=True),
    SUBTITLE: Style(12, colour="3b4754"),
    CRITERION: Style(10, bold=True, keep_with_next=True),
    LEVEL: Style(9, italic=True, colour="3b4754"),
    FIGURE: Style(14, bold=True, colour="0b3a66"),
    TABLE: Style(9),
    TABLE_HEADING: Style(9, bold=True),
    BULLET: Style(10),
}
HEADING_COLOUR = "0b3a66"
HEADING_SIZES = {1: 20, 2: 15, 3: 12, 4: 10.5}

# The first class of a paragraph found here names its style (the order
# settles "small muted", "legend keep"...).
CLASS_STYLES = (
    ("warning", WARNING),
    ("ans-head", CRITERION),
    ("ans-level", LEVEL),
    ("kicker", KICKER),
    ("offer-kicker", KICKER),
    ("subtitle", SUBTITLE),
    ("offer-meta", SUBTITLE),
    ("figure-value", FIGURE),
    ("legend", LEGEND),
    ("note", LEGEND),
    ("small", SMALL),
    ("muted", SMALL),
    ("entry", SMALL),
    ("ans-claim", SMALL),
    ("ans-files", SMALL),
    ("figure-label", SMALL),
    ("figure-hint", SMALL),
    ("fact", SMALL),
)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 4, "h6": 4}
BLOCKS = {"p", "div", "section", "table", "ul", "ol", "li", *HEADINGS}
# Sections that start a new page, as in the PDF.
NEW_PAGE_CLASSES = {"offer", "annex"}
# HTML's white space, not Python's: a no-break space (French « : ») stays.
WHITE_SPACE = re.compile("[ \t\n\r\f]+")
# Characters XML 1.0 cannot carry: a text that holds one (pasted from
# another program) would make a file no word processor opens.
NOT_XML = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Run:
    """Text with one formatting; a run of "\\n" is a line break."""

    text: str
    bold: bool = False
    italic: bool = False
    mono: bool = False


BREAK = Run("\n")


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    style: str = BODY
    new_page: bool = False

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Heading:
    level: int  # 1 to 4
    runs: tuple[Run, ...]
    new_page: bool = False

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Bullets:
    items: tuple[Paragraph, ...]


Cell = tuple[Paragraph, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Cell, ...]  # empty when the table has no header row
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def columns(self) -> int:
        return max((len(row) for row in (self.header, *self.rows)), default=0)

    def widths(self, total_cm: float) -> tuple[float, ...]:
        """Column widths sharing ``total_cm`` by what the columns hold.

        A column gets room for its longest line (up to ``WIDE_COLUMN``
        characters: longer texts wrap) and for the longest word of its
        header, so that a column of scores stays narrow beside a column of
        criteria.
        """
        needs = [MIN_COLUMN] * self.columns
        for row in self.rows:
            for index, cell in enumerate(row):
                longest = max(len(line) for p in cell for line in p.text.split("\n"))
                needs[index] = max(needs[index], min(longest, WIDE_COLUMN))
        for index, cell in enumerate(self.header):
            words = [len(word) for p in cell for word in p.text.split()]
            needs[index] = max(needs[index], *words, MIN_COLUMN)
        return tuple(total_cm * need / sum(needs) for need in needs)


@dataclass(frozen=True)
class Image:
    png: bytes
    width_cm: float
    height_cm: float
    description: str  # the chart's title and description: its alternative text


Block = Paragraph | Heading | Bullets | Table | Image
# While reading: the page ends here (moved onto the next paragraph).
PAGE_BREAK = Paragraph((), BODY, new_page=True)


@dataclass(frozen=True)
class Document:
    title: str
    description: str
    author: str  # the buying organisation
    keywords: str
    language: str  # "en" or "fr"
    created: datetime.datetime
    header: str  # the page header, as on the PDF's pages
    footer: str  # the page footer, before "Page n / N"
    page: str  # "Page", in the document's language
    blocks: tuple[Block, ...]


def assessment_document(report: AssessmentReport, context: ExportContext) -> Document:
    """The scorecard, as the PDF shows it."""
    return read(pdf.assessment_page(report, context), context)


def procurement_document(report: ProcurementReport, context: ExportContext) -> Document:
    """The analysis of the offers, as the PDF shows it."""
    return read(pdf.procurement_page(report, context), context)


def read(page: pdf.Page, context: ExportContext) -> Document:
    """The blocks of a report's HTML, and its metadata from the HTML head."""
    root = tinyhtml5.parse(page.html, namespace_html_elements=False)
    head, body = root.find("head"), root.find("body")
    meta = {m.get("name"): m.get("content", "") for m in head.iter("meta")}
    return Document(
        title=_collapse(head.findtext("title") or "").strip(),
        description=_collapse(meta.get("description", "")),
        author=_collapse(page.organisation),
        keywords=_collapse(meta.get("keywords", "")),
        language=context.language,
        created=context.now,
        header=_collapse(f"{page.header} · {page.organisation}"),
        footer=_collapse(page.footer),
        page=page.page,
        blocks=tuple(_paged(_blocks(body))),
    )


def _paged(blocks: list[Block]) -> list[Block]:
    """The blocks, each page break moved onto the paragraph that follows it."""
    paged: list[Block] = []
    pending = False
    for block in blocks:
        if block is PAGE_BREAK:
            pending = True
        elif pending and isinstance(block, Paragraph | Heading):
            paged.append(replace(block, new_page=True))
            pending = False
        else:
            paged.append(block)
    return paged


def _blocks(element: ET.Element, style: str = BODY) -> list[Block]:
    """The blocks inside a container; loose inline content makes paragraphs."""
    blocks: list[Block] = []
    loose: list[Run] = []

    def flush() -> None:
        runs = _tidy(loose)
        if runs:
            blocks.append(Paragraph(runs, style))
        loose.clear()

    if element.text:
        loose.append(Run(element.text))
    for child in element:
        if not isinstance(child.tag, str):
            pass  # a comment
        elif child.tag in BLOCKS or child.tag == f"{SVG}svg":
            flush()
            blocks.extend(_block(child, style))
        else:
            loose.extend(_runs(child))
        if child.tail:
            loose.append(Run(child.tail))
    flush()
    return blocks


def _block(element: ET.Element, style: str) -> list[Block]:
    tag, classes = element.tag, set(element.get("class", "").split())
    if tag == f"{SVG}svg":
        return [_image(element)]
    if tag in HEADINGS or "pillar-head" in classes:
        runs = _tidy(_runs(element, inner=True))
        return [Heading(HEADINGS.get(tag, 4), runs)] if runs else []
    if tag == "table":
        return [_table(element)]
    if tag in ("ul", "ol"):
        items = [
            Paragraph(_tidy(_runs(item, inner=True)), BULLET)
            for item in element
            if item.tag == "li"
        ]
        return [Bullets(tuple(item for item in items if item.runs))]
    blocks = _blocks(element, _style(classes, style))
    if blocks and classes & NEW_PAGE_CLASSES and hasattr(blocks[0], "new_page"):
        blocks[0] = replace(blocks[0], new_page=True)
    if "cover" in classes:
        # The PDF's cover is a page of its own: what follows starts a new one.
        blocks.append(PAGE_BREAK)
    return blocks


def _style(classes: set[str], inherited: str) -> str:
    for name, style in CLASS_STYLES:
        if name in classes:
            return style
    return inherited


def _runs(
    element: ET.Element,
    *,
    inner: bool = False,
    bold: bool = False,
    italic: bool = False,
    mono: bool = False,
) -> list[Run]:
    """The formatted text of an inline element (``inner``: of its content)."""
    if not isinstance(element.tag, str):
        return []
    tag, classes = element.tag, set(element.get("class", "").split())
    if tag == "br":
        return [BREAK]
    if not inner:
        bold = bold or tag in ("strong", "b") or "verdict" in classes
        italic = italic or tag in ("em", "i")
        mono = mono or tag == "code" or "mono" in classes
    runs = [Run(element.text, bold, italic, mono)] if element.text else []
    for child in element:
        runs.extend(_runs(child, bold=bold, italic=italic, mono=mono))
        if child.tail:
            runs.append(Run(child.tail, bold, italic, mono))
    if inner and "mono" in classes:
        runs = [replace(run, mono=True) for run in runs]
    return runs


def _tidy(runs: list[Run]) -> tuple[Run, ...]:
    """Collapse white space as HTML does, and merge runs of one format."""
    tidy: list[Run] = []
    for run in runs:
        if run == BREAK:
            _strip_end(tidy)
            if tidy:
                tidy.append(BREAK)
            continue
        text = _collapse(run.text)
        if not tidy or tidy[-1].text.endswith((" ", "\n")):
            text = text.lstrip(" ")
        if not text:
            continue
        if tidy and tidy[-1] != BREAK and _same(tidy[-1], run):
            tidy[-1] = replace(tidy[-1], text=tidy[-1].text + text)
        else:
            tidy.append(replace(run, text=text))
    _strip_end(tidy)
    return tuple(tidy)


def _strip_end(runs: list[Run]) -> None:
    """Drop the spaces and line breaks that end a paragraph so far."""
    while runs:
        text = "" if runs[-1] == BREAK else runs[-1].text.rstrip(" ")
        if text:
            runs[-1] = replace(runs[-1], text=text)
            return
        runs.pop()


def _same(a: Run, b: Run) -> bool:
    return (a.bold, a.italic, a.mono) == (b.bold, b.italic, b.mono)


def _collapse(text: str) -> str:
    return WHITE_SPACE.sub(" ", NOT_XML.sub("", text))


def _table(element: ET.Element) -> Table:
    """Rows of cells; the rows of ``thead`` are the header row."""
    header: tuple[Cell, ...] = ()
    rows: list[tuple[Cell, ...]] = []
    for part in element:
        lines = [part] if part.tag == "tr" else list(part)
        for line in lines:
            if line.tag != "tr":
                continue
            cells = tuple(
                _cell(cell, heading=part.tag == "thead")
                for cell in line
                if cell.tag in ("td", "th")
            )
            if part.tag == "thead":
                header = cells
            else:
                rows.append(cells)
    width = max((len(row) for row in (header, *rows)), default=0)
    pad = ((Paragraph((), TABLE),),)
    return Table(
        header + pad * (width - len(header)) if header else (),
        tuple(row + pad * (width - len(row)) for row in rows),
    )


def _cell(element: ET.Element, *, heading: bool) -> Cell:
    """The paragraphs of a cell; a ``th`` in the body is bold, as a label."""
    style = TABLE_HEADING if heading or element.tag == "th" else TABLE
    paragraphs = []
    for block in _blocks(element, style):
        if isinstance(block, Paragraph):
            paragraphs.append(block)
        elif isinstance(block, Heading | Bullets):
            for part in block.items if isinstance(block, Bullets) else [block]:
                paragraphs.append(Paragraph(part.runs, style))
    return tuple(paragraphs) or (Paragraph((), style),)


def _image(svg: ET.Element) -> Image:
    """A chart as a PNG at print resolution, sized as on the PDF's page."""
    width = float(svg.get("width") or 400)
    height = float(svg.get("height") or 300)
    width_cm, height_cm = width / CSS_PIXELS_PER_CM, height / CSS_PIXELS_PER_CM
    if width_cm > MAX_IMAGE_WIDTH_CM:
        width_cm, height_cm = (
            MAX_IMAGE_WIDTH_CM,
            height_cm * MAX_IMAGE_WIDTH_CM / width_cm,
        )
    description = " ".join(
        text
        for text in (svg.findtext(f"{SVG}title"), svg.findtext(f"{SVG}desc"))
        if text and text.strip()
    )
    for element in svg.iter():
        # The parser keeps ``xmlns`` as an attribute; the serializer writes
        # the namespace itself, and refuses to write it twice.
        for name in [name for name in element.attrib if name.startswith(XMLNS)]:
            del element.attrib[name]
    return Image(_png(ET.tostring(svg)), width_cm, height_cm, description)


def _png(svg: bytes) -> bytes:
    """The chart drawn by CairoSVG. Its default (``unsafe=False``) fetches
    nothing but data URLs, and the charts have none."""
    try:
        cairosvg = import_module("cairosvg")
    except (ImportError, OSError) as exc:
        raise ExportUnavailable(
            _(
                "ODT and DOCX exports are not available on this server: the "
                "charts library (CairoSVG) cannot load (%(error)s). Install "
                "cairo (Debian: libcairo2) or use the PDF, XLSX, CSV or JSON "
                "export."
            )
            % {"error": exc}
        ) from exc
    return cairosvg.svg2png(bytestring=svg, scale=CHART_SCALE)
