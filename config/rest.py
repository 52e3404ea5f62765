"""DRF building blocks that ``REST_FRAMEWORK`` in settings names by path.

The parser, the paginators and the strict input of write serializers. They
must not import DRF's views (``config/api.py`` does): DRF reads these
settings while its views module is being imported, so a class defined next
to the views would import itself in a circle.
"""

import datetime
import re
from collections.abc import Mapping

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, filters, parsers, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.pagination import CursorPagination, PageNumberPagination


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; JSON nested too deep for Python is a 400, not a 500.

    The body's size is bounded before parsing: DRF reads ``request.body``,
    where Django enforces ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (a 413, see
    ``config.api.exception_handler``).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(
                _("JSON parse error - the document is nested too deeply.")
            ) from exc


def sync_field(view) -> str | None:
    """The field a list's sync follows (``updated_after``, cursor pages): the
    view's ``sync_field``, on its list only (not on its actions' lists, such
    as a history)."""
    if getattr(view, "action", "list") != "list":
        return None
    return getattr(view, "sync_field", None)


def _refuse(param: str, message: str, code: str = "invalid"):
    """A 400 naming a query parameter (``/page_size``)."""
    return exceptions.ValidationError({param: [ErrorDetail(message, code)]})


class Pagination(PageNumberPagination):
    """Numbered pages of ``PAGE_SIZE`` items; ``page_size`` from 1 to 200.

    A page size out of range or a page that is not one of the list's is a
    400 naming the parameter (DRF would clip the size silently and answer
    a 404). A view with a ``sync_field`` also pages by cursor when asked
    (``?cursor=``, see ``SyncCursor``).
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor = None
        if self.cursor_query_param in request.query_params and sync_field(view):
            self.cursor = SyncCursor(sync_field(view))
            return self.cursor.paginate_queryset(queryset, request, view)
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise _refuse(self.page_query_param, exc.detail, "invalid_page") from exc

    def get_paginated_response(self, data):
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise _refuse(
                self.page_size_query_param,
                _("Give a page size from 1 to %(max)d, not %(value)s.")
                % {"max": self.max_page_size, "value": value[:20]},
                "invalid_page_size",
            )
        return size

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["next", "previous", "results"]
        paginated["properties"]["count"]["description"] = (
            "How many items in all; absent when paging by cursor."
        )
        return paginated

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        if sync_field(view):
            parameters.append(
                {
                    "name": self.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": "Page by cursor, for a sync: send it empty to "
                    "start, then follow `next`. Ordered by when each item last "
                    f"changed (`{sync_field(view)}`, then `id`), whatever "
                    "`ordering` says; `page` is then ignored.",
                    "schema": {"type": "string"},
                }
            )
        return parameters


class SyncCursor(CursorPagination):
    """Cursor pages in the order items changed: what a sync walks through."""

    page_size_query_param = "page_size"
    max_page_size = Pagination.max_page_size

    def __init__(self, field: str):
        self.ordering = (field, "pk")

    def get_ordering(self, request, queryset, view):
        return self.ordering

    def get_page_size(self, request):
        return Pagination().get_page_size(request)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise _refuse(
                self.cursor_query_param, exc.detail, "invalid_cursor"
            ) from exc


class OrderingFilter(filters.OrderingFilter):
    """DRF's ``ordering``, with an unknown field a 400 naming it (DRF ignores
    it) and the accepted values listed in the schema."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        unknown = [term for term in fields if term not in valid]
        if unknown:
            raise _refuse(
                self.ordering_param,
                _("Unknown ordering: %(unknown)s. Known: %(known)s.")
                % {
                    "unknown": ", ".join(unknown),
                    "known": ", ".join(self.values(view)),
                },
                "invalid_ordering",
            )
        return valid

    @staticmethod
    def values(view) -> list[str]:
        fields = getattr(view, "ordering_fields", None) or []
        return [value for field in fields for value in (field, f"-{field}")]

    def get_schema_operation_parameters(self, view):
        values = self.values(view)
        if not values:
            return super().get_schema_operation_parameters(view)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Fields to order by, separated by commas; `-` "
                "reverses one.",
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": values},
                },
                "style": "form",
                "explode": False,
            }
        ]


