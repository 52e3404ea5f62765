"""Signatures as the Standard Webhooks specification (standardwebhooks.com) has them.

A secret is ``whsec_`` and 32 random bytes in base64. A delivery carries:

- ``webhook-id``: the delivery's id, the same on every attempt and resend
  (a receiver that has seen it may skip it);
- ``webhook-timestamp``: when this attempt was signed, in Unix seconds (a
  receiver refuses one too far from its clock, which stops a replay);
- ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256, keyed with the
  secret's bytes, of ``{webhook-id}.{webhook-timestamp}.{body}``; several
  signatures separated by spaces while a rotated secret is still honoured.

``verify`` is what a receiver does; the README shows it in a dozen lines.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping

PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    pass


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature of a delivery."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(
    secrets_: Iterable[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of a delivery, signed with each secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, message_id, timestamp, body) for secret in secrets_
        ),
    }


def verify(
    secret: str, headers_: Mapping[str, str], body: bytes, *, now: float
) -> None:
    """Raise ``InvalidSignature`` unless a receiver should accept the delivery."""
    lowered = {name.lower(): value for name, value in headers_.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        signatures = lowered["webhook-signature"].split()
    except (KeyError, ValueError) as exc:
        raise InvalidSignature("missing or malformed headers") from exc
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("timestamp too old or too new")
    expected = signature(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise InvalidSignature("no matching signature")
