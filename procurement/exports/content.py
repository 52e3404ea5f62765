"""What every export format shows, as plain tables of values.

The CSV, XLSX and PDF exports read the same rows built here from an
``AssessmentReport`` or a ``ProcurementReport``, so a column means the same
thing in every file. Values keep their type (int, Decimal, bool, datetime,
None); each format decides how to write them. Also here: the export context
(language, generation time), the exceptions of the package, and the escaping
that stops a spreadsheet from reading a text as a formula.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from scoring import overlays as jurisdiction

from ..scorecards import AssessmentReport, CriterionLine, ProcurementReport

# A spreadsheet treats a cell starting with one of these as a formula (OWASP
# "CSV injection"); tab and carriage return can hide one after a separator.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str  # e.g. "application/pdf"
    filename: str  # says what it is, e.g. scorecard-<offer>-<date>.pdf


class ExportUnavailable(Exception):
    """This format cannot be produced on this machine; the message says why."""


class UnknownFormat(ValueError):
    """The format asked for is not one of ``FORMATS``."""


@dataclass(frozen=True)
class ExportContext:
    language: str  # "en" or "fr"
    now: datetime.datetime  # aware, local time: when the file was generated

    @property
    def language_name(self) -> str:
        return {"en": "English", "fr": "Français"}[self.language]


@dataclass(frozen=True)
class Table:
    """A header row and data rows; ``wide`` columns hold long texts."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    wide: frozenset[int] = frozenset()


def formula_safe(text: str) -> str:
    """Prefix a quote to a text a spreadsheet would run as a formula."""
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """An aware datetime in the site's time zone, without microseconds."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0)


def evidence_names(report: AssessmentReport) -> dict[str, str]:
    return {e.code: e.name for e in report.catalogue.evidence_types.all()}


def facts_text(line: CriterionLine) -> str:
    """The facts an answer cites, one per line, each with its date and source."""
    return "\n".join(
        f"{fact.as_of.isoformat()}: {fact.statement_i18n} ({fact.source_title}"
        + (f", {fact.source_url}" if fact.source_url else "")
        + ")"
        for fact in line.facts
    )


def offer_label(report: AssessmentReport) -> str:
    """Provider and offer, with the offer's name in the active language."""
    offer = report.assessment.offer
    return f"{offer.provider.name} - {offer.name_i18n}"


def organisation_name(report: AssessmentReport) -> str:
    procurement = report.assessment.procurement
    return procurement.organisation.name if procurement else _("Reference case")


def answers_table(report: AssessmentReport, *, detailed: bool = False) -> Table:
    """One row per criterion: the answer, its evidence and the engine's levels.

    The CSV keeps the columns a buyer filters on; ``detailed`` (the XLSX) adds
    the weight, the knock-out threshold, the level descriptor and cited facts.
    """
    evidence = evidence_names(report)
    headers = [
        _("Code"),
        _("Pillar"),
        _("Criterion"),
        _("Level"),
        _("Effective level"),
        _("Capped by evidence"),
        _("N/A"),
        _("Evidence"),
        _("Justification"),
        _("Evidence reference"),
        _("Answered by"),
        _("Answered at"),
    ]
    if detailed:
        headers[3:3] = [_("Weight"), _("Knock-out threshold")]
        headers += [
            _("Passes knock-out"),
            _("Level description"),
            _("Facts cited"),
            _("Claimed by the bidder"),
            _("Evidence files (name, SHA-256)"),
        ]
    headers.append(_("Presumed from a certification"))
    rows = []
    for pillar in report.pillars:
        for line in pillar.criteria:
            result, answer = line.result, line.answer
            row: list[Any] = [
                line.code,
                pillar.code,
                line.name,
                result.level,
                result.effective_level,
                result.capped,
                result.not_applicable,
                evidence.get(result.evidence or "", "") if result.answered else "",
                answer.justification_i18n if answer else "",
                answer.evidence_reference if answer else "",
                person(answer.answered_by) if answer else "",
                local(answer.answered_at) if answer else None,
            ]
            if detailed:
                row[3:3] = [result.weight, result.threshold]
                row += [
                    result.passes_knockout,
                    line.effective_text,
                    facts_text(line),
                    claim_text(line),
                    files_text(line),
                ]
            row.append(presumed_text(answer))
            rows.append(tuple(row))
    wide = {10, 11, 15, 16, 17, 18} if detailed else {8, 9}
    return Table(tuple(headers), tuple(rows), frozenset(wide))


