"""JSON exports: the whole scorecard with the inputs that produced it.

An archived JSON export can be checked years later: it carries the inputs
(catalogue slug, version and content hash, profile, as-of date, assessment
version, every answer with its level, evidence and N/A flag, and the texts the
evaluator entered, as entered), the SHA-256 digest of their canonical form, and
every number the engine gave. ``verify.verify_document`` (and
``python manage.py verify_export FILE``) recomputes the digest, re-scores the
inputs with the engine and compares every number.

The shape of the document is defined here, once, for the export and for the
check: ``assessment_inputs`` and ``scorecard_numbers``. Texts for readers
(criterion names, reasons, justifications) follow the export's language; the
inputs and the numbers do not.

Besides the inputs, like ``history``, a document describes the record: with
a panel, ``panel`` holds the seats and, per offer, the declarations, the
individual scores, the moderation decisions and the comments (``panel``
module); null without one.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from scoring import engine

from .. import lessons
from ..scorecards import AssessmentReport, ProcurementReport
from . import panel as panel_export
from . import record
from .content import (
    ExportContext,
    facts_text,
    local,
    method_tables,
    organisation_name,
    person,
)

FORMAT = "cloud-of-trust-scorecard"
FORMAT_VERSION = 1
DIGEST_METHOD = (
    "SHA-256, in lowercase hexadecimal, of the canonical JSON of the 'inputs' "
    "object: keys sorted, no whitespace (separators ',' and ':'), non-ASCII "
    "characters written as UTF-8, the bytes encoded in UTF-8. The inputs hold "
    "only strings, integers, booleans and nulls, so the form is unambiguous. "
    "In Python: hashlib.sha256(json.dumps(inputs, sort_keys=True, "
    "separators=(',', ':'), ensure_ascii=False).encode('utf-8')).hexdigest()."
)
PROCUREMENT_DIGEST_METHOD = (
    DIGEST_METHOD + " The procurement's inputs list the digests of its "
    "assessments, each computed the same way from that assessment's inputs."
)
VERIFY_HINT = (
    "Check with: python manage.py verify_export FILE (re-scores the inputs with "
    "the engine under the catalogue version named here)."
)


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes that a digest is computed over."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def digest(inputs: Any) -> str:
    return hashlib.sha256(canonical(inputs)).hexdigest()


def assessment_json(report: AssessmentReport, context: ExportContext) -> bytes:
    """One assessment's scorecard document."""
    panel = panel_export.panel_of(report.assessment.procurement, [report])
    document = {
        **_header("assessment", context),
        "method": _method(report),
        **assessment_document(report),
        "warning_signs": _warning_signs(report),
        "panel": _panel(panel, panel.offers[0]) if panel else None,
        "history": record.assessment_history(report.assessment),
    }
    return _dump(document)


def _warning_signs(report: AssessmentReport) -> list[dict]:
    """The signs the offer shares with each reference case (not digested)."""
    if report.assessment.is_reference_case:
        return []
    found = lessons.resemblances(
        lessons.levels_of(report.scorecard.criteria), lessons.reference_cases()
    )
    return [
        {
            "case": r.case.name,
            "similarity": r.similarity,
            "formula": lessons.FORMULA,
            "shared": [
                {
                    "criterion": sign.criterion,
                    "max_level": sign.max_level,
                    "why": sign.why,
                    "fact": sign.fact.key if sign.fact else None,
                }
                for sign in r.shared
            ],
        }
        for r in found
    ]


def procurement_json(report: ProcurementReport, context: ExportContext) -> bytes:
    """A procurement's ranking and every offer's scorecard document."""
    reports = [r for _row, r in report.rows]
    assessments = [assessment_document(r) for r in reports]
    inputs = procurement_inputs(report, [a["digest"] for a in assessments])
    panel = panel_export.panel_of(report.procurement, reports)
    for position, document in enumerate(assessments):
        document["panel"] = (
            panel_export.offer_json(panel.offers[position]) if panel else None
        )
    document = {
        **_header("procurement", context),
        "digest_method": PROCUREMENT_DIGEST_METHOD,
        "digest": digest(inputs),
        "inputs": inputs,
        "method": _method(report),
        "ranking": [
            {
                "rank": row.rank,
                "tied": row.tied,
                "assessment": row.assessment.pk,
                "offer": row.assessment.offer.name_i18n,
                "provider": row.assessment.offer.provider.name,
                "status": row.status,
                "eligible": r.scorecard.eligible,
                "global_score": r.scorecard.global_score,
                "trust_level": r.scorecard.trust_level,
                "excluded_because": [k.text for k in r.knockouts],
            }
            for row, r in report.rows
        ],
        "ties": report.ranking.has_ties,
        "provisional": report.ranking.provisional,
        "withdrawn": [
            {
                "assessment": assessment.pk,
                "offer": assessment.offer.name_i18n,
                "provider": assessment.offer.provider.name,
                **record.workflow(assessment),
            }
            for assessment in report.ranking.withdrawn
        ],
        "panel": {"seats": panel_export.seats_json(panel)} if panel else None,
        "assessments": assessments,
        "history": record.procurement_history(report.procurement),
    }
    return _dump(document)


