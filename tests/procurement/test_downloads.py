"""Exports reached from the pages' Download menu and from the API, and the
one-source-of-truth check: page, API, export and engine show the same numbers.

In tests, export jobs run as they are queued (tests/conftest.py), so a
report made in the background is done when the request returns; the jobs
themselves are tested in test_jobs.py."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from procurement import services
from procurement.exports import pdf
from procurement.models import Membership
from procurement.seed import seed_demo, seed_reference_cases
from procurement.services import AnswerData
from tests.conftest import member
from tests.factories import AssessmentFactory, OfferFactory, ProcurementFactory
from tests.procurement.api.helpers import client_for as api_client

pytestmark = pytest.mark.django_db

FORMATS = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@pytest.fixture
def assessment(catalogue, organisation, evaluator):
    procurement = ProcurementFactory(organisation=organisation)
    offer = OfferFactory(provider__organisation=organisation, name="Trusted IaaS")
    assessment = services.start_assessment(
        user=evaluator, procurement=procurement, offer=offer
    )
    answers = [
        AnswerData(c.code, 3, "documented" if c.code.startswith("J") else "verified")
        for c in catalogue.criteria.all()
    ]
    answers[0] = AnswerData("OWN-1", 1, "declared", justification="=HYPERLINK(evil)")
    return services.record_answers(
        assessment, user=evaluator, version=1, answers=answers
    )


def api_download(client, url, **headers):
    """The file of an API export (at once, or through its finished job),
    read whole into ``body``."""
    response = client.get(url, **headers)
    if response.status_code == 202:
        assert response.json()["status"] == "done"
        response = client.get(response.json()["download_url"], **headers)
    response.body = response.getvalue()  # reads a streamed file to its end
    return response


@pytest.mark.parametrize(("fmt", "content_type"), FORMATS.items())
def test_scorecard_downloads_from_the_web_page(
    client, viewer, assessment, fmt, content_type
):
    client.force_login(viewer)

    response = client.get(
        reverse("procurement:assessment-export", args=[assessment.pk, fmt]),
        follow=True,
    )
    response.close()  # a file from storage is streamed; nothing reads it here

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(
        'attachment; filename="scorecard-'
    )
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


@pytest.mark.parametrize("fmt", FORMATS)
def test_procurement_report_downloads_from_the_web_page(
    client, viewer, assessment, fmt
):
    client.force_login(viewer)
    url = reverse(
        "procurement:procurement-export", args=[assessment.procurement.pk, fmt]
    )

    response = client.get(url, follow=True)
    response.close()  # a file from storage is streamed; nothing reads it here

    assert response.status_code == 200
    assert 'filename="procurement-' in response["Content-Disposition"]


def test_scorecard_and_procurement_pages_offer_every_format(client, viewer, assessment):
    client.force_login(viewer)

    scorecard = client.get(assessment.get_absolute_url()).content.decode()
    procurement = client.get(assessment.procurement.get_absolute_url()).content.decode()

    for fmt in FORMATS:
        assert (
            reverse("procurement:assessment-export", args=[assessment.pk, fmt])
            in scorecard
        )
        assert (
            reverse(
                "procurement:procurement-export", args=[assessment.procurement.pk, fmt]
            )
            in procurement
        )


def test_another_organisations_export_is_a_404(client, lead, catalogue):
    foreign = AssessmentFactory()
    client.force_login(lead)

    web = client.get(reverse("procurement:assessment-export", args=[foreign.pk, "csv"]))
    api = api_client(lead).get(f"/api/v1/assessments/{foreign.pk}/export/csv/")

    assert (web.status_code, api.status_code) == (404, 404)


def test_anonymous_users_get_no_export(client, assessment):
    web = client.get(
        reverse("procurement:assessment-export", args=[assessment.pk, "json"])
    )
    api = APIClient().get(f"/api/v1/assessments/{assessment.pk}/export/json/")

    assert web.status_code == 302
    assert api.status_code == 401


def test_an_unknown_format_is_a_404(client, viewer, assessment):
    client.force_login(viewer)

    web = client.get(f"/assessments/{assessment.pk}/export/rtf/")
    api = api_client(viewer).get(f"/api/v1/assessments/{assessment.pk}/export/rtf/")

    assert (web.status_code, api.status_code) == (404, 404)


def test_the_export_follows_the_users_language(client, viewer, assessment):
    client.force_login(viewer)
    client.cookies["django_language"] = "fr"

    response = client.get(
        reverse("procurement:assessment-export", args=[assessment.pk, "csv"])
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "Critère" in " ".join(rows[0]) or "critère" in " ".join(rows[0])


def test_csv_download_escapes_formulas(client, viewer, assessment):
    client.force_login(viewer)

    response = client.get(
        reverse("procurement:assessment-export", args=[assessment.pk, "csv"])
    )

    assert "'=HYPERLINK(evil)" in response.content.decode("utf-8-sig")


def test_pdf_unavailable_is_a_message_on_the_page_not_a_500(
    client, viewer, assessment, monkeypatch
):
    def missing_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "import_module", missing_pango)
    client.force_login(viewer)

    response = client.get(
        reverse("procurement:assessment-export", args=[assessment.pk, "pdf"]),
        follow=True,
    )

    assert response.status_code == 200
    assert "PDF export is not available" in response.content.decode()


def test_pdf_unavailable_fails_the_job_with_the_reason_in_the_api(
    viewer, assessment, monkeypatch
):
    def missing_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "import_module", missing_pango)

    response = api_client(viewer).get(
        f"/api/v1/assessments/{assessment.pk}/export/pdf/"
    )

    assert response.status_code == 202
    assert response.json()["status"] == "failed"
    assert "PDF export is not available" in response.json()["error"]


@pytest.mark.parametrize(("fmt", "content_type"), FORMATS.items())
def test_api_exports_both_kinds_in_every_format(viewer, assessment, fmt, content_type):
    client = api_client(viewer)

    scorecard = api_download(
        client, f"/api/v1/assessments/{assessment.pk}/export/{fmt}/"
    )
    report = api_download(
        client, f"/api/v1/procurements/{assessment.procurement.pk}/export/{fmt}/"
    )

    assert (scorecard.status_code, report.status_code) == (200, 200)
    assert scorecard["Content-Type"] == report["Content-Type"] == content_type


def test_api_export_accepts_a_binary_accept_header(viewer, assessment):
    response = api_download(
        api_client(viewer),
        f"/api/v1/assessments/{assessment.pk}/export/pdf/",
        HTTP_ACCEPT="application/pdf",
    )

    assert response.status_code == 200
    assert response.body.startswith(b"%PDF")


def test_reference_cases_can_be_exported_by_anyone(client, viewer, catalogue):
    reference = seed_reference_cases().reference_cases[0]
    client.force_login(viewer)

    response = client.get(
        reverse("procurement:assessment-export", args=[reference.pk, "json"])
    )

    assert json.loads(response.content)["scorecard"]["global_score"] == float(
        reference.global_score
    )


def test_organisations_endpoint_lists_mine_with_my_role(
    viewer, organisation, catalogue
):
    member(ProcurementFactory().organisation, Membership.Role.LEAD)

    response = api_client(viewer).get("/api/v1/organisations/")

    assert [(o["name"], o["role"]) for o in response.json()["results"]] == [
        (organisation.name, "viewer")
    ]


def test_a_lead_exports_all_of_the_organisations_data(client, catalogue):
    organisation = seed_demo().organisation
    lead = organisation.memberships.get(role="lead").user
    client.force_login(lead)

    web = client.get(
        reverse("procurement:organisation-export", args=[organisation.pk]),
        follow=True,
    )
    api = api_download(
        api_client(lead), f"/api/v1/organisations/{organisation.pk}/export/"
    )

    def document(content: bytes) -> dict:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return json.loads(archive.read("organisation.json"))

    assert web["Content-Type"] == "application/zip"
    assert document(web.getvalue())["organisation"]["name"] == "Demo Ministry"
    assert len(document(api.body)["assessments"]) == 3


def test_only_a_lead_exports_the_organisations_data(client, viewer, organisation):
    client.force_login(viewer)

    web = client.get(reverse("procurement:organisation-export", args=[organisation.pk]))
    api = api_client(viewer).get(f"/api/v1/organisations/{organisation.pk}/export/")

    assert (web.status_code, api.status_code) == (403, 403)


def test_page_api_exports_and_engine_show_the_same_numbers(client, viewer, assessment):
    engine = assessment.scorecard()
    client.force_login(viewer)
    client.cookies["django_language"] = "en"

    page = client.get(assessment.get_absolute_url()).content.decode()
    api = (
        api_client(viewer).get(f"/api/v1/assessments/{assessment.pk}/scorecard/").json()
    )
    exported = json.loads(
        client.get(
            reverse("procurement:assessment-export", args=[assessment.pk, "json"])
        ).content
    )["scorecard"]
    ranking = (
        api_client(viewer)
        .get(f"/api/v1/procurements/{assessment.procurement.pk}/ranking/")
        .json()
    )

    assert f"{engine.global_score}" in page and f"{engine.global_score_claimed}" in page
    assert (api["global_score"], api["global_score_claimed"], api["trust_level"]) == (
        float(engine.global_score),
        float(engine.global_score_claimed),
        engine.trust_level,
    )
    assert (
        exported["global_score"],
        exported["trust_level"],
        exported["eligible"],
    ) == (
        float(engine.global_score),
        engine.trust_level,
        engine.eligible,
    )
    assert [p["score"] for p in api["pillars"]] == [
        float(p.score) for p in engine.pillars
    ]
    assert [p["score"] for p in exported["pillars"]] == [
        float(p.score) for p in engine.pillars
    ]
    for pillar in engine.pillars:
        assert f"{pillar.score}" in page
    rows = ranking["eligible"] + ranking["excluded"]
    assert [r["global_score"] for r in rows] == [float(engine.global_score)]
