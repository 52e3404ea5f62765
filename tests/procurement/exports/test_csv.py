"""CSV exports read back and compared with the engine's numbers."""

import csv
import io

import pytest

from procurement import services
from procurement.exports import export_assessment, export_procurement
from tests.procurement.exports.helpers import assess, reference_case, tender

pytestmark = pytest.mark.django_db


def read_csv(exported, delimiter=","):
    text = exported.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


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
        "Presumed from a certification",
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
        "Approved by its submitter (four eyes off)",
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
    assert rows[2][12].splitlines()[0] == (
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

    rows = read_csv(export_assessment(reference, "csv", language="fr"), delimiter=";")

    assert (rows[1][0], rows[1][2], rows[1][8]) == (
        first.code,
        first.name_fr,
        f"Documenté en 2014 ({first.code}).",
    )


def test_csv_ranking_says_which_offer_its_submitter_approved(procurement, strong, lead):
    services.set_four_eyes(
        procurement.organisation, user=lead, enabled=False, reason="Alone here."
    )
    services.submit_assessment(strong, user=lead)
    services.approve_assessment(strong, user=lead)

    rows = read_csv(export_procurement(procurement, "csv"))

    column = rows[0].index("Approved by its submitter (four eyes off)")
    assert [(r[2], r[column]) for r in rows[1:]] == [
        ("Strong IaaS", "yes"),
        ("Weak IaaS", "no"),
    ]


def test_a_french_csv_separates_cells_with_semicolons_and_decimals_with_commas(
    procurement,
):
    english = read_csv(export_procurement(procurement, "csv"))
    french = read_csv(export_procurement(procurement, "csv", language="fr"), ";")

    score = english[1][5]
    assert "." in score
    assert french[1][5] == score.replace(".", ",")
    assert len(french[0]) == len(english[0])
    assert b";" not in export_procurement(procurement, "csv").content.split(b"\r\n")[0]
