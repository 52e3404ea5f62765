"""Writing an organisation's data out as one compact JSON document, chunk by chunk.

Keyset pagination (a fixed number of queries per chunk, no list of ids that
grows with the organisation) and a stream written as it is read, so that
memory stays flat whatever the size. The export job, the API and
``export_organisation`` use ``write_organisation``.
"""

from __future__ import annotations

import datetime
import io
import json
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from .. import signals
from ..models import (
    Answer,
    Assessment,
    Certification,
    Claim,
    EvidenceFile,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)
from ..record import entry_content
from .decisions import write_decisions
from .fields import (
    ANSWER_FIELDS,
    CERTIFICATION_FIELDS,
    CHUNK_SIZE,
    CLAIM_FIELDS,
    FACT_FIELDS,
    FILE_FIELDS,
    FILES_DIR,
    FORMAT,
    FORMAT_VERSION,
    JSON_NAME,
    OFFER_FIELDS,
    PROCUREMENT_FIELDS,
    PROVIDER_FIELDS,
    Progress,
    compact,
    fields_of,
    iso,
    username_of,
)


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
                "created_at": iso(organisation.created_at),
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
                organisation.procurements.select_related(
                    "catalogue", "profile", "created_by"
                ),
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
    write_decisions(
        stream,
        organisation,
        lambda queryset: _chunks(queryset.order_by("pk"), chunk_size),
        _write_array,
    )
    for name, items in signals.exported_sections(organisation):
        stream.write(f",{json.dumps(name)}:")
        _write_array(stream, items)
    stream.write(',"history":')
    _write_array(
        stream,
        (
            {**entry_content(entry), "hash": entry.hash}
            for chunk in _chunks(organisation.history.all(), chunk_size)
            for entry in chunk
        ),
    )
    stream.write("}")


def export_organisation_data(organisation: Organisation, *, now=None) -> dict[str, Any]:
    """Everything an organisation entered, as JSON-ready data (in memory)."""
    buffer = io.StringIO()
    write_organisation(organisation, buffer, now=now)
    return json.loads(buffer.getvalue())


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
        last = rows[-1]["pk"] if isinstance(rows[-1], dict) else rows[-1].pk


def _write_array(stream: IO[str], items: Iterable[Any]) -> None:
    stream.write("[")
    for position, item in enumerate(items):
        if position:
            stream.write(",")
        stream.write(compact(item))
    stream.write("]")


