"""/healthz and /readyz: no login, no detail; /readyz fails when the
database, the cache or the task queue does not answer."""

import pytest
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from operations import checks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthz_answers_without_a_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_answers_when_every_service_does(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content == b"ok"


def _database_down(monkeypatch, settings):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(checks.connection, "cursor", refuse)


def _cache_down(monkeypatch, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }


def _queue_down(monkeypatch, settings):
    def refuse(self):
        raise OperationalError("relation does not exist")

    monkeypatch.setattr(type(DBTaskResult.objects.all()), "ready", refuse)


@pytest.mark.parametrize("break_it", [_database_down, _cache_down, _queue_down])
def test_readyz_is_a_503_without_detail_when_a_service_is_down(
    client, monkeypatch, settings, break_it
):
    break_it(monkeypatch, settings)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.content == b"unavailable"


def test_probes_are_not_redirected_to_https(settings):
    assert "healthz" in str(settings.SECURE_REDIRECT_EXEMPT)
    assert "readyz" in str(settings.SECURE_REDIRECT_EXEMPT)
