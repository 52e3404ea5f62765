"""Check an archived JSON export against the engine.

``verify_export`` recomputes each digest from the inputs in the file,
re-scores the inputs with ``scoring.engine`` under the catalogue version the
file names (loaded from this instance's database), re-ranks a procurement's
offers, and compares every number with the file. It returns a
``Verification``; ``python manage.py verify_export FILE`` prints it.

A digest is a checksum, not a signature: it shows that the inputs in the file
are the ones it was exported with, unless someone rewrote both the inputs and
the digest. Re-scoring then shows that the numbers follow from those inputs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from scoring import engine
from scoring.adjustments import Adjustment, adjusted
from scoring.models import Catalogue

from .json import FORMAT, answer_inputs, digest, scorecard_numbers


class InvalidExport(ValueError):
    """The file is not a JSON export of this tool, or it is incomplete."""


@dataclass(frozen=True)
class Verification:
    kind: str  # "assessment" or "procurement"
    checked: int  # scorecards re-scored
    differences: tuple[str, ...] = ()  # the file disagrees with its inputs
    problems: tuple[str, ...] = ()  # what stopped a check from running
    catalogues: tuple[str, ...] = field(default=())  # "slug version" used

    @property
    def ok(self) -> bool:
        return not self.differences and not self.problems


def verify_export(content: bytes | str) -> Verification:
    """Recompute the digests and every number of a JSON export."""
    try:
        document = json.loads(content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidExport(f"The file is not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidExport(
            f'The file is not a {FORMAT} export (no "format": "{FORMAT}").'
        )
    try:
        if document["kind"] == "assessment":
            return _verify_assessment_file(document)
        if document["kind"] == "procurement":
            return _verify_procurement_file(document)
    except (KeyError, TypeError, AttributeError) as exc:
        raise InvalidExport(
            f"The file is incomplete or malformed (at {exc}); it cannot be checked."
        ) from exc
    raise InvalidExport(f"Unknown kind of export {document['kind']!r}.")


@dataclass
class _Check:
    differences: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    catalogues: set[str] = field(default_factory=set)
    checked: int = 0


def _verify_assessment_file(document: dict[str, Any]) -> Verification:
    check = _Check()
    _verify_assessment(document, check, label="")
    return _result("assessment", check)


def _verify_procurement_file(document: dict[str, Any]) -> Verification:
    check = _Check()
    scorecards: dict[Any, engine.Scorecard] = {}
    for item in document["assessments"]:
        inputs = item["inputs"]
        label = f"{inputs['provider']} - {inputs['offer']}: "
        scorecard = _verify_assessment(item, check, label=label)
        if scorecard is not None:
            scorecards[inputs["assessment"]["id"]] = scorecard
    _compare_digest(document, check, label="procurement: ")
    listed = [item["digest"] for item in document["assessments"]]
    if document["inputs"]["assessment_digests"] != listed:
        check.differences.append(
            "procurement: the list of assessment digests in the inputs does not "
            "match the assessments in the file (one was added, removed or changed)."
        )
    if len(scorecards) == len(document["assessments"]):
        _compare_ranking(document["ranking"], scorecards, check)
    return _result("procurement", check)


def _verify_assessment(
    document: dict[str, Any], check: _Check, *, label: str
) -> engine.Scorecard | None:
    """Check one assessment's digest and numbers; return the engine's scorecard."""
    _compare_digest(document, check, label=label)
    inputs = document["inputs"]
    named = inputs["catalogue"]
    catalogue = Catalogue.objects.filter(
        slug=named["slug"], version=named["version"]
    ).first()
    if catalogue is None:
        check.problems.append(
            f"{label}catalogue {named['slug']} version {named['version']} is not "
            "loaded on this instance, so the file cannot be re-scored: load that "
            "version (python manage.py load_catalogue FILE) and verify again."
        )
        return None
    if catalogue.content_hash != named["content_hash"]:
        check.problems.append(
            f"{label}catalogue {catalogue} here has content hash "
            f"{catalogue.content_hash}, the file names {named['content_hash']}: "
            "this is not the same method, so the scores cannot be compared."
        )
        return None
    check.catalogues.add(f"{catalogue.slug} {catalogue.version}")
    try:
        adjustment = inputs.get("adjustment") or {}
        spec = adjusted(
            catalogue.to_spec(),
            inputs["profile"],
            Adjustment.of(
                adjustment.get("pillar_weights") or {},
                adjustment.get("thresholds")
                or adjustment.get("lowered_thresholds")
                or {},
            ),
        )
        scorecard = engine.score(spec, inputs["profile"], answer_inputs(inputs))
    except engine.ScoringError as exc:
        check.differences.append(f"{label}the inputs cannot be scored: {exc}")
        return None
    check.checked += 1
    _compare(
        scorecard_numbers(scorecard),
        document["scorecard"],
        f"{label}scorecard",
        check.differences,
    )
    return scorecard


def _compare_digest(document: dict[str, Any], check: _Check, *, label: str) -> None:
    recomputed = digest(document["inputs"])
    if recomputed != document["digest"]:
        check.differences.append(
            f"{label}digest: the file says {document['digest']}, its inputs give "
            f"{recomputed} (the inputs were changed after the export)."
        )


def _compare_ranking(
    ranking: Sequence[dict[str, Any]],
    scorecards: dict[Any, engine.Scorecard],
    check: _Check,
) -> None:
    ranked = engine.rank(
        [
            engine.RankInput(key, s.eligible, s.global_score, s.trust_level)
            for key, s in scorecards.items()
        ]
    )
    expected = {
        entry.key: {
            "rank": entry.rank,
            "tied": entry.tied,
            "eligible": scorecards[entry.key].eligible,
            "global_score": scorecards[entry.key].global_score,
            "trust_level": scorecards[entry.key].trust_level,
        }
        for entry in ranked
    }
    in_file = {row["assessment"]: row for row in ranking}
    if set(in_file) != set(expected):
        check.differences.append(
            "ranking: it does not list the same offers as the assessments in the file."
        )
        return
    for key, numbers in expected.items():
        row = in_file[key]
        label = f"ranking ({row['provider']} - {row['offer']})"
        _compare(numbers, row, label, check.differences)


def _compare(expected: Any, actual: Any, path: str, differences: list[str]) -> None:
    """Append a line for every value of ``expected`` that ``actual`` lacks or
    contradicts; keys only in ``actual`` (names, texts) are not numbers."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            differences.append(f"{path}: expected an object, the file has {actual!r}")
            return
        for key, value in expected.items():
            if key not in actual:
                differences.append(f"{path}.{key}: missing from the file")
            else:
                _compare(value, actual[key], f"{path}.{key}", differences)
        return
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            differences.append(
                f"{path}: the file has {_show(actual)}, the engine {_show(expected)}"
            )
            return
        for index, (want, have) in enumerate(zip(expected, actual, strict=True)):
            _compare(want, have, f"{path}[{index}]", differences)
        return
    if not _same(expected, actual):
        differences.append(
            f"{path}: the file has {_show(actual)}, the engine {_show(expected)}"
        )


def _same(expected: Any, actual: Any) -> bool:
    # True == 1 in Python; a verdict and a number must not pass for each other.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | Decimal) and isinstance(actual, int | Decimal):
        return Decimal(expected) == Decimal(actual)
    return expected == actual


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list) and len(value) > 6:
        return f"a list of {len(value)}"
    return json.dumps(value, default=str)


def _result(kind: str, check: _Check) -> Verification:
    return Verification(
        kind=kind,
        checked=check.checked,
        differences=tuple(check.differences),
        problems=tuple(check.problems),
        catalogues=tuple(sorted(check.catalogues)),
    )
