"""Editable reports as OpenDocument text (ODT), written with odfpy.

French administrations file in ODF (the RGI names it), so the analysis of
the offers and the scorecard come as ODT to open and edit in LibreOffice:
the blocks of ``document`` (the PDF's content) with named styles (Heading 1
to 4, and ``document.STYLES``), tables whose header row repeats on each
page, the charts as PNG pictures with their description, A4 pages with the
report's header and a footer numbered "Page n / N", the document's title,
author and language in its metadata and its default style.
"""

from __future__ import annotations

import io

from odf import dc, meta, teletype
from odf.draw import Frame
from odf.draw import Image as Picture
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    FontFace,
    Footer,
    GraphicProperties,
    Header,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TextProperties,
)
from odf.svg import Title
from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import (
    H,
    LineBreak,
    List,
    ListItem,
    ListLevelStyleBullet,
    ListStyle,
    P,
    PageCount,
    PageNumber,
    Span,
)

from ..scorecards import AssessmentReport, ProcurementReport
from . import document
from .content import ExportContext
from .document import BREAK, Block, Bullets, Heading, Image, Paragraph, Run

FONT = "Liberation Sans"
MONO_FONT = "DejaVu Sans Mono"
COUNTRIES = {"en": "GB", "fr": "FR"}
BORDER = "0.5pt solid #c8ced6"


def assessment_odt(report: AssessmentReport, context: ExportContext) -> bytes:
    """The scorecard as an editable ODT."""
    return write(document.assessment_document(report, context))


def procurement_odt(report: ProcurementReport, context: ExportContext) -> bytes:
    """The analysis of the offers as an editable ODT."""
    return write(document.procurement_document(report, context))


def write(doc: document.Document) -> bytes:
    """The document as the bytes of an ODT file."""
    writer = _Writer(doc)
    buffer = io.BytesIO()
    writer.odt.write(buffer)
    return buffer.getvalue()


def style_name(name: str) -> str:
    """An ODF style name for a display name, as LibreOffice writes them."""
    return name.replace(" ", "_20_")


