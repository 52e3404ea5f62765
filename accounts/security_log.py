"""The security log: one structured line per event that an auditor asks
about, with the user, the client's address and the request id.

Lines go to the ``security`` logger, which settings format as JSON.
"""

import logging

from django.http import HttpRequest

from accounts.network import client_address

logger = logging.getLogger("security")


def record(event: str, request: HttpRequest | None, **fields) -> None:
    """Write one security event with who and where."""
    user = getattr(request, "user", None) if request is not None else None
    username = fields.pop("username", None)
    if username is None and user is not None and user.is_authenticated:
        username = user.get_username()
    logger.info(
        event,
        extra={
            "event": event,
            "user": username,
            "client": client_address(request) if request is not None else None,
            **fields,
        },
    )


def token_created(request: HttpRequest, token) -> None:
    record(
        "token_created",
        request,
        username=token.user.get_username(),
        token=token.prefix,
        scope=token.scope,
    )


def token_revoked(request: HttpRequest, token) -> None:
    record(
        "token_revoked", request, username=token.user.get_username(), token=token.prefix
    )
