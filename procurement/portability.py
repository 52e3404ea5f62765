"""Take an organisation's data out, and bring it into another instance.

A buyer must be able to leave with everything it entered: its providers with
their facts, offers and certifications, its procurements, assessments and
answers. ``export_organisation_data`` writes that as plain JSON-ready data;
``import_organisation_data`` rebuilds it in one transaction on another
instance, re-scoring every assessment with the engine rather than trusting
numbers in the file. Members are carried by username; an import links them to
accounts of the same name only when asked to (``link_members``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from scoring.models import Catalogue

from . import services
from .models import (
    Answer,
    Assessment,
    Certification,
    Membership,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)

FORMAT = "cloud-of-trust-scorecard/organisation"
FORMAT_VERSION = 1

PROVIDER_FIELDS = (
    "name", "legal_name", "country", "parent_name", "parent_country", "founded_on",
    "ceased_on", "status", "website", "description",
)  # fmt: skip
FACT_FIELDS = (
    "key", "category", "statement", "as_of", "as_of_end", "date_precision",
    "source_title", "source_publisher", "source_url", "source_date", "confidence",
    "verify", "note",
)  # fmt: skip
OFFER_FIELDS = ("name", "service_model", "deployment_model", "regions", "description")
CERTIFICATION_FIELDS = ("scheme", "scope", "valid_from", "valid_to")
PROCUREMENT_FIELDS = ("title", "reference", "description", "status", "deadline")
ANSWER_FIELDS = (
    "level",
    "not_applicable",
    "evidence",
    "justification",
    "evidence_reference",
)
DATE_FIELDS = {
    "founded_on", "ceased_on", "as_of", "as_of_end", "source_date", "valid_from",
    "valid_to", "deadline",
}  # fmt: skip


class ImportRefused(Exception):
    """The file cannot be imported here; nothing was written."""


@dataclass(frozen=True)
class ImportResult:
    organisation: Organisation
    assessments: int
    unlinked_members: tuple[str, ...]


def export_organisation_data(organisation: Organisation, *, now=None) -> dict[str, Any]:
    """Everything an organisation entered, as JSON-ready data."""
    providers = (
        organisation.providers.order_by("pk")
        .prefetch_related("facts", "offers__certifications")
        .all()
    )
    procurements = organisation.procurements.select_related(
        "catalogue", "profile"
    ).order_by("pk")
    assessments = (
        Assessment.objects.filter(procurement__organisation=organisation)
        .select_related("submitted_by", "approved_by", "created_by")
        .prefetch_related(
            "answers__criterion", "answers__facts", "answers__answered_by"
        )
        .order_by("pk")
    )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": (now or timezone.now()).isoformat(),
        "organisation": {
            "name": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country,
        },
        "members": [
            {"username": m.user.get_username(), "role": m.role}
            for m in organisation.memberships.select_related("user").order_by("pk")
        ],
        "providers": [
            {
                "id": provider.pk,
                **_fields(provider, PROVIDER_FIELDS),
                "facts": [
                    {"id": fact.pk, **_fields(fact, FACT_FIELDS)}
                    for fact in sorted(provider.facts.all(), key=lambda f: f.pk)
                ],
                "offers": [
                    {
                        "id": offer.pk,
                        **_fields(offer, OFFER_FIELDS),
                        "certifications": [
                            _fields(c, CERTIFICATION_FIELDS)
                            for c in offer.certifications.all()
                        ],
                    }
                    for offer in sorted(provider.offers.all(), key=lambda o: o.pk)
                ],
            }
            for provider in providers
        ],
        "procurements": [
            {
                "id": procurement.pk,
                **_fields(procurement, PROCUREMENT_FIELDS),
                "catalogue": {
                    "slug": procurement.catalogue.slug,
                    "version": procurement.catalogue.version,
                },
                "profile": procurement.profile.code,
            }
            for procurement in procurements
        ],
        "assessments": [_assessment(a) for a in assessments],
    }


def as_download(organisation: Organisation) -> JsonResponse:
    """The organisation's data as a JSON file to save (web page and API)."""
    response = JsonResponse(
        export_organisation_data(organisation),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=f"organisation-{slugify(organisation.name) or organisation.pk}.json",
    )
    return response


def import_organisation_data(
    data: Any, *, name: str | None = None, link_members: bool = False
) -> ImportResult:
    """Rebuild an exported organisation here, all or nothing.

    Every row is validated as if entered by hand. Members are linked only
    with ``link_members``: a username on this instance may belong to someone
    else, so granting a role by name is the operator's explicit choice.
    """
    if not isinstance(data, dict) or (
        data.get("format"),
        data.get("format_version"),
    ) != (
        FORMAT,
        FORMAT_VERSION,
    ):
        raise ImportRefused(f"Not an organisation export ({FORMAT} v{FORMAT_VERSION}).")
    try:
        name = name or data["organisation"]["name"]
        if Organisation.objects.filter(name=name).exists():
            raise ImportRefused(f"An organisation named {name!r} already exists here.")
        catalogues = _catalogues(data)
        usernames = [m["username"] for m in data["members"]]
        users = (
            {
                u.get_username(): u
                for u in get_user_model().objects.filter(username__in=usernames)
            }
            if link_members
            else {}
        )
        with transaction.atomic():
            organisation = _import(data, name, catalogues, users)
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        IntegrityError,
        ValidationError,
    ) as exc:
        raise ImportRefused(
            f"The file is malformed ({exc!r}); nothing was imported."
        ) from exc
    return ImportResult(
        organisation=organisation,
        assessments=len(data["assessments"]),
        unlinked_members=tuple(name for name in usernames if name not in users),
    )


