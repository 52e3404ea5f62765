"""The scorecard endpoint shows the engine's numbers, filled in through the API."""

import json

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import Assessment
from tests.factories import OfferFactory, ProcurementFactory
from tests.procurement.api.helpers import client_for

pytestmark = pytest.mark.django_db

# A realistic mix: verified, documented and declared evidence (caps apply on
# N3's knock-outs), an unknown level, an N/A where allowed, and criteria left
# out altogether.
ANSWERS = [
    {"criterion": "OWN-1", "level": 4, "evidence": "verified"},
    {"criterion": "OWN-2", "level": 3, "evidence": "documented"},
    {"criterion": "OWN-3", "level": 4, "evidence": "declared"},
    {"criterion": "JUR-1", "level": 4, "evidence": "declared"},
    {"criterion": "JUR-2", "level": 2, "evidence": "verified"},
    {"criterion": "JUR-3", "level": None, "evidence": "documented"},
    {"criterion": "DAT-1", "level": 3, "evidence": "verified"},
    {"criterion": "DAT-2", "level": 1, "evidence": "documented"},
    {"criterion": "OPS-1", "level": 4, "evidence": "documented"},
    {"criterion": "TEC-3", "level": 2, "evidence": "verified"},
    {"criterion": "TEC-5", "not_applicable": True},
    {"criterion": "SUP-2", "level": 3, "evidence": "verified"},
    {"criterion": "REV-1", "level": 2, "evidence": "declared"},
    {"criterion": "SEC-1", "level": 4, "evidence": "verified"},
]


@pytest.fixture
def filled(catalogue, organisation, evaluator):
    """An N3 assessment answered through POST .../answers/, and its client."""
    client = client_for(evaluator)
    procurement = ProcurementFactory(organisation=organisation)
    offer = OfferFactory(provider__organisation=organisation)
    created = client.post(
        reverse("api:assessment-list"),
        {"procurement": procurement.pk, "offer": offer.pk},
    ).json()
    saved = client.post(
        reverse("api:assessment-answers", args=[created["id"]]),
        {"version": created["version"], "answers": ANSWERS},
    )
    assert saved.status_code == 200
    return Assessment.objects.get(pk=created["id"]), client


def number(value):
    return None if value is None else float(value)


def test_the_scorecard_endpoint_shows_the_engines_numbers(filled):
    assessment, client = filled

    data = client.get(reverse("api:assessment-scorecard", args=[assessment.pk])).json()

    engine = assessment.scorecard()
    assert (
        data["global_score"],
        data["global_score_claimed"],
        data["trust_level"],
        data["eligible"],
        data["profile"],
        data["highest_profile_passed"],
        data["completeness"],
    ) == (
        number(engine.global_score),
        number(engine.global_score_claimed),
        engine.trust_level,
        engine.eligible,
        engine.profile,
        engine.highest_profile_passed,
        number(engine.completeness),
    )
    assert [
        (p["code"], p["weight"], p["score"], p["score_claimed"], p["trust_level"])
        for p in data["pillars"]
    ] == [
        (
            p.code,
            number(p.weight),
            number(p.score),
            number(p.score_claimed),
            p.trust_level,
        )
        for p in engine.pillars
    ]
    assert [
        (k["criterion"], k["required"], k["effective"]) for k in data["knockouts"]
    ] == [(k.criterion, k.required, k.effective) for k in engine.knockouts]
    assert [
        (c["code"], c["level"], c["effective_level"], c["capped"], c["evidence"])
        for c in data["criteria"]
    ] == [
        (c.code, c.level, c.effective_level, c.capped, c.evidence)
        for c in engine.criteria
    ]
    assert (data["binding_criteria"], data["evidence_gaps"]) == (
        list(engine.binding_criteria),
        list(engine.evidence_gaps),
    )
    assert data["catalogue"] == {
        "id": assessment.catalogue_id,
        "slug": assessment.catalogue.slug,
        "version": assessment.catalogue.version,
    }


def test_the_scorecard_has_the_names_of_the_contract(filled):
    assessment, client = filled

    data = client.get(reverse("api:assessment-scorecard", args=[assessment.pk])).json()

    assert set(data) >= {
        "global_score",
        "global_score_claimed",
        "trust_level",
        "eligible",
        "profile",
        "highest_profile_passed",
        "knockouts",
        "pillars",
        "criteria",
        "binding_criteria",
        "evidence_gaps",
        "completeness",
        "catalogue",
    }
    assert set(data["knockouts"][0]) >= {"criterion", "required", "effective"}
    assert set(data["pillars"][0]) >= {
        "code",
        "name",
        "weight",
        "score",
        "score_claimed",
        "trust_level",
    }
    assert set(data["criteria"][0]) >= {
        "code",
        "level",
        "effective_level",
        "capped",
        "evidence",
    }
    assert set(data["catalogue"]) == {"id", "slug", "version"}


def test_the_mix_exercises_caps_knockouts_and_na(filled):
    """Guard the fixture: the comparison above covers the interesting cases."""
    assessment, _client = filled

    engine = assessment.scorecard()

    assert engine.evidence_gaps
    assert engine.knockouts
    assert engine.criterion("TEC-5").not_applicable
    assert engine.global_score != engine.global_score_claimed


def test_the_stored_snapshot_in_the_assessment_matches_the_scorecard(filled):
    assessment, client = filled

    detail = client.get(reverse("api:assessment-detail", args=[assessment.pk]))
    scorecard = client.get(reverse("api:assessment-scorecard", args=[assessment.pk]))

    snapshot, full = detail.json()["snapshot"], scorecard.json()
    assert (snapshot["global_score"], snapshot["trust_level"]) == (
        full["global_score"],
        full["trust_level"],
    )
    assert [(p["code"], p["score"]) for p in snapshot["pillars"]] == [
        (p["code"], p["score"]) for p in full["pillars"]
    ]
    assert snapshot["knockouts"] == [
        {key: k[key] for key in ("criterion", "required", "effective")}
        for k in full["knockouts"]
    ]


def test_scores_are_json_numbers_with_one_decimal(filled):
    assessment, client = filled

    response = client.get(reverse("api:assessment-scorecard", args=[assessment.pk]))

    data = json.loads(response.content)
    scores = [data["global_score"], data["global_score_claimed"]] + [
        p["score"] for p in data["pillars"]
    ]
    assert all(isinstance(score, float) for score in scores)
    assert all(round(score, 1) == score for score in scores)


def test_scorecard_names_follow_accept_language(filled):
    assessment, client = filled

    french = client.get(
        reverse("api:assessment-scorecard", args=[assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="fr",
    ).json()

    pillar = assessment.catalogue.pillars.get(code=french["pillars"][0]["code"])
    criterion = assessment.catalogue.criteria.get(code=french["criteria"][0]["code"])
    assert french["pillars"][0]["name"] == pillar.name_fr
    assert french["criteria"][0]["name"] == criterion.name_fr


def test_the_ranking_shows_the_same_stored_score(filled, evaluator):
    assessment, client = filled
    services.submit_assessment(assessment, user=evaluator)

    ranking = client.get(
        reverse("api:procurement-ranking", args=[assessment.procurement_id])
    ).json()

    rows = ranking["eligible"] + ranking["excluded"]
    assessment.refresh_from_db()
    assert [(r["assessment"], r["global_score"], r["status"]) for r in rows] == [
        (assessment.pk, float(assessment.global_score), "submitted")
    ]
