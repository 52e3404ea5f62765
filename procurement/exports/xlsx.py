"""XLSX workbooks (openpyxl): one assessment, or a procurement with every offer.

Assessment workbook: Summary, Pillars, Answers, Method. Procurement workbook:
Ranking, Pillars (one row per offer), Side by side (criteria by offers),
Method, then one sheet per offer with its answers. With a panel, both end
with a Panel sheet (each individual score beside the consensus and its
rationale) and the panel's comments. Every cell is a value, never a formula,
so nobody can change a result by editing a cell that feeds another; numbers
are real numbers (scores with one decimal), booleans real booleans, dates
real dates. A text that Excel would read as a formula (= + - @ at the start)
is stored as text with Excel's "quote prefix" style, so it shows as typed and
stays text even when the cell is edited. Header rows are frozen and filtered,
long texts wrap.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .. import comparison
from ..scorecards import AssessmentReport, ProcurementReport
from . import panel as panel_export
from .content import (
    FORMULA_PREFIXES,
    ExportContext,
    Table,
    answers_table,
    method_rows,
    method_tables,
    pillars_table,
    procurement_rows,
    ranking_table,
    summary_rows,
)

SHEET_NAME_LENGTH = 31  # Excel's limit
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
WIDE_COLUMN = 60  # characters; long texts wrap inside it
MIN_WIDTH, MAX_WIDTH = 6, 40
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")
SECTION_FONT = Font(bold=True, size=12)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")  # numbers, dates, booleans


def assessment_xlsx(report: AssessmentReport, context: ExportContext) -> bytes:
    """Summary, Pillars, Answers and Method of one scorecard."""
    workbook = _workbook(context, title=str(report.assessment.offer))
    _write_pairs(workbook.active, _("Summary"), summary_rows(report, context))
    _write_table(workbook.create_sheet(), _("Pillars"), pillars_table(report))
    _write_table(
        workbook.create_sheet(), _("Answers"), answers_table(report, detailed=True)
    )
    _write_method(workbook.create_sheet(), report)
    procurement = report.assessment.procurement
    _write_panel(workbook, panel_export.panel_of(procurement, [report]))
    return _save(workbook, context.now)


def procurement_xlsx(report: ProcurementReport, context: ExportContext) -> bytes:
    """Ranking, pillar scores, method, and one sheet per offer."""
    workbook = _workbook(context, title=str(report.procurement))
    ranking = workbook.active
    _write_table(ranking, _("Ranking"), ranking_table(report))
    _write_table(workbook.create_sheet(), _("Pillars"), _pillar_grid(report))
    _write_side_by_side(workbook.create_sheet(), report)
    method = workbook.create_sheet()
    _write_method(method, report, extra=procurement_rows(report, context))
    used = {sheet.title.lower() for sheet in workbook.worksheets}
    for position, (row, offer_report) in enumerate(report.rows, start=1):
        title = _unique_title(f"{position:02d} {row.assessment.offer}", used)
        _write_table(
            workbook.create_sheet(), title, answers_table(offer_report, detailed=True)
        )
    reports = [offer_report for _row, offer_report in report.rows]
    _write_panel(workbook, panel_export.panel_of(report.procurement, reports))
    return _save(workbook, context.now)


def _write_panel(workbook: Workbook, panel: panel_export.Panel | None) -> None:
    """With a panel: its individual scores beside the consensus, and comments."""
    if panel is None:
        return
    used = {sheet.title.lower() for sheet in workbook.worksheets}
    for title, table in (
        (_("Panel"), panel_export.scores_table(panel)),
        (_("Panel comments"), panel_export.comments_table(panel)),
    ):
        _write_table(workbook.create_sheet(), _unique_title(title, used), table)


def _pillar_grid(report: ProcurementReport) -> Table:
    """Offers in ranking order, one column per pillar score (as evidenced)."""
    pillars = list(report.catalogue.pillars.all())
    headers = (
        _("Rank"),
        _("Offer"),
        _("Provider"),
        _("Global score"),
        *(p.code for p in pillars),  # names are on the Method sheet
    )
    rows = tuple(
        (
            row.rank,
            r.assessment.offer.name_i18n,
            r.assessment.offer.provider.name,
            r.scorecard.global_score,
            *(r.scorecard.pillar(p.code).score for p in pillars),
        )
        for row, r in report.rows
    )
    return Table(headers, rows)


FAILED_FILL = PatternFill("solid", fgColor="FDE7E6")
EVIDENCE_SHORT = {"declared": "D", "documented": "Do", "verified": "V"}


def _write_side_by_side(sheet: Worksheet, report: ProcurementReport) -> None:
    """Criteria by offers: the level (→ the effective one), red under a knock-out."""
    criteria = list(report.catalogue.criteria.all())  # prefetched, in order
    grid = comparison.matrix(
        criteria, [(row.assessment, r.scorecard) for row, r in report.rows]
    )
    headers = (
        _("Code"),
        _("Criterion"),
        _("Knock-out threshold"),
        _("Offers differ"),
        *(f"{a.offer.provider.name} · {a.offer.name_i18n}" for a in grid.offers),
    )
    rows = tuple(
        (
            row.criterion.code,
            row.criterion.name,
            row.threshold,
            row.differs,
            *(_side_by_side_cell(cell.result) for cell in row.cells),
        )
        for row in grid.rows
    )
    _write_table(sheet, _("Side by side"), Table(headers, rows, frozenset({1})))
    for row_number, row in enumerate(grid.rows, start=2):
        for column, cell in enumerate(row.cells, start=5):
            if cell.fails_knockout:
                sheet.cell(row_number, column).fill = FAILED_FILL


def _side_by_side_cell(result) -> str:
    if result.not_applicable:
        return _("N/A")
    if result.level is None:
        return "?"
    text = str(result.level)
    if result.capped:
        text += f" → {result.effective_level}"
    return f"{text} ({EVIDENCE_SHORT.get(result.evidence or '', '')})"


def _workbook(context: ExportContext, *, title: str) -> Workbook:
    workbook = Workbook()
    moment = _naive(context.now)
    workbook.properties.creator = "Cloud of Trust Scorecard"
    workbook.properties.title = title
    workbook.properties.language = context.language
    workbook.properties.created = moment
    workbook.properties.modified = moment
    return workbook


def _write_table(sheet: Worksheet, title: str, table: Table) -> None:
    sheet.title = title
    sheet.append([_cell_value(h) for h in table.headers])
    for row in table.rows:
        sheet.append([_cell_value(v) for v in row])
    _style_header(sheet, len(table.headers))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            _finish(cell)
    last = get_column_letter(len(table.headers))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    _fit_columns(sheet, table.headers, table.rows, table.wide)


def _write_pairs(sheet: Worksheet, title: str, pairs: list[tuple]) -> None:
    """A two-column sheet of labels and values, e.g. the summary."""
    _write_table(sheet, title, Table((_("Item"), _("Value")), tuple(pairs), {1}))


def _write_method(
    sheet: Worksheet,
    report: AssessmentReport | ProcurementReport,
    extra: list[tuple] = (),
) -> None:
    """Catalogue and profile, then pillar weights and knock-out thresholds."""
    sheet.title = _("Method")
    pairs = [*extra, *method_rows(report)]
    sheet.append([_("Item"), _("Value")])
    _style_header(sheet, 2)
    for label, value in pairs:
        sheet.append([_cell_value(label), _cell_value(value)])
    weights, knockouts = method_tables(report)
    for heading, table in (
        (_("Pillar weights of profile %(code)s"), weights),
        (_("Knock-out thresholds of profile %(code)s"), knockouts),
    ):
        sheet.append([])
        sheet.append([heading % {"code": report.profile.code}])
        sheet.cell(sheet.max_row, 1).font = SECTION_FONT
        sheet.append([_cell_value(h) for h in table.headers])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_cell_value(v) for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            _finish(cell)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = WIDE_COLUMN
    sheet.column_dimensions["C"].width = 18
    sheet.column_dimensions["D"].width = 14


def _style_header(sheet: Worksheet, columns: int) -> None:
    for cell in sheet[1][:columns]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime.datetime):
        return _naive(value)
    return value


def _finish(cell) -> None:
    """Number formats, wrapping, and text that must never become a formula."""
    value = cell.value
    if isinstance(value, str):
        if cell.data_type == "f":
            cell.data_type = "s"  # openpyxl takes a leading "=" for a formula
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
        cell.alignment = WRAP  # a long name wraps rather than hides
        return
    cell.alignment = TOP
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent)
        cell.number_format = "0." + "0" * places if places else "0"
    elif isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"


def _fit_columns(sheet: Worksheet, headers, rows, wide) -> None:
    for index, header in enumerate(headers):
        letter = get_column_letter(index + 1)
        if index in wide:
            sheet.column_dimensions[letter].width = WIDE_COLUMN
            continue
        longest = max(
            [len(_longest_line(header)) + 2]
            + [len(_longest_line(row[index])) for row in rows]
        )
        sheet.column_dimensions[letter].width = min(
            MAX_WIDTH, max(MIN_WIDTH, longest + 2)
        )


def _longest_line(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return "yyyy-mm-dd hh:mm"
    text = str(value)
    return max(text.splitlines() or [""], key=len)


def _unique_title(text: str, used: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, unique."""
    base = FORBIDDEN_IN_SHEET_NAMES.sub(" ", text).strip(" '")
    title = base[:SHEET_NAME_LENGTH].rstrip(" '")
    counter = 2
    while title.lower() in used:
        suffix = f" ({counter})"
        title = base[: SHEET_NAME_LENGTH - len(suffix)].rstrip(" '") + suffix
        counter += 1
    used.add(title.lower())
    return title


def _naive(moment: datetime.datetime) -> datetime.datetime:
    """Excel has no time zones: write the site's local time."""
    if timezone.is_aware(moment):
        moment = timezone.make_naive(moment)
    return moment.replace(microsecond=0)


def _save(workbook: Workbook, moment: datetime.datetime) -> bytes:
    """The workbook's bytes, the same for the same data and generation time.

    openpyxl stamps each part of the zip, and the "modified" property, with
    the current time; using the generation time instead makes two exports of
    the same data at the same ``now`` byte-identical, so a file's hash can be
    recorded and checked.
    """
    raw = io.BytesIO()
    # Not workbook.save(): it overwrites the "modified" property with the
    # current time.
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    stamp = _naive(moment).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item))
    return out.getvalue()
