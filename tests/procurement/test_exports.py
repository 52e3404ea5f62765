"""Exports read back (CSV, XLSX, JSON) and compared with the engine's numbers.

The builders at the top (``tender``, ``assess``, ``reference_case``) are also
used by test_exports_pdf.py and test_verify_export.py.
"""

import csv
import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal as D

import openpyxl
import pytest
from django.utils import timezone

from procurement import services
from procurement.exports import (
    FORMATS,
    ExportFile,
    UnknownFormat,
    export_assessment,
    export_procurement,
)
from procurement.seed import import_reference_case
from procurement.services import AnswerData, rank_procurement
from tests.factories import published_profile

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 22, 9, 30, tzinfo=datetime.timezone.utc)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assess(procurement, user, name, level, evidence="verified", *, only=None, **texts):
    """An offer answered at ``level`` on every criterion (or the ``only`` ones)."""
    provider = services.create_provider(
        user=user, organisation=procurement.organisation, name=f"{name} Cloud"
    )
    offer = services.create_offer(provider, user=user, name=f"{name} IaaS")
    assessment = services.start_assessment(
        user=user,
        procurement=procurement,
        offer=offer,
        as_of=datetime.date(2026, 11, 1),
    )
    criteria = procurement.catalogue.criteria.order_by("pillar__position", "position")
    answers = [
        AnswerData(
            criterion=criterion.code,
            level=level,
            evidence=evidence,
            justification=texts.get(criterion.code, f"{name} meets {criterion.code}."),
            evidence_reference=texts.get(
                f"{criterion.code}-ref", f"{name} response, {criterion.code}"
            ),
        )
        for criterion in criteria
        if only is None or criterion.code in only
    ]
    return services.record_answers(
        assessment, user=user, version=assessment.version, answers=answers
    )


def tender(organisation, user, bidders=(("Strong", 4), ("Weak", 1))):
    """A procurement under N3 with one assessed offer per (name, level)."""
    procurement = services.create_procurement(
        user=user,
        organisation=organisation,
        title="Hosting of the payroll system",
        reference="T-2026/07",
        profile=published_profile("N3"),
    )
    for name, level in bidders:
        assess(procurement, user, name, level)
    return procurement


def reference_case(catalogue):
    """A small reference case with French texts, imported like the real ones."""
    codes = list(
        catalogue.criteria.order_by("pillar__position", "position").values_list(
            "code", flat=True
        )
    )
    return import_reference_case(
        {
            "provider": {
                "slug": "testwatt",
                "name": "Testwatt",
                "description": {"en": "A closed cloud.", "fr": "Un cloud fermé."},
                "lesson": {"en": "Check the exit.", "fr": "Vérifier la sortie."},
            },
            "facts": [
                {
                    "key": "tw-closed",
                    "category": "end_of_service",
                    "statement": {"en": "Testwatt closed.", "fr": "Testwatt a fermé."},
                    "as_of": datetime.date(2020, 2, 1),
                    "source_title": "Press release",
                    "source_url": "https://example.org/closed",
                }
            ],
            "offer": {
                "name": {"en": "Testwatt public cloud", "fr": "Cloud public Testwatt"}
            },
            "assessment": {
                "profile": "N2",
                "as_of": datetime.date(2014, 3, 31),
                "summary": {
                    "en": "Weak exit terms.",
                    "fr": "Clauses de sortie faibles.",
                },
                "answers": [
                    {
                        "criterion": code,
                        "level": 2,
                        "evidence": "documented",
                        "justification": {
                            "en": f"Documented in 2014 ({code}).",
                            "fr": f"Documenté en 2014 ({code}).",
                        },
                        "facts": ["tw-closed"] if code == codes[0] else [],
                    }
                    for code in codes
                ],
            },
        },
        catalogue,
    )


def read_csv(exported):
    return list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))


def read_xlsx(exported):
    return openpyxl.load_workbook(io.BytesIO(exported.content))


def read_json(exported):
    return json.loads(exported.content, parse_float=D)


@pytest.fixture
def procurement(organisation, lead, catalogue):
    return tender(organisation, lead)