def claim_text(line) -> str:
    """The bidder's claim for one criterion, in one cell ("" when none)."""
    claim = line.claim
    if claim is None:
        return ""
    if claim.not_applicable:
        level = _("not applicable")
    elif claim.level is None:
        level = _("unknown")
    else:
        level = str(claim.level)
    text = _("Level %(level)s") % {"level": level}
    if claim.justification:
        text += f": {claim.justification}"
    return text


def files_text(line) -> str:
    """The evidence files of one criterion, a line each, with their SHA-256."""
    return "\n".join(f"{f.name} ({f.sha256})" for f in line.files)


def pillars_table(report: AssessmentReport) -> Table:
    headers = (
        _("Code"),
        _("Pillar"),
        _("Weight"),
        _("Score (as evidenced)"),
        _("Score (as claimed)"),
        _("Trust level"),
        _("Core pillar"),
        _("Criteria answered"),
        _("Criteria"),
        _("Criteria unknown (scored 0)"),
    )
    rows = tuple(
        (
            p.code,
            p.name,
            p.result.weight,
            p.result.score,
            p.result.score_claimed,
            p.result.trust_level,
            p.result.core,
            p.answered,
            len(p.criteria),
            p.unknown,
        )
        for p in report.pillars
    )
    return Table(headers, rows)


def summary_rows(report: AssessmentReport, context: ExportContext) -> list[tuple]:
    """Label and value of each headline fact of one scorecard."""
    assessment, scorecard = report.assessment, report.scorecard
    procurement = assessment.procurement
    highest = report.highest_profile_passed
    return [
        (_("Organisation"), organisation_name(report)),
        (_("Procurement"), str(procurement) if procurement else ""),
        (_("Provider"), assessment.offer.provider.name),
        (_("Offer"), assessment.offer.name_i18n),
        (_("Profile"), report.profile.label),
        (_("Catalogue"), f"{report.catalogue.slug} {report.catalogue.version}"),
        (_("Facts as of"), assessment.as_of),
        (_("Status"), assessment.get_status_display()),
        (_("Submitted by"), person(assessment.submitted_by)),
        (_("Approved by"), person(assessment.approved_by)),
        (
            _("Approved by its submitter (four eyes off)"),
            assessment.approved_by_submitter,
        ),
        (_("Assessment version"), assessment.version),
        (_("Global score (as evidenced)"), scorecard.global_score),
        (_("Global score (as claimed)"), scorecard.global_score_claimed),
        (_("Trust level"), scorecard.trust_level),
        (
            _("Eligible for %(profile)s") % {"profile": report.profile.code},
            scorecard.eligible,
        ),
        (_("Highest profile passed"), highest.label if highest else _("none")),
        (_("Completeness (%)"), scorecard.completeness),
        (_("Criteria answered"), scorecard.answered),
        (_("Criteria"), scorecard.total),
        (_("Criteria unknown (scored 0)"), scorecard.unknown),
        (_("Failed knock-outs"), "\n".join(k.text for k in report.knockouts)),
        (
            _("Binding criteria"),
            "\n".join(f"{line.code} {line.name}" for line in report.binding_criteria),
        ),
        (
            _("Evidence gaps"),
            "\n".join(f"{line.code} {line.name}" for line in report.evidence_gaps),
        ),
        (_("Generated at"), local(context.now)),
        (_("Language"), context.language_name),
    ]


def method_tables(report: AssessmentReport | ProcurementReport) -> tuple[Table, Table]:
    """The profile's pillar weights and knock-out thresholds, as adjusted for
    the procurement when a lead adjusted them (the profile's value beside)."""
    profile = report.profile
    procurement = _procurement_of(report)
    new_weights = (procurement.pillar_weights if procurement else None) or {}
    lowered = dict(procurement.adjustment.thresholds) if procurement else {}
    weights = Table(
        (_("Pillar"), _("Name"), _("Weight"), _("Core pillar")),
        tuple(
            (
                w.pillar.code,
                w.pillar.name,
                _adjusted_value(new_weights.get(w.pillar.code), w.weight),
                w.pillar.core,
            )
            for w in profile.pillar_weights.all()
        ),
    )
    knockouts = Table(
        (_("Code"), _("Criterion"), _("Minimum effective level")),
        tuple(
            (
                k.criterion.code,
                k.criterion.name,
                _adjusted_value(lowered.get(k.criterion.code), k.min_level),
            )
            for k in profile.knockouts.all()
        ),
    )
    return weights, knockouts


def _procurement_of(report):
    if isinstance(report, ProcurementReport):
        return report.procurement
    return report.assessment.procurement


