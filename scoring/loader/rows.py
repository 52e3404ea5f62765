"""Store a validated catalogue as rows, all or nothing.

A published version is never changed: loading it again is a no-op, and
loading different content under its version is refused. A draft with the
same version is replaced; a new version becomes a new catalogue. Reading and
validating the file is ``files``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from ..models import (
    Catalogue,
    Criterion,
    EvidenceCap,
    EvidenceType,
    KnockOutRule,
    LevelDescriptor,
    Pillar,
    PillarWeight,
    Profile,
)
from .files import LANGUAGES, CatalogueError, Problem, parse_catalogue


@dataclass(frozen=True)
class LoadResult:
    catalogue: Catalogue
    action: str  # created, unchanged, replaced or published

    def describe(self) -> str:
        c = self.catalogue
        counts = (
            f"{c.pillars.count()} pillars, {c.criteria.count()} criteria, "
            f"{c.profiles.count()} profiles"
        )
        messages = {
            "created": f"Loaded {c} ({c.status}): {counts}.",
            "replaced": f"Replaced draft {c}: {counts}.",
            "published": f"Published {c}: {counts}.",
            "unchanged": f"{c} is already loaded with this content; nothing to do.",
        }
        return messages[self.action]


def load_catalogue(path: Path | str) -> LoadResult:
    """Validate the catalogue file at ``path`` and store it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError([Problem(None, "", f"cannot read {path}: {exc}")]) from exc
    return load_catalogue_text(text)


def load_catalogue_text(text: str) -> LoadResult:
    """Validate catalogue YAML and store it, all or nothing."""
    data = parse_catalogue(text)
    content_hash = _content_hash(data)
    with transaction.atomic():
        existing = (
            Catalogue.objects.select_for_update()
            .filter(slug=data["slug"], version=data["version"])
            .first()
        )
        if existing is None:
            return LoadResult(_store(data, text, content_hash), "created")
        return _reload(existing, data, text, content_hash)


def _reload(
    existing: Catalogue, data: dict, text: str, content_hash: str
) -> LoadResult:
    wants_published = data["status"] == Catalogue.Status.PUBLISHED
    if existing.content_hash == content_hash:
        if existing.is_published and not wants_published:
            raise CatalogueError(
                [
                    Problem(
                        None,
                        "status",
                        f"{existing} is published; it cannot go back to draft.",
                    )
                ]
            )
        if wants_published and not existing.is_published:
            existing.status = Catalogue.Status.PUBLISHED
            existing.source = text
            existing.save(update_fields=["status", "source"])
            return LoadResult(existing, "published")
        return LoadResult(existing, "unchanged")
    if existing.is_published:
        raise CatalogueError(
            [
                Problem(
                    None,
                    "version",
                    f"{existing} is published and this file differs from it. A "
                    "published catalogue never changes: give the file a new version.",
                )
            ]
        )
    existing.delete()
    return LoadResult(_store(data, text, content_hash), "replaced")


def _store(data: dict, text: str, content_hash: str) -> Catalogue:
    catalogue = Catalogue.objects.create(
        slug=data["slug"],
        version=str(data["version"]),
        status=data["status"],
        name_en=data["name"]["en"],
        name_fr=data["name"]["fr"],
        description_en=data["description"]["en"],
        description_fr=data["description"]["fr"],
        scale=data["scale"],
        decisions=data.get("decisions") or [],
        certification_schemes=data.get("certification_schemes") or [],
        weight_adjustment_limit=data.get("weight_adjustment_limit", 10),
        content_hash=content_hash,
        source=text,
    )
    EvidenceType.objects.bulk_create(
        EvidenceType(
            catalogue=catalogue,
            code=item["code"],
            position=position,
            **_texts(item, "name", "description"),
        )
        for position, item in enumerate(data["evidence_types"])
    )
    pillars = Pillar.objects.bulk_create(
        Pillar(
            catalogue=catalogue,
            code=item["code"],
            position=position,
            core=item["core"],
            **_texts(item, "name", "description"),
        )
        for position, item in enumerate(data["pillars"])
    )
    pillar_by_code = {p.code: p for p in pillars}
    criterion_items = [c for p in data["pillars"] for c in p["criteria"]]
    criteria = Criterion.objects.bulk_create(
        Criterion(
            catalogue=catalogue,
            pillar=pillar_by_code[pillar_item["code"]],
            code=item["code"],
            position=position,
            weight=item["weight"],
            na_allowed=item.get("na_allowed", False),
            traces=list(item.get("traces") or []),
            **_texts(item, "name", "question", "evidence"),
        )
        for pillar_item in data["pillars"]
        for position, item in enumerate(pillar_item["criteria"])
    )
    criterion_by_code = {c.code: c for c in criteria}
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(
            criterion=criterion, level=level, text_en=text["en"], text_fr=text["fr"]
        )
        for criterion, item in zip(criteria, criterion_items, strict=True)
        for level, text in enumerate(item["levels"])
    )
    profiles = Profile.objects.bulk_create(
        Profile(
            catalogue=catalogue,
            code=item["code"],
            position=position,
            target_trust_level=item["target_trust_level"],
            **_texts(item, "name", "description"),
        )
        for position, item in enumerate(data["profiles"])
    )
    profile_by_code = {p.code: p for p in profiles}
    PillarWeight.objects.bulk_create(
        PillarWeight(
            profile=profile, pillar=pillar_by_code[code], weight=Decimal(str(weight))
        )
        for profile, item in zip(profiles, data["profiles"], strict=True)
        for code, weight in item["pillar_weights"].items()
    )
    KnockOutRule.objects.bulk_create(
        KnockOutRule(
            profile=profile_by_code[profile_code],
            criterion=criterion_by_code[item["code"]],
            min_level=min_level,
        )
        for item in criterion_items
        for profile_code, min_level in (item.get("knockouts") or {}).items()
    )
    EvidenceCap.objects.bulk_create(
        EvidenceCap(profile=profile, evidence_type=evidence, max_level=max_level)
        for profile, item in zip(profiles, data["profiles"], strict=True)
        for evidence, max_level in (item.get("evidence_caps") or {}).items()
    )
    return catalogue


def _texts(item: Mapping, *names: str) -> dict[str, str]:
    return {
        f"{name}_{language}": item[name][language].strip()
        for name in names
        for language in LANGUAGES
    }


def _content_hash(data: dict) -> str:
    """Hash what the method says, not how the file is laid out or its status."""
    content = {key: value for key, value in data.items() if key != "status"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