@pytest.fixture
def strong(procurement):
    return procurement.assessments.get(offer__name="Strong IaaS")


# The interface


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("xlsx", XLSX),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ],
)
def test_an_assessment_export_says_what_it_is_in_its_name_and_type(
    strong, fmt, content_type
):
    exported = export_assessment(strong, fmt, now=NOW)

    assert (exported.filename, exported.content_type) == (
        f"scorecard-strong-cloud-strong-iaas-2026-11-22.{fmt}",
        content_type,
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_procurement_export_is_named_after_its_reference_and_date(procurement, fmt):
    exported = export_procurement(procurement, fmt, now=NOW)

    assert exported.filename == f"procurement-t-202607-2026-11-22.{fmt}"


def test_a_procurement_without_reference_is_named_after_its_title(
    organisation, lead, catalogue
):
    procurement = services.create_procurement(
        user=lead,
        organisation=organisation,
        title="Messagerie sécurisée",
        profile=published_profile("N2"),
    )

    exported = export_procurement(procurement, "csv", now=NOW)

    assert exported.filename == "procurement-messagerie-securisee-2026-11-22.csv"


def test_the_date_in_the_file_name_is_the_local_date(strong):
    late_evening_utc = datetime.datetime(
        2026, 11, 22, 23, 30, tzinfo=datetime.timezone.utc
    )

    exported = export_assessment(strong, "json", now=late_evening_utc)

    assert exported.filename.endswith("-2026-11-23.json")  # Europe/Paris


def test_an_unknown_format_is_refused_with_the_formats_allowed(strong):
    with pytest.raises(UnknownFormat, match="pdf, xlsx, csv, json"):
        export_assessment(strong, "docx")


def test_an_unknown_language_is_refused(strong):
    with pytest.raises(ValueError, match="en or fr"):
        export_assessment(strong, "csv", language="de")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_the_same_data_at_the_same_time_gives_the_same_bytes(procurement, fmt):
    first = export_procurement(procurement, fmt, now=NOW)

    second = export_procurement(procurement, fmt, now=NOW)

    assert first.content == second.content


def test_the_workbook_says_it_was_made_at_the_generation_time(procurement):
    content = export_procurement(procurement, "xlsx", now=NOW).content

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        core = archive.read("docProps/core.xml").decode()

    stamp = timezone.localtime(NOW).replace(tzinfo=None).isoformat(timespec="seconds")
    assert core.count(stamp) == 2  # created and modified


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_procurement_without_offers_exports_its_headers(
    organisation, lead, catalogue, fmt
):
    empty = tender(organisation, lead, bidders=[])

    assert export_procurement(empty, fmt).content


def test_every_format_returns_an_export_file(procurement, strong):
    files = [export_assessment(strong, fmt) for fmt in FORMATS if fmt != "pdf"]

    assert all(isinstance(f, ExportFile) and f.content for f in files)


# Query counts: the same bound at two sizes.

# The assessment joined to its offer, provider, procurement, organisation,
# catalogue and profile (1); the catalogue with its method (12: catalogue,
# pillars, criteria, levels, profiles, weights and their pillars, knock-outs and
# their criteria, caps, evidence types); the answers with their criteria and
# authors, and their facts (2).
ASSESSMENT_QUERIES = 15
# The procurement joined to its organisation, catalogue and profile (1), the
# method (12), the ranking (1), every offer's answers and facts (2).
PROCUREMENT_QUERIES = 16


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_assessment_export_queries_do_not_grow_with_the_answers(
    procurement, lead, fmt, django_assert_max_num_queries
):
    few = assess(procurement, lead, "Few", 3, only={"OWN-1"})
    many = procurement.assessments.get(offer__name="Strong IaaS")
    export_assessment(few, fmt)  # warm the catalogue's spec cache

    with django_assert_max_num_queries(ASSESSMENT_QUERIES):
        export_assessment(few, fmt)
    with django_assert_max_num_queries(ASSESSMENT_QUERIES):
        export_assessment(many, fmt)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_procurement_export_queries_do_not_grow_with_the_offers(
    organisation, lead, catalogue, fmt, django_assert_max_num_queries
):
    small = tender(organisation, lead, bidders=[("Alone", 3)])
    export_procurement(small, fmt)  # warm the catalogue's spec cache
    with django_assert_max_num_queries(PROCUREMENT_QUERIES):
        export_procurement(small, fmt)

    for name in ("Second", "Third", "Fourth"):
        assess(small, lead, name, 2)
    with django_assert_max_num_queries(PROCUREMENT_QUERIES):
        export_procurement(small, fmt)


# CSV


def test_csv_answers_have_one_row_per_criterion_with_the_engines_levels(strong):
    scorecard = strong.scorecard()

    rows = read_csv(export_assessment(strong, "csv"))

    assert rows[0][:7] == [
        "Code",
        "Pillar",
        "Criterion",
        "Level",
        "Effective level",
        "Capped by evidence",
        "N/A",
    ]
    assert [(r[0], r[1], r[3], r[4]) for r in rows[1:]] == [
        (c.code, c.pillar, str(c.level), str(c.effective_level))
        for c in scorecard.criteria
    ]


def test_csv_answers_carry_evidence_justification_reference_and_author(strong, lead):
    rows = read_csv(export_assessment(strong, "csv"))

    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[7:] == [
        "Evidence",
        "Justification",
        "Evidence reference",
        "Answered by",
        "Answered at",
    ]
    assert (
        first["Evidence"],
        first["Justification"],
        first["Evidence reference"],
        first["Answered by"],
    ) == ("Verified", "Strong meets OWN-1.", "Strong response, OWN-1", lead.username)


def test_csv_is_utf8_with_a_byte_order_mark_for_excel(strong):
    exported = export_assessment(strong, "csv", language="fr")

    assert exported.content.startswith(b"\xef\xbb\xbf")
    assert "Établissement" in exported.content.decode("utf-8-sig")


def test_csv_escapes_texts_a_spreadsheet_would_run_as_formulas(procurement, lead):
    assessment = assess(
        procurement,
        lead,
        "Tricky",
        3,
        **{
            "OWN-1": '=HYPERLINK("http://evil.example","click")',
            "OWN-2": "+33 1 40 00 00 00",
            "OWN-3": "-1 is not a level",
            "OWN-4": "@SUM(A1:A9)",
            "OWN-5": "\tcmd",
            "OWN-1-ref": "=1+1",
        },
    )

    rows = {r[0]: r for r in read_csv(export_assessment(assessment, "csv"))}

    assert [
        rows[code][8] for code in ("OWN-1", "OWN-2", "OWN-3", "OWN-4", "OWN-5")
    ] == [
        '\'=HYPERLINK("http://evil.example","click")',
        "'+33 1 40 00 00 00",
        "'-1 is not a level",
        "'@SUM(A1:A9)",
        "'\tcmd",
    ]
    assert rows["OWN-1"][9] == "'=1+1"


def test_csv_ranking_lists_eligible_offers_then_the_excluded_one_with_reasons(
    procurement,
):
    scorecards = {a.offer.name: a.scorecard() for a in procurement.assessments.all()}

    rows = read_csv(export_procurement(procurement, "csv"))

    assert rows[0] == [
        "Rank",
        "Tied",
        "Offer",
        "Provider",
        "Eligible",
        "Global score",
        "Global score (as claimed)",
        "Trust level",
        "Highest profile passed",
        "Completeness (%)",
        "Status",
        "Failed knock-outs",
    ]
    assert [r[:10] for r in rows[1:]] == [
        [
            "1",
            "no",
            "Strong IaaS",
            "Strong Cloud",
            "yes",
            str(scorecards["Strong IaaS"].global_score),
            str(scorecards["Strong IaaS"].global_score_claimed),
            "4",
            "N4",
            "100.0",
        ],
        [
            "",
            "no",
            "Weak IaaS",
            "Weak Cloud",
            "no",
            str(scorecards["Weak IaaS"].global_score),
            str(scorecards["Weak IaaS"].global_score_claimed),
            "1",
            "N1",
            "100.0",
        ],
    ]
    assert rows[2][11].splitlines()[0] == (
        "OWN-1 Establishment of the provider and its control chain: "
        "level 1, N3 requires 3"
    )


def test_csv_ranking_states_ties(organisation, lead, catalogue):
    procurement = tender(organisation, lead, bidders=[("One", 3), ("Two", 3)])

    rows = read_csv(export_procurement(procurement, "csv"))

    assert [(r[0], r[1]) for r in rows[1:]] == [("1", "yes"), ("1", "yes")]


def test_csv_of_a_reference_case_follows_the_language(catalogue):
    reference = reference_case(catalogue)
    first = catalogue.criteria.order_by("pillar__position", "position").first()

    rows = read_csv(export_assessment(reference, "csv", language="fr"))

    assert (rows[1][0], rows[1][2], rows[1][8]) == (
        first.code,
        first.name_fr,
        f"Documenté en 2014 ({first.code}).",
    )


# XLSX


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
        ("A2", "A1:B23"),
        ("A2", "A1:I9"),
        ("A2", "A1:Q46"),
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

    names = read_xlsx(export_procurement(procurement, "xlsx")).sheetnames[3:]

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


# JSON


def test_json_carries_the_inputs_and_their_documented_digest(strong):
    document = read_json(export_assessment(strong, "json", now=NOW))

    inputs = document["inputs"]
    canonical = json.dumps(
        inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert document["digest"] == hashlib.sha256(canonical).hexdigest()
    assert (
        "sort" in document["digest_method"] and "SHA-256" in document["digest_method"]
    )
    assert (
        inputs["catalogue"]["slug"],
        inputs["catalogue"]["version"],
        inputs["profile"],
        inputs["as_of"],
        inputs["assessment"]["version"],
        inputs["offer"],
        inputs["provider"],
        len(inputs["answers"]),
    ) == (
        "cloud-of-trust",
        "1.0",
        "N3",
        "2026-11-01",
        strong.version,
        "Strong IaaS",
        "Strong Cloud",
        45,
    )
    assert inputs["answers"][0] == {
        "criterion": "OWN-1",
        "level": 4,
        "evidence": "verified",
        "not_applicable": False,
        "justification": "Strong meets OWN-1.",
        "evidence_reference": "Strong response, OWN-1",
        "facts": [],
    }


def test_json_scorecard_is_the_engines(strong):
    scorecard = strong.scorecard()

    numbers = read_json(export_assessment(strong, "json"))["scorecard"]

    assert (
        numbers["global_score"],
        numbers["global_score_claimed"],
        numbers["trust_level"],
        numbers["eligible"],
        numbers["eligibility"],
        numbers["highest_profile_passed"],
        numbers["completeness"],
    ) == (
        scorecard.global_score,
        scorecard.global_score_claimed,
        scorecard.trust_level,
        scorecard.eligible,
        dict(scorecard.eligibility),
        scorecard.highest_profile_passed,
        scorecard.completeness,
    )
    assert [(p["code"], p["score"]) for p in numbers["pillars"]] == [
        (p.code, p.score) for p in scorecard.pillars
    ]


def test_json_digest_does_not_depend_on_the_language_or_the_date(catalogue):
    reference = reference_case(catalogue)

    english = read_json(export_assessment(reference, "json", language="en"))
    french = read_json(export_assessment(reference, "json", language="fr", now=NOW))

    assert english["digest"] == french["digest"]
    assert french["answers"][0]["justification"].startswith("Documenté")


def test_json_procurement_has_the_ranking_and_every_scorecard(procurement):
    document = read_json(export_procurement(procurement, "json"))
    ranking = rank_procurement(procurement)

    assert [
        (r["rank"], r["tied"], r["eligible"], r["offer"]) for r in document["ranking"]
    ] == [
        (row.rank, row.tied, row.assessment.eligible, row.assessment.offer.name)
        for row in ranking.rows
    ]
    assert document["ranking"][1]["excluded_because"][0].startswith("OWN-1")
    assert [a["scorecard"]["global_score"] for a in document["assessments"]] == [
        row.assessment.scorecard().global_score for row in ranking.rows
    ]
    assert document["inputs"]["assessment_digests"] == [
        a["digest"] for a in document["assessments"]
    ]
    assert document["method"]["knockout_thresholds"]["JUR-1"] == 3