def _import(
    data: dict[str, Any], name: str, catalogues: dict, users: dict
) -> Organisation:
    """Create the organisation and everything under it (inside a transaction)."""
    organisation = _create(
        Organisation,
        name=name,
        kind=data["organisation"]["kind"],
        country=data["organisation"]["country"],
    )
    for member in data["members"]:
        if member["username"] in users:
            _create(
                Membership,
                organisation=organisation,
                user=users[member["username"]],
                role=member["role"],
            )
    offers, facts = _import_providers(organisation, data["providers"])
    procurements = {
        item["id"]: _import_procurement(organisation, item, catalogues)
        for item in data["procurements"]
    }
    for item in data["assessments"]:
        _import_assessment(item, offers, facts, procurements, users)
    return organisation


def _assessment(assessment: Assessment) -> dict[str, Any]:
    return {
        "procurement": assessment.procurement_id,
        "offer": assessment.offer_id,
        "status": assessment.status,
        "as_of": assessment.as_of.isoformat(),
        "version": assessment.version,
        "summary": assessment.summary,
        "submitted_by": _username(assessment.submitted_by),
        "submitted_at": _iso(assessment.submitted_at),
        "approved_by": _username(assessment.approved_by),
        "approved_at": _iso(assessment.approved_at),
        "answers": [
            {
                "criterion": answer.criterion.code,
                **_fields(answer, ANSWER_FIELDS),
                "facts": sorted(f.pk for f in answer.facts.all()),
                "answered_by": _username(answer.answered_by),
                "answered_at": _iso(answer.answered_at),
            }
            for answer in sorted(
                assessment.answers.all(), key=lambda a: a.criterion.code
            )
        ],
        # For the reader only; the import re-scores with the engine.
        "global_score": str(assessment.global_score),
        "trust_level": assessment.trust_level,
        "eligible": assessment.eligible,
    }


def _catalogues(data: dict[str, Any]) -> dict[tuple[str, str], Catalogue]:
    wanted = {
        (p["catalogue"]["slug"], p["catalogue"]["version"])
        for p in data["procurements"]
    }
    found = {
        (c.slug, c.version): c
        for c in Catalogue.objects.published().filter(
            slug__in={slug for slug, _ in wanted}
        )
    }
    missing = sorted(wanted - set(found))
    if missing:
        names = ", ".join(f"{slug} {version}" for slug, version in missing)
        raise ImportRefused(f"Load these catalogue versions first: {names}.")
    return found


def _import_providers(
    organisation: Organisation, items: list[dict]
) -> tuple[dict, dict]:
    offers: dict[int, Offer] = {}
    facts: dict[int, ProviderFact] = {}
    for item in items:
        provider = _create(
            Provider, organisation=organisation, **_values(item, PROVIDER_FIELDS)
        )
        for fact in item["facts"]:
            facts[fact["id"]] = _create(
                ProviderFact, provider=provider, **_values(fact, FACT_FIELDS)
            )
        for offer_item in item["offers"]:
            offer = _create(
                Offer, provider=provider, **_values(offer_item, OFFER_FIELDS)
            )
            for certification in offer_item["certifications"]:
                _create(
                    Certification,
                    offer=offer,
                    **_values(certification, CERTIFICATION_FIELDS),
                )
            offers[offer_item["id"]] = offer
    return offers, facts


def _import_procurement(
    organisation: Organisation, item: dict, catalogues: dict
) -> Procurement:
    catalogue = catalogues[(item["catalogue"]["slug"], item["catalogue"]["version"])]
    return _create(
        Procurement,
        organisation=organisation,
        catalogue=catalogue,
        profile=catalogue.profiles.get(code=item["profile"]),
        **_values(item, PROCUREMENT_FIELDS),
    )


def _import_assessment(item, offers, facts, procurements, users) -> Assessment:
    procurement = procurements[item["procurement"]]
    assessment = _create(
        Assessment,
        offer=offers[item["offer"]],
        procurement=procurement,
        catalogue=procurement.catalogue,
        profile=procurement.profile,
        status=item["status"],
        as_of=datetime.date.fromisoformat(item["as_of"]),
        version=_version(item["version"]),
        summary=item.get("summary", ""),
        submitted_by=users.get(item.get("submitted_by")),
        submitted_at=_datetime(item.get("submitted_at")),
        approved_by=users.get(item.get("approved_by")),
        approved_at=_datetime(item.get("approved_at")),
    )
    criteria = {c.code: c for c in procurement.catalogue.criteria.all()}
    for answer_item in item["answers"]:
        answer = _create(
            Answer,
            assessment=assessment,
            criterion=criteria[answer_item["criterion"]],
            answered_by=users.get(answer_item.get("answered_by")),
            answered_at=_datetime(answer_item.get("answered_at")),
            **_values(answer_item, ANSWER_FIELDS),
        )
        answer.facts.set([facts[pk] for pk in answer_item.get("facts", [])])
    return services.refresh_snapshot(assessment)


def _create(model, **fields):
    """Create a row validated as if it had been entered by hand."""
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    return instance


def _version(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(
            f"an assessment version must be a whole number from 1, not {value!r}"
        )
    return value


def _fields(instance, names) -> dict[str, Any]:
    values = {}
    for name in names:
        value = getattr(instance, name)
        values[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def _values(item: dict[str, Any], names) -> dict[str, Any]:
    values = {}
    for name in names:
        value = item.get(name)
        if name in DATE_FIELDS and value:
            value = datetime.date.fromisoformat(value)
        values[name] = value
    return {k: v for k, v in values.items() if v is not None or k in DATE_FIELDS}


def _username(user) -> str | None:
    return user.get_username() if user else None


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _datetime(text: str | None):
    return datetime.datetime.fromisoformat(text) if text else None
