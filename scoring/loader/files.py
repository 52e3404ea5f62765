"""A catalogue file: read its YAML, validate it, and give the engine's view.

Validation reports every problem at once, each with its line in the file
(``CatalogueError`` lists them). ``parse_catalogue`` returns plain data that
``rows`` stores; ``build_spec`` turns the same data into the engine's spec,
so that benchmarks and tests can score a file without the database. Nothing
here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .. import engine
from ..models import Catalogue

LANGUAGES = ("en", "fr")
LEVEL_COUNT = engine.MAX_LEVEL + 1
PILLAR_WEIGHT_TOTAL = Decimal(100)
SLUG_PATTERN = re.compile(r"^(?=.{1,32}$)[a-z0-9]+(?:-[a-z0-9]+)*$")
SHORT_CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")  # pillars, profiles
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,15}$")  # criteria
SCHEME_PATTERN = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")  # secnumcloud-3.2
# libyaml's loader when PyYAML was built with it: several times faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogues"
# The version the reference cases and existing assessments are pinned to.
DEFAULT_CATALOGUE = CATALOGUE_DIR / "cloud-of-trust-1.0.yaml"
# Every bundled version, oldest first: a fresh instance loads them in this
# order, so that the newest is the latest published one.
BUNDLED_CATALOGUES = (DEFAULT_CATALOGUE, CATALOGUE_DIR / "cloud-of-trust-1.1.yaml")
LATEST_CATALOGUE = BUNDLED_CATALOGUES[-1]


@dataclass(frozen=True)
class Problem:
    line: int | None
    path: str
    message: str

    def __str__(self):
        where = f"line {self.line}" if self.line else "file"
        return f"{where} ({self.path or 'top level'}): {self.message}"


class CatalogueError(Exception):
    """The file cannot be loaded; ``problems`` says every reason and where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def spec_from_file(path: Path | str = DEFAULT_CATALOGUE) -> engine.CatalogueSpec:
    """The engine's view of a catalogue file, without the database."""
    return build_spec(parse_catalogue(Path(path).read_text(encoding="utf-8")))


def build_spec(data: dict[str, Any]) -> engine.CatalogueSpec:
    """Turn validated catalogue data into the engine's plain spec."""
    return engine.CatalogueSpec(
        slug=data["slug"],
        version=data["version"],
        pillars=tuple(engine.PillarSpec(p["code"], p["core"]) for p in data["pillars"]),
        criteria=tuple(
            engine.CriterionSpec(
                c["code"], p["code"], c["weight"], c.get("na_allowed", False)
            )
            for p in data["pillars"]
            for c in p["criteria"]
        ),
        profiles=tuple(
            engine.ProfileSpec(
                code=profile["code"],
                pillar_weights={
                    code: Decimal(str(weight))
                    for code, weight in profile["pillar_weights"].items()
                },
                thresholds={
                    c["code"]: c["knockouts"][profile["code"]]
                    for p in data["pillars"]
                    for c in p["criteria"]
                    if profile["code"] in (c.get("knockouts") or {})
                },
                evidence_caps=dict(profile.get("evidence_caps") or {}),
            )
            for profile in data["profiles"]
        ),
        evidence_types=tuple(e["code"] for e in data["evidence_types"]),
    )


