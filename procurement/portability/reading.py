"""Reading an organisation export back: validated, re-scored, all or nothing.

A file is read as a stream (ijson), one provider or assessment at a time;
every row is validated as if entered by hand, and every assessment is scored
again with the engine rather than trusting numbers in the file.
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import ijson
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from scoring.models import Catalogue

from .. import services
from ..models import (
    Answer,
    Assessment,
    Certification,
    Claim,
    EvidenceFile,
    HistoryEntry,
    Membership,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)
from ..models.bidders import evidence_storage
from ..record import Event, record
from .checks import check_answer, check_offer, refuse_nul
from .decisions import import_decisions
from .fields import (
    ANSWER_FIELDS,
    ARRAYS,
    CERTIFICATION_FIELDS,
    CLAIM_FIELDS,
    FACT_FIELDS,
    FILES_DIR,
    FORMAT,
    FORMAT_VERSION,
    JSON_NAME,
    OFFER_FIELDS,
    PROCUREMENT_FIELDS,
    PROVIDER_FIELDS,
    REQUIRED,
    ImportRefused,
    create_validated,
    parse_datetime,
    values_of,
    version_of,
)


@dataclass(frozen=True)
class ImportResult:
    organisation: Organisation
    assessments: int
    unlinked_members: tuple[str, ...]


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

    The file (binary, seekable; the JSON, or the zip archive that holds it
    and the evidence files) is read as a stream, several times over:
    once for its header, then once for each list, an item at a time, so
    that memory holds one provider or assessment plus the map of the file's
    ids to the new rows, whatever the file's size. Every row is validated as
    if entered by hand. Members are linked only with ``link_members``: a
    username on this instance may belong to someone else, so granting a role
    by name is the operator's explicit choice.
    """
    handle.seek(0)
    if handle.read(2) == b"PK":
        try:
            archive = zipfile.ZipFile(handle)
            member = archive.open(JSON_NAME)
        except (zipfile.BadZipFile, KeyError) as exc:
            raise ImportRefused(
                f"Not an organisation export: the archive has no {JSON_NAME}."
            ) from exc
        with archive, member:
            return _import(
                _Stream(member), name=name, link_members=link_members, files=archive
            )
    return _import(_Stream(handle), name=name, link_members=link_members)


class _Document:
    """An export already parsed into memory."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    def header(self) -> dict[str, Any]:
        return self.data

    def items(self, key: str) -> Iterable[Any]:
        return self.data.get(key, [])


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
        events = _depth_limited(ijson.parse(self.handle, use_float=True))
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
        events = _depth_limited(ijson.parse(self.handle, use_float=True))
        return ijson.items(events, f"{key}.item")


# No export nests deeper than a dozen levels; a file that does is refused
# before a value is built (100,000 nested lists take gigabytes).
MAX_DEPTH = 32


def _depth_limited(events: Iterator[tuple]) -> Iterator[tuple]:
    """The parser's events, refused past MAX_DEPTH nested lists or objects."""
    depth = 0
    for prefix, event, value in events:
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_DEPTH:
                raise ImportRefused(
                    f"The file is malformed (nested more than {MAX_DEPTH} levels "
                    "deep); nothing was imported."
                )
        elif event in ("end_map", "end_array"):
            depth -= 1
        yield prefix, event, value


def _import(
    source, *, name: str | None, link_members: bool, files=None
) -> ImportResult:
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
        refuse_nul(header, "The organisation or its members")
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
        saved: list[str] = []  # files stored so far, removed if the import fails
        try:
            with transaction.atomic():
                organisation, assessments = _import_all(
                    source, header, name, catalogues, users, _Files(files, saved)
                )
        except BaseException:
            for path in saved:
                evidence_storage().delete(path)
            raise
    except RecursionError as exc:
        raise ImportRefused(
            "The file is malformed (nested too deeply); nothing was imported."
        ) from exc
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        IntegrityError,
        ValidationError,
        ObjectDoesNotExist,
        ijson.JSONError,
    ) as exc:
        raise ImportRefused(
            f"The file is malformed ({_short(exc)}); nothing was imported."
        ) from exc
    return ImportResult(
        organisation=organisation,
        assessments=assessments,
        unlinked_members=tuple(name for name in usernames if name not in users),
    )


def _keep_creation(row, item: dict, users: dict):
    """Give the new row the exported creation time, and its creator when that
    member is linked here (``created_at`` is set by the database on insert,
    so it is written after)."""
    changes = {}
    if item.get("created_at"):
        changes["created_at"] = parse_datetime(item["created_at"])
    if hasattr(row, "created_by_id") and item.get("created_by") in users:
        changes["created_by"] = users[item["created_by"]]
    if changes:
        type(row).objects.filter(pk=row.pk).update(**changes)
        for name, value in changes.items():
            setattr(row, name, value)
    return row


