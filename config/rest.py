"""DRF building blocks that ``REST_FRAMEWORK`` in settings names by path.

Only the parser and the paginator live here. They must not import DRF's
views (``config/api.py`` does): DRF reads these settings while its views
module is being imported, so a class defined next to the views would import
itself in a circle.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.pagination import PageNumberPagination


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


class Pagination(PageNumberPagination):
    """Numbered pages of ``PAGE_SIZE`` items; ``page_size`` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200


class IdsFirstPagination(Pagination):
    """The page's ids sorted alone, then its rows read by id: one query more.

    For a list of wide, joined rows whose filter leaves the database no index
    that gives the order: SQLite joined and sorted every visible assessment,
    all its columns (``visible_to``'s OR); the sort no longer carries them.
    """

    def paginate_queryset(self, queryset, request, view=None):
        page = queryset.values_list("pk", flat=True)
        ids = super().paginate_queryset(page, request, view)
        if ids is None:
            return None
        rows = queryset.order_by().in_bulk(ids)
        return [rows[pk] for pk in ids]
