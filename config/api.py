"""The REST API's one router (/api/v1/), its token login and its error handling.

Resources live in ``procurement/api/``; here they are wired to URLs, next
to the schema, the docs (Swagger UI from drf-spectacular-sidecar's static
files, nothing from a CDN) and the project-wide exception handler. There is
no ReDoc page: its template loads Google Fonts, which our CSP and our
"nothing from outside" rule forbid.
"""

import copy

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from accounts import security_log
from accounts.api import ApiTokenViewSet, TokenView
from config import errors
from procurement import exports
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
from procurement.api.jobs import media_type
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


@csrf_exempt  # it changes nothing, and a POST must get the 404 problem too
def not_found(request):
    """Any other URL under /api/v1/ ending in a slash: the API's 404 problem,
    not Django's HTML page (e.g. /api/v1/assessments/0.5/)."""
    return errors.problem_response(404, "not_found", _("Not found."))


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
    """Every error of DRF's views as a problem (RFC 9457, see config.errors).

    Besides DRF's own: Django ValidationErrors (from models and services)
    are 400s, a body over Django's upload limit a 413 (not Django's HTML
    400), a stale assessment version a 409 that says the current version and
    the criteria in conflict, and a change to a closed procurement a 409.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            _(
                "The request body is larger than %(limit)d bytes "
                "(DATA_UPLOAD_MAX_MEMORY_SIZE); nothing was saved."
            )
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, StaleAssessment):
        body = errors.problem(
            409,
            "stale_version",
            str(exc),
            current_version=exc.current_version,
            criteria=exc.criteria,
        )
        return Response(body, status=409, content_type=errors.MEDIA_TYPE)
    if isinstance(exc, ProcurementClosed):
        body = errors.problem(409, "procurement_closed", str(exc))
        return Response(body, status=409, content_type=errors.MEDIA_TYPE)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a 500: Django's handler500, config.errors.server_error
    if response.status_code in (403, 404):
        security_log.access_denied(context["request"], response.status_code)
    response.data = as_problem(exc, response.status_code)
    response.content_type = errors.MEDIA_TYPE
    return response


def as_problem(exc: exceptions.APIException, status_code: int) -> dict:
    """The problem document of one of DRF's exceptions."""
    if not isinstance(exc, exceptions.ValidationError):
        code = exc.get_codes()
        if not isinstance(code, str):  # a detail given as a list or dict
            code, detail = exc.default_code, exc.default_detail
        else:
            detail = exc.detail
        return errors.problem(status_code, code, detail)
    found = list(field_errors(exc.detail))
    if not found:
        detail = _("Invalid input.")
    elif len(found) == 1:
        detail = found[0]["detail"]
    else:
        detail = _("%(count)d values are invalid; see errors.") % {"count": len(found)}
    return errors.problem(status_code, "invalid", detail, errors=found)


def field_errors(detail, pointer=""):
    """Flatten DRF's nested error detail into ``{pointer, code, detail}``.

    DRF keys errors by field name, by index for a list (a dict of indexes
    for a ListSerializer, a list aligned with the one sent for a ListField,
    ``{}`` for a valid item) and uses ``non_field_errors`` for an object as
    a whole, which is the object's own pointer here.
    """
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS):
                yield from field_errors(value, pointer)
            else:
                token = str(key).replace("~", "~0").replace("/", "~1")
                yield from field_errors(value, f"{pointer}/{token}")
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            for item in detail:
                yield from field_errors(item, pointer)
        else:
            for index, item in enumerate(detail):
                yield from field_errors(item, f"{pointer}/{index}")
    else:
        yield {
            "pointer": pointer,
            "code": getattr(detail, "code", None) or "invalid",
            "detail": str(detail),
        }


# The problems every operation can answer with, documented once (components
# that every operation reuses) so that the schema lists every status code a
# client (or a fuzzer) may meet, all as application/problem+json.
def _text(description: str) -> dict:
    return {"type": "string", "description": description}


