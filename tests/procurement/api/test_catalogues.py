"""Catalogues in the API: the method, in the language asked for."""

import pytest

from tests.procurement.api.helpers import client_for, url

pytestmark = pytest.mark.django_db


def test_catalogue_detail_has_pillars_criteria_and_profiles(catalogue, viewer):
    response = client_for(viewer).get(url("catalogue-detail", catalogue.pk))

    data = response.json()
    criterion = next(c for c in data["criteria"] if c["code"] == "JUR-1")
    n3 = next(p for p in data["profiles"] if p["code"] == "N3")
    assert (len(data["pillars"]), len(data["criteria"])) == (8, 45)
    assert set(criterion) >= {
        "code",
        "name",
        "question",
        "levels",
        "weight",
        "na_allowed",
        "evidence_guidance",
        "traces",
    }
    assert [level["level"] for level in criterion["levels"]] == [0, 1, 2, 3, 4]
    assert {"criterion": "JUR-1", "min_level": 3} in n3["knockouts"]
    assert {"pillar": "JUR", "weight": 18.0} in n3["pillar_weights"]
    assert {"evidence_type": "declared", "max_level": 2} in n3["evidence_caps"]


def test_catalogue_texts_follow_accept_language(catalogue, viewer):
    client = client_for(viewer)
    path = url("catalogue-detail", catalogue.pk)

    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    french = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")

    assert (english.json()["name"], french.json()["name"]) == (
        "Cloud of Trust",
        "Cloud de confiance",
    )
    assert french.json()["criteria"][0]["name"] == (
        catalogue.criteria.order_by("pillar__position", "position").first().name_fr
    )
    assert "Accept-Language" in french["Vary"]
    assert french["Content-Language"] == "fr"
