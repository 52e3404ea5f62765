"""The XLSX grid a bidder fills in offline, both ways.

``grid_xlsx`` writes, for one assessment, an instructions sheet and one row per
criterion (its question, the five level descriptors, the evidence asked
for), with a drop-down list for the level and free cells for the
justification and the documents' names; every other cell is protected. A
hidden sheet names the assessment, procurement, offer and catalogue version,
sealed with an HMAC of the site's secret key, so that a grid returned for
another offer or altered is refused. ``read_grid`` checks every cell and
returns the claims, or every problem with its sheet and cell.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Assessment
from ..services.bidders import MAX_JUSTIFICATION, ClaimData

GRID, META, INSTRUCTIONS = "Grid", "meta", "Instructions"
COLUMNS = ("code", "pillar", "criterion", "question", "levels", "evidence")
LEVEL, JUSTIFICATION, DOCUMENTS = "G", "H", "I"
UNKNOWN_WORDS = {"", "unknown", "inconnu", "?"}
NA_WORDS = {"n/a", "na", "not applicable", "sans objet", "s.o.", "so"}
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")


@dataclass(frozen=True)
class GridProblem:
    sheet: str
    cell: str
    message: str


class GridRefused(ValueError):
    """The grid cannot be imported; ``problems`` lists every one."""

    def __init__(self, problems: list[GridProblem]):
        self.problems = problems
        super().__init__(
            "; ".join(f"{p.sheet}!{p.cell}: {p.message}" for p in problems)
        )


def seal(assessment: Assessment) -> str:
    """What ties a grid to one assessment, signed with the site's secret key."""
    text = (
        f"{assessment.pk}:{assessment.procurement_id}:{assessment.offer_id}:"
        f"{assessment.catalogue.slug}:{assessment.catalogue.version}"
    )
    return hmac.new(
        settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256
    ).hexdigest()


def grid_xlsx(assessment: Assessment, language: str = "en") -> bytes:
    """The grid of one assessment, in the language asked for."""
    with translation.override(language):
        criteria = list(
            assessment.catalogue.criteria.select_related("pillar")
            .prefetch_related("levels")
            .order_by("pillar__position", "position")
        )
        book = Workbook()
        _instructions(book.active, assessment)
        _grid(book.create_sheet(GRID), criteria)
        meta = book.create_sheet(META)
        for row, (key, value) in enumerate(
            [
                ("assessment", assessment.pk),
                ("procurement", assessment.procurement_id),
                ("offer", assessment.offer_id),
                (
                    "catalogue",
                    f"{assessment.catalogue.slug} {assessment.catalogue.version}",
                ),
                ("seal", seal(assessment)),
            ],
            start=1,
        ):
            meta.cell(row, 1, key)
            meta.cell(row, 2, value)
        meta.sheet_state = "veryHidden"
        meta.protection.sheet = True
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _instructions(sheet, assessment: Assessment) -> None:
    sheet.title = INSTRUCTIONS
    procurement = assessment.procurement
    subject = (
        [
            _("Procurement: %(title)s") % {"title": procurement.title},
            _("Buyer: %(name)s") % {"name": procurement.organisation.name},
            _("Offer: %(offer)s") % {"offer": assessment.offer},
        ]
        if procurement is not None
        else [_("Provider: %(name)s") % {"name": assessment.offer.provider}]
    )
    lines = [
        _("Sovereignty questionnaire"),
        "",
        *subject,
        _("Method: %(slug)s %(version)s, profile %(profile)s")
        % {
            "slug": assessment.catalogue.slug,
            "version": assessment.catalogue.version,
            "profile": assessment.profile.code,
        },
        "",
        _(
            "On the sheet “Grid”, answer every criterion: choose the level (0 to 4) "
            "that describes your offer in the yellow “Your level” column, or "
            "“unknown”; justify it, and name the documents you send in support."
        ),
        _(
            "Only the yellow cells can be changed. Do not add rows or sheets, and "
            "do not type formulas: the grid is refused otherwise."
        ),
        _(
            "Return this file to the buyer. Your answers are claims: the buyer's "
            "evaluators judge them against the evidence."
        ),
    ]
    for row, text in enumerate(lines, start=1):
        sheet.cell(row, 1, text)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110
    sheet.protection.sheet = True


