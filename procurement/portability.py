"""Take an organisation's data out, and bring it into another instance.

A buyer must be able to leave with everything it entered: its providers with
their facts, offers and certifications, its procurements, assessments and
answers. ``write_organisation`` writes that as one compact JSON document to a
stream, chunk by chunk (keyset pagination: a fixed number of queries per
chunk, no list of ids that grows with the organisation), so that memory stays
flat whatever the size; the export job and ``export_organisation`` use it.
``import_organisation_file`` reads such a file as a stream too (ijson), one
provider or assessment at a time, and rebuilds it in one transaction on
another instance, re-scoring every assessment with the engine rather than
trusting numbers in the file. Members are carried by username; an import
links them to accounts of the same name only when asked to
(``link_members``). ``export_organisation_data`` and
``import_organisation_data`` do the same with the document in memory, for
tests and small organisations.
"""

from __future__ import annotations

import datetime
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import ijson
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
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


# Rows per chunk: each chunk of assessments is three queries (assessments,
# their answers, the facts the answers cite) and holds some 45 answers per
# assessment in memory; each chunk of providers is four.
CHUNK_SIZE = 200
# The document's top-level members: small ones read whole, arrays item by item.
SMALL_PARTS = ("format", "format_version", "exported_at", "organisation", "members")
ARRAYS = ("providers", "procurements", "assessments")
REQUIRED = ("format", "format_version", "organisation", "members", *ARRAYS)
# ijson events that open a value rather than end it.
OPENING_EVENTS = ("start_map", "start_array", "map_key")

Progress = Callable[[int], None]


class ImportRefused(Exception):
    """The file cannot be imported here; nothing was written."""


@dataclass(frozen=True)
class ImportResult:
    organisation: Organisation
    assessments: int
    unlinked_members: tuple[str, ...]


def filename(organisation: Organisation) -> str:
    """The name an organisation's export is saved under."""
    return f"organisation-{slugify(organisation.name) or organisation.pk}.json"


def write_organisation(
    organisation: Organisation,
    stream: IO[str],
    *,
    now: datetime.datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
) -> None:
    """Write everything an organisation entered to ``stream``, as compact JSON.

    The document is written as it is read, a chunk of rows at a time, and
    never held whole in memory. ``progress`` is told the share done (0-100)
    after each chunk of assessments, which are nearly all of the work.
    """
    assessments = Assessment.objects.filter(procurement__organisation=organisation)
    total = assessments.count()
    report = progress or (lambda percent: None)
    stream.write("{")
    _write_members(
        stream,
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": (now or timezone.now()).isoformat(),
            "organisation": {
                "name": organisation.name,
                "kind": organisation.kind,
                "country": organisation.country,
            },
        },
    )
    stream.write(',"members":')
    _write_array(
        stream,
        (
            {"username": m.user.get_username(), "role": m.role}
            for chunk in _chunks(
                organisation.memberships.select_related("user"), chunk_size
            )
            for m in chunk
        ),
    )
    stream.write(',"providers":')
    _write_array(
        stream,
        (
            item
            for chunk in _chunks(organisation.providers.all(), chunk_size)
            for item in _providers(chunk)
        ),
    )
    report(5)
    stream.write(',"procurements":')
    _write_array(
        stream,
        (
            _procurement(procurement)
            for chunk in _chunks(
                organisation.procurements.select_related("catalogue", "profile"),
                chunk_size,
            )
            for procurement in chunk
        ),
    )
    report(10)
    stream.write(',"assessments":')
    _write_array(
        stream, _assessments(organisation.pk, assessments, chunk_size, total, report)
    )
    stream.write("}")


def export_organisation_data(organisation: Organisation, *, now=None) -> dict[str, Any]:
    """Everything an organisation entered, as JSON-ready data (in memory)."""
    buffer = io.StringIO()
    write_organisation(organisation, buffer, now=now)
    return json.loads(buffer.getvalue())


def import_organisation_data(
    data: Any, *, name: str | None = None, link_members: bool = False
) -> ImportResult:
    """Rebuild an exported organisation here, all or nothing, from a document
    already in memory (see ``import_organisation_file`` for a file)."""
    if not isinstance(data, dict):
        raise ImportRefused(f"Not an organisation export ({FORMAT} v{FORMAT_VERSION}).")
    return _import(_Document(data), name=name, link_members=link_members)


