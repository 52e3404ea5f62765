"""CSV exports: one assessment's answers, a procurement's ranking.

Format choices: RFC 4180 quoting and CRLF line ends, UTF-8 with a byte-order
mark so that Excel shows accents right when it opens the file, one header
row, booleans as yes/no in the chosen language, an empty cell for an unknown
level. The separators follow the language, because a spreadsheet opens a CSV
with its locale's: in English a comma between cells and a decimal point; in
French (Excel and LibreOffice set to French expect it) a semicolon between
cells and a decimal comma. A text that a spreadsheet would run as a formula
(starting with = + - @, tab or CR) gets a leading quote. Buyers who want
formatting use the XLSX workbook.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from ..scorecards import AssessmentReport, ProcurementReport
from .content import ExportContext, Table, answers_table, ranking_table, text_cells

ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark
# language -> (cell separator, decimal separator)
SEPARATORS = {"en": (",", "."), "fr": (";", ",")}


def assessment_csv(report: AssessmentReport, context: ExportContext) -> bytes:
    """The answers of one assessment, one row per criterion."""
    return _write(answers_table(report), context.language)


def procurement_csv(report: ProcurementReport, context: ExportContext) -> bytes:
    """The ranking of a procurement, excluded offers last with their reasons."""
    return _write(ranking_table(report), context.language)


def _write(table: Table, language: str) -> bytes:
    delimiter, decimal = SEPARATORS.get(language, SEPARATORS["en"])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(text_cells(table.headers))
    writer.writerows(_numbers(row, text_cells(row), decimal) for row in table.rows)
    return buffer.getvalue().encode(ENCODING)


def _numbers(values, cells: list[str], decimal: str) -> list[str]:
    """The row's decimal numbers written with the language's decimal separator."""
    if decimal == ".":
        return cells
    return [
        cell.replace(".", decimal) if isinstance(value, Decimal | float) else cell
        for value, cell in zip(values, cells, strict=True)
    ]
