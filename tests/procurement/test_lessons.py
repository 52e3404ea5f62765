"""Looks like Cloudwatt? Warning signs an offer shares with the reference cases."""

import json

import pytest

from procurement import lessons
from procurement.exports import export_assessment
from procurement.seed import seed_reference_cases
from tests.procurement.exports.test_pdf import pdf_text
from tests.procurement.views.helpers import login, scored_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(catalogue):
    seed_reference_cases()
    return lessons.reference_cases()


def test_both_reference_cases_ship_a_signature_citing_their_facts(cases):
    assert [case.name for case, _signs in cases] == ["Cloudwatt", "Numergy"]
    for _case, signs in cases:
        assert len(signs) == 6
        assert all(sign.fact is not None for sign in signs)


def test_a_weak_offer_shares_signs_and_a_strong_one_none(cases):
    weak = lessons.resemblances({"REV-2": 0, "REV-4": 1, "SEC-1": 3}, cases)
    strong = lessons.resemblances(
        {code: 4 for code in ("REV-2", "REV-3", "REV-4", "SEC-1", "OWN-3", "DAT-7")}
        | {"SUP-6": 4, "JUR-5": 4},
        cases,
    )

    cloudwatt = weak[0]
    assert [s.criterion for s in cloudwatt.shared] == ["REV-2", "REV-4"]
    assert cloudwatt.similarity == 33  # 2 of 6
    assert all(r.similarity == 0 for r in strong)


def test_the_limit_is_inclusive_and_not_applicable_shares_nothing(cases):
    found = lessons.resemblances({"REV-2": 1, "REV-4": 2, "SEC-1": None}, cases)

    assert [s.criterion for s in found[0].shared] == ["REV-2"]


def test_the_scorecard_shows_the_signs_with_the_fact(client, lead, procurement, cases):
    assessment = scored_assessment(procurement, lead, 1, name="Fragile")
    login(client, lead)

    content = client.get(assessment.get_absolute_url()).content.decode()

    assert "Warning signs shared with the reference cases" in content
    assert "100% (6 of 6 signs)" in content


def test_the_procurement_page_lists_each_offers_resemblance(
    client, lead, procurement, cases
):
    scored_assessment(procurement, lead, 1, name="Fragile")
    scored_assessment(procurement, lead, 4, name="Solid")
    login(client, lead)

    response = client.get(procurement.get_absolute_url())

    rows = {a.offer.name: found for a, found in response.context["lesson_rows"]}
    assert [r.similarity for r in rows["Fragile"]] == [100, 100]
    assert [r.similarity for r in rows["Solid"]] == [0, 0]
    assert "Does an offer look like Cloudwatt or Numergy?" in response.content.decode()


def test_the_pdf_names_the_signs_an_offer_shares(lead, procurement, cases):
    assessment = scored_assessment(procurement, lead, 1, name="Fragile")

    _reader, pages = pdf_text(export_assessment(assessment, "pdf"))

    text = " ".join(" ".join(pages).split())
    assert "Warning signs shared with the reference cases" in text
    assert "Cloudwatt 100 %" in text


def test_the_json_export_lists_the_shared_signs(lead, procurement, cases):
    assessment = scored_assessment(procurement, lead, 1, name="Fragile")

    document = json.loads(export_assessment(assessment, "json").content)

    cloudwatt = document["warning_signs"][0]
    assert (cloudwatt["case"], cloudwatt["similarity"]) == ("Cloudwatt", 100)
    assert cloudwatt["shared"][0]["fact"] == "cw-shutdown-notice-2019"