PROBLEM_PROPERTIES = {
    "type": _text("A URI naming the kind of problem (from `code`)."),
    "title": _text("The status in words (Accept-Language)."),
    "status": {"type": "integer", "description": "The HTTP status code."},
    "detail": _text("What went wrong and what to do, in words (Accept-Language)."),
    "code": _text(
        "What went wrong, for a program: stable, never translated "
        "(`not_found`, `invalid`, `stale_version`, `precondition_failed`...)."
    ),
}
PROBLEM = {
    "type": "object",
    "description": "An error (RFC 9457 problem details).",
    "properties": PROBLEM_PROPERTIES,
    "required": list(PROBLEM_PROPERTIES),
}
FIELD_ERROR = {
    "type": "object",
    "properties": {
        "pointer": _text(
            "JSON pointer to the value at fault in the body sent "
            "(`/answers/3/level`), or to the query parameter "
            "(`/page_size`); empty for the request as a whole."
        ),
        "code": _text("Stable, never translated (`required`, `unique`...)."),
        "detail": _text("In words (Accept-Language)."),
        "sheet": _text("For a refused XLSX grid: the sheet at fault."),
        "cell": _text("For a refused XLSX grid: the cell at fault (`G5`)."),
    },
    "required": ["pointer", "code", "detail"],
}
VALIDATION_PROBLEM = {
    **PROBLEM,
    "description": "A refused request: code `invalid` with one entry in "
    "`errors` per value at fault (or `bad_request`, `parse_error`).",
    "properties": {
        **PROBLEM_PROPERTIES,
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/FieldError"},
        },
    },
}
CONFLICT_PROBLEM = {
    **PROBLEM,
    "description": "Nothing was saved: `stale_version` (someone saved since "
    "the version you sent: `current_version`, and the `criteria` you both "
    "changed) or `procurement_closed`.",
    "properties": {
        **PROBLEM_PROPERTIES,
        "current_version": {"type": "integer"},
        "criteria": {"type": "array", "items": {"type": "string"}},
        "job_status": {
            "type": "string",
            "description": "An export job's status, when its file is not ready.",
        },
    },
}
SCHEMAS = {
    "Problem": PROBLEM,
    "FieldError": FIELD_ERROR,
    "ValidationProblem": VALIDATION_PROBLEM,
    "ConflictProblem": CONFLICT_PROBLEM,
}


def _response(description: str, status_code: str) -> dict:
    schema = {"400": "ValidationProblem", "409": "ConflictProblem"}.get(
        status_code, "Problem"
    )
    return {
        "description": description,
        "content": {
            errors.MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        },
    }


def document_errors(result, generator, request, public):
    """Add the handler's problems to every operation of the schema."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for url, operations in result["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            added = {}
            security = operation.get("security", [])
            if security and {} not in security:
                added["401"] = "Not authenticated."
                added["403"] = "Your role does not allow this, or a reference case."
            if "{" in url:
                added["404"] = "Not found, or not one of your organisation's."
            if method in ("post", "put", "patch"):
                added["400"] = "Invalid input."
                added["413"] = "Request body too large."
                added["415"] = "Send application/json."
            if any(p["name"] == "page" for p in operation.get("parameters", [])):
                added["400"] = "Invalid filter, ordering, page or page size."
            # Any request whose query holds a NUL byte is refused before the
            # view (config.middleware), whatever the operation.
            added.setdefault("400", "Refused: a NUL byte, or the reason.")
            for code, description in added.items():
                responses.setdefault(code, {"description": description})
            # Every error, added here or declared by the view, is a problem.
            for code, response in responses.items():
                if int(code) >= 400:
                    responses[code] = _response(response["description"], code)
    _drop_unused_schemas(result)
    return result


def _drop_unused_schemas(result) -> None:
    """Remove the components that only views' own error shapes used."""
    schemas = result["components"]["schemas"]
    prefix = "#/components/schemas/"

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and value.startswith(prefix):
                    yield value[len(prefix) :]
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    used, todo = set(), list(refs(result["paths"]))
    while todo:
        name = todo.pop()
        if name not in used and name in schemas:
            used.add(name)
            todo.extend(refs(schemas[name]))
    for name in list(schemas):
        if name not in used:
            del schemas[name]


def document_strict_input(result, generator, request, public):
    """Say in the schema that a request body takes no other field
    (``additionalProperties: false``): config.rest.StrictInput refuses them."""
    schemas = result.get("components", {}).get("schemas", {})
    prefix = "#/components/schemas/"
    todo = []
    for operations in result["paths"].values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                todo.append(content.get("schema", {}))
    seen = set()
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref", "")
        if ref.startswith(prefix):
            name = ref[len(prefix) :]
            if name not in seen and name in schemas:
                seen.add(name)
                todo.append(schemas[name])
            continue
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        todo.extend(node.values())
    return result


def document_export_formats(result, generator, request, public):
    """One operation per export format: ``.../export/pdf/``, ``.../csv/``...

    The export actions take the format in their path; documented as one
    operation, a 200 would carry several media types and a generated client
    would read every file one way (the PDF as text, the JSON as a string).
    Each format's operation answers only its own media type (or 202, a job).
    """
    for url in [url for url in result["paths"] if "/export/{fmt}/" in url]:
        operations = result["paths"].pop(url)
        for fmt in exports.FORMATS:
            result["paths"][url.replace("{fmt}", fmt)] = {
                method: _for_format(operation, fmt)
                for method, operation in operations.items()
            }
    return result


def _for_format(operation: dict, fmt: str) -> dict:
    operation = copy.deepcopy(operation)
    operation["operationId"] = f"{operation['operationId']}_{fmt}"
    operation["summary"] = f"{operation.get('summary', '')} ({fmt.upper()})".strip()
    operation["parameters"] = [
        p for p in operation.get("parameters", []) if p["name"] != "fmt"
    ]
    responses = operation["responses"]
    wanted = media_type(fmt)
    files = {
        media: content
        for media, content in responses.get("200", {}).get("content", {}).items()
        if media == wanted
    }
    if files:
        responses["200"]["content"] = files
        responses.pop("202", None)
    else:  # made in the background: a job
        responses.pop("200", None)
    return operation