def _short(exc: Exception) -> str:
    """What went wrong, without a 200,000-character value in the message."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 300 else f"{text[:300]}…"


class _Files:
    """The evidence files of an archive (None for a JSON alone), and what was stored."""

    def __init__(self, archive, saved: list[str]):
        self.archive, self.saved = archive, saved


def _import_all(
    source,
    header: dict[str, Any],
    name: str,
    catalogues: dict,
    users: dict,
    files: _Files,
) -> tuple[Organisation, int]:
    """Create the organisation and everything under it (inside a transaction)."""
    organisation = create_validated(
        Organisation,
        name=name,
        kind=header["organisation"]["kind"],
        country=header["organisation"]["country"],
    )
    _keep_creation(organisation, header["organisation"], users)
    for member in header["members"]:
        if member["username"] in users:
            create_validated(
                Membership,
                organisation=organisation,
                user=users[member["username"]],
                role=member["role"],
            )
    ids = Ids()
    for item in source.items("providers"):
        _import_provider(organisation, item, ids)
    procurements = {
        item["id"]: _import_procurement(organisation, item, catalogues, users)
        for item in source.items("procurements")
    }
    criteria: dict[int, dict[str, Any]] = {}
    assessments = {}
    for item in source.items("assessments"):
        created = _import_assessment(item, ids, procurements, users, criteria, files)
        assessments[item.get("id")] = created
    import_decisions(source, procurements, assessments, users)
    count = len(assessments)
    _link_the_imported_history(organisation, source)
    return organisation, count


def _link_the_imported_history(organisation: Organisation, source) -> None:
    """Start the new chain from the exported one: its length and last hash.

    The exported entries stay in the file, where ``verify_history --export``
    checks them; the new instance's record begins with this link to them.
    """
    count, last = 0, None
    for entry in source.items("history"):
        count, last = count + 1, entry.get("hash")
    record(
        organisation,
        user=None,
        events=[
            Event(
                HistoryEntry.Action.ORGANISATION_IMPORTED,
                str(organisation),
                changes=[
                    {
                        "field": "exported_history_entries",
                        "before": None,
                        "after": count,
                    },
                    {
                        "field": "exported_history_last_hash",
                        "before": None,
                        "after": last,
                    },
                ],
            )
        ],
    )


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


def _import_provider(organisation: Organisation, item: dict, ids: Ids) -> None:
    """Create a provider with its facts, offers and certifications.

    ``ids`` maps the file's ids to the new rows' ids, for the assessments
    that come later (and the approval records they carry).
    """
    where = f"Provider {str(item.get('name'))[:100]!r}"
    refuse_nul(item, where)
    for offer_item in item["offers"]:
        check_offer(offer_item, f"{where}, offer {str(offer_item.get('name'))[:100]!r}")
    provider = create_validated(
        Provider, organisation=organisation, **values_of(item, PROVIDER_FIELDS)
    )
    _keep_creation(provider, item, {})
    for fact in item["facts"]:
        ids.facts[fact["id"]] = create_validated(
            ProviderFact, provider=provider, **values_of(fact, FACT_FIELDS)
        ).pk
    for offer_item in item["offers"]:
        offer = create_validated(
            Offer, provider=provider, **values_of(offer_item, OFFER_FIELDS)
        )
        _keep_creation(offer, offer_item, {})
        for certification in offer_item["certifications"]:
            created = create_validated(
                Certification,
                offer=offer,
                **values_of(certification, CERTIFICATION_FIELDS),
            )
            if "id" in certification:
                ids.certifications[certification["id"]] = created.pk
        ids.offers[offer_item["id"]] = offer.pk
        ids.providers[offer.pk] = provider.pk


@dataclass
class Ids:
    """The file's ids of each kind of row, mapped to the new rows' ids."""

    offers: dict[int, int] = field(default_factory=dict)
    facts: dict[int, int] = field(default_factory=dict)
    certifications: dict[int, int] = field(default_factory=dict)
    providers: dict[int, int] = field(default_factory=dict)  # new offer -> provider


def _import_procurement(
    organisation: Organisation, item: dict, catalogues: dict, users: dict
) -> Procurement:
    where = f"Procurement {str(item.get('title'))[:100]!r}"
    refuse_nul(item, where)
    catalogue = catalogues[(item["catalogue"]["slug"], item["catalogue"]["version"])]
    profile = catalogue.profiles.filter(code=item["profile"]).first()
    if profile is None:
        raise ImportRefused(
            f"{where}: unknown sensitivity profile {str(item['profile'])[:20]!r} "
            f"in {catalogue.slug} {catalogue.version}; nothing was imported."
        )
    procurement = create_validated(
        Procurement,
        organisation=organisation,
        catalogue=catalogue,
        profile=profile,
        **values_of(item, PROCUREMENT_FIELDS),
    )
    return _keep_creation(procurement, item, users)


def _import_assessment(
    item: dict,
    ids: Ids,
    procurements: dict,
    users: dict,
    criteria: dict,
    files: _Files,
) -> Assessment:
    """Create an assessment and its answers, and score it with the engine.

    The answers are validated one by one (levels, evidence, lengths) and
    written in one insert, their cited facts in another; the database's
    constraints refuse a criterion answered twice.
    """
    where = f"Assessment of offer {item.get('offer')!r}"
    refuse_nul(item, where)
    for answer_item in item["answers"]:
        check_answer(answer_item, f"{where}, {answer_item.get('criterion')!r}")
    procurement = procurements[item["procurement"]]
    assessment = create_validated(
        Assessment,
        offer_id=ids.offers[item["offer"]],
        procurement=procurement,
        catalogue=procurement.catalogue,
        profile=procurement.profile,
        status=item["status"],
        as_of=datetime.date.fromisoformat(item["as_of"]),
        version=version_of(item["version"]),
        summary=item.get("summary", ""),
        submitted_by=users.get(item.get("submitted_by")),
        submitted_at=parse_datetime(item.get("submitted_at")),
        approved_by=users.get(item.get("approved_by")),
        approved_at=parse_datetime(item.get("approved_at")),
        withdrawn_at=parse_datetime(item.get("withdrawn_at")),
        withdrawal_reason=item.get("withdrawal_reason") or "",
        approval_record=_approval_record(
            item.get("approval_record"), ids, procurement.organisation_id
        ),
    )
    _keep_creation(assessment, item, users)
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
            answered_at=parse_datetime(answer_item.get("answered_at")),
            presumed_by_id=ids.certifications.get(answer_item.get("presumed_by")),
            presumed_level=answer_item.get("presumed_level"),
            **values_of(answer_item, ANSWER_FIELDS),
        )
        # The related rows come from this import's own maps: no need for a
        # query each to check that they exist.
        answer.full_clean(
            exclude=["assessment", "criterion", "answered_by", "presumed_by"],
            validate_constraints=False,
        )
        answers.append(answer)
    Answer.objects.bulk_create(answers)
    Answer.facts.through.objects.bulk_create(
        Answer.facts.through(answer_id=answer.pk, providerfact_id=ids.facts[pk])
        for answer, answer_item in zip(answers, item["answers"], strict=True)
        for pk in answer_item.get("facts", [])
    )
    for claim in item.get("claims", []):
        create_validated(
            Claim,
            assessment=assessment,
            criterion=by_code[claim["criterion"]],
            claimed_at=parse_datetime(claim.get("claimed_at")) or timezone.now(),
            **values_of(claim, CLAIM_FIELDS),
        )
    for listed in item.get("files", []):
        _import_file(assessment, by_code[listed["criterion"]], listed, users, files)
    return services.refresh_snapshot(assessment)


def _import_file(assessment, criterion, listed: dict, users: dict, files) -> None:
    """Restore one evidence file from the archive, after checking its SHA-256."""
    if files.archive is None:
        raise ImportRefused(
            "This export lists evidence files: import the .zip archive that holds "
            "them, not the JSON alone."
        )
    sha256 = listed["sha256"]
    try:
        content = files.archive.read(f"{FILES_DIR}{sha256}")
    except KeyError as exc:
        raise ImportRefused(
            f"The archive lacks the evidence file {listed['name']!r} ({sha256})."
        ) from exc
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ImportRefused(
            f"The evidence file {listed['name']!r} in the archive does not match "
            "its SHA-256: it was altered."
        )
    stored = EvidenceFile(
        assessment=assessment,
        criterion=criterion,
        name=str(listed["name"])[:255],
        size=len(content),
        sha256=sha256,
        content_type=str(listed["content_type"])[:100],
        uploaded_by=users.get(listed.get("uploaded_by")),
    )
    stored.file.save(f"{criterion.code}-{sha256}", ContentFile(content), save=False)
    files.saved.append(stored.file.name)
    stored.save()


def _approval_record(
    frozen: dict | None, ids: Ids, organisation_id: int
) -> dict | None:
    """An approval record with the file's ids replaced by the new rows' ids."""
    if not frozen:
        return None
    offer = ids.offers[frozen["offer"]["id"]]
    provider = ids.providers[offer]
    return {
        **frozen,
        "offer": {**frozen["offer"], "id": offer, "provider_id": provider},
        "provider": {
            **frozen["provider"],
            "id": provider,
            "organisation_id": organisation_id,
        },
        "certifications": [
            {**c, "id": ids.certifications.get(c["id"]), "offer_id": offer}
            for c in frozen["certifications"]
        ],
        "facts": [
            {**f, "id": ids.facts.get(f["id"]), "provider_id": provider}
            for f in frozen["facts"]
        ],
    }
