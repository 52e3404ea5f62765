"""The project's error views: JSON under /api/, Django's pages elsewhere.

A client of the API must never have to parse an HTML page, whatever went
wrong: an unknown path (even one DRF's router cannot match, such as one
with a newline), an exception, the database gone.
"""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from accounts import security_log


def is_api(request: HttpRequest) -> bool:
    """Whether the request is for the API, which answers only JSON."""
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 400: JSON under /api/."""
    if is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 403: JSON under /api/; in the security log."""
    security_log.access_denied(request, 403)
    if is_api(request):
        return JsonResponse(
            {"detail": _("You do not have permission to perform this action.")},
            status=403,
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 404: JSON under /api/; in the security log for a signed-in user."""
    security_log.access_denied(request, 404)
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    """An API path that names nothing: the same JSON 404 as the handler's."""
    return page_not_found(request, Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500 (the database down, a bug): JSON under /api/."""
    if is_api(request):
        return JsonResponse({"detail": _("Server error; try again later.")}, status=500)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused CSRF check: JSON under /api/, Django's page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": _("CSRF check failed.")}, status=403)
    from django.views.csrf import csrf_failure as page

    return page(request, reason=reason)
