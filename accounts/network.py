"""Where a request comes from, behind the configured number of proxies.

One rule for the login lockout, the API throttles (DRF's ``NUM_PROXIES`` is
set from the same ``TRUSTED_PROXY_COUNT``) and the logs: with N trusted
proxies in front, the client is the N-th address from the right of
``X-Forwarded-For``; the addresses further left were written by the client
and are not believed. With no proxy the header is ignored.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the last trusted proxy saw it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addresses:
        return remote
    return addresses[-min(count, len(addresses))]
