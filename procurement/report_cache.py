"""The procurement page's report, rendered once and kept until what it shows changes.

The report (ranking, sensitivity, robustness, award, resemblance, radar) is
most of the page's cost and the same for every reader of the procurement. It
is kept in the cache under a key drawn from everything it is made of, read in
three light queries before the report is: the organisation's record (every
service adds an entry to it in the transaction of its change), the last change
of the procurement's assessments, offers and providers (which also catches a
snapshot stored again by ``refresh_snapshots``) and their counts, the same for
the reference cases, and the procurement row itself. The method version, the
language, the time zone, the overlays asked for, the reader's right to add
offers and the code's own files complete the key. Any change moves the key,
so a report is never served stale; keys left behind expire.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max, Q
from django.utils import timezone, translation

from .models import Assessment, HistoryChain, Procurement

# The code a report is rendered by: a deployment of other code renders anew.
_CODE_FOLDERS = ("templates", "procurement", "scoring", "config", "locale")
_CODE_SUFFIXES = (".py", ".html", ".mo", ".yaml")


@dataclass(frozen=True)
class ReportState:
    """What the page's header needs of the offers, and the report's cache key."""

    ranked: int  # offers in the ranking (withdrawn ones are not)
    drafts: int
    withdrawn: int
    key: str

    @property
    def only_drafts(self) -> bool:
        """True when every offer is a draft and none was withdrawn."""
        return not self.withdrawn and self.drafts == self.ranked


def report_state(
    procurement: Procurement, *, overlays: list[str], can_edit: bool
) -> ReportState:
    """Read what the report is drawn from, in three queries, and make its key."""
    Status = Assessment.Status
    offers = _changes(
        procurement.assessments.all(),
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
    )
    references = _changes(Assessment.objects.reference_cases())
    record = (
        HistoryChain.objects.filter(organisation_id=procurement.organisation_id)
        .values_list("length", flat=True)
        .first()
    )
    parts = (
        procurement.pk,
        procurement.updated_at,
        procurement.catalogue_id,
        procurement.catalogue.content_hash,
        record,
        sorted(offers.items()),
        sorted(references.items()),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        sorted(set(overlays)),
        can_edit,
        code_version(),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return ReportState(
        ranked=offers["count"] - offers["withdrawn"],
        drafts=offers["drafts"],
        withdrawn=offers["withdrawn"],
        key=f"procurement-report:{procurement.pk}:{digest}",
    )


def cached_report(state: ReportState, render: Callable[[], str]) -> str:
    """The report kept under the state's key, or rendered now and kept."""
    seconds = settings.PROCUREMENT_REPORT_CACHE_SECONDS
    if not seconds:
        return render()
    kept = caches["reports"]
    report = kept.get(state.key)
    if report is None:
        report = render()
        kept.set(state.key, report, seconds)
    return report


def _changes(assessments, **counts) -> dict:
    """How many assessments, and when they, their offers and providers last changed."""
    return assessments.aggregate(
        count=Count("pk"),
        assessments=Max("updated_at"),
        offers=Max("offer__updated_at"),
        providers=Max("offer__provider__updated_at"),
        **counts,
    )


def code_version() -> str:
    """A digest of the code's files: their contents, read once per process; with
    DEBUG on, their sizes and times at every call (templates change under a
    running development server)."""
    if settings.DEBUG:
        return _digest(lambda path, stat: f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return _contents_digest()


@lru_cache(maxsize=1)
def _contents_digest() -> str:
    return _digest(lambda path, stat: path.read_bytes())


def _digest(read: Callable[[Path, os.stat_result], bytes]) -> str:
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in _CODE_FOLDERS:
        for root, dirs, files in os.walk(base / folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(_CODE_SUFFIXES):
                    path = Path(root, name)
                    digest.update(str(path.relative_to(base)).encode() + b"\0")
                    digest.update(read(path, path.stat()) + b"\0")
    return digest.hexdigest()[:16]