def changed_after(request, queryset, field: str):
    """Narrow ``queryset`` to ``field`` after the request's ``updated_after``.

    For the filter below, and for the lists served by actions (a history,
    a webhook's deliveries) that do not go through the filter backends.
    """
    value = request.query_params.get(UpdatedAfterFilter.param)
    if value is None:
        return queryset
    try:
        moment = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:  # well formed, but no such moment (a 61st second)
        moment = None
    if moment is None:
        raise _refuse(
            UpdatedAfterFilter.param,
            _("Give a date and time (ISO 8601), e.g. 2026-01-31T12:00:00Z."),
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return queryset.filter(**{f"{field}__gt": moment})


def updated_after_parameter(field: str) -> OpenApiParameter:
    """The schema of ``updated_after`` for a list served by an action."""
    return OpenApiParameter(
        UpdatedAfterFilter.param,
        OpenApiTypes.DATETIME,
        description="Only the items changed after this moment (ISO 8601; UTC "
        f"when no offset is given), e.g. the newest `{field}` of your last sync.",
    )


class UpdatedAfterFilter(filters.BaseFilterBackend):
    """``updated_after``: only what changed after a moment (a sync's last run).

    For the lists whose view names the field that moves on every change
    (``sync_field``); strictly after, so that a client can pass the newest
    value it has seen.
    """

    param = "updated_after"

    def filter_queryset(self, request, queryset, view):
        field = sync_field(view)
        if field is None:
            return queryset
        return changed_after(request, queryset, field)

    def get_schema_operation_parameters(self, view):
        if sync_field(view) is None:
            return []
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "Only the items changed after this moment "
                "(ISO 8601; UTC when no offset is given), e.g. the newest "
                f"`{sync_field(view)}` of your last sync.",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


class StrictInput:
    """Refuse what DRF would let through silently: a mixin for the API's
    write serializers (before ``serializers.Serializer``).

    A field the serializer does not take (unknown, misspelt, or one only
    read) is a 400 naming it, where DRF ignores it; and a JSON value of the wrong
    type is a 400 where DRF coerces it: ``"yes"`` or ``1`` for a boolean, a
    number for a string, a string for an integer; and so is text with
    control characters (other than tab and newlines), which no report can
    show. A form upload (multipart, every value a string) is not checked
    for types.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name, value in data.items():
                field = self.fields.get(name)
                if field is None:
                    errors[name] = [
                        ErrorDetail(_("Unknown field: %s.") % name, "unknown_field")
                    ]
                elif _has_control_characters(value):
                    errors[name] = [
                        ErrorDetail(
                            _("Control characters are not allowed here."),
                            "invalid_characters",
                        )
                    ]
                elif not isinstance(data, QueryDict) and _wrong_type(field, value):
                    errors[name] = [
                        ErrorDetail(
                            _("Wrong type: %(expected)s expected.")
                            % {"expected": _wrong_type(field, value)},
                            "invalid_type",
                        )
                    ]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)


# What no text we store may hold: control characters other than tab and
# newlines, lone surrogates and the two non-characters XML refuses (the XLSX
# and PDF exports would fail on them).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _has_control_characters(value) -> bool:
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, list):
        return any(_has_control_characters(item) for item in value)
    return False


def _wrong_type(field, value) -> str:
    """The JSON type ``field`` needs when ``value`` is not one, else ""."""
    if value is None:
        return ""  # the field's own allow_null decides
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return _("a boolean (true or false)")
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return _("a string")
    if isinstance(field, serializers.IntegerField) and (
        isinstance(value, bool | str | float)
    ):
        return _("an integer")
    return ""


class IdsFirstPagination(Pagination):
    """The page's ids sorted alone, then its rows read by id: one query more.

    For a list of wide, joined rows whose filter leaves the database no index
    that gives the order: SQLite joined and sorted every visible assessment,
    all its columns (``visible_to``'s OR); the sort no longer carries them.
    """

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param in request.query_params and sync_field(view):
            return super().paginate_queryset(queryset, request, view)
        page = queryset.values_list("pk", flat=True)
        ids = super().paginate_queryset(page, request, view)
        if ids is None:
            return None
        rows = queryset.order_by().in_bulk(ids)
        return [rows[pk] for pk in ids]