def parse_catalogue(text: str) -> dict[str, Any]:
    """Parse and validate catalogue YAML; raise CatalogueError listing problems."""
    try:
        data = yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
        lines = _line_index(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise CatalogueError([Problem(line, "", f"not valid YAML: {exc}")]) from exc
    validator = _Validator(lines)
    validator.check(data)
    if validator.problems:
        raise CatalogueError(validator.problems)
    return data


def _line_index(text: str) -> dict[tuple, int]:
    """Map each path in the document (keys and list indexes) to its line."""
    index: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        index[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for position, item in enumerate(node.value):
                walk(item, (*path, position))

    root = yaml.compose(text, Loader=SafeLoader)
    if root is not None:
        walk(root, ())
    return index


class _Validator:
    """Collect every problem of a parsed catalogue, with its line."""

    def __init__(self, lines: dict[tuple, int]):
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str) -> None:
        line = None
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                line = self.lines[path[:end]]
                break
        text = "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in path
        ).lstrip(".")
        self.problems.append(Problem(line, text, message))

    def check(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.add((), "expected a mapping with slug, version, pillars, profiles...")
            return
        if not isinstance(data.get("slug"), str) or not SLUG_PATTERN.match(
            data["slug"]
        ):
            self.add(("slug",), "slug must be lowercase letters, digits and dashes")
        version = data.get("version")
        if not isinstance(version, str) or not version.strip() or len(version) > 32:
            self.add(("version",), 'version must be a quoted string such as "1.0"')
        if data.get("status") not in Catalogue.Status.values:
            self.add(
                ("status",),
                f"status must be one of {', '.join(Catalogue.Status.values)}",
            )
        self.text(data, ("name",), limit=200)
        self.text(data, ("description",))
        scale = data.get("scale")
        if self.sized_list(scale, ("scale",), LEVEL_COUNT, "levels (0-4)"):
            for level in range(LEVEL_COUNT):
                self.text(scale, ("scale", level), key=level)
        evidence_codes = self.evidence_types(data.get("evidence_types"))
        pillar_codes, criteria = self.pillars(data.get("pillars"))
        self.profiles(data.get("profiles"), pillar_codes, criteria, evidence_codes)
        self.decisions(data.get("decisions"), criteria)
        limit = data.get("weight_adjustment_limit", 10)
        if (
            not isinstance(limit, int)
            or isinstance(limit, bool)
            or not 0 <= limit <= 50
        ):
            self.add(
                ("weight_adjustment_limit",),
                "weight_adjustment_limit must be a whole number of points from 0 to 50",
            )
        self.schemes(data.get("certification_schemes"), criteria)

    def schemes(self, items: Any, criteria: dict[str, tuple]) -> None:
        """Certification schemes: a code, a name, the minimum levels presumed."""
        if items is None:
            return
        if not isinstance(items, list):
            self.add(("certification_schemes",), "expected a list of schemes")
            return
        codes: set[str] = set()
        for position, item in enumerate(items):
            path = ("certification_schemes", position)
            if not isinstance(item, dict):
                self.add(path, "expected a mapping with code, name, presumes, source")
                continue
            code = item.get("code")
            if not isinstance(code, str) or not SCHEME_PATTERN.match(code):
                self.add((*path, "code"), "code must look like secnumcloud-3.2")
            elif code in codes:
                self.add((*path, "code"), f"duplicate scheme {code}")
            else:
                codes.add(code)
            self.text(item, (*path, "name"), limit=100)
            if not isinstance(item.get("source"), str) or not item["source"].strip():
                self.add((*path, "source"), "say where the presumed levels come from")
            presumes = item.get("presumes")
            if not isinstance(presumes, dict) or not presumes:
                self.add((*path, "presumes"), "map criterion codes to minimum levels")
                continue
            for criterion, level in presumes.items():
                if criterion not in criteria:
                    self.add((*path, "presumes"), f"unknown criterion {criterion}")
                if not _is_level(level):
                    self.add(
                        (*path, "presumes", criterion),
                        f"level must be 0-4, not {level!r}",
                    )

    def decisions(self, items: Any, criteria: dict[str, tuple]) -> None:
        """The register of changes: each with a code, texts and a source."""
        if items is None:
            return
        if not isinstance(items, list):
            self.add(("decisions",), "decisions must be a list")
            return
        codes: set[str] = set()
        for position, item in enumerate(items):
            path = ("decisions", position)
            if not isinstance(item, dict):
                self.add(path, "expected a mapping with code, change, reason, source")
                continue
            code = item.get("code")
            if not isinstance(code, str) or not code.strip() or code in codes:
                self.add((*path, "code"), "each decision needs its own code")
            else:
                codes.add(code)
            self.text(item, (*path, "change"))
            self.text(item, (*path, "reason"))
            if not isinstance(item.get("source"), str) or not item["source"].strip():
                self.add((*path, "source"), "say where the decision comes from")
            named = item.get("criteria") or []
            if not isinstance(named, list):
                self.add((*path, "criteria"), "criteria must be a list of codes")
                continue
            for unknown in [c for c in named if c not in criteria]:
                self.add((*path, "criteria"), f"unknown criterion {unknown}")

    def text(
        self, parent: Any, path: tuple, key: Any = None, limit: int | None = None
    ) -> None:
        value = (
            parent[key if key is not None else path[-1]]
            if _has(parent, key, path)
            else None
        )
        if not isinstance(value, dict):
            self.add(path, "expected a text in both languages: {en: ..., fr: ...}")
            return
        for language in LANGUAGES:
            if not isinstance(value.get(language), str) or not value[language].strip():
                self.add(
                    (*path, language),
                    f"the {language.upper()} text is missing or empty",
                )
            elif limit and len(value[language].strip()) > limit:
                self.add((*path, language), f"longer than {limit} characters")
        for extra in set(value) - set(LANGUAGES):
            self.add((*path, extra), f"unexpected language {extra!r}; use en and fr")

    def sized_list(self, value: Any, path: tuple, size: int, what: str) -> bool:
        if not isinstance(value, list):
            self.add(path, f"expected a list of {size} {what}")
            return False
        if len(value) != size:
            self.add(path, f"expected {size} {what}, found {len(value)}")
            return False
        return True

    def non_empty_list(self, value: Any, path: tuple, what: str) -> bool:
        if not isinstance(value, list) or not value:
            self.add(path, f"expected a non-empty list of {what}")
            return False
        return True

    def evidence_types(self, items: Any) -> list[str]:
        codes: list[str] = []
        if not self.non_empty_list(items, ("evidence_types",), "evidence types"):
            return codes
        for position, item in enumerate(items):
            path = ("evidence_types", position)
            if not isinstance(item, dict):
                self.add(path, "expected a mapping with code, name, description")
                continue
            code = item.get("code")
            if not isinstance(code, str) or not SLUG_PATTERN.match(code):
                self.add(
                    (*path, "code"), "code must be a lowercase slug such as verified"
                )
            elif code in codes:
                self.add((*path, "code"), f"duplicate evidence type {code!r}")
            else:
                codes.append(code)
            self.text(item, (*path, "name"), limit=100)
            self.text(item, (*path, "description"))
        return codes

    def pillars(self, items: Any) -> tuple[list[str], dict[str, tuple]]:
        pillar_codes: list[str] = []
        criteria: dict[str, tuple] = {}  # code -> (path, item)
        if not self.non_empty_list(items, ("pillars",), "pillars"):
            return pillar_codes, criteria
        for position, item in enumerate(items):
            path = ("pillars", position)
            if not isinstance(item, dict):
                self.add(path, "expected a mapping with code, name, criteria...")
                continue
            code = item.get("code")
            if not isinstance(code, str) or not SHORT_CODE_PATTERN.match(code):
                self.add((*path, "code"), "code must be up to 8 capitals such as OWN")
            elif code in pillar_codes:
                self.add((*path, "code"), f"duplicate pillar code {code}")
            else:
                pillar_codes.append(code)
            self.text(item, (*path, "name"), limit=200)
            self.text(item, (*path, "description"))
            if not isinstance(item.get("core"), bool):
                self.add((*path, "core"), "core must be true or false")
            if not self.non_empty_list(
                item.get("criteria"), (*path, "criteria"), "criteria"
            ):
                continue
            for index, criterion in enumerate(item["criteria"]):
                self.criterion(criterion, (*path, "criteria", index), criteria)
        return pillar_codes, criteria

    def criterion(self, item: Any, path: tuple, criteria: dict[str, tuple]) -> None:
        if not isinstance(item, dict):
            self.add(path, "expected a mapping with code, name, question, levels...")
            return
        code = item.get("code")
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            self.add((*path, "code"), "code must look like OWN-1 (up to 16 characters)")
        elif code in criteria:
            self.add((*path, "code"), f"duplicate criterion code {code}")
        else:
            criteria[code] = (path, item)
        self.text(item, (*path, "name"), limit=200)
        self.text(item, (*path, "question"))
        self.text(item, (*path, "evidence"))
        levels = item.get("levels")
        if self.sized_list(
            levels, (*path, "levels"), LEVEL_COUNT, "level descriptors (0-4)"
        ):
            for level in range(LEVEL_COUNT):
                self.text(levels, (*path, "levels", level), key=level)
        weight = item.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
            self.add((*path, "weight"), "weight must be a whole number of at least 1")
        if not isinstance(item.get("na_allowed", False), bool):
            self.add((*path, "na_allowed"), "na_allowed must be true or false")
        traces = item.get("traces", [])
        if not isinstance(traces, list) or not all(isinstance(t, str) for t in traces):
            self.add((*path, "traces"), "traces must be a list of clause references")
        knockouts = item.get("knockouts") or {}
        if not isinstance(knockouts, dict):
            self.add((*path, "knockouts"), "knockouts must map profile codes to levels")
        else:
            for profile, level in knockouts.items():
                if not _is_level(level):
                    self.add(
                        (*path, "knockouts", profile),
                        f"threshold must be 0-4, not {level!r}",
                    )

    def profiles(
        self,
        items: Any,
        pillar_codes: list[str],
        criteria: dict[str, tuple],
        evidence_codes: list[str],
    ) -> None:
        if not self.non_empty_list(items, ("profiles",), "profiles"):
            return
        profile_codes: list[str] = []
        caps: list[dict] = []
        for position, item in enumerate(items):
            path = ("profiles", position)
            if not isinstance(item, dict):
                self.add(path, "expected a mapping with code, name, pillar_weights...")
                continue
            code = item.get("code")
            if not isinstance(code, str) or not SHORT_CODE_PATTERN.match(code):
                self.add((*path, "code"), "code must be up to 8 capitals such as N3")
            elif code in profile_codes:
                self.add((*path, "code"), f"duplicate profile code {code}")
            else:
                profile_codes.append(code)
            self.text(item, (*path, "name"), limit=100)
            self.text(item, (*path, "description"))
            if not _is_level(item.get("target_trust_level")):
                self.add(
                    (*path, "target_trust_level"), "target_trust_level must be 0-4"
                )
            self.pillar_weights(
                item.get("pillar_weights"), (*path, "pillar_weights"), pillar_codes
            )
            caps.append(
                self.evidence_caps(item.get("evidence_caps"), path, evidence_codes)
            )
        self.knockouts(criteria, profile_codes)
        self.caps_tighten(caps, profile_codes)

    def pillar_weights(
        self, weights: Any, path: tuple, pillar_codes: list[str]
    ) -> None:
        if not isinstance(weights, dict):
            self.add(path, "pillar_weights must map every pillar code to a weight")
            return
        for missing in [code for code in pillar_codes if code not in weights]:
            self.add(path, f"no weight for pillar {missing}")
        total = Decimal(0)
        for code, weight in weights.items():
            if code not in pillar_codes:
                self.add((*path, code), f"unknown pillar {code}")
            try:
                value = Decimal(str(weight))
            except InvalidOperation:
                value = None
            if (
                value is None
                or isinstance(weight, bool)
                or not value.is_finite()
                or value < 0
            ):
                self.add(
                    (*path, code),
                    f"weight must be a number of at least 0, not {weight!r}",
                )
                continue
            total += value
        if total != PILLAR_WEIGHT_TOTAL:
            self.add(path, f"pillar weights must sum to 100, they sum to {total}")

    def evidence_caps(self, value: Any, path: tuple, evidence_codes: list[str]) -> dict:
        value = value or {}
        if not isinstance(value, dict):
            self.add(
                (*path, "evidence_caps"),
                "evidence_caps must map evidence types to levels",
            )
            return {}
        for evidence, level in value.items():
            if evidence not in evidence_codes:
                self.add(
                    (*path, "evidence_caps", evidence),
                    f"unknown evidence type {evidence!r}",
                )
            if not _is_level(level):
                self.add(
                    (*path, "evidence_caps", evidence),
                    f"cap must be 0-4, not {level!r}",
                )
        return value

    def knockouts(self, criteria: dict[str, tuple], profile_codes: list[str]) -> None:
        """Knock-outs name known profiles and never loosen as profiles tighten.

        Profiles are listed laxest first; a stricter profile that asked less
        than a laxer one would let an offer pass the strict gate and fail the
        lax one, and "highest profile passed" would stop making sense.
        """
        for code, (path, item) in criteria.items():
            knockouts = item.get("knockouts") or {}
            if not isinstance(knockouts, dict):
                continue
            for profile in knockouts:
                if profile not in profile_codes:
                    self.add(
                        (*path, "knockouts", profile), f"unknown profile {profile}"
                    )
            required = None
            for profile in profile_codes:
                level = knockouts.get(profile)
                if required is not None and (
                    level is None or (_is_level(level) and level < required)
                ):
                    self.add(
                        (*path, "knockouts"),
                        f"{code}: {profile} asks less than a laxer profile "
                        f"(which requires {required}); thresholds must not decrease",
                    )
                    break
                if _is_level(level):
                    required = level

    def caps_tighten(self, caps: list[dict], profile_codes: list[str]) -> None:
        for position in range(1, min(len(caps), len(profile_codes))):
            laxer, stricter = caps[position - 1], caps[position]
            for evidence in set(laxer) | set(stricter):
                lax = laxer.get(evidence, engine.MAX_LEVEL)
                strict = stricter.get(evidence, engine.MAX_LEVEL)
                if _is_level(lax) and _is_level(strict) and strict > lax:
                    self.add(
                        ("profiles", position, "evidence_caps"),
                        f"{profile_codes[position]} caps {evidence} evidence at "
                        f"{strict}, looser than {profile_codes[position - 1]} ({lax})",
                    )


def _has(parent: Any, key: Any, path: tuple) -> bool:
    key = key if key is not None else path[-1]
    if isinstance(parent, dict):
        return key in parent
    if isinstance(parent, list):
        return isinstance(key, int) and 0 <= key < len(parent)
    return False


def _is_level(value: Any) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and engine.MIN_LEVEL <= value <= engine.MAX_LEVEL
    )
