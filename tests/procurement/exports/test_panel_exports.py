"""A panel's individual scores, consensus and comments in the exports."""

import io
import json

import openpyxl
import pytest
from pypdf import PdfReader

from procurement import services
from procurement.exports import export_assessment, export_procurement
from procurement.exports.verify import verify_export
from procurement.models import Membership
from procurement.services import panel
from procurement.services.panel import ScoreData, SeatData
from tests.factories import OfferFactory, UserFactory
from tests.procurement.exports.helpers import NOW

pytestmark = pytest.mark.django_db

RATIONALE = "Alice's reading of the contract holds: clause 4 binds the parent."


def named(organisation, first, last):
    user = UserFactory(first_name=first, last_name=last)
    Membership.objects.create(
        organisation=organisation, user=user, role=Membership.Role.EVALUATOR
    )
    return user


@pytest.fixture
def alice(organisation):
    return named(organisation, "Alice", "Martin")


@pytest.fixture
def bob(organisation):
    return named(organisation, "Bob", "Durand")


@pytest.fixture
def seated(procurement, lead, alice, bob):
    """The export fixture's procurement with Alice and Bob scoring JUR."""
    panel.set_panel(
        procurement,
        user=lead,
        seats=[SeatData(alice.pk, ["JUR"]), SeatData(bob.pk, ["JUR"])],
    )
    return procurement


def score(assessment, user, level, *, submit=True):
    codes = assessment.catalogue.criteria.filter(pillar__code="JUR").values_list(
        "code", flat=True
    )
    panel.declare_interests(assessment, user=user, conflict=False)
    panel.save_scores(
        assessment,
        user=user,
        scores=[
            ScoreData(code, level, "documented", justification=f"{user.first_name}.")
            for code in codes
        ],
    )
    if submit:
        panel.submit_scores(assessment, user=user)


@pytest.fixture
def moderated(seated, strong, alice, bob, lead):
    """Alice gives 4, Bob 1; the lead agrees on 3 for JUR-1, with a comment."""
    score(strong, alice, 4)
    score(strong, bob, 1)
    panel.add_comment(strong, user=bob, criterion="JUR-1", text="See clause 4.")
    panel.record_consensus(
        strong,
        user=lead,
        criterion="JUR-1",
        level=3,
        evidence="verified",
        rationale=RATIONALE,
    )
    return strong


def offer_panel(document, assessment):
    return next(
        a["panel"]
        for a in document["assessments"]
        if a["inputs"]["assessment"]["id"] == assessment.pk
    )


def test_the_procurement_json_has_the_individual_scores_and_the_consensus(
    moderated, seated
):
    document = json.loads(export_procurement(seated, "json", now=NOW).content)

    offer = offer_panel(document, moderated)
    jur1 = [s for s in offer["individual_scores"] if s["criterion"] == "JUR-1"]
    assert sorted((s["evaluator"], s["level"]) for s in jur1) == [
        ("Alice Martin", 4),
        ("Bob Durand", 1),
    ]
    assert offer["decisions"] == [
        {
            "criterion": "JUR-1",
            "level": 3,
            "not_applicable": False,
            "evidence": "verified",
            "rationale": RATIONALE,
            "moderator": offer["decisions"][0]["moderator"],
            "decided_at": offer["decisions"][0]["decided_at"],
            "stands": True,
        }
    ]
    assert offer["comments"][0]["text"] == "See clause 4."
    assert [s["evaluator"] for s in document["panel"]["seats"]] == [
        "Alice Martin",
        "Bob Durand",
    ]


def test_the_assessment_json_has_its_panel(moderated):
    document = json.loads(export_assessment(moderated, "json", now=NOW).content)

    assert document["panel"]["complete"] is True
    assert {d["evaluator"] for d in document["panel"]["declarations"]} == {
        "Alice Martin",
        "Bob Durand",
    }
    assert document["panel"]["decisions"][0]["rationale"] == RATIONALE


