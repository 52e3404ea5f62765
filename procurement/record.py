"""The record: services write every change here, inside their own transaction.

``record(organisation, user=..., events=...)`` appends one entry per event to the
organisation's chain: it locks the chain's head (so positions follow one
another even with many writers), computes each entry's SHA-256 over its
content and the previous entry's hash, and inserts them all at once: three
queries per save, whatever the number of events. It knows organisations and
users (or, for a bidder without an account, an ``actor`` name), not the
shape of an answer: a service says what changed, as a list of
``{field, before, after}`` (``changes``), and why (``reason``).

``verify_chains`` walks every chain again and names the first entry whose
content, position or link no longer matches (``manage.py verify_history``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import HistoryChain, HistoryEntry, Organisation

GENESIS = "0" * 64
CONTENT_KEYS = (
    "organisation", "sequence", "at", "user", "user_name", "action", "procurement",
    "assessment", "offer", "provider", "subject", "criterion", "changes", "reason",
    "previous_hash",
)  # fmt: skip
Action = HistoryEntry.Action


@dataclass(frozen=True)
class Event:
    """One change to record: what happened, to what, and what it changed."""

    action: str
    subject: str
    procurement: int | None = None
    assessment: int | None = None
    offer: int | None = None
    provider: int | None = None
    criterion: str = ""
    changes: Sequence[Mapping[str, Any]] = field(default=())
    reason: str = ""


def plain(value: Any) -> Any:
    """A value as the record stores it: JSON's own types only."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """``{field, before, after}`` for each field whose value differs.

    A field missing on one side counts as empty there, so that a creation
    (``before`` empty) or a removal (``after`` empty) lists what was set.
    """
    empty = (None, "", [])
    changes = []
    for name in dict.fromkeys([*after, *before]):
        old, new = plain(before.get(name)), plain(after.get(name))
        if old != new and not (old in empty and new in empty):
            changes.append({"field": name, "before": old, "after": new})
    return changes


def user_label(user) -> str:
    """The name a reader knows the user by, as it is today."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def record(
    organisation: Organisation | int,
    *,
    user,
    events: Iterable[Event],
    actor: str | None = None,
) -> list[HistoryEntry]:
    """Append events to the organisation's chain, inside the change's transaction."""
    events = list(events)
    if not events:
        return []
    organisation_id = getattr(organisation, "pk", organisation)
    now = timezone.now()
    name = actor if actor is not None else user_label(user)
    with transaction.atomic():
        head, _created = HistoryChain.objects.select_for_update().get_or_create(
            organisation_id=organisation_id
        )
        previous = head.last_hash or GENESIS
        entries = []
        for offset, event in enumerate(events, start=1):
            entry = HistoryEntry(
                organisation_id=organisation_id,
                sequence=head.length + offset,
                at=now,
                user=user,
                user_name=name,
                action=event.action,
                procurement_id=event.procurement,
                assessment_id=event.assessment,
                offer_id=event.offer,
                provider_id=event.provider,
                subject=event.subject[:500],
                criterion=event.criterion,
                changes=[dict(change) for change in event.changes],
                reason=event.reason,
                previous_hash=previous,
            )
            entry.hash = entry_hash(entry)
            previous = entry.hash
            entries.append(entry)
        HistoryEntry.objects.bulk_create(entries)
        head.length += len(entries)
        head.last_hash = previous
        head.save(update_fields=["length", "last_hash"])
    return entries


def entry_content(entry: HistoryEntry) -> dict[str, Any]:
    """What an entry's hash covers: its content, its position and the previous hash.

    Exports carry entries in this form (with their ``hash``), so that a chain
    can be checked from a file as from the database.
    """
    return {
        "organisation": entry.organisation_id,
        "sequence": entry.sequence,
        "at": entry.at.astimezone(datetime.timezone.utc).isoformat(),
        "user": entry.user_id,
        "user_name": entry.user_name,
        "action": entry.action,
        "procurement": entry.procurement_id,
        "assessment": entry.assessment_id,
        "offer": entry.offer_id,
        "provider": entry.provider_id,
        "subject": entry.subject,
        "criterion": entry.criterion,
        "changes": entry.changes,
        "reason": entry.reason,
        "previous_hash": entry.previous_hash,
    }


