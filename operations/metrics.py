"""Prometheus metrics, off unless METRICS_ENABLED: django-prometheus counts
requests, latencies and errors (its middleware); we add the depth of the
export queue. They are served at /metrics to a scraper that sends
METRICS_TOKEN, or on a port of their own (METRICS_PORT)."""

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client.core import REGISTRY, GaugeMetricFamily


class QueueDepthCollector:
    """The number of export jobs waiting for a worker, read at each scrape."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        yield GaugeMetricFamily(
            "scorecard_task_queue_depth",
            "Background jobs queued and not yet taken by a worker.",
            value=DBTaskResult.objects.ready().count(),
        )


_registered = False


def register_collectors() -> None:
    """Add our collectors to the registry once per process."""
    global _registered
    if not _registered:
        REGISTRY.register(QueueDepthCollector())
        _registered = True


def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics for a scraper with the token; a 404 for anyone else."""
    expected = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not (
        settings.METRICS_ENABLED
        and expected
        and hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    register_collectors()
    return ExportToDjangoView(request)
