"""Benchmark data at scale: copies of a procurement, written with bulk inserts.

``grow_organisation`` takes a procurement built by ``bench/generate.py``
(through the services, so valid and scored) and adds copies of it to its
organisation until the organisation holds about ``answers`` answers: each
copy is a new procurement with the same offers, every assessment and answer
copied row for row (snapshots, justifications, cited facts included). Bulk
inserts in batches, no service and no engine run: a million answers take a
few minutes on SQLite. The copies are as valid as the original, since they
repeat its stored rows.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from procurement.models import Answer, Assessment, Procurement

BATCH = 2000
SKIPPED = {"id", "procurement", "assessment"}


def grow_organisation(
    template: Procurement,
    *,
    answers: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Copy ``template`` into its organisation until it has ``answers`` answers.

    Returns the number of answers of the organisation afterwards.
    """
    assessments = list(Assessment.objects.filter(procurement=template).order_by("pk"))
    rows = list(
        Answer.objects.filter(assessment__procurement=template)
        .prefetch_related("facts")
        .order_by("assessment_id", "pk")
    )
    per_copy = len(rows)
    if not per_copy:
        raise ValueError("The template procurement has no answers to copy.")
    stored = Answer.objects.filter(
        assessment__organisation=template.organisation_id
    ).count()
    copies = max(0, (answers - stored + per_copy - 1) // per_copy)
    answers_of = {
        a.pk: [r for r in rows if r.assessment_id == a.pk] for a in assessments
    }
    first = Procurement.objects.filter(organisation=template.organisation_id).count()
    for number in range(first, first + copies):
        with transaction.atomic():
            _copy(template, number, assessments, answers_of)
        stored += per_copy
        if progress is not None:
            progress(stored)
    return stored


def _copy(template, number, assessments, answers_of) -> None:
    procurement = _clone(template, procurement=None)
    procurement.title = f"{template.title} (copy {number})"
    procurement.reference = f"{template.reference}-C{number:05d}"
    procurement.save()
    copies = Assessment.objects.bulk_create(
        [_clone(a, procurement=procurement) for a in assessments], batch_size=BATCH
    )
    new_answers, facts_of = [], []
    for original, copy in zip(assessments, copies, strict=True):
        for answer in answers_of[original.pk]:
            new_answers.append(_clone(answer, assessment=copy))
            facts_of.append([fact.pk for fact in answer.facts.all()])
    created = Answer.objects.bulk_create(new_answers, batch_size=BATCH)
    through = Answer.facts.through
    through.objects.bulk_create(
        [
            through(answer_id=answer.pk, providerfact_id=fact)
            for answer, facts in zip(created, facts_of, strict=True)
            for fact in facts
        ],
        batch_size=BATCH,
    )


def _clone(row, **changes):
    """A new, unsaved row with ``row``'s field values and ``changes``."""
    values = {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if field.name not in SKIPPED
    }
    clone = type(row)(**values)
    for name, value in changes.items():
        if value is not None:
            setattr(clone, name, value)
    return clone
