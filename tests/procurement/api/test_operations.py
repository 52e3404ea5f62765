"""The operations the web pages had and the API lacked: correct a fact, set
an assessment's summary, re-pin a procurement to a newer catalogue."""

import pytest
import yaml

from procurement.models import HistoryEntry
from scoring.loader import DEFAULT_CATALOGUE, load_catalogue_text
from tests.factories import ProviderFactFactory, ProviderFactory
from tests.procurement.api.helpers import client_for, problem_errors, url

pytestmark = pytest.mark.django_db


# facts ------------------------------------------------------------------------


def test_a_fact_is_corrected_and_the_record_keeps_the_old_value(
    organisation, evaluator
):
    fact = ProviderFactFactory(provider__organisation=organisation)

    response = client_for(evaluator).patch(
        url("provider-fact", fact.provider_id, fact.pk),
        {"source_title": "Annual report 2025"},
    )

    entry = HistoryEntry.objects.get(action="fact.changed")
    assert response.status_code == 200
    assert response.json()["source_title"] == "Annual report 2025"
    assert entry.changes == [
        {
            "field": "source_title",
            "before": "Annual report",
            "after": "Annual report 2025",
        }
    ]


def test_a_fact_of_another_provider_is_a_404(organisation, evaluator):
    provider = ProviderFactory(organisation=organisation)
    other = ProviderFactFactory(provider__organisation=organisation)

    response = client_for(evaluator).patch(
        url("provider-fact", provider.pk, other.pk), {"source_title": "X"}
    )

    assert response.status_code == 404


def test_a_reference_cases_fact_is_read_only(evaluator):
    fact = ProviderFactFactory(provider=ProviderFactory(reference_case=True))

    response = client_for(evaluator).patch(
        url("provider-fact", fact.provider_id, fact.pk), {"source_title": "X"}
    )

    assert response.status_code == 403


def test_a_bad_fact_correction_is_a_400_naming_the_field(organisation, evaluator):
    fact = ProviderFactFactory(provider__organisation=organisation)

    response = client_for(evaluator).patch(
        url("provider-fact", fact.provider_id, fact.pk), {"as_of": "yesterday"}
    )

    assert list(problem_errors(response)) == ["/as_of"]


# summary ----------------------------------------------------------------------


def test_the_summary_is_set_with_a_new_version(assessment, evaluator):
    response = client_for(evaluator).put(
        url("assessment-summary", assessment.pk),
        {"summary": "Eligible for N3.", "version": 1},
    )

    assert response.status_code == 200
    assert (response.json()["summary"], response.json()["version"]) == (
        "Eligible for N3.",
        2,
    )
    assert HistoryEntry.objects.filter(action="assessment.summary").count() == 1


def test_a_summary_on_a_stale_version_is_a_409(assessment, evaluator):
    client = client_for(evaluator)
    client.put(url("assessment-summary", assessment.pk), {"summary": "A"})

    response = client.put(
        url("assessment-summary", assessment.pk), {"summary": "B", "version": 1}
    )

    assert (response.status_code, response.json()["code"]) == (409, "stale_version")


def test_a_viewer_cannot_set_the_summary(assessment, viewer):
    response = client_for(viewer).put(
        url("assessment-summary", assessment.pk), {"summary": "A"}
    )

    assert response.status_code == 403


# re-pin -----------------------------------------------------------------------


@pytest.fixture
def newer_catalogue(catalogue):
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    data["version"] = "1.1"
    return load_catalogue_text(yaml.safe_dump(data, allow_unicode=True)).catalogue


def test_a_lead_repins_the_procurement_and_its_assessments(
    assessment, lead, newer_catalogue
):
    response = client_for(lead).post(
        url("procurement-repin", assessment.procurement_id),
        {"catalogue": newer_catalogue.pk},
    )

    assessment.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["catalogue"] == {
        "id": newer_catalogue.pk,
        "slug": "cloud-of-trust",
        "version": "1.1",
    }
    assert (assessment.catalogue, assessment.version) == (newer_catalogue, 2)


def test_an_evaluator_cannot_repin(assessment, evaluator, newer_catalogue):
    response = client_for(evaluator).post(
        url("procurement-repin", assessment.procurement_id),
        {"catalogue": newer_catalogue.pk},
    )

    assert response.status_code == 403


def test_repinning_to_the_same_version_is_a_400(procurement, lead, catalogue):
    response = client_for(lead).post(
        url("procurement-repin", procurement.pk), {"catalogue": catalogue.pk}
    )

    assert response.status_code == 400
    assert "already uses" in problem_errors(response)[""][0]
