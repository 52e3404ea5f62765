"""What the API answers besides a resource's JSON.

The files of the web page's Download menu (``ExportMixin`` with its
parameter and responses: small files at once, the others as a job, see
``procurement.jobs.in_background``), and the 409 of an assessment saved
since the version a client read.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from .. import exports, jobs
from .jobs import ACCEPTED, accepted, file_responses

# Every export format's file, declared from ``exports.FORMATS`` and
# ``exports.CONTENT_TYPES`` alone: a new format there is a new media type
# here. Files are bytes (``format: binary``) so that generated clients do not
# decode them as text; the JSON record is an object.
EXPORT_FORMAT = OpenApiParameter(
    "fmt",
    str,
    OpenApiParameter.PATH,
    enum=list(exports.FORMATS),
    description="pdf (report), odt or docx (the same report, editable), xlsx "
    "(workbook), csv (table) or json (verifiable record with the inputs and a "
    "SHA-256 digest).",
)
# The ``url_path`` of an export action: one of the formats.
EXPORT_PATH = r"export/(?P<fmt>{})".format("|".join(exports.FORMATS))


def export_responses(kind: str) -> dict:
    """The file formats answered at once (200), and a job for the others."""
    return {
        **file_responses(
            fmt for fmt in exports.FORMATS if not jobs.in_background(kind, fmt)
        ),
        (202, "application/json"): ACCEPTED,
    }


def export_rule(kind: str) -> str:
    """The sync-or-job rule of one kind of export, for the docs."""
    background = sorted(jobs.BACKGROUND_FORMATS[kind])
    now = [fmt for fmt in exports.FORMATS if fmt not in background]
    return (
        f" **{', '.join(now)}** are answered at once (200, the file); "
        f"**{', '.join(background)}** are made in the background: 202 with the "
        "export job to poll (`GET /api/v1/export-jobs/{id}/`), whose "
        "`download_url` serves the file when done. A file made from unchanged "
        "data in the last `EXPORTS_KEEP_HOURS` is reused: its job is already done."
    )


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

    def _export(self, source, kind: str, fmt: str, make):
        language = exports.language_for(self.request.LANGUAGE_CODE)
        if jobs.in_background(kind, fmt):
            job = jobs.request_export(
                source, fmt, language=language, user=self.request.user
            )
            return accepted(job, self.request)
        return exports.as_download(make(language))


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


REFUSED = OpenApiResponse(
    inline_serializer(
        "Refused",
        {"non_field_errors": serializers.ListField(child=serializers.CharField())},
    ),
    description="Nothing was changed: the reason is in `non_field_errors`.",
)
