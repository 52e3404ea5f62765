"""DRF building blocks that ``REST_FRAMEWORK`` in settings names by path.

Only the parser and the paginator live here. They must not import DRF's
views (``config/api.py`` does): DRF reads these settings while its views
module is being imported, so a class defined next to the views would import
itself in a circle.
"""

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import PageNumberPagination


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded like Django's own form parsing.

    DRF reads the request stream itself, so Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` never applies to a JSON body: without this
    check a client could make the server hold any amount in memory. JSON nested
    too deep for Python's parser is a 400, not a crash.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise PayloadTooLarge(
                    _(
                        "The request body is larger than %(limit)d bytes "
                        "(DATA_UPLOAD_MAX_MEMORY_SIZE); nothing was read or saved."
                    )
                    % {"limit": limit}
                )
            stream = io.BytesIO(body)
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