def test_individual_scores_stay_out_until_every_evaluator_submitted(
    seated, strong, alice, bob
):
    score(strong, alice, 4)
    score(strong, bob, 1, submit=False)

    document = json.loads(export_assessment(strong, "json", now=NOW).content)

    assert document["panel"]["individual_scores"] == []
    assert document["panel"]["waiting_for"] == ["Bob Durand"]


def test_the_panel_is_not_part_of_the_digest(moderated, bob):
    before = json.loads(export_assessment(moderated, "json", now=NOW).content)

    panel.add_comment(moderated, user=bob, criterion="JUR-2", text="Fine.")
    after = json.loads(export_assessment(moderated, "json", now=NOW).content)

    assert before["digest"] == after["digest"]
    assert len(after["panel"]["comments"]) == 2


def test_a_json_export_with_a_panel_still_verifies(moderated, seated):
    assert verify_export(export_procurement(seated, "json").content).ok


def test_without_a_panel_the_exports_say_nothing_of_one(procurement, strong):
    document = json.loads(export_procurement(procurement, "json", now=NOW).content)
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_procurement(procurement, "xlsx", now=NOW).content)
    )

    assert document["panel"] is None
    assert {a["panel"] for a in document["assessments"]} == {None}
    assert "Panel" not in workbook.sheetnames


def test_the_procurement_workbook_has_a_panel_sheet(moderated, seated):
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_procurement(seated, "xlsx", now=NOW).content)
    )

    sheet = workbook["Panel"]
    headers = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(headers, row, strict=True))
        for row in sheet.iter_rows(2, values_only=True)
    ]
    jur1 = [r for r in rows if str(r["Criterion"]).startswith("JUR-1 ")]
    assert headers[:7] == [
        "Offer",
        "Criterion",
        "Evaluator",
        "Level",
        "N/A",
        "Evidence",
        "Justification",
    ]
    assert sorted((r["Evaluator"], r["Level"]) for r in jur1) == [
        ("Alice Martin", 4),
        ("Bob Durand", 1),
    ]
    assert {(r["Consensus level"], r["Rationale"]) for r in jur1} == {(3, RATIONALE)}
    assert workbook["Panel comments"]["E2"].value == "See clause 4."


def test_the_assessment_workbook_has_a_panel_sheet(moderated):
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_assessment(moderated, "xlsx", now=NOW).content)
    )

    assert workbook.sheetnames[-2:] == ["Panel", "Panel comments"]


def pdf_text(exported):
    reader = PdfReader(io.BytesIO(exported.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def annex(text):
    start = text.index("Panel: individual scores and consensus")
    return " ".join(text[start : text.index("Annex: the record", start)].split())


def test_the_procurement_pdf_annex_shows_both_levels_and_the_rationale(
    moderated, seated
):
    text = annex(pdf_text(export_procurement(seated, "pdf", now=NOW)))

    assert "Alice Martin: Level 4, Documented. Alice." in text
    assert "Bob Durand: Level 1, Documented. Bob." in text
    assert "Consensus: Level 3, Verified" in text
    assert " ".join(RATIONALE.split()) in text
    assert "See clause 4." in text


def test_the_assessment_pdf_has_the_annex_too(moderated):
    text = annex(pdf_text(export_assessment(moderated, "pdf", now=NOW)))

    assert "Alice Martin: Level 4" in text
    assert RATIONALE in text


def test_panel_exports_read_a_fixed_number_of_queries(
    moderated, seated, lead, django_assert_max_num_queries
):
    export_procurement(seated, "json")  # warm the catalogue's spec cache

    # The 19 of a procurement without a panel (test_interface.py), plus the
    # declarations, individual scores, decisions and comments of every offer.
    with django_assert_max_num_queries(23):
        export_procurement(seated, "json")
    services.start_assessment(
        user=lead,
        procurement=seated,
        offer=OfferFactory(provider__organisation=seated.organisation),
    )
    with django_assert_max_num_queries(23):
        export_procurement(seated, "json")