def _grid(sheet, criteria) -> None:
    headers = [
        _("Code"),
        _("Pillar"),
        _("Criterion"),
        _("Question"),
        _("Levels"),
        _("Evidence asked for"),
        _("Your level"),
        _("Justification"),
        _("Documents attached"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    plain = DataValidation(
        type="list", formula1='"unknown,0,1,2,3,4"', allow_blank=True
    )
    with_na = DataValidation(
        type="list", formula1='"unknown,0,1,2,3,4,N/A"', allow_blank=True
    )
    for validation in (plain, with_na):
        validation.error = _("Choose a level from the list.")
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
    for row, criterion in enumerate(criteria, start=2):
        levels = "\n".join(f"{d.level}: {d.text}" for d in criterion.levels.all())
        sheet.append(
            [
                criterion.code,
                criterion.pillar.code,
                str(criterion.name),
                str(criterion.question),
                levels,
                str(criterion.evidence),
                "unknown",
                "",
                "",
            ]
        )
        (with_na if criterion.na_allowed else plain).add(f"{LEVEL}{row}")
        for column in (LEVEL, JUSTIFICATION, DOCUMENTS):
            cell = sheet[f"{column}{row}"]
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
        for cell in sheet[row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip(
        "ABCDEFGHI", (9, 8, 30, 45, 60, 40, 12, 50, 30), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True


def read_grid(content: bytes, assessment: Assessment) -> list[ClaimData]:
    """The claims of a filled grid, or ``GridRefused`` with every problem."""
    try:
        book = load_workbook(io.BytesIO(content), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise GridRefused(
            [GridProblem("", "", _("This is not an XLSX grid made by this tool."))]
        ) from exc
    _check_seal(book, assessment)
    sheet = book[GRID] if GRID in book.sheetnames else None
    if sheet is None:
        raise GridRefused([GridProblem(GRID, "", _("The sheet “Grid” is missing."))])
    criteria = {
        c.code: c
        for c in assessment.catalogue.criteria.order_by("pillar__position", "position")
    }
    problems: list[GridProblem] = []
    claims: list[ClaimData] = []
    seen: set[str] = set()
    for row in range(2, sheet.max_row + 1):
        code = sheet[f"A{row}"].value
        if code is None:
            continue
        if code not in criteria or code in seen:
            problems.append(
                GridProblem(
                    GRID, f"A{row}", _("Unexpected row %(code)s.") % {"code": code}
                )
            )
            continue
        seen.add(code)
        claim = _read_row(sheet, row, criteria[code], problems)
        if claim is not None:
            claims.append(claim)
    for code in criteria:
        if code not in seen:
            problems.append(
                GridProblem(
                    GRID, "", _("The row of %(code)s is missing.") % {"code": code}
                )
            )
    if problems:
        raise GridRefused(problems)
    return claims


def _check_seal(book, assessment: Assessment) -> None:
    if META not in book.sheetnames:
        raise GridRefused(
            [GridProblem(META, "", _("This grid was not made by this tool."))]
        )
    values = {
        row[0].value: row[1].value for row in book[META].iter_rows(min_row=1, max_col=2)
    }
    if values.get("seal") != seal(assessment):
        raise GridRefused(
            [
                GridProblem(
                    META,
                    "B5",
                    _(
                        "This grid belongs to another offer or procurement, or was "
                        "altered: download this offer's grid and fill it in."
                    ),
                )
            ]
        )


def _read_row(
    sheet, row: int, criterion, problems: list[GridProblem]
) -> ClaimData | None:
    before = len(problems)
    values: dict[str, Any] = {}
    for column in (LEVEL, JUSTIFICATION, DOCUMENTS):
        cell = sheet[f"{column}{row}"]
        value = cell.value
        if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
            problems.append(
                GridProblem(GRID, cell.coordinate, _("Formulas are not accepted."))
            )
            value = None
        values[column] = value
    level, not_applicable = _level(values[LEVEL], criterion, row, problems)
    justification = _text(values[JUSTIFICATION])
    if len(justification) > MAX_JUSTIFICATION:
        problems.append(
            GridProblem(GRID, f"{JUSTIFICATION}{row}", _("At most 20,000 characters."))
        )
    if len(problems) > before:
        return None
    return ClaimData(
        criterion=criterion.code,
        level=level,
        not_applicable=not_applicable,
        justification=justification,
        documents=_text(values[DOCUMENTS])[:2000],
    )


def _level(value, criterion, row: int, problems: list[GridProblem]):
    cell = f"{LEVEL}{row}"
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float)):
        if value == int(value) and 0 <= int(value) <= 4:
            return int(value), False
        problems.append(
            GridProblem(
                GRID,
                cell,
                _("Level %(value)s is not between 0 and 4.") % {"value": value},
            )
        )
        return None, False
    text = _text(value).lower()
    if text in UNKNOWN_WORDS:
        return None, False
    if text in NA_WORDS:
        if criterion.na_allowed:
            return None, True
        problems.append(GridProblem(GRID, cell, _("This criterion cannot be N/A.")))
        return None, False
    if text.isdigit() and 0 <= int(text) <= 4:
        return int(text), False
    problems.append(
        GridProblem(
            GRID,
            cell,
            _("“%(value)s” is not a level: choose unknown, 0 to 4 or N/A.")
            % {"value": _text(value)},
        )
    )
    return None, False


def _text(value) -> str:
    return "" if value is None else str(value).strip()
