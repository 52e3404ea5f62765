"""The project's error views and the API's one error format.

Under /api/ every 4xx and 5xx is a problem details document (RFC 9457,
``application/problem+json``)::

    {"type": "urn:cloud-of-trust:problem:not_found", "title": "Not found",
     "status": 404, "detail": "No assessment matches the given query.",
     "code": "not_found"}

``code`` is stable and never translated (a client branches on it); ``title``
and ``detail`` follow the request's language. A refused input adds
``errors``, one ``{pointer, code, detail}`` per problem, where ``pointer`` is
a JSON pointer into the body sent (``/answers/3/level``; ``""`` for the
whole body). ``config.api.exception_handler`` builds the same documents for
DRF's views; the views here cover what happens outside them (an unknown
path, a refused CSRF check, an unhandled exception, the database gone).
Elsewhere the site keeps Django's pages.
"""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from accounts import security_log

MEDIA_TYPE = "application/problem+json"


# One title per status, translated (in the context "problem title", apart
# from the same words elsewhere); the ``code`` says which problem it is.
TITLES = {
    400: pgettext_lazy("problem title", "Bad request"),
    401: pgettext_lazy("problem title", "Not authenticated"),
    403: pgettext_lazy("problem title", "Forbidden"),
    404: pgettext_lazy("problem title", "Not found"),
    405: pgettext_lazy("problem title", "Method not allowed"),
    406: pgettext_lazy("problem title", "Not acceptable"),
    409: pgettext_lazy("problem title", "Conflict"),
    412: pgettext_lazy("problem title", "Precondition failed"),
    413: pgettext_lazy("problem title", "Request body too large"),
    415: pgettext_lazy("problem title", "Unsupported media type"),
    428: pgettext_lazy("problem title", "Precondition required"),
    429: pgettext_lazy("problem title", "Too many requests"),
    500: pgettext_lazy("problem title", "Server error"),
    503: pgettext_lazy("problem title", "Service unavailable"),
}


def problem_type(code: str) -> str:
    """The problem's ``type``: a stable URI named after its code."""
    return f"urn:cloud-of-trust:problem:{code}"


def problem(status: int, code: str, detail: str, **extensions) -> dict:
    """A problem details document (RFC 9457) with our ``code``."""
    title = TITLES.get(status) or (
        TITLES[500] if status >= 500 else TITLES[400]  # an unlisted status
    )
    return {
        "type": problem_type(code),
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "code": code,
        **extensions,
    }


def problem_response(status: int, code: str, detail: str, **extensions):
    """A problem as a Django response (outside DRF's views)."""
    return JsonResponse(
        problem(status, code, detail, **extensions),
        status=status,
        content_type=MEDIA_TYPE,
    )


def is_api(request: HttpRequest) -> bool:
    """Whether the request is for the API, which answers only JSON."""
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 400: a problem under /api/."""
    if is_api(request):
        return problem_response(400, "bad_request", _("Bad request."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 403: a problem under /api/; in the security log."""
    security_log.access_denied(request, 403)
    if is_api(request):
        return problem_response(
            403,
            "permission_denied",
            _("You do not have permission to perform this action."),
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 404: a problem under /api/; in the security log for a signed-in user."""
    security_log.access_denied(request, 404)
    if is_api(request):
        return problem_response(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    """An API path that names nothing: the same 404 as the handler's."""
    return page_not_found(request, Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500 (the database down, a bug): a problem under /api/."""
    if is_api(request):
        return problem_response(
            500, "server_error", _("Server error; try again later.")
        )
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused CSRF check: a problem under /api/, Django's page elsewhere."""
    if is_api(request):
        return problem_response(403, "csrf_failed", _("CSRF check failed."))
    from django.views.csrf import csrf_failure as page

    return page(request, reason=reason)
