"""What every response obeys, whatever the view: nothing signed-in is
cacheable, a NUL byte in the query is a 400, every error under /api/ is
JSON, and production refuses the example's secret key."""

import json

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import create_token
from config.errors import csrf_failure
from procurement.api import ProviderViewSet
from procurement.models import Provider
from tests.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db


# Cache-Control ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/providers/", "/procurements/", "/api/v1/providers/", "/api/v1/nothing/"],
)
def test_a_signed_in_response_is_private_and_not_stored(client, lead, path):
    client.force_login(lead)

    response = client.get(path)

    assert response["Cache-Control"] == "private, no-store"


def test_a_token_response_is_private_and_not_stored(lead):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_token(lead, name='t')[1]}")

    response = api.get("/api/v1/providers/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_organisation_export_download_is_not_stored(client, lead):
    client.force_login(lead)
    organisation = lead.memberships.get().organisation

    response = client.get(
        reverse("procurement:organisation-export", args=[organisation.pk])
    )

    assert response["Cache-Control"] == "private, no-store"


# NUL bytes --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/providers/?q=%00",
        "/procurements/?q=%00",
        "/providers/?page=1&q=a%00b",
        "/?x%00=1",
    ],
)
def test_a_nul_byte_in_the_query_is_a_400(client, lead, path):
    client.force_login(lead)

    response = client.get(path)

    assert response.status_code == 400


def test_a_nul_byte_in_an_api_query_is_a_json_400(lead):
    api = APIClient()
    api.force_authenticate(lead)

    response = api.get("/api/v1/providers/?search=%00")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


# Problems (RFC 9457) under /api/ -------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing%0A/", "/api/v1/nothing", "/api/nothing/", "/api/v2/x/"]
)
def test_any_unknown_api_path_is_a_small_json_404(lead, path):
    api = APIClient()
    api.force_authenticate(lead)

    response = api.get(path, follow=True)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert len(response.content) < 200


def test_an_unknown_page_outside_the_api_is_still_html(client, lead):
    client.force_login(lead)

    response = client.get("/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_database_down_is_a_json_500_under_the_api(lead, monkeypatch):
    def database_down(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(ProviderViewSet, "get_queryset", database_down)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(lead)

    response = api.get("/api/v1/providers/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:cloud-of-trust:problem:server_error",
        "title": "Server error",
        "status": 500,
        "detail": "Server error; try again later.",
        "code": "server_error",
    }


def test_a_server_error_outside_the_api_is_an_html_page(lead, monkeypatch):
    def database_down(self, user):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(Provider.objects.all()), "visible_to", database_down)
    client = Client(raise_request_exception=False)
    client.force_login(lead)

    response = client.get("/providers/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


# the secret key -----------------------------------------------------------------


@pytest.mark.parametrize("key", ["change-me", "a" * 49])
def test_production_refuses_the_example_or_a_short_secret_key(key):
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": key})

    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_development_accepts_a_short_secret_key():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": "change-me", "DJANGO_DEBUG": "true"}

    assert manage("check", **env).returncode == 0


@pytest.mark.django_db
def test_an_unknown_api_path_is_json_with_debug_on_too(client, settings):
    settings.DEBUG = True

    response = client.get("/api/v1/nothing%0A/answers/%C3%88/files/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_a_post_to_an_unknown_api_path_without_csrf_is_a_json_404(lead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)

    response = client.post("/api/v1/nowhere/%0B/", {"file": ""})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_refused_csrf_check_under_api_is_json(rf):
    response = csrf_failure(rf.post("/api/v1/offers/"), reason="no token")

    assert (response.status_code, response["Content-Type"]) == (
        403,
        "application/problem+json",
    )
    assert json.loads(response.content)["code"] == "csrf_failed"
