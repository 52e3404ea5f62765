"""The security log: logins, failures, lockouts, tokens, 403s and 404s as
JSON lines with the user, the client's address and the request id; the
request id in every line and in the X-Request-ID header."""

import io
import json
import logging

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import create_token
from config.logging import JsonFormatter, RequestIdFilter
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """The JSON lines written to the root logger during the test, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def events(lines, name):
    return [line for line in lines if line.get("event") == name]


def login(client, user, password, address="203.0.113.5"):
    return client.post(
        reverse("login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR=address,
    )


def test_a_failed_login_is_logged_with_user_address_and_request_id(
    client, lead, log_lines
):
    response = login(client, lead, "wrong")

    (line,) = events(log_lines(), "login_failed")
    assert line["user"] == lead.username
    assert line["client"] == "203.0.113.5"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["logger"] == "security"


def test_a_successful_login_is_logged(client, lead, log_lines):
    login(client, lead, "secret-password")

    (line,) = events(log_lines(), "login_succeeded")
    assert line["user"] == lead.username
    assert line["client"] == "203.0.113.5"


def test_a_lockout_is_logged(client, lead, log_lines):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, lead, "wrong")

    assert events(log_lines(), "locked_out")[0]["user"] == lead.username


def test_token_creation_and_revocation_are_logged(lead, log_lines):
    created = APIClient().post(
        reverse("api:token"), {"username": lead.username, "password": "secret-password"}
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {created.json()['token']}")
    api.delete(reverse("api:token"))

    lines = log_lines()
    assert events(lines, "token_created")[0]["token"] == created.json()["prefix"]
    assert events(lines, "token_revoked")[0]["user"] == lead.username


def test_a_403_is_logged(viewer, log_lines):
    api = APIClient()
    api.force_authenticate(viewer)

    api.post("/api/v1/providers/", {"name": "Delta"})

    (line,) = events(log_lines(), "forbidden")
    assert line["user"] == viewer.username
    assert line["path"] == "/api/v1/providers/"


def test_another_organisations_object_is_logged_as_a_404(client, lead, log_lines):
    theirs = ProviderFactory()
    client.force_login(lead)

    client.get(reverse("procurement:provider-detail", args=[theirs.pk]))
    APIClient().get(f"/api/v1/providers/{theirs.pk}/")  # anonymous: a 401

    (line,) = events(log_lines(), "not_found")
    assert line["user"] == lead.username
    assert line["status"] == 404


def test_every_response_has_a_request_id(client):
    first = client.get(reverse("login"))
    second = client.get(reverse("login"))

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get(reverse("login"), HTTP_X_REQUEST_ID="edge-1234abcd")
    replaced = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>\n")

    assert kept["X-Request-ID"] == "edge-1234abcd"
    assert replaced["X-Request-ID"] != "<script>\n"


def test_every_log_line_of_a_request_carries_its_id(client, lead, log_lines):
    client.force_login(lead)

    response = client.get("/nothing/")

    lines = [line for line in log_lines() if line["logger"] == "django.request"]
    assert lines
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}


def test_a_token_in_use_is_never_logged(lead, log_lines):
    _, key = create_token(lead, name="t")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    api.get("/api/v1/nothing/")
    api.delete(reverse("api:token"))

    assert key not in json.dumps(log_lines())
