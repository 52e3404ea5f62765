"""The assessments list writes its rows by hand (``assessment_row``): byte for
byte what ``AssessmentSerializer``, which documents them, writes of the same
assessments, in every state, language and time zone."""

import pytest
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from procurement import services
from procurement.api.assessment_rows import assessment_row
from procurement.api.assessments import AssessmentSerializer
from procurement.models import Assessment
from tests.factories import OfferFactory, UserFactory
from tests.procurement.api.helpers import client_for, url
from tests.procurement.api.test_scorecard_stored import MIXED
from tests.procurement.views.helpers import reference_case, scored_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessments(procurement, catalogue, lead, evaluator, organisation):
    """A draft with nothing answered, a scored draft with a summary, an
    approved one (knock-outs failed, a bidder's claims differing), a
    withdrawn one and a reference case with a French translation."""
    services.start_assessment(
        user=evaluator,
        procurement=procurement,
        offer=OfferFactory(provider__organisation=organisation, name="Unscored"),
    )
    summarised = scored_assessment(procurement, lead, 4, name="Summarised")
    services.set_summary(
        summarised,
        user=lead,
        summary="Eligible; the chain is verified.",
        version=summarised.version,
    )
    mixed = scored_assessment(procurement, lead, 1, name="Mixed")
    mixed = services.record_answers(
        mixed, user=lead, version=mixed.version, answers=MIXED
    )
    Assessment.objects.filter(pk=mixed.pk).update(
        bidder_score="71.25", bidder_differs=["JUR-1", "OWN-2"]
    )
    mixed = services.submit_assessment(
        Assessment.objects.get(pk=mixed.pk), user=evaluator
    )
    services.approve_assessment(mixed, user=lead, reason="Unknowns accepted.")
    withdrawn = scored_assessment(procurement, lead, 3, name="Withdrawn")
    services.withdraw_assessment(withdrawn, user=lead, reason="Left the tender.")
    cloudwatt = reference_case(catalogue)
    Assessment.objects.filter(pk=cloudwatt.pk).update(
        summary="Failed in 2020.",
        translations={"fr": {"summary": "Fermé en 2020."}},
        # weights and scores with more decimals than the API writes
        pillar_scores=[
            {**pillar, "weight": "12.345", "score": "45.55", "score_claimed": 50}
            for pillar in cloudwatt.pillar_scores
        ],
    )
    cloudwatt.offer.translations = {"fr": {"name": "Cloud public"}}
    cloudwatt.offer.save()
    return Assessment.objects.all()


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def listed(user, language="en") -> list:
    """The list's own rows, read as the list reads them (only what a row shows)."""
    response = client_for(user).get(
        url("assessment-list"),
        {"page_size": 100},
        headers={"accept-language": language},
    )
    assert response.status_code == 200
    return response.json()["results"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_row_is_what_the_serializer_writes(assessments, language):
    with translation.override(language):
        for assessment in assessments:
            ours, drf = (
                assessment_row(assessment),
                AssessmentSerializer(assessment).data,
            )
            assert rendered(ours) == rendered(drf), assessment.offer.name
            assert ours == drf


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Cayenne"])
def test_the_list_is_what_the_serializer_writes(assessments, lead, language, zone):
    with translation.override(language), timezone.override(zone):
        expected = [
            AssessmentSerializer(assessment).data
            for assessment in assessments.order_by("-created_at", "-pk")
        ]
        rows = listed(lead, language)

    assert len(rows) == 5
    assert rendered(rows) == rendered(expected)


def test_the_list_shows_the_reference_case_in_french(assessments, lead):
    rows = listed(lead, "fr")

    reference = next(row for row in rows if row["is_reference_case"])
    assert reference["procurement"] is None
    assert (reference["offer_name"], reference["summary"]) == (
        "Cloud public",
        "Fermé en 2020.",
    )
    assert (
        reference["snapshot"]["pillars"][0]["weight"] == 12.34
    )  # half to even, as DRF


def test_another_organisation_sees_only_the_reference_case(assessments):
    rows = listed(UserFactory())

    assert [row["is_reference_case"] for row in rows] == [True]
