"""Probes for load balancers and orchestrators: no login, no detail."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from operations.checks import failing_services


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """The database, the cache and the task queue answer; why not is logged."""
    if failing_services():
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