def import_organisation_file(
    handle: IO[bytes], *, name: str | None = None, link_members: bool = False
) -> ImportResult:
    """Rebuild an exported organisation here, all or nothing, from a file.

    The file (binary, seekable) is read as a stream, several times over:
    once for its header, then once for each list, an item at a time, so
    that memory holds one provider or assessment plus the map of the file's
    ids to the new rows, whatever the file's size. Every row is validated as
    if entered by hand. Members are linked only with ``link_members``: a
    username on this instance may belong to someone else, so granting a role
    by name is the operator's explicit choice.
    """
    return _import(_Stream(handle), name=name, link_members=link_members)


class _Document:
    """An export already parsed into memory."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    def header(self) -> dict[str, Any]:
        return self.data

    def items(self, key: str) -> Iterable[Any]:
        return self.data[key]


class _Stream:
    """An export file, parsed as it is read (ijson)."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle

    def header(self) -> dict[str, Any]:
        """The document's small members, and which of its lists it has.

        One pass of events that builds only the small members and skips the
        lists; it stops at the last list this tool writes (assessments) once
        everything else has been seen.
        """
        self.handle.seek(0)
        events = ijson.parse(self.handle, use_float=True)
        if next(events, (None, None, None))[:2] != ("", "start_map"):
            raise ImportRefused(
                f"Not an organisation export ({FORMAT} v{FORMAT_VERSION})."
            )
        header: dict[str, Any] = {}
        key, builder = None, None
        for prefix, event, value in events:
            if builder is not None:
                builder.event(event, value)
                if prefix == key and event not in (
                    "start_map",
                    "start_array",
                    "map_key",
                ):
                    header[key], builder = builder.value, None
            elif prefix == "" and event == "map_key":
                key = value
                if key not in ARRAYS:
                    builder = ijson.ObjectBuilder()
                else:
                    header[key] = []  # read item by item by ``items``
                    if all(part in header for part in REQUIRED):
                        break
            elif prefix == "" and event == "end_map":
                break
        return header

    def items(self, key: str) -> Iterator[Any]:
        self.handle.seek(0)
        return ijson.items(self.handle, f"{key}.item", use_float=True)


def _import(source, *, name: str | None, link_members: bool) -> ImportResult:
    try:
        header = source.header()
        if (header.get("format"), header.get("format_version")) != (
            FORMAT,
            FORMAT_VERSION,
        ):
            raise ImportRefused(
                f"Not an organisation export ({FORMAT} v{FORMAT_VERSION})."
            )
        missing = [part for part in REQUIRED if part not in header]
        if missing:
            raise KeyError(", ".join(missing))
        name = name or header["organisation"]["name"]
        if Organisation.objects.filter(name=name).exists():
            raise ImportRefused(f"An organisation named {name!r} already exists here.")
        catalogues = _catalogues(source.items("procurements"))
        usernames = [m["username"] for m in header["members"]]
        users = (
            {
                u.get_username(): u
                for u in get_user_model().objects.filter(username__in=usernames)
            }
            if link_members
            else {}
        )
        with transaction.atomic():
            organisation, assessments = _import_all(
                source, header, name, catalogues, users
            )
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        IntegrityError,
        ValidationError,
        ijson.JSONError,
    ) as exc:
        raise ImportRefused(
            f"The file is malformed ({exc!r}); nothing was imported."
        ) from exc
    return ImportResult(
        organisation=organisation,
        assessments=assessments,
        unlinked_members=tuple(name for name in usernames if name not in users),
    )


def _import_all(
    source, header: dict[str, Any], name: str, catalogues: dict, users: dict
) -> tuple[Organisation, int]:
    """Create the organisation and everything under it (inside a transaction)."""
    organisation = _create(
        Organisation,
        name=name,
        kind=header["organisation"]["kind"],
        country=header["organisation"]["country"],
    )
    for member in header["members"]:
        if member["username"] in users:
            _create(
                Membership,
                organisation=organisation,
                user=users[member["username"]],
                role=member["role"],
            )
    offers: dict[int, Offer] = {}
    facts: dict[int, ProviderFact] = {}
    for item in source.items("providers"):
        _import_provider(organisation, item, offers, facts)
    procurements = {
        item["id"]: _import_procurement(organisation, item, catalogues)
        for item in source.items("procurements")
    }
    criteria: dict[int, dict[str, Any]] = {}
    count = 0
    for item in source.items("assessments"):
        _import_assessment(item, offers, facts, procurements, users, criteria)
        count += 1
    return organisation, count