class _Writer:
    """Builds one ODT: styles first, then the blocks in order."""

    def __init__(self, doc: document.Document):
        self.doc = doc
        self.odt = OpenDocumentText()
        self.paragraph_styles: dict[str, Style] = {}
        self.heading_styles: dict[int, Style] = {}
        self.breaks: dict[str, Style] = {}
        self.spans: dict[tuple[bool, bool, bool], Style] = {}
        self.column_styles: dict[str, Style] = {}
        self.counts = {"table": 0, "picture": 0}
        self._metadata()
        self._styles()
        self._page()
        for block in doc.blocks:
            self.odt.text.addElement(self._block(block))

    def _metadata(self) -> None:
        doc, meta_ = self.doc, self.odt.meta
        meta_.addElement(dc.Title(text=doc.title))
        meta_.addElement(dc.Description(text=doc.description))
        meta_.addElement(dc.Subject(text=doc.description))
        meta_.addElement(dc.Creator(text=doc.author))
        meta_.addElement(meta.InitialCreator(text=doc.author))
        meta_.addElement(meta.Keyword(text=doc.keywords))
        meta_.addElement(dc.Language(text=self._locale()))
        created = doc.created.replace(microsecond=0, tzinfo=None).isoformat()
        meta_.addElement(meta.CreationDate(text=created))
        meta_.addElement(dc.Date(text=created))

    def _locale(self) -> str:
        return f"{self.doc.language}-{COUNTRIES[self.doc.language]}"

    def _styles(self) -> None:
        odt = self.odt
        odt.fontfacedecls.addElement(
            FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="swiss")
        )
        odt.fontfacedecls.addElement(
            FontFace(name=MONO_FONT, fontfamily=MONO_FONT, fontfamilygeneric="modern")
        )
        default = DefaultStyle(family="paragraph")
        default.addElement(
            TextProperties(
                fontname=FONT,
                fontsize="10pt",
                language=self.doc.language,
                country=COUNTRIES[self.doc.language],
            )
        )
        odt.styles.addElement(default)
        for name, spec in document.STYLES.items():
            self.paragraph_styles[name] = self._paragraph_style(name, spec)
        for level, size in document.HEADING_SIZES.items():
            style = Style(
                name=f"Heading_20_{level}",
                displayname=f"Heading {level}",
                family="paragraph",
                defaultoutlinelevel=str(level),
                nextstylename=style_name(document.BODY),
            )
            style.addElement(
                ParagraphProperties(
                    keepwithnext="always", margintop="0.4cm", marginbottom="0.2cm"
                )
            )
            style.addElement(
                TextProperties(
                    fontsize=f"{size}pt",
                    fontweight="bold",
                    color=f"#{document.HEADING_COLOUR}",
                )
            )
            odt.styles.addElement(style)
            self.heading_styles[level] = style
        bullets = ListStyle(name="Bullets")
        level = ListLevelStyleBullet(level=1, bulletchar="•")
        level.addElement(
            ListLevelProperties(spacebefore="0.2cm", minlabelwidth="0.4cm")
        )
        bullets.addElement(level)
        odt.automaticstyles.addElement(bullets)
        self.bullets = bullets
        self.table_style = self._auto(
            "table",
            "Table",
            TableProperties,
            width=f"{document.TEXT_WIDTH_CM}cm",
            align="margins",
        )
        self.cell_style = self._auto(
            "table-cell", "Cell", TableCellProperties, border=BORDER, padding="0.08cm"
        )
        self.head_cell_style = self._auto(
            "table-cell",
            "HeadCell",
            TableCellProperties,
            border=BORDER,
            padding="0.08cm",
            backgroundcolor="#e8ecf1",
        )
        # A row stays on one page, as in the PDF.
        self.row_style = self._auto(
            "table-row", "Row", TableRowProperties, keeptogether="always"
        )
        self.picture_style = self._auto(
            "graphic", "Chart", GraphicProperties, wrap="none", anchortype="as-char"
        )

    def _paragraph_style(self, name: str, spec: document.Style) -> Style:
        style = Style(name=style_name(name), displayname=name, family="paragraph")
        style.addElement(
            ParagraphProperties(
                marginbottom="0.15cm",
                keepwithnext="always" if spec.keep_with_next else "auto",
            )
        )
        style.addElement(
            TextProperties(
                fontsize=f"{spec.size}pt",
                fontweight="bold" if spec.bold else "normal",
                fontstyle="italic" if spec.italic else "normal",
                color=f"#{spec.colour}",
            )
        )
        self.odt.styles.addElement(style)
        return style

    def _auto(self, family: str, name: str, properties, **values) -> Style:
        style = Style(name=name, family=family)
        style.addElement(properties(**values))
        self.odt.automaticstyles.addElement(style)
        return style

    def _page(self) -> None:
        """A4 pages with the report's header, and the footer's page number."""
        layout = PageLayout(name="A4")
        layout.addElement(
            PageLayoutProperties(
                pagewidth="21cm",
                pageheight="29.7cm",
                printorientation="portrait",
                margintop="1.2cm",
                marginbottom="1.2cm",
                marginleft="1.7cm",
                marginright="1.7cm",
            )
        )
        self.odt.automaticstyles.addElement(layout)
        margin = self._paragraph_style(
            "Page margin", document.Style(7.5, colour="5b6773")
        )
        number = Style(
            name="Page_20_number",
            displayname="Page number",
            family="paragraph",
            parentstylename=margin,
        )
        number.addElement(ParagraphProperties(textalign="end"))
        self.odt.styles.addElement(number)
        master = MasterPage(name="Standard", pagelayoutname=layout)
        header = Header()
        header.addElement(P(stylename=margin, text=self.doc.header))
        master.addElement(header)
        footer = Footer()
        footer.addElement(P(stylename=margin, text=self.doc.footer))
        pages = P(stylename=number, text=f"{self.doc.page} ")
        pages.addElement(PageNumber(selectpage="current", text="1"))
        pages.addText(" / ")
        pages.addElement(PageCount(text="1"))
        footer.addElement(pages)
        master.addElement(footer)
        self.odt.masterstyles.addElement(master)

    def _block(self, block: Block):
        if isinstance(block, Heading):
            element = H(
                outlinelevel=block.level,
                stylename=self._breaking(self.heading_styles[block.level], block),
            )
            return self._fill(element, block.runs)
        if isinstance(block, Paragraph):
            style = self._breaking(self.paragraph_styles[block.style], block)
            return self._fill(P(stylename=style), block.runs)
        if isinstance(block, Bullets):
            items = List(stylename=self.bullets)
            for item in block.items:
                entry = ListItem()
                entry.addElement(self._block(item))
                items.addElement(entry)
            return items
        if isinstance(block, Image):
            return self._picture(block)
        return self._table(block)

    def _breaking(self, style: Style, block: Heading | Paragraph) -> Style:
        """The style, or a variant of it that starts a new page."""
        if not block.new_page:
            return style
        name = style.getAttribute("name")
        if name not in self.breaks:
            variant = Style(
                name=f"{name}_new_page", family="paragraph", parentstylename=style
            )
            variant.addElement(ParagraphProperties(breakbefore="page"))
            self.odt.automaticstyles.addElement(variant)
            self.breaks[name] = variant
        return self.breaks[name]

    def _fill(self, element, runs: tuple[Run, ...]):
        for run in runs:
            if run == BREAK:
                element.addElement(LineBreak())
            elif run.bold or run.italic or run.mono:
                span = Span(stylename=self._span(run))
                teletype.addTextToElement(span, run.text)
                element.addElement(span)
            else:
                teletype.addTextToElement(element, run.text)
        return element

    def _span(self, run: Run) -> Style:
        key = (run.bold, run.italic, run.mono)
        if key not in self.spans:
            style = Style(name=f"T{len(self.spans) + 1}", family="text")
            values = {}
            if run.bold:
                values["fontweight"] = "bold"
            if run.italic:
                values["fontstyle"] = "italic"
            if run.mono:
                values["fontname"] = MONO_FONT
            style.addElement(TextProperties(**values))
            self.odt.automaticstyles.addElement(style)
            self.spans[key] = style
        return self.spans[key]

    def _table(self, block: document.Table) -> Table:
        self.counts["table"] += 1
        table = Table(name=f"Table{self.counts['table']}", stylename=self.table_style)
        for width in block.widths(document.TEXT_WIDTH_CM) or (document.TEXT_WIDTH_CM,):
            table.addElement(TableColumn(stylename=self._column(width)))
        if block.header:
            header = TableHeaderRows()
            header.addElement(self._row(block.header, self.head_cell_style))
            table.addElement(header)
        for row in block.rows:
            table.addElement(self._row(row, self.cell_style))
        return table

    def _column(self, width_cm: float) -> Style:
        """A column style of that width (to the millimetre), shared."""
        width = f"{width_cm:.1f}cm"
        if width not in self.column_styles:
            self.column_styles[width] = self._auto(
                "table-column",
                f"Column{len(self.column_styles) + 1}",
                TableColumnProperties,
                columnwidth=width,
            )
        return self.column_styles[width]

    def _row(self, cells: tuple[document.Cell, ...], style: Style) -> TableRow:
        row = TableRow(stylename=self.row_style)
        for cell in cells:
            element = TableCell(valuetype="string", stylename=style)
            for paragraph in cell:
                element.addElement(self._block(paragraph))
            row.addElement(element)
        return row

    def _picture(self, image: Image) -> P:
        self.counts["picture"] += 1
        number = self.counts["picture"]
        href = self.odt.addPicture(
            f"Pictures/chart{number}.png", "image/png", image.png
        )
        frame = Frame(
            stylename=self.picture_style,
            name=f"Chart {number}",
            anchortype="as-char",
            width=f"{image.width_cm:.2f}cm",
            height=f"{image.height_cm:.2f}cm",
        )
        frame.addElement(Picture(href=href))
        if image.description:
            frame.addElement(Title(text=image.description))
        paragraph = P(stylename=self.paragraph_styles[document.BODY])
        paragraph.addElement(frame)
        return paragraph
