"""Levels presumed from an offer's certifications (brief §8.6).

A certificate of a scheme the catalogue knows, valid on the assessment's date
and covering the offer, pre-fills the minimum levels its scheme presumes, as
verified evidence, on the criteria the evaluators have not answered yet. The
answers are stored like any other (so the engine, the snapshots and the
exports read them as they read every answer) and remember the certificate
they come from; an evaluator may then go higher with evidence, or lower with
a justification (``answers._below_presumption``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from scoring import engine

from ..models import Answer, Assessment
from .answers import AnswerData, record_answers


def apply_presumptions(assessment: Assessment, *, user) -> Assessment:
    """Pre-fill the unanswered criteria a valid certification of the offer covers."""
    if assessment.status != Assessment.Status.DRAFT or assessment.procurement is None:
        return assessment
    schemes = assessment.catalogue.scheme_specs()
    certificates = {c.pk: c for c in assessment.offer.certifications.all()}
    presumed = engine.presumed_levels(
        schemes, [c.as_input() for c in certificates.values()], assessment.as_of
    )
    answered = {
        a.criterion.code
        for a in assessment.answers.select_related("criterion")
        if a.level is not None or a.not_applicable
    }
    wanted = {code: p for code, p in presumed.items() if code not in answered}
    if not wanted:
        return assessment
    answers = []
    for code, presumption in sorted(wanted.items()):
        certificate = certificates[presumption.certificate]
        name = assessment.catalogue.scheme_name(presumption.scheme)
        answers.append(
            AnswerData(
                criterion=code,
                level=presumption.level,
                evidence=Answer.Evidence.VERIFIED,
                justification=_(
                    "Presumed from %(scheme)s (valid until %(date)s): a valid "
                    "certificate covering the offer presumes at least level "
                    "%(level)s."
                )
                % {
                    "scheme": name,
                    "date": date_format(certificate.valid_to, "j F Y"),
                    "level": presumption.level,
                },
                evidence_reference=f"{certificate.scheme} {certificate.scope}".strip()[
                    :500
                ],
            )
        )
    with transaction.atomic():
        assessment = record_answers(
            assessment, user=user, version=assessment.version, answers=answers
        )
        for code, presumption in wanted.items():
            Answer.objects.filter(assessment=assessment, criterion__code=code).update(
                presumed_by_id=presumption.certificate,
                presumed_level=presumption.level,
            )
    return assessment
