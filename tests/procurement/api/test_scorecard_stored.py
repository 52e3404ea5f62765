"""The scorecard API answers from the snapshot stored at the last save.

After every kind of write that changes a score (answers, weights and
thresholds adjusted, an overlay, a move to another catalogue version,
presumptions from a certificate, a panel's consensus) the stored body is the
one the engine computes afresh from the answers; an ETag lets a client skip
an unchanged body.
"""

import datetime
import json

import pytest
import yaml
from rest_framework.renderers import JSONRenderer

from procurement import services
from procurement.api.scorecards import ScorecardSerializer
from procurement.models import Assessment, Procurement
from procurement.scorecards import assessment_report
from scoring.loader import (
    DEFAULT_CATALOGUE,
    LATEST_CATALOGUE,
    load_catalogue,
    load_catalogue_text,
)
from tests.factories import OfferFactory, ProcurementFactory
from tests.procurement.api.helpers import client_for, url
from tests.procurement.views.helpers import scored_assessment

pytestmark = pytest.mark.django_db

MIXED = [
    services.AnswerData("OWN-1", 4, "verified"),
    services.AnswerData("OWN-2", 3, "documented"),
    services.AnswerData("JUR-1", 4, "declared"),
    services.AnswerData("JUR-2", 2, "verified"),
    services.AnswerData("JUR-3", None, "documented"),
    services.AnswerData("TEC-5", None, "declared", not_applicable=True),
    services.AnswerData("SEC-1", 3, "verified"),
]


@pytest.fixture
def draft(organisation, lead):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )
    assessment = scored_assessment(procurement, lead, 3, name="Steady")
    services.record_answers(
        assessment, user=lead, version=assessment.version, answers=MIXED
    )
    return procurement


def served(client, assessment, **headers):
    return client.get(url("assessment-scorecard", assessment.pk), headers=headers)


def computed_afresh(assessment) -> dict:
    """The body as the engine gives it from the stored answers, today."""
    report = assessment_report(Assessment.objects.get(pk=assessment.pk))
    return json.loads(JSONRenderer().render(ScorecardSerializer(report).data))


def assert_stored_equals_fresh(client, assessment, **headers):
    response = served(client, assessment, **headers)
    assert response.status_code == 200
    assert response.has_header("ETag")  # the stored body, not the engine's
    assert response.json() == computed_afresh(assessment)
    return response.json()


def test_after_answers_the_stored_scorecard_is_the_engines(draft, lead):
    assessment = draft.assessments.get()

    body = assert_stored_equals_fresh(client_for(lead), assessment)

    capped = next(c for c in body["criteria"] if c["code"] == "JUR-1")
    assert (capped["level"], capped["capped"]) == (4, True)
    assert next(c for c in body["criteria"] if c["code"] == "TEC-5")["not_applicable"]


def test_in_french_the_stored_scorecard_is_the_engines(draft, lead):
    from django.utils import translation

    assessment = draft.assessments.get()
    client = client_for(lead)

    response = served(client, assessment, accept_language="fr")
    with translation.override("fr"):
        fresh = computed_afresh(assessment)

    assert response.json() == fresh
    assert (
        response.json()["pillars"][0]["name"]
        != served(client, assessment).json()["pillars"][0]["name"]
    )


def test_after_weights_and_thresholds_are_adjusted_the_stored_scorecard_is_the_engines(
    draft, lead
):
    spec = draft.catalogue.to_spec()
    profile = next(p for p in spec.profiles if p.code == draft.profile.code)
    weights = {code: int(weight) for code, weight in profile.pillar_weights.items()}
    source, target = sorted(weights)[:2]
    services.adjust_method(
        draft,
        user=lead,
        pillar_weights={
            **weights,
            source: weights[source] - 10,
            target: weights[target] + 10,
        },
        lowered_thresholds={"SEC-1": 2},
        reason="No personal data.",
    )

    assert_stored_equals_fresh(client_for(lead), draft.assessments.get())


def test_after_an_overlay_the_stored_scorecard_is_the_engines(draft, lead):
    services.adjust_method(
        draft,
        user=lead,
        pillar_weights={},
        lowered_thresholds={},
        reason="",
        overlays=["fr-state-sensitive"],
    )

    body = assert_stored_equals_fresh(client_for(lead), draft.assessments.get())

    sec_1 = next(k for k in body["knockouts"] if k["criterion"] == "SEC-1")
    assert "decree" in sec_1["reason"]


def test_after_a_move_to_another_version_the_stored_scorecard_is_the_engines(
    draft, lead, catalogue
):
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    data["version"] = "1.1"
    own = data["pillars"][0]
    own["criteria"] = [c for c in own["criteria"] if c["code"] != "OWN-5"]
    newer = load_catalogue_text(yaml.safe_dump(data, allow_unicode=True)).catalogue
    services.repin_procurement(draft, catalogue=newer, user=lead)

    body = assert_stored_equals_fresh(client_for(lead), draft.assessments.get())

    assert body["catalogue"]["version"] == "1.1"
    assert "OWN-5" not in {c["code"] for c in body["criteria"]}


def test_after_presumptions_the_stored_scorecard_is_the_engines(
    catalogue, organisation, lead
):
    latest = load_catalogue(LATEST_CATALOGUE).catalogue
    tender = ProcurementFactory(
        organisation=organisation,
        profile=latest.profiles.get(code="N3"),
        catalogue=latest,
    )
    offer = OfferFactory(provider__organisation=organisation)
    today = datetime.date.today()
    services.add_certification(
        offer,
        user=lead,
        scheme="SecNumCloud 3.2",
        scope="IaaS, Paris",
        scheme_code="secnumcloud-3.2",
        valid_from=today - datetime.timedelta(days=365),
        valid_to=today + datetime.timedelta(days=365),
    )
    assessment = services.start_assessment(user=lead, procurement=tender, offer=offer)

    body = assert_stored_equals_fresh(client_for(lead), assessment)

    assert next(c for c in body["criteria"] if c["code"] == "SEC-1")["level"] == 4


def test_an_older_snapshot_is_scored_by_the_engine(draft, lead):
    assessment = draft.assessments.get()
    Assessment.objects.filter(pk=assessment.pk).update(criterion_results=[])

    response = served(client_for(lead), assessment)

    assert not response.has_header("ETag")
    assert response.json() == computed_afresh(assessment)


def test_an_unchanged_scorecard_is_not_sent_again(draft, lead):
    assessment = draft.assessments.get()
    client = client_for(lead)
    etag = served(client, assessment)["ETag"]

    again = served(client, assessment, if_none_match=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_new_answer_changes_the_etag(draft, lead):
    assessment = draft.assessments.get()
    client = client_for(lead)
    etag = served(client, assessment)["ETag"]

    services.record_answers(
        assessment,
        user=lead,
        version=Assessment.objects.get(pk=assessment.pk).version,
        answers=[services.AnswerData("OWN-1", 1, "verified")],
    )
    after = served(client, assessment, if_none_match=etag)

    assert after.status_code == 200
    assert after["ETag"] != etag
    assert after.json() == computed_afresh(assessment)


def test_each_language_has_its_own_etag(draft, lead):
    assessment = draft.assessments.get()
    client = client_for(lead)

    english = served(client, assessment)["ETag"]
    french = served(client, assessment, accept_language="fr")

    assert french["ETag"] != english
    assert served(client, assessment, if_none_match=english).status_code == 304