def procurement_inputs(
    report: ProcurementReport, assessment_digests: list[str]
) -> dict[str, Any]:
    """What identifies a procurement, and the digests of its assessments."""
    procurement = report.procurement
    return {
        "procurement": {
            "id": procurement.pk,
            "reference": procurement.reference,
            "title": procurement.title,
            "organisation": procurement.organisation.name,
        },
        "catalogue": _catalogue(report),
        "profile": report.profile.code,
        "assessment_digests": assessment_digests,
    }


def assessment_document(report: AssessmentReport) -> dict[str, Any]:
    """Inputs, digest, the engine's numbers and the texts of one scorecard."""
    inputs = assessment_inputs(report)
    numbers = scorecard_numbers(report.scorecard)
    names = {line.code: line.name for line in report.criteria}
    pillar_names = {p.code: p.name for p in report.pillars}
    for pillar in numbers["pillars"]:
        pillar["name"] = pillar_names[pillar["code"]]
    for criterion in numbers["criteria"]:
        criterion["name"] = names[criterion["code"]]
    for knockout, line in zip(numbers["knockouts"], report.knockouts, strict=True):
        knockout["text"] = line.text
    assessment = report.assessment
    procurement = assessment.procurement
    return {
        "organisation": organisation_name(report),
        "procurement": str(procurement) if procurement else None,
        "digest_method": DIGEST_METHOD,
        "digest": digest(inputs),
        "inputs": inputs,
        "scorecard": numbers,
        **record.workflow(assessment),
        "summary": assessment.summary_i18n,
        "bidder_score": assessment.bidder_score,
        "claims": [
            {
                "criterion": line.code,
                "level": line.claim.level,
                "not_applicable": line.claim.not_applicable,
                "justification": line.claim.justification,
                "documents": line.claim.documents,
                "source": line.claim.source,
                "differs_from_evaluation": line.claim_differs,
            }
            for line in report.criteria
            if line.claim is not None
        ],
        "files": [
            {
                "criterion": line.code,
                "name": stored.name,
                "size": stored.size,
                "sha256": stored.sha256,
                "content_type": stored.content_type,
            }
            for line in report.criteria
            for stored in line.files
        ],
        "answers": [
            {
                "criterion": line.code,
                "name": line.name,
                "level_description": line.effective_text,
                "justification": line.answer.justification_i18n,
                "evidence_reference": line.answer.evidence_reference,
                "answered_by": person(line.answer.answered_by),
                "answered_at": _iso(local(line.answer.answered_at)),
                "facts": facts_text(line).splitlines(),
                # The certification a level was presumed from, if any.
                "presumed_from": presumed_from(line.answer),
            }
            for line in report.criteria
            if line.answer is not None
        ],
    }


def assessment_inputs(report: AssessmentReport) -> dict[str, Any]:
    """Everything the score depends on, and the texts as entered (not translated)."""
    assessment = report.assessment
    return {
        "assessment": {"id": assessment.pk, "version": assessment.version},
        "procurement": assessment.procurement_id,
        "offer": assessment.offer.name,
        "provider": assessment.offer.provider.name,
        "catalogue": _catalogue(report),
        "profile": report.profile.code,
        **_adjustment(assessment),
        "as_of": assessment.as_of.isoformat(),
        "answers": [
            {
                "criterion": line.code,
                "level": line.answer.level,
                "evidence": line.answer.evidence,
                "not_applicable": line.answer.not_applicable,
                "justification": line.answer.justification,
                "evidence_reference": line.answer.evidence_reference,
                "facts": [fact.pk for fact in line.facts],
            }
            for line in report.criteria
            if line.answer is not None
        ],
    }


