"""What an approval freezes: the provider, offer, certifications and cited facts.

When a lead approves an assessment, ``freeze`` stores on it the rows its
report shows besides the answers (which an approved assessment cannot change
anyway): the offer, its provider with the control chain, the offer's
certifications and every fact the answers cite, field by field. Reports of an
approved assessment read them back with ``thaw``, as unsaved model instances
put in place of the live ones, so that pages, exports and the JSON digest stay
as they were at approval whatever happens to the live rows later.
``changes_since_approval`` lists, for the page, what changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .models import Answer, Assessment, Certification, Offer, Provider, ProviderFact

FORMAT = 1
# Bookkeeping that a reader of the report never sees.
SKIPPED = {"created_at", "updated_at"}


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED]


def _dump(instance: models.Model) -> dict[str, Any]:
    """A row's fields as JSON values (dates as ISO strings, foreign keys as ids)."""
    values = {}
    for f in _fields(type(instance)):
        value = f.value_from_object(instance)
        if not isinstance(value, (type(None), bool, int, str, list, dict)):
            value = f.value_to_string(instance)  # dates, decimals: ISO strings
        values[f.attname] = value
    return values


def _load(model: type[models.Model], values: dict[str, Any]) -> models.Model:
    """An unsaved instance carrying the frozen values, as ``from_db`` would build it."""
    kwargs = {}
    for f in _fields(model):
        if f.attname not in values:
            continue
        value = values[f.attname]
        kwargs[f.attname] = (
            value if isinstance(f, models.JSONField) else f.to_python(value)
        )
    instance = model(**kwargs)
    instance._state.adding = False
    instance._state.db = "default"
    return instance


def freeze(assessment: Assessment) -> dict[str, Any]:
    """The approval record of an assessment, from the live rows (four queries)."""
    offer = Offer.objects.select_related("provider").get(pk=assessment.offer_id)
    fact_ids = (
        Answer.facts.through.objects.filter(answer__assessment=assessment)
        .values_list("providerfact_id", flat=True)
        .distinct()
    )
    return {
        "format": FORMAT,
        "offer": _dump(offer),
        "provider": _dump(offer.provider),
        "certifications": [
            _dump(c) for c in Certification.objects.filter(offer=offer).order_by("pk")
        ],
        "facts": [
            _dump(f)
            for f in ProviderFact.objects.filter(pk__in=fact_ids).order_by("pk")
        ],
    }


def record_digest(approval_record: dict[str, Any]) -> str:
    """SHA-256 of the approval record, written into the trail's approval entry."""
    canonical = json.dumps(
        approval_record, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def thaw(assessment: Assessment, answers: Sequence[Answer]) -> None:
    """Put the frozen rows in place of the live ones on this instance (not saved).

    ``assessment.offer`` (and its ``provider``) become the rows as approved,
    the offer's certifications are the approved ones, and each answer cites
    the facts as they were. Nothing changes for an assessment without record.
    """
    frozen = assessment.approval_record
    if not frozen:
        return
    provider = _load(Provider, frozen["provider"])
    offer = _load(Offer, frozen["offer"])
    offer.provider = provider
    offer._prefetched_objects_cache = {
        "certifications": [_load(Certification, c) for c in frozen["certifications"]]
    }
    assessment.offer = offer
    facts = {f["id"]: _load(ProviderFact, f) for f in frozen["facts"]}
    for answer in answers:
        live = list(answer.facts.all())
        cache = getattr(answer, "_prefetched_objects_cache", {})
        cache["facts"] = [facts.get(fact.pk, fact) for fact in live]
        answer._prefetched_objects_cache = cache


@dataclass(frozen=True)
class Difference:
    """One field of a row the report relies on, at approval and now."""

    what: str
    field: str
    at_approval: Any
    now: Any


def changes_since_approval(assessment: Assessment) -> list[Difference]:
    """What changed in the live provider, offer, certifications and facts since."""
    frozen = assessment.approval_record
    if not frozen:
        return []
    offer = Offer.objects.select_related("provider").get(pk=assessment.offer_id)
    differences = _row_differences(_("Offer"), Offer, frozen["offer"], offer)
    differences += _row_differences(
        _("Provider"), Provider, frozen["provider"], offer.provider
    )
    live_certifications = {
        c.pk: c for c in Certification.objects.filter(offer_id=offer.pk)
    }
    frozen_certifications = {c["id"]: c for c in frozen["certifications"]}
    for pk, values in frozen_certifications.items():
        label = _("Certification %(scheme)s") % {"scheme": values["scheme"]}
        live = live_certifications.get(pk)
        if live is None:
            differences.append(Difference(label, _("removed"), values["scheme"], None))
        else:
            differences += _row_differences(label, Certification, values, live)
    for pk, live in live_certifications.items():
        if pk not in frozen_certifications:
            label = _("Certification %(scheme)s") % {"scheme": live.scheme}
            differences.append(Difference(label, _("added"), None, live.scheme))
    live_facts = {
        f.pk: f
        for f in ProviderFact.objects.filter(pk__in=[f["id"] for f in frozen["facts"]])
    }
    for values in frozen["facts"]:
        label = _("Fact of %(date)s") % {"date": values.get("as_of")}
        live = live_facts.get(values["id"])
        if live is None:
            differences.append(
                Difference(label, _("removed"), values["statement"], None)
            )
        else:
            differences += _row_differences(label, ProviderFact, values, live)
    return differences


def _row_differences(
    what: str, model: type[models.Model], frozen: dict[str, Any], live: models.Model
) -> list[Difference]:
    now = _dump(live)
    return [
        Difference(what, str(f.verbose_name), frozen.get(f.attname), now[f.attname])
        for f in _fields(model)
        if frozen.get(f.attname) != now[f.attname]
    ]
