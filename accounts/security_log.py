"""The security log: one structured line per event that an auditor asks
about, with the user, the client's address and the request id.

Lines go to the ``security`` logger, which settings format as JSON with
the request id (config/logging.py). Logins, failures and lockouts come from
Django's and django-axes' signals, so every way in is logged alike.
"""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
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


def access_denied(request: HttpRequest, status: int) -> None:
    """A 403, or a 404 of a signed-in user (another organisation's object
    looks exactly like a missing one, on purpose)."""
    user = getattr(request, "user", None)
    if status == 404 and not (user is not None and user.is_authenticated):
        return
    record(
        "forbidden" if status == 403 else "not_found",
        request,
        path=request.path,
        method=request.method,
        status=status,
    )


@receiver(user_logged_in)
def login_succeeded(sender, request, user, **kwargs) -> None:
    record(
        "login_succeeded",
        request,
        username=user.get_username(),
        path=getattr(request, "path", None),
    )


@receiver(user_login_failed)
def login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    record(
        "login_failed",
        request,
        username=credentials.get("username", ""),
        path=getattr(request, "path", None),
        slowed_down=getattr(request, "login_slowed_down", False),
    )


@receiver(user_locked_out)
def locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    record(
        "locked_out", request, username=username, path=getattr(request, "path", None)
    )
