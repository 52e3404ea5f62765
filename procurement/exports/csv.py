"""CSV exports: one assessment's answers, a procurement's ranking.

Format choices, the same in both languages so that a script can read any
file: RFC 4180 (comma separator, double quotes, CRLF line ends), UTF-8 with a
byte-order mark so that Excel shows accents right when it opens the file, one
header row, numbers with a decimal point, booleans as yes/no in the chosen
language, an empty cell for an unknown level. A text that a spreadsheet would
run as a formula (starting with = + - @, tab or CR) gets a leading quote.
Buyers who want formatting use the XLSX workbook.
"""

from __future__ import annotations

import csv
import io

from ..scorecards import AssessmentReport, ProcurementReport
from .content import ExportContext, Table, answers_table, ranking_table, text_cells

ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark


def assessment_csv(report: AssessmentReport, context: ExportContext) -> bytes:
    """The answers of one assessment, one row per criterion."""
    return _write(answers_table(report))


def procurement_csv(report: ProcurementReport, context: ExportContext) -> bytes:
    """The ranking of a procurement, excluded offers last with their reasons."""
    return _write(ranking_table(report))


def _write(table: Table) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(text_cells(table.headers))
    writer.writerows(text_cells(row) for row in table.rows)
    return buffer.getvalue().encode(ENCODING)