def _write_members(stream: IO[str], values: dict[str, Any]) -> None:
    """Write ``values`` as members of the object being written (no braces)."""
    stream.write(compact(values)[1:-1])


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
        facts[fact.provider_id].append({"id": fact.pk, **fields_of(fact, FACT_FIELDS)})
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
            {"id": certification.pk, **fields_of(certification, CERTIFICATION_FIELDS)}
        )
    return [
        {
            "id": provider.pk,
            **fields_of(provider, PROVIDER_FIELDS),
            "created_at": iso(provider.created_at),
            "facts": facts[provider.pk],
            "offers": [
                {
                    "id": offer.pk,
                    **fields_of(offer, OFFER_FIELDS),
                    "created_at": iso(offer.created_at),
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
        **fields_of(procurement, PROCUREMENT_FIELDS),
        "catalogue": {
            "slug": procurement.catalogue.slug,
            "version": procurement.catalogue.version,
        },
        "profile": procurement.profile.code,
        "created_at": iso(procurement.created_at),
        "created_by": username_of(procurement.created_by),
    }


def _assessments(
    organisation_id: int,
    assessments: QuerySet,
    chunk_size: int,
    total: int,
    report: Progress,
) -> Iterator[dict[str, Any]]:
    """Every assessment with its answers, a chunk at a time.

    Five queries per chunk: the assessments, their answers, the facts those
    answers cite, the bidder's claims and the evidence files (their names,
    sizes and hashes; the bytes go in the archive); all read as plain values.
    The chunk's answers are found by the range of its assessments' ids
    within the organisation, not by a list of ids.
    """
    username = f"answered_by__{get_user_model().USERNAME_FIELD}"
    done = 0
    for chunk in _chunks(
        assessments.select_related("created_by", "submitted_by", "approved_by"),
        chunk_size,
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
            "presumed_by_id",
            "presumed_level",
        ):
            answers[values["assessment_id"]].append(
                {
                    "criterion": values["criterion__code"],
                    **{name: values[name] for name in ANSWER_FIELDS},
                    "facts": sorted(cited[values["pk"]]),
                    "answered_by": values[username],
                    "answered_at": iso(values["answered_at"]),
                    # The certificate a level was presumed from (brief 8.6).
                    "presumed_by": values["presumed_by_id"],
                    "presumed_level": values["presumed_level"],
                }
            )
        claims = defaultdict(list)
        for values in Claim.objects.filter(**in_chunk).values(
            "assessment_id", "criterion__code", *CLAIM_FIELDS, "claimed_at"
        ):
            claims[values["assessment_id"]].append(
                {
                    "criterion": values["criterion__code"],
                    **{name: values[name] for name in CLAIM_FIELDS},
                    "claimed_at": iso(values["claimed_at"]),
                }
            )
        files = defaultdict(list)
        uploader = f"uploaded_by__{get_user_model().USERNAME_FIELD}"
        for values in (
            EvidenceFile.objects.filter(**in_chunk)
            .order_by("pk")
            .values(
                "assessment_id",
                "criterion__code",
                *FILE_FIELDS,
                uploader,
                "uploaded_at",
            )
        ):
            files[values["assessment_id"]].append(
                {
                    "criterion": values["criterion__code"],
                    **{name: values[name] for name in FILE_FIELDS},
                    "uploaded_by": values[uploader],
                    "uploaded_at": iso(values["uploaded_at"]),
                }
            )
        for assessment in chunk:
            yield {
                **_assessment(
                    assessment,
                    sorted(answers[assessment.pk], key=lambda a: a["criterion"]),
                ),
                "claims": claims[assessment.pk],
                "files": files[assessment.pk],
            }
        done += len(chunk)
        report(10 + 89 * done // max(total, 1))


def _assessment(assessment: Assessment, answers: list[dict]) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "procurement": assessment.procurement_id,
        "offer": assessment.offer_id,
        "status": assessment.status,
        "as_of": assessment.as_of.isoformat(),
        "version": assessment.version,
        "summary": assessment.summary,
        "created_at": iso(assessment.created_at),
        "created_by": username_of(assessment.created_by),
        "submitted_by": username_of(assessment.submitted_by),
        "submitted_at": iso(assessment.submitted_at),
        "approved_by": username_of(assessment.approved_by),
        "approved_at": iso(assessment.approved_at),
        "approval_record": assessment.approval_record,
        "withdrawn_at": iso(assessment.withdrawn_at),
        "withdrawal_reason": assessment.withdrawal_reason,
        "answers": answers,
        # For the reader only; the import re-scores with the engine.
        "global_score": str(assessment.global_score),
        "trust_level": assessment.trust_level,
        "eligible": assessment.eligible,
    }


def filename(organisation: Organisation, *, archive: bool = True) -> str:
    """The name an organisation's export is saved under (a zip, or the JSON alone)."""
    name = f"organisation-{slugify(organisation.name) or organisation.pk}"
    return f"{name}.zip" if archive else f"{name}.json"


def write_archive(
    organisation: Organisation, handle: IO[bytes], *, progress: Progress | None = None
) -> None:
    """Everything an organisation entered, as a zip: the JSON and the files.

    ``organisation.json`` (as ``write_organisation`` writes it, streamed into
    the archive) and, under ``files/``, every evidence file once, named by its
    SHA-256, copied from the storage in chunks.
    """
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(JSON_NAME, "w", force_zip64=True) as member:
            text = io.TextIOWrapper(member, encoding="utf-8", newline="")
            write_organisation(organisation, text, progress=progress)
            text.flush()
            text.detach()
        written: set[str] = set()
        for chunk in _chunks(
            EvidenceFile.objects.filter(assessment__organisation=organisation),
            CHUNK_SIZE,
        ):
            for stored in chunk:
                if stored.sha256 in written:
                    continue
                written.add(stored.sha256)
                with (
                    stored.file.open("rb") as source,
                    archive.open(
                        f"{FILES_DIR}{stored.sha256}", "w", force_zip64=True
                    ) as member,
                ):
                    shutil.copyfileobj(source, member, 1024 * 1024)
