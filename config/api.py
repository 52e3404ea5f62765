"""The REST API's one router (/api/v1/), its token login and its error handling.

Resources live in ``procurement/api/``; here they are wired to URLs, next
to the schema, the docs (Swagger UI from drf-spectacular-sidecar's static
files, nothing from a CDN) and the project-wide exception handler. There is
no ReDoc page: its template loads Google Fonts, which our CSP and our
"nothing from outside" rule forbid.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from accounts import security_log
from accounts.api import ApiTokenViewSet, TokenView
from procurement.api import (
    AssessmentViewSet,
    CatalogueViewSet,
    ExportJobViewSet,
    FileViewSet,
    InvitationViewSet,
    OfferViewSet,
    OrganisationViewSet,
    ProcurementViewSet,
    ProviderViewSet,
)
from procurement.services import ProcurementClosed, StaleAssessment
from webhooks.api import EndpointViewSet

app_name = "api"


router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("catalogues", CatalogueViewSet, basename="catalogue")
router.register("providers", ProviderViewSet, basename="provider")
router.register("offers", OfferViewSet, basename="offer")
router.register("procurements", ProcurementViewSet, basename="procurement")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("export-jobs", ExportJobViewSet, basename="export-job")
router.register("files", FileViewSet, basename="file")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
router.register("webhooks", EndpointViewSet, basename="webhook")


@csrf_exempt  # it changes nothing, and a POST must get the JSON 404 too
def not_found(request):
    """Any other URL under /api/v1/ ending in a slash: a JSON 404 like the
    API's own, not Django's HTML page (e.g. /api/v1/assessments/0.5/)."""
    return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)


urlpatterns = [
    *router.urls,
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"
    ),
    # Last, and only for paths ending in "/", so that CommonMiddleware still
    # redirects /api/v1/assessments to /api/v1/assessments/.
    re_path(r"^.*/$", not_found),
]


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def exception_handler(exc, context):
    """DRF's handler, plus: Django ValidationErrors (from models) are 400s, a
    body over Django's upload limit a JSON 413 (not Django's HTML 400), a
    stale assessment version a 409 that says the current version and the
    criteria in conflict, and a change to a closed procurement a 409."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            _(
                "The request body is larger than %(limit)d bytes "
                "(DATA_UPLOAD_MAX_MEMORY_SIZE); nothing was saved."
            )
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    if isinstance(exc, StaleAssessment):
        return Response(
            {
                "detail": str(exc),
                "current_version": exc.current_version,
                "criteria": exc.criteria,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ProcurementClosed):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code in (403, 404):
        security_log.access_denied(context["request"], response.status_code)
    return response


# The errors every operation can answer with, documented once so that the
# schema lists every status code a client (or a fuzzer) may meet.
ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": str(
        _(
            "What is wrong, by field name: a list of messages, or for a list "
            "of objects (such as answers) a list of such objects aligned with "
            "the one sent; `detail` or `non_field_errors` for the whole request."
        )
    ),
    "additionalProperties": {},
}


def _response(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        },
    }


def document_errors(result, generator, request, public):
    """Add the handler's error responses to every operation of the schema."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas["FieldErrors"] = FIELD_ERRORS
    for url, operations in result["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            added = {}
            security = operation.get("security", [])
            if security and {} not in security:
                added["401"] = _response("Error", "Not authenticated.")
                added["403"] = _response(
                    "Error", "Your role does not allow this, or a reference case."
                )
            if "{" in url:
                added["404"] = _response(
                    "Error", "Not found, or not one of your organisation's."
                )
            if method in ("post", "put", "patch"):
                added["400"] = _response("FieldErrors", "Invalid input.")
                added["413"] = _response("Error", "Request body too large.")
                added["415"] = _response("Error", "Send application/json.")
            if any(p["name"] == "page" for p in operation.get("parameters", [])):
                added["400"] = _response("FieldErrors", "Invalid filter value.")
                added["404"] = _response("Error", "Invalid page.")
            # Any request whose query holds a NUL byte is refused before the
            # view (accounts.middleware), whatever the operation.
            added.setdefault(
                "400", _response("FieldErrors", "Refused: a NUL byte, or the reason.")
            )
            for code, response in added.items():
                responses.setdefault(code, response)
    return result
