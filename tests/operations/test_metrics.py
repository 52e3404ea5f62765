"""Prometheus metrics: off by default, and when on only for the scraper's
token, with requests, latencies, errors and the export queue's depth."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TOKEN = "scrape-" + "s" * 40


def test_metrics_are_off_by_default(client, settings):
    assert settings.METRICS_ENABLED is False

    assert (
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404
    )


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_prometheus"]
    settings.MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *settings.MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]


def test_metrics_need_the_scrapers_token(metrics_on):
    client = Client()

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_metrics_count_requests_latency_errors_and_the_queue(metrics_on):
    client = Client()
    client.get("/healthz")
    client.get("/nothing/")

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    text = response.content.decode()
    assert response.status_code == 200
    assert "django_http_requests_total_by_view_transport_method_total" in text
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert 'django_http_responses_total_by_status_total{status="404"}' in text
    assert "scorecard_task_queue_depth 0.0" in text
