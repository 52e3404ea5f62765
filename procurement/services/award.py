"""Award criteria and marks: what a procurement weighs beside sovereignty.

The criteria and their weights are published with the tender: a lead sets
them while the procurement is a draft, and they are frozen once it opens.
Marks (an offer's price, its quality marks) are entered by evaluators and
leads until the procurement closes. Both are recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Assessment, AwardCriterion, AwardMark, Procurement
from ..record import Action as Recorded
from ..record import Event, changes_between, record
from . import roles
from .providers import ProcurementClosed
from .roles import Action

Kind = AwardCriterion.Kind


@dataclass(frozen=True)
class AwardCriterionData:
    kind: str
    weight: int
    name: str = ""
    formula: str = ""


def set_award_criteria(
    procurement: Procurement, *, user, criteria: Sequence[AwardCriterionData]
) -> list[AwardCriterion]:
    """Publish the award criteria (leads, drafts only); none: sovereignty alone."""
    roles.require(user, Action.LEAD, procurement.organisation_id)
    _refuse_invalid(criteria)
    with transaction.atomic():
        locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
        if locked.status != Procurement.Status.DRAFT:
            raise ValidationError(
                _(
                    "The award criteria were published when the procurement "
                    "opened: they no longer change."
                )
            )
        before = [_text(c) for c in locked.award_criteria.all()]
        locked.award_criteria.all().delete()
        created = AwardCriterion.objects.bulk_create(
            AwardCriterion(
                procurement=locked,
                kind=data.kind,
                name=data.name.strip() or str(Kind(data.kind).label),
                weight=data.weight,
                formula=data.formula if data.kind == Kind.PRICE else "",
                position=position,
            )
            for position, data in enumerate(criteria)
        )
        changes = changes_between(
            {"award_criteria": before}, {"award_criteria": [_text(c) for c in created]}
        )
        if changes:
            record(
                locked.organisation_id,
                user=user,
                events=[
                    Event(
                        Recorded.AWARD_CRITERIA_CHANGED,
                        str(locked),
                        procurement=locked.pk,
                        changes=changes,
                    )
                ],
            )
    return created


def set_award_marks(
    assessment: Assessment, *, user, values: Mapping[int, Decimal | str | None]
) -> list[AwardMark]:
    """An offer's price and quality marks, by criterion id; None removes one."""
    roles.require(user, Action.EDIT, assessment.organisation_id)
    criteria = {
        c.pk: c
        for c in AwardCriterion.objects.filter(procurement=assessment.procurement)
    }
    parsed, errors = {}, []
    for criterion_id, raw in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            errors.append(_("Unknown award criterion: %(id)s.") % {"id": criterion_id})
            continue
        if criterion.kind == Kind.SOVEREIGNTY:
            errors.append(_("The sovereignty mark is the scorecard's, not typed."))
            continue
        parsed[criterion_id] = _value(criterion, raw, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update(of=("self",)).get(
            pk=assessment.pk
        )
        if locked.procurement.status == Procurement.Status.CLOSED:
            raise ProcurementClosed()
        stored = {m.criterion_id: m for m in locked.award_marks.all()}
        changes, saved = [], []
        for criterion_id, value in parsed.items():
            mark = stored.get(criterion_id)
            before = None if mark is None else mark.value
            if before == value:
                continue
            name = criteria[criterion_id].name
            changes.append({"field": name, "before": before, "after": value})
            if value is None:
                mark.delete()
                continue
            if mark is None:
                mark = AwardMark(
                    assessment=locked, criterion_id=criterion_id, updated_by=user
                )
            mark.value, mark.updated_by = value, user
            mark.save()
            saved.append(mark)
        if changes:
            record(
                locked.procurement.organisation_id,
                user=user,
                events=[
                    Event(
                        Recorded.AWARD_MARKS_CHANGED,
                        str(locked.offer),
                        procurement=locked.procurement_id,
                        assessment=locked.pk,
                        offer=locked.offer_id,
                        changes=[
                            {
                                **c,
                                "before": _plain(c["before"]),
                                "after": _plain(c["after"]),
                            }
                            for c in changes
                        ],
                    )
                ],
            )
    return saved


def _refuse_invalid(criteria: Sequence[AwardCriterionData]) -> None:
    if not criteria:
        return
    errors = []
    kinds = [c.kind for c in criteria]
    if any(kind not in Kind.values for kind in kinds):
        errors.append(_("A criterion is sovereignty, price or quality."))
    if kinds.count(Kind.SOVEREIGNTY) != 1:
        errors.append(_("Sovereignty (this tool's score) is one criterion, once."))
    if kinds.count(Kind.PRICE) > 1:
        errors.append(_("Price is one criterion at most."))
    for data in criteria:
        if (
            data.kind == Kind.PRICE
            and data.formula not in AwardCriterion.Formula.values
        ):
            errors.append(_("Choose the price formula the tender states."))
        if data.kind == Kind.QUALITY and not data.name.strip():
            errors.append(_("Name each quality criterion."))
        if not isinstance(data.weight, int) or not 1 <= data.weight <= 100:
            errors.append(_("A weight is a whole number from 1 to 100."))
    if sum(c.weight for c in criteria if isinstance(c.weight, int)) != 100:
        errors.append(_("The weights add up to 100."))
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))


def _value(criterion: AwardCriterion, raw, errors: list) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        errors.append(_("%(name)s: not a number.") % {"name": criterion.name})
        return None
    if not value.is_finite() or value < 0:
        errors.append(_("%(name)s: not a positive number.") % {"name": criterion.name})
        return None
    if criterion.kind == Kind.QUALITY and value > 100:
        errors.append(_("%(name)s: a mark is out of 100.") % {"name": criterion.name})
        return None
    if value >= Decimal("1e12"):
        errors.append(_("%(name)s: too large.") % {"name": criterion.name})
        return None
    return value.quantize(Decimal("0.01"))


def _text(criterion: AwardCriterion) -> str:
    formula = f", {criterion.formula}" if criterion.formula else ""
    return f"{criterion.name}: {criterion.weight}{formula}"


def _plain(value):
    return None if value is None else str(value)
