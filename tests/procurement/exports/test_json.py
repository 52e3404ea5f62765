"""JSON exports: the inputs with their digest, the engine's scorecard, and a
procurement's ranking."""

import hashlib
import json
from decimal import Decimal as D

import pytest

from procurement.exports import export_assessment, export_procurement
from procurement.services import rank_procurement
from tests.procurement.exports.helpers import NOW, reference_case

pytestmark = pytest.mark.django_db


def read_json(exported):
    return json.loads(exported.content, parse_float=D)


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
