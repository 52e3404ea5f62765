"""The OpenAPI schema and the API docs: no warning, nothing loaded from outside."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular",
        "--file",
        str(tmp_path / "schema.yaml"),
        "--validate",
        "--fail-on-warn",
    )


def test_the_schema_documents_every_contract_path(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"))

    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())

    assert {path: sorted(schema["paths"][path]) for path in schema["paths"]} == {
        "/api/v1/assessments/": ["get", "post"],
        "/api/v1/assessments/{id}/": ["get"],
        "/api/v1/assessments/{id}/answers/": ["get", "post"],
        "/api/v1/assessments/{id}/answers/{criterion}/files/": ["get", "post"],
        "/api/v1/assessments/{id}/approve/": ["post"],
        "/api/v1/assessments/{id}/comments/": ["get", "post"],
        "/api/v1/assessments/{id}/declarations/": ["get", "post"],
        "/api/v1/assessments/{id}/declarations/{evaluator_id}/override/": ["post"],
        "/api/v1/assessments/{id}/export/csv/": ["get"],
        "/api/v1/assessments/{id}/export/json/": ["get"],
        "/api/v1/assessments/{id}/export/pdf/": ["get"],
        "/api/v1/assessments/{id}/export/odt/": ["get"],
        "/api/v1/assessments/{id}/export/docx/": ["get"],
        "/api/v1/assessments/{id}/export/xlsx/": ["get"],
        "/api/v1/assessments/{id}/grid/": ["get", "post"],
        "/api/v1/assessments/{id}/history/": ["get"],
        "/api/v1/assessments/{id}/individual-scores/": ["get"],
        "/api/v1/assessments/{id}/invitations/": ["get", "post"],
        "/api/v1/assessments/{id}/moderation/": ["get", "post"],
        "/api/v1/assessments/{id}/my-scores/": ["get", "post"],
        "/api/v1/assessments/{id}/my-scores/submit/": ["post"],
        "/api/v1/assessments/{id}/reopen/": ["post"],
        "/api/v1/assessments/{id}/scorecard/": ["get"],
        "/api/v1/assessments/{id}/submit/": ["post"],
        "/api/v1/assessments/{id}/summary/": ["put"],
        "/api/v1/assessments/{id}/withdraw/": ["post"],
        "/api/v1/auth/token/": ["delete", "post"],
        "/api/v1/auth/tokens/": ["get"],
        "/api/v1/auth/tokens/{id}/": ["delete"],
        "/api/v1/catalogues/": ["get"],
        "/api/v1/catalogues/{id}/": ["get"],
        "/api/v1/export-jobs/": ["get"],
        "/api/v1/export-jobs/{id}/": ["get"],
        "/api/v1/export-jobs/{id}/file/": ["get"],
        "/api/v1/files/{id}/": ["delete", "get"],
        "/api/v1/invitations/{id}/": ["delete"],
        "/api/v1/offers/": ["get", "post"],
        "/api/v1/offers/{id}/": ["get", "patch"],
        "/api/v1/offers/{id}/certifications/": ["post"],
        "/api/v1/offers/{id}/certifications/{certification_id}/": ["delete"],
        "/api/v1/organisations/": ["get"],
        "/api/v1/organisations/{id}/": ["get", "patch"],
        "/api/v1/organisations/{id}/export/": ["get"],
        "/api/v1/procurements/": ["get", "post"],
        "/api/v1/procurements/{id}/": ["delete", "get", "patch"],
        "/api/v1/procurements/{id}/award-criteria/": ["get", "put"],
        "/api/v1/procurements/{id}/award-marks/": ["get", "put"],
        "/api/v1/procurements/{id}/close/": ["post"],
        "/api/v1/procurements/{id}/export/csv/": ["get"],
        "/api/v1/procurements/{id}/export/json/": ["get"],
        "/api/v1/procurements/{id}/export/pdf/": ["get"],
        "/api/v1/procurements/{id}/export/odt/": ["get"],
        "/api/v1/procurements/{id}/export/docx/": ["get"],
        "/api/v1/procurements/{id}/export/xlsx/": ["get"],
        "/api/v1/procurements/{id}/history/": ["get"],
        "/api/v1/procurements/{id}/open/": ["post"],
        "/api/v1/procurements/{id}/panel/": ["get", "put"],
        "/api/v1/procurements/{id}/profile-adjustment/": ["get", "put"],
        "/api/v1/procurements/{id}/ranking/": ["get"],
        "/api/v1/procurements/{id}/repin/": ["post"],
        "/api/v1/procurements/{id}/robustness/": ["get"],
        "/api/v1/procurements/{id}/sensitivity/": ["get"],
        "/api/v1/providers/": ["get", "post"],
        "/api/v1/providers/{id}/": ["get", "patch"],
        "/api/v1/providers/{id}/facts/": ["post"],
        "/api/v1/providers/{id}/facts/{fact_id}/": ["patch"],
        "/api/v1/webhooks/": ["get", "post"],
        "/api/v1/webhooks/{id}/": ["delete", "get", "patch"],
        "/api/v1/webhooks/{id}/deliveries/": ["get"],
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend/": ["post"],
        "/api/v1/webhooks/{id}/rotate-secret/": ["post"],
    }


@pytest.mark.django_db
def test_the_schema_is_served_to_anyone(client):
    response = client.get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Cloud of Trust Scorecard API"


@pytest.mark.django_db
def test_the_docs_load_only_our_own_static_files(client):
    page = client.get(reverse("api:docs"))

    html = page.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert page.status_code == 200
    assert urls
    assert all(url.startswith("/") and not url.startswith("//") for url in urls)
    static = [
        url.removeprefix("/static/") for url in urls if url.startswith("/static/")
    ]
    assert static
    assert all(finders.find(path) for path in static)


@pytest.mark.django_db
def test_the_swagger_script_is_local_and_points_at_our_schema(client):
    page = client.get(reverse("api:docs")).content.decode()
    script_url = next(
        url.replace("&amp;", "&")
        for url in re.findall(r'<script src="([^"]*)"', page)
        if not url.startswith("/static/")
    )

    script = client.get(script_url)

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/v1/schema/"' in script.content.decode()
    assert "http://" not in script.content.decode()
    assert "https://" not in script.content.decode()


def test_each_export_format_is_its_own_operation_with_one_media_type(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"))
    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())

    def files(fmt):
        operation = schema["paths"][f"/api/v1/assessments/{{id}}/export/{fmt}/"]["get"]
        return {
            code: response["content"]
            for code, response in operation["responses"].items()
            if code < "300"
        }

    assert files("csv") == {
        "200": {"text/csv": {"schema": {"type": "string", "format": "binary"}}}
    }
    assert files("json")["200"]["application/json"]["schema"]["type"] == "object"
    assert list(files("pdf")) == ["202"]  # a job, whose file is bytes:
    job_file = schema["paths"]["/api/v1/export-jobs/{id}/file/"]["get"]["responses"]
    assert job_file["200"]["content"]["application/pdf"]["schema"] == {
        "type": "string",
        "format": "binary",
    }


def test_every_error_of_the_schema_is_a_problem(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"))
    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())

    kinds = {
        list(response["content"])[0]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for code, response in operation["responses"].items()
        if int(code) >= 400
    }

    assert kinds == {"application/problem+json"}