def _chunks(queryset: QuerySet, size: int) -> Iterator[list]:
    """The queryset's rows in primary-key order, ``size`` rows per query.

    Keyset pagination (``pk > last one seen``): every chunk is one query
    whatever the table's size, and no list of ids is ever sent to the
    database. The last chunk saves one query when it comes up short.
    """
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1].pk


def _write_array(stream: IO[str], items: Iterable[Any]) -> None:
    stream.write("[")
    for position, item in enumerate(items):
        if position:
            stream.write(",")
        stream.write(_compact(item))
    stream.write("]")


def _write_members(stream: IO[str], values: dict[str, Any]) -> None:
    """Write ``values`` as members of the object being written (no braces)."""
    stream.write(_compact(values)[1:-1])


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _providers(chunk: list[Provider]) -> list[dict[str, Any]]:
    """A chunk of providers with their facts, offers and certifications.

    Four queries, each bounded by the chunk: the facts, the offers and the
    certifications of these providers (by a join, not a list of ids).
    """
    ids = [provider.pk for provider in chunk]
    first, last = ids[0], ids[-1]
    facts = defaultdict(list)
    for fact in ProviderFact.objects.filter(
        provider__organisation_id=chunk[0].organisation_id,
        provider_id__gte=first,
        provider_id__lte=last,
    ).order_by("provider_id", "pk"):
        facts[fact.provider_id].append({"id": fact.pk, **_fields(fact, FACT_FIELDS)})
    offers = defaultdict(list)
    for offer in Offer.objects.filter(
        provider__organisation_id=chunk[0].organisation_id,
        provider_id__gte=first,
        provider_id__lte=last,
    ).order_by("pk"):
        offers[offer.provider_id].append(offer)
    certifications = defaultdict(list)
    for certification in Certification.objects.filter(
        offer__provider__organisation_id=chunk[0].organisation_id,
        offer__provider_id__gte=first,
        offer__provider_id__lte=last,
    ).order_by("offer_id", "scheme", "pk"):
        certifications[certification.offer_id].append(
            _fields(certification, CERTIFICATION_FIELDS)
        )
    return [
        {
            "id": provider.pk,
            **_fields(provider, PROVIDER_FIELDS),
            "facts": facts[provider.pk],
            "offers": [
                {
                    "id": offer.pk,
                    **_fields(offer, OFFER_FIELDS),
                    "certifications": certifications[offer.pk],
                }
                for offer in offers[provider.pk]
            ],
        }
        for provider in chunk
    ]


def _procurement(procurement: Procurement) -> dict[str, Any]:
    return {
        "id": procurement.pk,
        **_fields(procurement, PROCUREMENT_FIELDS),
        "catalogue": {
            "slug": procurement.catalogue.slug,
            "version": procurement.catalogue.version,
        },
        "profile": procurement.profile.code,
    }