@dataclass(frozen=True)
class MethodChange:
    """The last move of a procurement to another catalogue version, per offer."""

    at: datetime.datetime
    user_name: str
    before: str  # "cloud-of-trust 1.0"
    after: str
    rows: tuple[tuple[str, dict[str, Any]], ...]  # (offer, {field: (before, after)})


def last_method_change(procurement_id: int) -> MethodChange | None:
    """What the procurement's last re-pin changed, read back from the record."""
    moved = (
        HistoryEntry.objects.filter(
            procurement_id=procurement_id, action=Action.PROCUREMENT_REPINNED
        )
        .order_by("-sequence")
        .first()
    )
    if moved is None:
        return None
    entries = HistoryEntry.objects.filter(
        organisation_id=moved.organisation_id,
        procurement_id=procurement_id,
        action=Action.ASSESSMENT_REPINNED,
        sequence__gt=moved.sequence,
    ).order_by("sequence")
    rows = tuple(
        (
            entry.subject,
            {c["field"]: (c["before"], c["after"]) for c in entry.changes},
        )
        for entry in entries
    )
    catalogue = rows[0][1]["catalogue"] if rows else ("", "")
    return MethodChange(moved.at, moved.user_name, catalogue[0], catalogue[1], rows)


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256, in hexadecimal, of the canonical JSON of an entry's content."""
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def entry_hash(entry: HistoryEntry) -> str:
    return content_hash(entry_content(entry))


@dataclass(frozen=True)
class Break:
    """Where a chain stops matching: the organisation, the position, and why."""

    organisation: str
    sequence: int
    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry #{self.sequence}"
        if self.entry_id is not None:
            where += f" (id {self.entry_id})"
        return f"{self.organisation}: {where}: {self.problem}"


def verify_chains(chunk_size: int = 2000) -> list[Break]:
    """The first break of each organisation's chain; an empty list when all hold."""
    breaks = []
    for organisation in Organisation.objects.order_by("pk"):
        problem = _verify_chain(organisation, chunk_size)
        if problem is not None:
            breaks.append(problem)
    return breaks


def _verify_chain(organisation: Organisation, chunk_size: int) -> Break | None:
    head = HistoryChain.objects.filter(organisation=organisation).first()
    entries = (
        HistoryEntry.objects.filter(organisation=organisation)
        .order_by("sequence")
        .iterator(chunk_size=chunk_size)
    )
    return verify_entries(
        str(organisation),
        ({**entry_content(e), "hash": e.hash, "id": e.pk} for e in entries),
        head=(head.length, head.last_hash or GENESIS) if head else (0, GENESIS),
    )


def verify_entries(
    name: str, entries: Iterable[dict[str, Any]], *, head: tuple[int, str] | None
) -> Break | None:
    """The first break in a chain of entries (oldest first), or None.

    ``head`` is what the chain's head records (length, last hash); None when
    there is no head to compare with (an exported file) and no entry either.
    """
    previous, expected = GENESIS, 1
    for entry in entries:
        content = {key: entry.get(key) for key in CONTENT_KEYS}
        if content["sequence"] != expected:
            return Break(
                name,
                expected,
                None,
                f"missing: the next entry is #{content['sequence']}",
            )
        if content["previous_hash"] != previous:
            return Break(
                name, expected, entry.get("id"), "does not link to the entry before it"
            )
        if content_hash(content) != entry.get("hash"):
            return Break(
                name,
                expected,
                entry.get("id"),
                "its content was altered after it was written",
            )
        previous, expected = entry["hash"], expected + 1
    length = expected - 1
    if head is None:
        return None
    if head[0] != length or head[1] != previous:
        return Break(
            name,
            length + 1,
            None,
            f"the chain records {head[0]} entries but {length} remain: "
            "the last ones were removed",
        )
    return None
