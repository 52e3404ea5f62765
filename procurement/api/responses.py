"""What the API answers besides a resource's JSON.

The files of the web page's Download menu (``ExportMixin`` with its
parameter and responses, and the JSON error when the PDF library cannot
work), and the 409 of an assessment saved since the version a client read.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import exports


class ExportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


EXPORT_FORMAT = OpenApiParameter(
    "fmt",
    str,
    OpenApiParameter.PATH,
    enum=list(exports.FORMATS),
    description="pdf (report), xlsx (workbook), csv (table) or json (verifiable "
    "record with the inputs and a SHA-256 digest).",
)
EXPORT_RESPONSES = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    (200, exports.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
    (200, "text/csv"): OpenApiTypes.STR,
    (200, "application/json"): OpenApiTypes.OBJECT,
    503: OpenApiResponse(
        ExportErrorSerializer,
        description="The PDF library cannot work on this server; the other "
        "formats still do.",
    ),
}


# ``GET .../{id}/export/{fmt}/`` serves the files of the web page's Download
# menu, in the language of ``Accept-Language``. Errors are JSON whatever the
# ``Accept`` header asks for, since the action itself returns a file. (A
# comment, not a docstring: drf-spectacular would show a docstring on every
# operation of the viewsets that use the mixin.)
class ExportMixin:
    def perform_content_negotiation(self, request, force=False):
        if getattr(self, "action", None) == "export":
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def _download(self, make):
        try:
            export = make(exports.language_for(self.request.LANGUAGE_CODE))
        except exports.ExportUnavailable as exc:
            return Response(
                {"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE
            )
        return exports.as_download(export)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField(
        required=False,
        help_text="The assessment's version now, when someone saved since yours.",
    )
    criteria = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The criteria you changed that someone else changed after the "
        "version you sent; empty when the whole assessment moved on.",
    )


CONFLICT = OpenApiResponse(
    ConflictSerializer,
    description="Nothing was saved. Either someone else changed what you change "
    "since the version you sent (read it again: current_version, and the "
    "criteria named), or the procurement is closed until a lead reopens it.",
)
