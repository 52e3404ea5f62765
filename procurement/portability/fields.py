"""What an organisation export holds, and how values are written and read back.

The format's name and version, the fields of each kind of row, and the small
conversions both directions share (dates, users, versions, validated rows).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

FORMAT = "cloud-of-trust-scorecard/organisation"
FORMAT_VERSION = 1

PROVIDER_FIELDS = (
    "name", "legal_name", "country", "parent_name", "parent_country", "founded_on",
    "ceased_on", "status", "website", "description",
)  # fmt: skip
FACT_FIELDS = (
    "key", "category", "statement", "as_of", "as_of_end", "date_precision",
    "source_title", "source_publisher", "source_url", "source_date", "published_on",
    "confidence", "verify", "note",
)  # fmt: skip
OFFER_FIELDS = ("name", "service_model", "deployment_model", "regions", "description")
CERTIFICATION_FIELDS = (
    "scheme",
    "scheme_code",
    "covers_offer",
    "scope",
    "valid_from",
    "valid_to",
)
PROCUREMENT_FIELDS = (
    "title",
    "reference",
    "description",
    "status",
    "deadline",
    # The profile as adjusted for the procurement (re-scored on import).
    "pillar_weights",
    "lowered_thresholds",
    "overlays",
    "adjustment_reason",
)
ANSWER_FIELDS = (
    "level",
    "not_applicable",
    "evidence",
    "justification",
    "evidence_reference",
)
CLAIM_FIELDS = ("level", "not_applicable", "justification", "documents", "source")
FILE_FIELDS = ("name", "size", "sha256", "content_type")
# An archive holds the document and the evidence files, each named by its hash.
JSON_NAME = "organisation.json"
FILES_DIR = "files/"
DATE_FIELDS = {
    "founded_on", "ceased_on", "as_of", "as_of_end", "source_date", "published_on",
    "valid_from", "valid_to", "deadline",
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


def fields_of(instance, names) -> dict[str, Any]:
    values = {}
    for name in names:
        value = getattr(instance, name)
        values[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def values_of(item: dict[str, Any], names) -> dict[str, Any]:
    values = {}
    for name in names:
        value = item.get(name)
        if name in DATE_FIELDS and value:
            value = datetime.date.fromisoformat(value)
        values[name] = value
    return {k: v for k, v in values.items() if v is not None or k in DATE_FIELDS}


def username_of(user) -> str | None:
    return user.get_username() if user else None


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def parse_datetime(text: str | None):
    return datetime.datetime.fromisoformat(text) if text else None


def version_of(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(
            f"an assessment version must be a whole number from 1, not {value!r}"
        )
    return value


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def create_validated(model, **fields):
    """Create a row validated as if it had been entered by hand."""
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    return instance
