"""Sends a signed-in session that still owes its second factor to the page
that takes it (accounts/two_factor.py); under /api/ a 403 problem."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.two_factor import DONE, SESSION_KEY, VERIFY
from config.errors import problem_response

# What a session may reach before its second factor.
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/")


def second_factor(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Hold a session at the two-factor page until it is done."""

    def middleware(request: HttpRequest) -> HttpResponse:
        state = request.session.get(SESSION_KEY, DONE)
        if (
            state != DONE
            and request.user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return problem_response(
                    403,
                    "second_factor_required",
                    _("Finish logging in with your second factor."),
                )
            name = "verify" if state == VERIFY else "set-up"
            return redirect(reverse(f"accounts:two-factor-{name}"))
        return get_response(request)

    return middleware
