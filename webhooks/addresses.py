"""Where a webhook may be sent: the checks against server-side request forgery.

An endpoint's URL is checked when a lead saves it, and its host is resolved
and checked again before every attempt; the request then goes to the very
address that was checked (``connect``), so that a DNS answer that changes
between the check and the connection cannot point it inside.

The rules:
- ``https://`` only. Plain ``http://`` is allowed to a loopback host
  (localhost, 127.0.0.1, ::1) when ``WEBHOOKS_ALLOW_LOCALHOST`` is on (it
  follows ``DEBUG``), for development and tests.
- No user name or password in the URL (it is shown on pages and logged).
- Every address the host resolves to must be public. Private networks
  (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10...) are allowed when
  ``WEBHOOKS_ALLOW_PRIVATE_NETWORKS`` is on, for a receiver inside the
  buyer's own network; loopback too then. Link-local addresses (169.254/16,
  where clouds serve their instance metadata, and fe80::/10), multicast,
  unspecified and reserved addresses are always refused.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect, and what to ask for there."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def check_url(url: str) -> None:
    """Refuse a URL webhooks may not be sent to, saying why."""
    target(url)


def target(url: str) -> Target:
    """The URL's host resolved to an address it is allowed to reach.

    Raises ``ValidationError`` with a message a lead can act on.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValidationError(
            _("This URL cannot be read (%(error)s).") % {"error": exc},
            code="invalid_url",
        ) from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError(
            _("Give a full URL starting with https://."), code="invalid_url"
        )
    if parts.username or parts.password:
        raise ValidationError(
            _(
                "Leave the user name and password out of the URL: deliveries are "
                "signed with the endpoint's secret instead."
            ),
            code="credentials_in_url",
        )
    if parts.scheme == "http" and not (
        host in LOOPBACK_NAMES and settings.WEBHOOKS_ALLOW_LOCALHOST
    ):
        raise ValidationError(
            _("Webhooks are sent over HTTPS only: the URL must start with https://."),
            code="https_required",
        )
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path, _allowed_address(host, port))


def _allowed_address(host: str, port: int) -> str:
    """The first address of the host, once every one of them is allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(
            _("The host name %(host)s could not be resolved.") % {"host": host},
            code="unresolvable_host",
        ) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    for address in addresses:
        refusal = _refusal(ipaddress.ip_address(address.split("%")[0]))
        if refusal:
            raise ValidationError(
                _("%(host)s resolves to %(address)s, %(reason)s.")
                % {"host": host, "address": address, "reason": refusal},
                code="address_not_allowed",
            )
    return addresses[0]


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why webhooks may not go to this address (empty: they may)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_global and not address.is_multicast:
        return ""
    private_allowed = settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS
    if address.is_loopback:
        if settings.WEBHOOKS_ALLOW_LOCALHOST or private_allowed:
            return ""
        return _("a loopback address (this server itself)")
    if address.is_link_local:
        return _("a link-local address, never allowed (cloud metadata lives there)")
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return _("an address that is not a host")
    if private_allowed:
        return ""
    return _(
        "an address of a private network; an administrator may allow those "
        "(WEBHOOKS_ALLOW_PRIVATE_NETWORKS)"
    )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection(
            (self._address, self.port), self.timeout, self.source_address
        )


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to an address checked beforehand; the certificate
    is still checked against the URL's host name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        sock = socket.create_connection(
            (self._address, self.port), self.timeout, self.source_address
        )
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def connect(target: Target, timeout: float) -> http.client.HTTPConnection:
    """A connection to the target's checked address (opened on first use).

    ``http.client`` follows no redirect and reads no proxy setting: a
    delivery goes where the lead said, or nowhere.
    """
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target, timeout)
    return _PinnedHTTPConnection(target, timeout)
