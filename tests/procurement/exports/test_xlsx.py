"""XLSX workbooks read back with openpyxl and compared with the engine's
numbers."""

import io

import openpyxl
import pytest

from procurement.exports import export_assessment, export_procurement
from tests.procurement.exports.helpers import assess, reference_case, tender

pytestmark = pytest.mark.django_db


def read_xlsx(exported):
    return openpyxl.load_workbook(io.BytesIO(exported.content))


def test_assessment_workbook_has_summary_pillars_answers_and_method(strong):
    workbook = read_xlsx(export_assessment(strong, "xlsx"))

    assert workbook.sheetnames == ["Summary", "Pillars", "Answers", "Method"]


def test_assessment_workbook_numbers_are_real_numbers_equal_to_the_engines(strong):
    scorecard = strong.scorecard()

    workbook = read_xlsx(export_assessment(strong, "xlsx"))

    summary = {
        row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)
    }
    pillars = list(workbook["Pillars"].iter_rows(min_row=2, values_only=True))
    assert (
        summary["Global score (as evidenced)"],
        summary["Trust level"],
        summary["Eligible for N3"],
    ) == (float(scorecard.global_score), scorecard.trust_level, True)
    assert [(row[0], row[3], row[4], row[5]) for row in pillars] == [
        (p.code, float(p.score), float(p.score_claimed), p.trust_level)
        for p in scorecard.pillars
    ]


def test_assessment_workbook_answers_match_the_engine_criterion_by_criterion(strong):
    scorecard = strong.scorecard()

    sheet = read_xlsx(export_assessment(strong, "xlsx"))["Answers"]

    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(2, values_only=True)
    ]
    assert [
        (
            r["Code"],
            r["Weight"],
            r["Level"],
            r["Effective level"],
            r["Capped by evidence"],
        )
        for r in rows
    ] == [
        (c.code, c.weight, c.level, c.effective_level, c.capped)
        for c in scorecard.criteria
    ]


def test_workbook_sheets_have_frozen_filtered_headers_and_wrapped_long_texts(strong):
    workbook = read_xlsx(export_assessment(strong, "xlsx"))

    answers = workbook["Answers"]
    header = [cell.value for cell in answers[1]]
    justification = header.index("Justification") + 1
    assert [(s.freeze_panes, s.auto_filter.ref) for s in workbook][:3] == [
        ("A2", "A1:B27"),  # + workflow (3) and criteria unknown
        ("A2", "A1:J9"),  # + criteria unknown per pillar
        ("A2", "A1:T46"),  # + presumed from a certification
    ]
    assert answers.cell(2, justification).alignment.wrap_text
    assert answers.column_dimensions["C"].width >= 30  # criterion names fit


def test_workbooks_contain_no_formula_at_all(procurement, lead):
    assess(procurement, lead, "Tricky", 3, **{"OWN-1": "=1+1", "OWN-2-ref": "=A1"})

    workbook = read_xlsx(export_procurement(procurement, "xlsx"))

    assert [
        cell.coordinate
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ] == []


def test_workbook_keeps_formula_like_text_as_quoted_text(procurement, lead):
    tricky = assess(
        procurement,
        lead,
        "Tricky",
        3,
        **{"OWN-1": "=1+1", "OWN-2": "@cmd", "OWN-3": "ok"},
    )

    sheet = read_xlsx(export_assessment(tricky, "xlsx"))["Answers"]

    cells = {row[0].value: row[10] for row in sheet.iter_rows(min_row=2)}
    assert [
        (cells[code].value, cells[code].data_type, bool(cells[code].quotePrefix))
        for code in ("OWN-1", "OWN-2", "OWN-3")
    ] == [("=1+1", "s", True), ("@cmd", "s", True), ("ok", "s", False)]


def test_procurement_workbook_has_ranking_then_one_sheet_per_offer(procurement):
    workbook = read_xlsx(export_procurement(procurement, "xlsx"))

    assert workbook.sheetnames == [
        "Ranking",
        "Pillars",
        "Side by side",
        "Method",
        "01 Strong Cloud - Strong IaaS",
        "02 Weak Cloud - Weak IaaS",
    ]


def test_procurement_workbook_ranking_has_the_engines_scores(procurement):
    scorecards = {a.offer.name: a.scorecard() for a in procurement.assessments.all()}

    sheet = read_xlsx(export_procurement(procurement, "xlsx"))["Ranking"]

    assert [
        (row[0], row[2], row[4], row[5], row[7])
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ] == [
        (1, "Strong IaaS", True, float(scorecards["Strong IaaS"].global_score), 4),
        (None, "Weak IaaS", False, float(scorecards["Weak IaaS"].global_score), 1),
    ]


def test_offer_sheet_names_are_unique_and_fit_excel(organisation, lead, catalogue):
    long = "A very long provider name that goes on [and on]"
    procurement = tender(organisation, lead, bidders=[(long, 3), (long + " too", 2)])

    names = read_xlsx(export_procurement(procurement, "xlsx")).sheetnames[4:]

    assert names == [
        "01 A very long provider name th",
        "02 A very long provider name th",
    ]


def test_method_sheet_lists_the_profiles_weights_and_knockouts(strong, catalogue):
    profile = catalogue.profiles.get(code="N3")

    sheet = read_xlsx(export_assessment(strong, "xlsx"))["Method"]

    values = [row for row in sheet.iter_rows(values_only=True) if row[0]]
    weights = {row[0]: row[2] for row in values if row[0] in {"OWN", "JUR", "SEC"}}
    assert weights == {
        w.pillar.code: float(w.weight)
        for w in profile.pillar_weights.filter(pillar__code__in=["OWN", "JUR", "SEC"])
    }
    assert ("JUR-1", profile.knockouts.get(criterion__code="JUR-1").min_level) in {
        (row[0], row[2]) for row in values
    }


def test_french_workbook_names_criteria_in_french(catalogue):
    reference = reference_case(catalogue)
    first = catalogue.criteria.order_by("pillar__position", "position").first()

    workbook = read_xlsx(export_assessment(reference, "xlsx", language="fr"))

    answers = workbook.worksheets[2]
    assert (answers["A2"].value, answers["C2"].value, answers["K2"].value) == (
        first.code,
        first.name_fr,
        f"Documenté en 2014 ({first.code}).",
    )


def test_the_side_by_side_sheet_marks_failed_knockouts(procurement):
    sheet = read_xlsx(export_procurement(procurement, "xlsx"))["Side by side"]

    header = [cell.value for cell in sheet[1]]
    jur1 = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "JUR-1")
    weak = header.index("Weak Cloud · Weak IaaS")
    assert header[:4] == ["Code", "Criterion", "Knock-out threshold", "Offers differ"]
    assert (jur1[2].value, jur1[3].value) == (3, True)
    assert jur1[weak].value == "1 (V)"
    assert jur1[weak].fill.fgColor.rgb.endswith("FDE7E6")
