"""Jurisdiction overlays: rules a buyer's jurisdiction adds to a profile.

Shipped as data beside the catalogues (one YAML file each, in this folder),
read once and checked when first asked for. A procurement chooses the
overlays that apply to its buyer; each rule raises a criterion's knock-out
threshold under the profiles it lists, and an offer below it is excluded
with the rule in words (brief 8.5 iii).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

FOLDER = Path(__file__).resolve().parent


class OverlayError(ValueError):
    """An overlay file is malformed."""


@dataclass(frozen=True)
class Rule:
    criterion: str
    min_level: int
    text_en: str
    text_fr: str

    @property
    def text(self) -> str:
        return self.text_fr if (get_language() or "").startswith("fr") else self.text_en


@dataclass(frozen=True)
class Overlay:
    code: str
    catalogue: str
    name_en: str
    name_fr: str
    profiles: tuple[str, ...]
    source: str
    rules: tuple[Rule, ...]

    @property
    def name(self) -> str:
        return self.name_fr if (get_language() or "").startswith("fr") else self.name_en


@cache
def all_overlays() -> dict[str, Overlay]:
    """Every shipped overlay by code."""
    found = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        overlay = _read(path)
        if overlay.code in found:
            raise OverlayError(f"{path.name}: overlay {overlay.code} twice.")
        found[overlay.code] = overlay
    return found


def for_profile(catalogue: str, profile: str) -> list[Overlay]:
    """The overlays a procurement of this catalogue and profile may choose."""
    return [
        o
        for o in all_overlays().values()
        if o.catalogue == catalogue and profile in o.profiles
    ]


def thresholds(codes: Iterable[str], profile: str) -> dict[str, tuple[int, Rule]]:
    """The highest minimum each chosen overlay sets, by criterion, with its rule."""
    raised: dict[str, tuple[int, Rule]] = {}
    overlays = all_overlays()
    for code in codes:
        overlay = overlays.get(code)
        if overlay is None or profile not in overlay.profiles:
            continue
        for rule in overlay.rules:
            if rule.min_level > raised.get(rule.criterion, (-1, None))[0]:
                raised[rule.criterion] = (rule.min_level, rule)
    return raised


def _read(path: Path) -> Overlay:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        rules = tuple(
            Rule(
                str(item["criterion"]),
                int(item["min_level"]),
                str(item["text"]["en"]),
                str(item["text"]["fr"]),
            )
            for item in data["rules"]
        )
        overlay = Overlay(
            code=str(data["code"]),
            catalogue=str(data["catalogue"]),
            name_en=str(data["name"]["en"]),
            name_fr=str(data["name"]["fr"]),
            profiles=tuple(str(p) for p in data["profiles"]),
            source=str(data["source"]),
            rules=rules,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise OverlayError(f"{path.name}: {exc}") from exc
    if not all(0 <= rule.min_level <= 4 for rule in rules):
        raise OverlayError(f"{path.name}: min_level is 0 to 4.")
    return overlay


def check(codes: Iterable[str], catalogue: str, profile: str) -> list[str]:
    """Why chosen overlay codes are refused for this catalogue and profile."""
    allowed = {o.code for o in for_profile(catalogue, profile)}
    return [
        f"{code} is not an overlay of {catalogue} for profile {profile}."
        for code in codes
        if code not in allowed
    ]


def rule_texts(codes: Iterable[str], profile: str) -> Mapping[str, str]:
    """Each criterion an overlay raised, with its rule in words."""
    return {
        code: rule.text for code, (_level, rule) in thresholds(codes, profile).items()
    }
