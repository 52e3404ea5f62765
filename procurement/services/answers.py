"""Saving answers: only what the user changed, merged with what others saved since.

A save names, per criterion, the fields it changes (``AnswerData``; a field
left ``UNSET`` keeps its stored value). Two people who change different
criteria both land, whatever version each read. Only a criterion that
someone else changed after the version the caller read is a conflict:
``AnswerConflict`` names those criteria and nothing is saved. Each changed
criterion is one entry in the record, with its fields before and after, in
the same transaction; the snapshot is refreshed there too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoring import engine
from scoring.models import Criterion

from ..models import Answer, Assessment, Procurement
from ..record import Action as Recorded
from ..record import Event, changes_between, record
from . import roles
from .assessments import StaleAssessment, apply_snapshot
from .providers import ProcurementClosed

MAX_JUSTIFICATION = 20000
MAX_EVIDENCE_REFERENCE = 500


class _Unset:
    """A field the caller did not send: its stored value stays."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()

DEFAULTS = {
    "level": None,
    "not_applicable": False,
    "evidence": Answer.Evidence.DECLARED,
    "justification": "",
    "evidence_reference": "",
    "facts": [],
}


@dataclass(frozen=True)
class AnswerData:
    """One criterion's answer as a form or an API payload gives it.

    Only the fields given change; the others keep their stored value (or the
    default, for a criterion not answered yet). ``facts`` are ids of the
    provider's facts the answer cites; given, they replace the cited ones.
    """

    criterion: str
    level: int | None = UNSET
    evidence: str = UNSET
    not_applicable: bool = UNSET
    justification: str = UNSET
    evidence_reference: str = UNSET
    facts: Sequence[int] | None = UNSET

    def given(self) -> dict[str, Any]:
        """The fields the caller set (``facts=None`` counts as not set)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "criterion"
            and getattr(self, f.name) is not UNSET
            and not (f.name == "facts" and getattr(self, f.name) is None)
        }


class InvalidAnswers(Exception):
    """Some answers are invalid; ``errors`` lines up with the answers given."""

    def __init__(self, errors: list[dict[str, list[str]]]):
        self.errors = errors
        super().__init__(_("Some answers are invalid; nothing was saved."))


class AnswerConflict(StaleAssessment):
    """Criteria the caller changed that someone else changed since they read them."""

    def __init__(self, assessment: Assessment, criteria: Sequence[str]):
        super().__init__(
            assessment,
            ngettext(
                "%(criteria)s was changed by someone else since you opened it "
                "(the assessment is now at version %(version)s). Nothing was "
                "saved: compare the two versions and choose.",
                "%(criteria)s were changed by someone else since you opened them "
                "(the assessment is now at version %(version)s). Nothing was "
                "saved: compare the two versions and choose.",
                len(criteria),
            )
            % {"criteria": ", ".join(criteria), "version": assessment.version},
        )
        self.criteria = list(criteria)


def record_answers(
    assessment: Assessment,
    *,
    user,
    version: int,
    answers: Sequence[AnswerData],
    moderated: bool = False,
) -> Assessment:
    """Save the fields each answer changes, and re-score; refuse conflicts.

    ``version`` is the assessment version the caller read. A criterion changed
    by someone else since then, that this save changes too, is a conflict
    (``AnswerConflict``, nothing saved). A save that changes nothing keeps
    the version as it is; an empty one is refused. In a procurement scored
    by a panel, only the moderator's consensus (``moderated``) is an answer.
    """
    roles.require_assessment_editor(user, assessment)
    if not answers:
        raise ValidationError(_("Nothing to save: send at least one answer."))
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(catalogue_id=assessment.catalogue_id)
    }
    problems = _unknown_and_repeated(answers, criteria)
    now = timezone.now()
    with transaction.atomic():
        # Lock the row: two saves must not both read the same stored answers.
        locked = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("procurement", "profile", "catalogue", "offer")
            .get(pk=assessment.pk)
        )
        if locked.procurement.status == Procurement.Status.CLOSED:
            raise ProcurementClosed()
        if locked.status != Assessment.Status.DRAFT:
            raise ValidationError(_("A submitted assessment is read-only."))
        if not moderated and locked.procurement.panel.exists():
            raise ValidationError(
                _(
                    "A panel scores this procurement: score the offer on your own "
                    "sheet; the moderator records the consensus."
                )
            )
        if version > locked.version:
            raise StaleAssessment(locked)
        stored = _stored(locked, [data.criterion for data in answers])
        merged = [_merge(stored.get(data.criterion), data) for data in answers]
        _below_presumption(answers, merged, stored, problems)
        _refuse_invalid(locked, answers, merged, criteria, problems)
        changed = []
        for data, values in zip(answers, merged, strict=True):
            answer = stored.get(data.criterion)
            before = _values(answer) if answer else {}
            changes = changes_between(before, values)
            if changes:
                changed.append((data.criterion, answer, values, changes))
        conflicts = [
            code
            for code, answer, _values_, _changes in changed
            if answer is not None and answer.changed_in_version > version
        ]
        if conflicts:
            raise AnswerConflict(locked, conflicts)
        if not changed:
            return locked
        locked.version += 1
        _write(locked, changed, criteria, user=user, now=now)
        record(
            locked.procurement.organisation_id,
            user=user,
            events=[
                Event(
                    Recorded.ANSWER_CHANGED,
                    f"{code} · {locked.offer}",
                    procurement=locked.procurement_id,
                    assessment=locked.pk,
                    offer=locked.offer_id,
                    criterion=code,
                    changes=changes,
                )
                for code, _answer, _values_, changes in changed
            ],
        )
        apply_snapshot(locked, locked.scoring_spec(), locked.answer_inputs())
        locked.save()
    return locked


def _unknown_and_repeated(
    answers: Sequence[AnswerData], criteria: dict[str, Criterion]
) -> list[dict[str, list[str]]]:
    """Per answer, what is wrong with its criterion code (aligned with answers)."""
    errors: list[dict[str, list[str]]] = [{} for _data in answers]
    seen: set[str] = set()
    for data, problems in zip(answers, errors, strict=True):
        if data.criterion not in criteria:
            problems["criterion"] = [
                _("Unknown criterion %(code)s in this catalogue.")
                % {"code": data.criterion}
            ]
        elif data.criterion in seen:
            problems["criterion"] = [_("Answered twice in one save.")]
        seen.add(data.criterion)
    return errors


def _stored(assessment: Assessment, codes: Sequence[str]) -> dict[str, Answer]:
    """The stored answers of these criteria, each with ``fact_ids`` (two queries)."""
    answers = {
        a.criterion.code: a
        for a in Answer.objects.filter(
            assessment=assessment, criterion__code__in=codes
        ).select_related("criterion")
    }
    cited: dict[int, list[int]] = defaultdict(list)
    links = Answer.facts.through.objects.filter(
        answer_id__in=[a.pk for a in answers.values()]
    ).order_by("providerfact_id")
    for answer_id, fact_id in links.values_list("answer_id", "providerfact_id"):
        cited[answer_id].append(fact_id)
    for answer in answers.values():
        answer.fact_ids = cited[answer.pk]
    return answers


def _values(answer: Answer) -> dict[str, Any]:
    return {
        "level": answer.level,
        "not_applicable": answer.not_applicable,
        "evidence": answer.evidence,
        "justification": answer.justification,
        "evidence_reference": answer.evidence_reference,
        "facts": answer.fact_ids,
    }


def _merge(answer: Answer | None, data: AnswerData) -> dict[str, Any]:
    """The answer as it will be: stored values, with the given fields over them.

    Marking N/A clears the level; giving a level clears N/A, unless the
    caller sets both (which the checks then refuse).
    """
    values = _values(answer) if answer else dict(DEFAULTS)
    given = data.given()
    values.update(given)
    if given.get("not_applicable") and "level" not in given:
        values["level"] = None
    if given.get("level") is not None and "not_applicable" not in given:
        values["not_applicable"] = False
    values["facts"] = sorted(dict.fromkeys(values["facts"] or []))
    return values


def _below_presumption(
    answers: Sequence[AnswerData],
    merged: Sequence[dict[str, Any]],
    stored: dict[str, Answer],
    problems: list[dict[str, list[str]]],
) -> None:
    """A level below the one a certification presumes needs its own reason."""
    for data, values, found in zip(answers, merged, problems, strict=True):
        answer = stored.get(data.criterion)
        if answer is None or answer.presumed_level is None:
            continue
        lower = values["level"] is not None and values["level"] < answer.presumed_level
        new_reason = values["justification"].strip() and (
            values["justification"] != answer.justification
        )
        if lower and not new_reason:
            found.setdefault("justification", []).append(
                _(
                    "The certification presumes level %(level)s here: say in the "
                    "justification why the offer falls below it."
                )
                % {"level": answer.presumed_level}
            )


def _refuse_invalid(
    assessment: Assessment,
    answers: Sequence[AnswerData],
    merged: Sequence[dict[str, Any]],
    criteria: dict[str, Criterion],
    problems: list[dict[str, list[str]]],
) -> None:
    """Raise every problem at once, aligned with the answers given."""
    citable = (
        set(assessment.offer.provider.facts.values_list("pk", flat=True))
        if any(values["facts"] for values in merged)
        else set()
    )
    errors = [
        found or _answer_errors(criteria[data.criterion], values, citable)
        for data, values, found in zip(answers, merged, problems, strict=True)
    ]
    if any(errors):
        raise InvalidAnswers(errors)


def _answer_errors(
    criterion: Criterion, values: dict[str, Any], citable: set[int]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    level = values["level"]
    if level is not None and not engine.MIN_LEVEL <= level <= engine.MAX_LEVEL:
        errors["level"] = [_("Level must be between 0 and 4, or empty for unknown.")]
    if values["not_applicable"] and not criterion.na_allowed:
        errors["not_applicable"] = [
            _("%(code)s cannot be marked N/A.") % {"code": criterion.code}
        ]
    if values["not_applicable"] and level is not None:
        errors["level"] = [_("An N/A answer has no level.")]
    if values["evidence"] not in Answer.Evidence.values:
        errors["evidence"] = [
            _("Evidence must be one of %(choices)s.")
            % {"choices": ", ".join(Answer.Evidence.values)}
        ]
    if len(values["evidence_reference"]) > MAX_EVIDENCE_REFERENCE:
        errors["evidence_reference"] = [_("At most 500 characters.")]
    if len(values["justification"]) > MAX_JUSTIFICATION:
        errors["justification"] = [_("At most 20,000 characters.")]
    if values["facts"] and not set(values["facts"]) <= citable:
        errors["facts"] = [_("Cite only facts about this offer's provider.")]
    return errors


def _write(
    assessment: Assessment,
    changed: Sequence[tuple[str, Answer | None, dict[str, Any], list]],
    criteria: dict[str, Criterion],
    *,
    user,
    now,
) -> None:
    """Insert or update the changed answers in one statement, then their facts."""
    Answer.objects.bulk_create(
        [
            Answer(
                assessment=assessment,
                criterion=criteria[code],
                level=values["level"],
                not_applicable=values["not_applicable"],
                evidence=values["evidence"],
                justification=values["justification"],
                evidence_reference=values["evidence_reference"],
                answered_by=user,
                answered_at=now,
                changed_in_version=assessment.version,
            )
            for code, _answer, values, _changes in changed
        ],
        update_conflicts=True,
        unique_fields=["assessment", "criterion"],
        update_fields=[
            "level",
            "not_applicable",
            "evidence",
            "justification",
            "evidence_reference",
            "answered_by",
            "answered_at",
            "changed_in_version",
        ],
    )
    cited = {
        code: values["facts"]
        for code, _answer, values, changes in changed
        if any(change["field"] == "facts" for change in changes)
    }
    if not cited:
        return
    answer_ids = dict(
        assessment.answers.filter(criterion__code__in=cited).values_list(
            "criterion__code", "pk"
        )
    )
    links = Answer.facts.through
    links.objects.filter(answer_id__in=answer_ids.values()).delete()
    links.objects.bulk_create(
        links(answer_id=answer_ids[code], providerfact_id=fact)
        for code, facts in cited.items()
        for fact in facts
    )


def set_summary(
    assessment: Assessment, *, user, summary: str, version: int | None = None
) -> Assessment:
    """Write an assessment's summary (evaluators and leads, while a draft).

    Like an answer: ``version`` (when given) must be the current one, and
    the change makes a new version and goes in the record.
    """
    roles.require_assessment_editor(user, assessment)
    with transaction.atomic():
        locked = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("procurement", "offer")
            .get(pk=assessment.pk)
        )
        if locked.procurement.status == Procurement.Status.CLOSED:
            raise ProcurementClosed()
        if locked.status != Assessment.Status.DRAFT:
            raise ValidationError(_("A submitted assessment is read-only."))
        if version is not None and version != locked.version:
            raise StaleAssessment(locked)
        if summary == locked.summary:
            return locked
        changes = changes_between({"summary": locked.summary}, {"summary": summary})
        locked.summary = summary
        locked.version += 1
        locked.save(update_fields=["summary", "version", "updated_at"])
        record(
            locked.procurement.organisation_id,
            user=user,
            events=[
                Event(
                    Recorded.SUMMARY_CHANGED,
                    str(locked.offer),
                    procurement=locked.procurement_id,
                    assessment=locked.pk,
                    offer=locked.offer_id,
                    changes=changes,
                )
            ],
        )
    return locked
