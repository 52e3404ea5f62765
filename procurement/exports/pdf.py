"""PDF reports (WeasyPrint) from ``templates/exports/``.

The assessment report and the procurement report ("rapport d'analyse des
offres") are HTML templates with their own print CSS, rendered to A4 with page
numbers. Charts are the same server-rendered SVG as the web pages. Nothing is
fetched while rendering: the URL fetcher refuses every URL, so a PDF never
depends on the network or leaks a request.

Speed: a 20-offer procurement report is some 200 pages and WeasyPrint's time
grows with the text it lays out and draws, page after page (`make bench`
times it). So the templates give each answer few boxes and no flex or
per-answer table (see base.html), a provider's facts are printed once per
offer and cited by number, and rendering runs with fewer full garbage
collections (``_fewer_full_collections``).

WeasyPrint needs Pango and its friends from the system. When they are missing
(the import fails with OSError, or rendering does), ``ExportUnavailable`` says
so, and the caller answers 503 instead of failing; the other formats do not
need WeasyPrint and keep working.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import warnings
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from scoring import overlays as jurisdiction

from .. import lessons
from ..awarding import award_ranking
from ..models import ProviderFact
from ..robustness import procurement_robustness
from ..scorecards import (
    AssessmentReport,
    CriterionLine,
    ProcurementReport,
    procurement_summary,
    reference_assessments,
)
from . import json as json_export
from . import panel as panel_export
from . import record
from .content import (
    ExportContext,
    ExportUnavailable,
    claim_text,
    evidence_names,
    local,
    method_tables,
    offer_label,
    organisation_name,
    person,
)

RADAR_SIZE = 300
NBSP = "\u00a0"

# WeasyPrint logs every layout step at INFO; the site's root logger is at INFO,
# so a 60-page report would print hundreds of lines per download.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class _WithoutFontToolsNotice(logging.Filter):
    """Drop WeasyPrint's per-font notice that fontTools subsets instead of HarfBuzz.

    It repeats for every font of every report; the missing optional library is
    reported once, when the server is set up (``config/system_libraries.py``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of HarfBuzz-Subset" not in record.getMessage()


logging.getLogger("weasyprint").addFilter(_WithoutFontToolsNotice())

# Without HarfBuzz-Subset, fontTools subsets the fonts and stamps each with the
# current time, so the same report made a second later would differ in bytes.
# fontTools takes that time from SOURCE_DATE_EPOCH, the reproducible-builds
# convention; a fixed value keeps equal reports byte-identical.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1577836800")  # 2020-01-01

# Laying out a report creates millions of long-lived objects (boxes, styles,
# lines). With Python's default thresholds the collector scans all of them
# again every few thousand boxes: a sixth of the time of a 20-offer report.
# While PDFs render, a full collection waits for 100 times more young
# collections than usual; the generations below still run, and memory stays
# the same because layout creates little cyclic garbage.
FULL_COLLECTION_THRESHOLD = 1000
_collector = {"lock": threading.Lock(), "renders": 0, "thresholds": None}


@dataclass(frozen=True)
class Page:
    """A report as HTML, with the texts of its page margins.

    The PDF prints the margins from the print CSS; the editable reports
    (``document``) put the same texts in their page header and footer.
    """

    html: str
    header: str  # what the report is, top left
    organisation: str  # top right
    footer: str  # the generator, the date and the language, bottom left
    page: str  # the word before the page number


def assessment_pdf(report: AssessmentReport, context: ExportContext) -> bytes:
    """One offer's scorecard, with the method and every answer."""
    return _render(assessment_page(report, context).html)


def procurement_pdf(report: ProcurementReport, context: ExportContext) -> bytes:
    """The analysis of the offers: method, ranking, then one section per offer."""
    return _render(procurement_page(report, context).html)


def assessment_page(report: AssessmentReport, context: ExportContext) -> Page:
    """The scorecard's HTML, which the PDF and the editable reports render."""
    references = [r for r in reference_assessments() if r.pk != report.assessment.pk]
    procurement = report.assessment.procurement
    title = _("Scorecard of %(offer)s") % {"offer": offer_label(report)}
    organisation = organisation_name(report)
    margins = _margins(context, title, procurement, organisation)
    html = render_to_string(
        "exports/assessment.html",
        {
            **_common(report, context, margins, procurement),
            "title": title,
            "procurement": procurement,
            "organisation": organisation,
            "offer": _offer(
                report,
                radar=report.radar(references, size=RADAR_SIZE),
                cases=lessons.reference_cases(),
            ),
            "references": references,
            "panel": panel_export.annex(panel_export.panel_of(procurement, [report])),
            "history": record.assessment_history(report.assessment),
            "digest": json_export.digest(json_export.assessment_inputs(report)),
        },
    )
    return Page(html, *margins)


def procurement_page(report: ProcurementReport, context: ExportContext) -> Page:
    """The analysis report's HTML, which the PDF and the editable reports render."""
    procurement = report.procurement
    digests = [
        json_export.digest(json_export.assessment_inputs(r)) for _row, r in report.rows
    ]
    cases = lessons.reference_cases()
    offers = [
        {
            **_offer(r, radar=r.radar(size=RADAR_SIZE), cases=cases),
            "position": position,
            "row": row,
            "digest": digests[position - 1],
        }
        for position, (row, r) in enumerate(report.rows, start=1)
    ]
    pillars = list(report.catalogue.pillars.all())
    title = _("Analysis of the offers")
    organisation = procurement.organisation.name
    margins = _margins(context, title, procurement, organisation)
    html = render_to_string(
        "exports/procurement.html",
        {
            **_common(report, context, margins, procurement),
            "title": title,
            "procurement": procurement,
            "organisation": organisation,
            "ranking": report.ranking,
            "offers": offers,
            "eligible": [o for o in offers if not o["row"].excluded],
            "excluded": [o for o in offers if o["row"].excluded],
            "ties": _ties(offers),
            "pillars": pillars,
            "grid": [
                (o, [o["report"].scorecard.pillar(p.code) for p in pillars])
                for o in offers
            ],
            "radar": report.radar(size=380) if offers else "",
            "panel": panel_export.annex(
                panel_export.panel_of(procurement, [r for _row, r in report.rows])
            ),
            "history": record.procurement_history(procurement),
            **_decision(procurement, report.catalogue),
            "digest": json_export.digest(
                json_export.procurement_inputs(report, digests)
            ),
        },
    )
    return Page(html, *margins)


def load_weasyprint():
    """Import WeasyPrint, or say clearly why PDFs cannot be made here.

    Without the optional HarfBuzz-Subset library WeasyPrint warns on import and
    subsets fonts with fontTools: the same PDF, more slowly. That is a note for
    whoever installs the server (``config/system_libraries.py`` prints it), not
    an error of the request that happens to import it first.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="HarfBuzz-Subset", category=DeprecationWarning
            )
            return import_module("weasyprint")
    except (ImportError, OSError) as exc:
        raise ExportUnavailable(
            _(
                "PDF export is not available on this server: the PDF library "
                "(WeasyPrint) cannot load (%(error)s). Install Pango (Debian: "
                "libpango-1.0-0 libpangoft2-1.0-0) or use the XLSX, CSV or JSON "
                "export."
            )
            % {"error": exc}
        ) from exc


def _render(html: str) -> bytes:
    weasyprint = load_weasyprint()
    try:
        with _fewer_full_collections():
            document = weasyprint.HTML(string=html, url_fetcher=_refuse_urls)
            return document.write_pdf()
    except OSError as exc:
        # Fonts and Pango are loaded lazily: a broken system library can
        # also surface here, not only at import time.
        raise ExportUnavailable(
            _("PDF export failed for a system reason: %(error)s") % {"error": exc}
        ) from exc


@contextmanager
def _fewer_full_collections() -> Iterator[None]:
    """Raise the collector's full-collection threshold while any PDF renders.

    The threshold is process-wide, so concurrent renders (threads of one
    worker) share one change: the first saves the thresholds, the last
    restores them.
    """
    with _collector["lock"]:
        if _collector["renders"] == 0:
            young, middle, full = _collector["thresholds"] = gc.get_threshold()
            gc.set_threshold(young, middle, max(full, FULL_COLLECTION_THRESHOLD))
        _collector["renders"] += 1
    try:
        yield
    finally:
        with _collector["lock"]:
            _collector["renders"] -= 1
            if _collector["renders"] == 0:
                gc.set_threshold(*_collector["thresholds"])


def _refuse_urls(url: str, *args, **kwargs):
    raise ValueError(f"Exports are self-contained; {url} was not fetched.")


def css_string(text: str) -> str:
    """A CSS string literal that cannot close the string or the <style> element."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>' or ord(char) < 32 else char
        for char in text
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every special character escaped


def _decision(procurement, catalogue) -> dict[str, Any]:
    """Robustness of the ranking and the award, as the procurement page shows them."""
    summary = procurement_summary(procurement, catalogue)
    return {
        "robustness": procurement_robustness(summary),
        "award": award_ranking(summary),
    }


def _margins(
    context: ExportContext, title: str, procurement, organisation: str
) -> tuple[str, str, str, str]:
    """The texts of the page margins: header, organisation, footer, "Page"."""
    generated = date_format(local(context.now), "j F Y, H:i")
    return (
        f"{title} · {procurement}" if procurement else title,
        organisation,
        _("Cloud of Trust Scorecard")
        + " · "
        + _("generated %(date)s") % {"date": generated}
        + f" · {context.language_name}",
        _("Page"),
    )


def _common(
    report, context: ExportContext, margins: tuple[str, str, str, str], procurement
) -> dict[str, Any]:
    """Context every report template shares: method, dates, page margins."""
    weights, knockouts = method_tables(report)
    header, organisation, footer, page = margins
    return {
        "css": {
            "header": css_string(header),
            "organisation": css_string(organisation),
            "footer": css_string(footer),
            "page": css_string(page),
        },
        "language": context.language,
        "language_name": context.language_name,
        "generated_at": local(context.now),
        "catalogue": report.catalogue,
        "profile": report.profile,
        "weights": weights.rows,
        "adjustment_reason": procurement.adjustment_reason if procurement else "",
        "overlays": [
            jurisdiction.all_overlays()[code]
            for code in (procurement.overlays if procurement else [])
            if code in jurisdiction.all_overlays()
        ],
        "knockouts": knockouts.rows,
        "caps": list(report.profile.evidence_caps.all()),
        "profiles": list(report.catalogue.profiles.all()),
    }


def _offer(report: AssessmentReport, *, radar: str, cases=()) -> dict[str, Any]:
    """What one offer's section shows, with the answers grouped by pillar."""
    evidence = evidence_names(report)
    cited = _cited_facts(report)
    return {
        "report": report,
        "label": offer_label(report),
        "assessment": report.assessment,
        "workflow": (
            record.workflow_steps(report.assessment)
            if report.assessment.procurement_id
            else None
        ),
        "scorecard": report.scorecard,
        "radar": radar,
        "knockouts": report.knockouts,
        "binding": report.binding_criteria,
        "gaps": report.evidence_gaps,
        "highest": report.highest_profile_passed,
        "facts": list(cited.values()),
        "claims_differ": [line.code for line in report.claim_differences],
        "resemblances": []
        if report.assessment.is_reference_case
        else lessons.resemblances(lessons.levels_of(report.scorecard.criteria), cases),
        "pillars": [
            {
                "line": pillar,
                "answers": [_answer(line, evidence, cited) for line in pillar.criteria],
            }
            for pillar in report.pillars
        ],
    }


def _cited_facts(report: AssessmentReport) -> dict[int, tuple[int, ProviderFact]]:
    """The facts the answers cite, numbered in the order they are first cited.

    A provider's fact is often cited by many answers: the section lists each
    once, and an answer cites it by number (F1, F2...), as a report cites its
    exhibits. Printing it under every answer made a fifth of a report's text.
    """
    cited: dict[int, tuple[int, ProviderFact]] = {}
    for pillar in report.pillars:
        for line in pillar.criteria:
            for fact in line.facts:
                cited.setdefault(fact.pk, (len(cited) + 1, fact))
    return cited


def _answer(
    line: CriterionLine,
    evidence: dict[str, str],
    cited: dict[int, tuple[int, ProviderFact]],
) -> dict[str, Any]:
    result, answer = line.result, line.answer
    return {
        "line": line,
        "result": result,
        "answer": answer,
        "evidence": evidence.get(result.evidence or "", "") if result.answered else "",
        "justification": answer.justification_i18n if answer else "",
        "answered_by": person(answer.answered_by) if answer else "",
        # One unit on the line: never "22" at the end of a line, "May" on the next.
        "answered_at": (
            date_format(local(answer.answered_at), "j F Y, H:i").replace(" ", NBSP)
            if answer and answer.answered_at
            else ""
        ),
        "facts": sorted(cited[fact.pk][0] for fact in line.facts),
        "claim": claim_text(line),
        "files": [f"{f.name} (SHA-256 {f.sha256})" for f in line.files],
    }


def _ties(offers: list[dict[str, Any]]) -> list[tuple[int, list[dict[str, Any]]]]:
    """Ranks shared by several eligible offers, with those offers."""
    shared: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for offer in offers:
        if offer["row"].tied:
            shared[offer["row"].rank].append(offer)
    return sorted(shared.items())
