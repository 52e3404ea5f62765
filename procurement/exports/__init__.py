"""Exports a buyer files with a tender: PDF, ODT, DOCX, XLSX, CSV and JSON.

This module is the interface the web views and the API call:
``export_assessment`` and ``export_procurement`` take a model instance, a
format and a language, and return an ``ExportFile`` (bytes, content type,
file name). Each format lives in its own module (``pdf``, ``odt``, ``docx``,
``xlsx``, ``csv``, ``json``); the editable reports (ODT, DOCX) read the PDF's
content through ``document``. What several formats share (the rows of each
table, the method, escaping for spreadsheets, canonical JSON and its digest)
is in ``content``;
re-checking an archived JSON export is ``verify``.

Every number comes from ``procurement.scorecards`` (which calls the engine):
nothing here computes a score. Rendering happens inside
``translation.override(language)``, so gettext strings, catalogue texts and
the reference cases' French texts follow the language asked for.

A caller that runs an export in the background passes ``progress``, a
function told how far the export got (a percentage and a step: ``reading``
the data, ``writing`` the file); pages and the API show it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import pgettext_lazy

from ..models import Assessment, Procurement
from ..scorecards import assessment_report, procurement_report
from . import csv, docx, json, odt, pdf, xlsx
from .content import ExportContext, ExportFile, ExportUnavailable, UnknownFormat

FORMATS = ("pdf", "odt", "docx", "xlsx", "csv", "json")
LANGUAGES = ("en", "fr")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
SLUG_LENGTH = 60

# progress(percent, step): step is "reading" or "writing".
Progress = Callable[[int, str], None]

RENDERERS = {
    "assessment": {
        "pdf": pdf.assessment_pdf,
        "odt": odt.assessment_odt,
        "docx": docx.assessment_docx,
        "xlsx": xlsx.assessment_xlsx,
        "csv": csv.assessment_csv,
        "json": json.assessment_json,
    },
    "procurement": {
        "pdf": pdf.procurement_pdf,
        "odt": odt.procurement_odt,
        "docx": docx.procurement_docx,
        "xlsx": xlsx.procurement_xlsx,
        "csv": csv.procurement_csv,
        "json": json.procurement_json,
    },
}

__all__ = [
    "FORMATS",
    "Progress",
    "as_download",
    "language_for",
    "ExportFile",
    "ExportUnavailable",
    "UnknownFormat",
    "export_assessment",
    "export_filename",
    "export_procurement",
]

# What a file is, first in its name, in the export's language.
FILE_KINDS = {
    "scorecard": pgettext_lazy("export file name", "scorecard"),
    "procurement": pgettext_lazy("export file name", "procurement"),
}


def export_assessment(
    assessment: Assessment,
    fmt: str,
    *,
    language: str = "en",
    now: datetime.datetime | None = None,
    progress: Progress | None = None,
) -> ExportFile:
    """One assessment's scorecard, with every answer, in the format asked for."""
    render = _renderer(fmt, "assessment")
    context = _context(language, now)
    report_progress = progress or _silent
    report_progress(5, "reading")
    # One query for everything a report names (offer, provider, procurement,
    # organisation, catalogue, profile), whatever the caller joined.
    assessment = Assessment.objects.with_context().get(pk=assessment.pk)
    with translation.override(context.language):
        report = assessment_report(assessment)
        report_progress(30, "writing")
        content = render(report, context)
    name = _slug(str(assessment.offer), fallback=f"assessment-{assessment.pk}")
    return _file(content, fmt, export_filename("scorecard", name, fmt, context))


def export_procurement(
    procurement: Procurement,
    fmt: str,
    *,
    language: str = "en",
    now: datetime.datetime | None = None,
    progress: Progress | None = None,
) -> ExportFile:
    """A procurement's report: method, ranking, and every offer's scorecard."""
    render = _renderer(fmt, "procurement")
    context = _context(language, now)
    report_progress = progress or _silent
    report_progress(5, "reading")
    procurement = Procurement.objects.select_related(
        "organisation", "catalogue", "profile"
    ).get(pk=procurement.pk)
    with translation.override(context.language):
        report = procurement_report(procurement)
        report_progress(30, "writing")
        content = render(report, context)
    name = _slug(
        procurement.reference or procurement.title,
        fallback=f"procurement-{procurement.pk}",
    )
    return _file(content, fmt, export_filename("procurement", name, fmt, context))


def as_download(export: ExportFile) -> HttpResponse:
    """An HTTP response that saves the file under its name."""
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export.filename
    )
    return response


def language_for(code: str | None) -> str:
    """The export language for a request's language code (``fr-fr`` -> ``fr``)."""
    language = (code or "en")[:2].lower()
    return language if language in LANGUAGES else "en"


def _silent(percent: int, step: str) -> None:
    """The progress of an export nobody follows."""


def _renderer(fmt: str, kind: str):
    if fmt not in FORMATS:
        raise UnknownFormat(
            f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}."
        )
    return RENDERERS[kind][fmt]


def _context(language: str, now: datetime.datetime | None) -> ExportContext:
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; choose en or fr.")
    moment = timezone.localtime(now or timezone.now())
    return ExportContext(language=language, now=moment)


def export_filename(kind: str, name: str, fmt: str, context: ExportContext) -> str:
    """``<kind>-<name>-<local date>.<format>``, the kind in the export's language.

    ``kind`` is a key of ``FILE_KINDS`` ("scorecard-..." is "notation-..." in
    French); ``name`` is already a slug. Every export format names its files
    here.
    """
    with translation.override(context.language):
        stem = slugify(str(FILE_KINDS[kind]))
    return f"{stem}-{name}-{context.now.date().isoformat()}.{fmt}"


def _file(content: bytes, fmt: str, filename: str) -> ExportFile:
    return ExportFile(
        content=content, content_type=CONTENT_TYPES[fmt], filename=filename
    )


def _slug(text: str, *, fallback: str) -> str:
    return slugify(text)[:SLUG_LENGTH].strip("-") or fallback
