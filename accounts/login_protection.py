"""The per-username slow-down that completes django-axes' lockout.

django-axes locks a username *from one address* after
``AXES_FAILURE_LIMIT`` failures, on every way in (login form, admin, API
token), since all of them go through ``authenticate()``. A stranger can
therefore not lock a user out for everyone. What axes does not do is slow
down a guesser who spreads attempts over many addresses: past
``LOGIN_SLOWDOWN_AFTER`` failures on one username (from anywhere, within
``LOGIN_SLOWDOWN_WINDOW`` seconds), that username accepts one attempt per
``LOGIN_SLOWDOWN_SECONDS``; the others are refused unchecked. Its owner is
slowed, never locked out. Counters live in the default cache, shared by
every process in production.
"""

import hashlib

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from config.errors import problem_response


def _digest(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


def failures_key(username: str) -> str:
    """The cache key of a username's recent failures from every address."""
    return f"login-user-failures:{_digest(username)}"


def is_slowed_down(username: str) -> bool:
    """Whether this username has failed often enough to be slowed down."""
    return cache.get(failures_key(username), 0) >= settings.LOGIN_SLOWDOWN_AFTER


class UsernameSlowDownBackend:
    """An authentication backend that refuses attempts beyond one per
    interval on a username under attack; it never logs anyone in.

    It has no ``get_user()``, so sessions and ``force_login`` skip it."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ) -> None:
        """Let the attempt through to the next backend, or refuse it."""
        if not username or not is_slowed_down(username):
            return None
        slot = f"login-user-slot:{_digest(username)}"
        if cache.add(slot, 1, settings.LOGIN_SLOWDOWN_SECONDS):
            return None
        if request is not None:
            request.login_slowed_down = True
        raise PermissionDenied("Too many attempts on this username; slowed down.")


@receiver(user_login_failed)
def count_failure(sender, credentials: dict, request=None, **kwargs) -> None:
    """Count a failure against the username, unless it was refused unchecked."""
    username = credentials.get("username")
    if not username or getattr(request, "login_slowed_down", False):
        return
    key = failures_key(username)
    if not cache.add(key, 1, settings.LOGIN_SLOWDOWN_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, settings.LOGIN_SLOWDOWN_WINDOW)


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """Axes' answer to a locked-out attempt: JSON under /api/, a page elsewhere."""
    message = _(
        "Too many failed attempts from your address. Wait 15 minutes, then try again."
    )
    if request.path.startswith("/api/"):
        return problem_response(429, "locked_out", message)
    return render(
        request, "registration/locked_out.html", {"message": message}, status=429
    )


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout, for the logins that come with a request.

    Every way in over HTTP (login form, admin, API token) passes its request;
    a call without one (the shell, a test client's ``login()``) has no
    address to count by, and goes straight to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
