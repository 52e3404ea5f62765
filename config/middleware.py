"""Project-wide middleware: HTTP headers that Django 5.2 does not set by
itself, and requests refused before any view sees them."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config import errors

# Everything comes from this origin: no CDN, web font, script or image from
# outside. Inline styles stay allowed because Swagger UI sets them at run time;
# inline scripts do not.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def content_security_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Add a same-origin Content-Security-Policy to every response."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return middleware


def private_responses(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Forbid any cache to keep a response to a signed-in user or a token.

    Pages, API answers and downloads (the organisation's full export among
    them) must not be stored by a browser or a shared proxy.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            response.headers["Cache-Control"] = "private, no-store"
        return response

    return middleware


def refuse_nul_bytes(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A NUL byte in a query parameter is a 400, before any view sees it.

    No text we store or search may contain one (PostgreSQL refuses them);
    refusing them here saves every filter from a 500.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return errors.bad_request(request, ValueError("NUL byte in query"))
        return get_response(request)

    return middleware