def _adjusted_value(adjusted, published):
    """The value used, and the profile's own beside it when a lead changed it."""
    if adjusted is None or adjusted == published:
        return published
    return _("%(value)s (profile: %(published)s)") % {
        "value": adjusted,
        "published": published,
    }


def method_rows(report: AssessmentReport | ProcurementReport) -> list[tuple]:
    """Catalogue, profile and evidence caps: what the scores were computed with."""
    profile, catalogue = report.profile, report.catalogue
    caps = ", ".join(
        f"{c.evidence_type} ≤ {c.max_level}" for c in profile.evidence_caps.all()
    )
    return [
        (_("Catalogue"), catalogue.name),
        (_("Catalogue slug"), catalogue.slug),
        (_("Catalogue version"), catalogue.version),
        (_("Catalogue content hash (SHA-256)"), catalogue.content_hash),
        (_("Profile"), profile.label),
        (_("Target trust level"), profile.target_trust_level),
        (_("Evidence caps on knock-out criteria"), caps or _("none")),
        *_adjustment_rows(report),
    ]


def _adjustment_rows(report) -> list[tuple]:
    procurement = _procurement_of(report)
    if procurement is None or not (procurement.adjustment or procurement.overlays):
        return []
    names = {o.code: o.name for o in jurisdiction.all_overlays().values()}
    rows = [(_("Profile adjusted for this procurement"), procurement.adjustment_reason)]
    if procurement.overlays:
        rows.append(
            (
                _("Jurisdiction overlays"),
                "; ".join(names.get(code, code) for code in procurement.overlays),
            )
        )
    return rows


def ranking_table(report: ProcurementReport) -> Table:
    """One row per offer, in ranking order; excluded offers last, with reasons."""
    headers = (
        _("Rank"),
        _("Tied"),
        _("Offer"),
        _("Provider"),
        _("Eligible"),
        _("Global score"),
        _("Global score (as claimed)"),
        _("Trust level"),
        _("Highest profile passed"),
        _("Completeness (%)"),
        _("Status"),
        _("Approved by its submitter (four eyes off)"),
        _("Failed knock-outs"),
    )
    rows = []
    for row, offer_report in report.rows:
        scorecard, assessment = offer_report.scorecard, row.assessment
        rows.append(
            (
                row.rank,
                row.tied,
                assessment.offer.name_i18n,
                assessment.offer.provider.name,
                scorecard.eligible,
                scorecard.global_score,
                scorecard.global_score_claimed,
                scorecard.trust_level,
                scorecard.highest_profile_passed or "",
                scorecard.completeness,
                assessment.get_status_display(),
                assessment.approved_by_submitter,
                "\n".join(k.text for k in offer_report.knockouts),
            )
        )
    return Table(headers, tuple(rows), frozenset({12}))


def procurement_rows(report: ProcurementReport, context: ExportContext) -> list[tuple]:
    procurement = report.procurement
    ranking = report.ranking
    return [
        (_("Organisation"), procurement.organisation.name),
        (_("Procurement"), procurement.title),
        (_("Reference"), procurement.reference),
        (_("Status"), procurement.get_status_display()),
        (_("Deadline"), procurement.deadline),
        (_("Profile"), report.profile.label),
        (_("Catalogue"), f"{report.catalogue.slug} {report.catalogue.version}"),
        (_("Offers"), len(ranking.rows)),
        (_("Eligible offers"), len(ranking.eligible)),
        (_("Excluded offers"), len(ranking.excluded)),
        (_("Ties"), yes_no(ranking.has_ties)),
        (
            _("Provisional ranking (not every ranked offer approved)"),
            ranking.provisional,
        ),
        (_("Generated at"), local(context.now)),
        (_("Language"), context.language_name),
    ]


def as_text(value: Any) -> str:
    """A value as a reader sees it in a text format (CSV, PDF)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def text_cells(values: Sequence[Any]) -> list[str]:
    """Cells of a text row; only texts (never our numbers) are escaped."""
    return [
        formula_safe(value) if isinstance(value, str) else as_text(value)
        for value in values
    ]


def presumed_text(answer) -> str:
    """The certificate a level was presumed from, in words, or nothing."""
    if answer is None or answer.presumed_by is None:
        return ""
    certificate = answer.presumed_by
    return _("%(scheme)s (valid until %(date)s): level %(level)s or more") % {
        "scheme": certificate.scheme,
        "date": certificate.valid_to.isoformat() if certificate.valid_to else "–",
        "level": answer.presumed_level,
    }