def _assessments(
    organisation_id: int,
    assessments: QuerySet,
    chunk_size: int,
    total: int,
    report: Progress,
) -> Iterator[dict[str, Any]]:
    """Every assessment with its answers, a chunk at a time.

    Three queries per chunk: the assessments, their answers, and the facts
    those answers cite; answers are read as plain values, not model rows.
    The chunk's answers are found by the range of its assessments' ids
    within the organisation, not by a list of ids.
    """
    username = f"answered_by__{get_user_model().USERNAME_FIELD}"
    done = 0
    for chunk in _chunks(
        assessments.select_related("submitted_by", "approved_by"), chunk_size
    ):
        # A join, not ``assessment__in=<subquery>``: SQLite would list the
        # organisation's every assessment again for each chunk.
        in_chunk = {
            "assessment__procurement__organisation_id": organisation_id,
            "assessment_id__gte": chunk[0].pk,
            "assessment_id__lte": chunk[-1].pk,
        }
        cited = defaultdict(list)
        for answer_id, fact_id in Answer.facts.through.objects.filter(
            **{f"answer__{key}": value for key, value in in_chunk.items()}
        ).values_list("answer_id", "providerfact_id"):
            cited[answer_id].append(fact_id)
        answers = defaultdict(list)
        for values in Answer.objects.filter(**in_chunk).values(
            "pk",
            "assessment_id",
            "criterion__code",
            *ANSWER_FIELDS,
            username,
            "answered_at",
        ):
            answers[values["assessment_id"]].append(
                {
                    "criterion": values["criterion__code"],
                    **{name: values[name] for name in ANSWER_FIELDS},
                    "facts": sorted(cited[values["pk"]]),
                    "answered_by": values[username],
                    "answered_at": _iso(values["answered_at"]),
                }
            )
        for assessment in chunk:
            yield _assessment(
                assessment,
                sorted(answers[assessment.pk], key=lambda a: a["criterion"]),
            )
        done += len(chunk)
        report(10 + 89 * done // max(total, 1))


def _assessment(assessment: Assessment, answers: list[dict]) -> dict[str, Any]:
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
        "answers": answers,
        # For the reader only; the import re-scores with the engine.
        "global_score": str(assessment.global_score),
        "trust_level": assessment.trust_level,
        "eligible": assessment.eligible,
    }


def _catalogues(procurements: Iterable[dict]) -> dict[tuple[str, str], Catalogue]:
    wanted = {(p["catalogue"]["slug"], p["catalogue"]["version"]) for p in procurements}
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


def _import_provider(
    organisation: Organisation, item: dict, offers: dict, facts: dict
) -> None:
    """Create a provider with its facts, offers and certifications.

    ``offers`` and ``facts`` map the file's ids to the new rows' ids, for
    the assessments that come later.
    """
    provider = _create(
        Provider, organisation=organisation, **_values(item, PROVIDER_FIELDS)
    )
    for fact in item["facts"]:
        facts[fact["id"]] = _create(
            ProviderFact, provider=provider, **_values(fact, FACT_FIELDS)
        ).pk
    for offer_item in item["offers"]:
        offer = _create(Offer, provider=provider, **_values(offer_item, OFFER_FIELDS))
        for certification in offer_item["certifications"]:
            _create(
                Certification,
                offer=offer,
                **_values(certification, CERTIFICATION_FIELDS),
            )
        offers[offer_item["id"]] = offer.pk


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


def _import_assessment(
    item: dict,
    offers: dict,
    facts: dict,
    procurements: dict,
    users: dict,
    criteria: dict,
) -> Assessment:
    """Create an assessment and its answers, and score it with the engine.

    The answers are validated one by one (levels, evidence, lengths) and
    written in one insert, their cited facts in another; the database's
    constraints refuse a criterion answered twice.
    """
    procurement = procurements[item["procurement"]]
    assessment = _create(
        Assessment,
        offer_id=offers[item["offer"]],
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
    if procurement.catalogue_id not in criteria:
        criteria[procurement.catalogue_id] = {
            c.code: c for c in procurement.catalogue.criteria.all()
        }
    by_code = criteria[procurement.catalogue_id]
    answers = []
    for answer_item in item["answers"]:
        answer = Answer(
            assessment=assessment,
            criterion=by_code[answer_item["criterion"]],
            answered_by=users.get(answer_item.get("answered_by")),
            answered_at=_datetime(answer_item.get("answered_at")),
            **_values(answer_item, ANSWER_FIELDS),
        )
        # The related rows come from this import's own maps: no need for a
        # query each to check that they exist.
        answer.full_clean(
            exclude=["assessment", "criterion", "answered_by"],
            validate_constraints=False,
        )
        answers.append(answer)
    Answer.objects.bulk_create(answers)
    Answer.facts.through.objects.bulk_create(
        Answer.facts.through(answer_id=answer.pk, providerfact_id=facts[pk])
        for answer, answer_item in zip(answers, item["answers"], strict=True)
        for pk in answer_item.get("facts", [])
    )
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