def scorecard_numbers(scorecard: engine.Scorecard) -> dict[str, Any]:
    """Every number and verdict of a scorecard, as the engine gave it."""
    return {
        "catalogue": scorecard.catalogue,
        "version": scorecard.version,
        "profile": scorecard.profile,
        "global_score": scorecard.global_score,
        "global_score_claimed": scorecard.global_score_claimed,
        "trust_level": scorecard.trust_level,
        "eligible": scorecard.eligible,
        "eligibility": dict(scorecard.eligibility),
        "highest_profile_passed": scorecard.highest_profile_passed,
        "completeness": scorecard.completeness,
        "answered": scorecard.answered,
        "total": scorecard.total,
        # Unknown answers score 0 but are counted apart, per pillar too.
        "unknown": scorecard.unknown,
        "unknown_by_pillar": dict(scorecard.unknown_by_pillar),
        "pillars": [
            {
                "code": p.code,
                "weight": p.weight,
                "score": p.score,
                "score_claimed": p.score_claimed,
                "trust_level": p.trust_level,
            }
            for p in scorecard.pillars
        ],
        "knockouts": [
            {"criterion": k.criterion, "required": k.required, "effective": k.effective}
            for k in scorecard.knockouts
        ],
        "binding_criteria": list(scorecard.binding_criteria),
        "evidence_gaps": list(scorecard.evidence_gaps),
        "criteria": [
            {
                "code": c.code,
                "pillar": c.pillar,
                "weight": c.weight,
                "level": c.level,
                "evidence": c.evidence,
                "not_applicable": c.not_applicable,
                "effective_level": c.effective_level,
                "cap": c.cap,
                "threshold": c.threshold,
                "capped": c.capped,
                "passes_knockout": c.passes_knockout,
            }
            for c in scorecard.criteria
        ],
    }


def answer_inputs(inputs: dict[str, Any]) -> list[engine.AnswerInput]:
    """The engine's inputs from the 'inputs' object of a document."""
    return [
        engine.AnswerInput(
            criterion=answer["criterion"],
            level=answer["level"],
            evidence=answer["evidence"],
            not_applicable=answer["not_applicable"],
        )
        for answer in inputs["answers"]
    ]


def _adjustment(assessment) -> dict[str, Any]:
    """The profile as adjusted for the procurement, when a lead adjusted it.

    Part of the inputs (and so of the digest) only then, so that the digest of
    every other scorecard stays what it was."""
    procurement = assessment.procurement
    if procurement is None or not (procurement.adjustment or procurement.overlays):
        return {}
    return {
        "adjustment": {
            "pillar_weights": procurement.pillar_weights,
            "lowered_thresholds": procurement.lowered_thresholds,
            "overlays": procurement.overlays,
            # What the engine used: the lowered and the overlays' thresholds.
            "thresholds": dict(procurement.adjustment.thresholds),
            "reason": procurement.adjustment_reason,
        }
    }


def _catalogue(report: AssessmentReport | ProcurementReport) -> dict[str, str]:
    catalogue = report.catalogue
    return {
        "slug": catalogue.slug,
        "version": catalogue.version,
        "content_hash": catalogue.content_hash,
    }


def _method(report: AssessmentReport | ProcurementReport) -> dict[str, Any]:
    weights, knockouts = method_tables(report)
    return {
        "profile": report.profile.code,
        "profile_name": report.profile.name,
        "pillar_weights": {row[0]: row[2] for row in weights.rows},
        "knockout_thresholds": {row[0]: row[2] for row in knockouts.rows},
        "evidence_caps": {
            c.evidence_type: c.max_level for c in report.profile.evidence_caps.all()
        },
    }


def _panel(panel, offer) -> dict[str, Any]:
    """An assessment's panel: the seats, then its work on this offer."""
    return {"seats": panel_export.seats_json(panel), **panel_export.offer_json(offer)}


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Scores carry one decimal and weights two: a float prints them exactly.
        return float(value)
    raise TypeError(f"Cannot write {type(value).__name__} to JSON.")


def _header(kind: str, context: ExportContext) -> dict[str, Any]:
    """What every document starts with: its format, kind, date and language."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "generated_at": local(context.now).isoformat(),
        "language": context.language,
        "verify": VERIFY_HINT,
    }


def _dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False, default=_default).encode(
        "utf-8"
    )


def presumed_from(answer) -> dict | None:
    """The certificate behind a presumed level: scheme, validity, minimum."""
    certificate = answer.presumed_by
    if certificate is None:
        return None
    return {
        "scheme": certificate.scheme,
        "scheme_code": certificate.scheme_code,
        "valid_to": _iso(certificate.valid_to),
        "minimum_level": answer.presumed_level,
    }
