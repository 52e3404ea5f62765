"""Looks like Cloudwatt? The warning signs an offer shares with each reference case.

Each reference case carries its failure signature (``Provider.warning_signs``):
the criteria where it failed, the level at or below which an offer shares the
sign, and the fact that shows what happened. An offer shares a sign when its
effective level on that criterion (unknown counting as 0, as the engine
scores it) is at or below that level; not applicable shares nothing. The
similarity is the share of the case's signs the offer shares, in percent:
stated on every page that shows it. A strong offer shares none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import get_language

from scoring import engine

from .models import Provider, ProviderFact

FORMULA = (
    "similarity = signs shared / signs of the case × 100; a sign is shared when "
    "the offer's effective level on its criterion (unknown as 0) is at or below "
    "the case's limit"
)


@dataclass(frozen=True)
class Sign:
    criterion: str
    max_level: int
    why: str
    fact: ProviderFact | None


@dataclass(frozen=True)
class Resemblance:
    case: Provider
    signs: tuple[Sign, ...]  # every sign of the case
    shared: tuple[Sign, ...]  # those the offer shares

    @property
    def similarity(self) -> int:
        return round(100 * len(self.shared) / len(self.signs)) if self.signs else 0


def reference_cases() -> list[tuple[Provider, tuple[Sign, ...]]]:
    """The reference cases with their signs and the facts they cite (two queries)."""
    cases = list(
        Provider.objects.filter(is_reference_case=True)
        .exclude(warning_signs=[])
        .order_by("name")
    )
    facts = {
        (fact.provider_id, fact.key): fact
        for fact in ProviderFact.objects.filter(provider__in=cases)
    }
    french = (get_language() or "en").startswith("fr")
    return [
        (
            case,
            tuple(
                Sign(
                    sign["criterion"],
                    sign["max_level"],
                    sign["why"]["fr" if french else "en"],
                    facts.get((case.pk, sign["fact"])),
                )
                for sign in case.warning_signs
            ),
        )
        for case in cases
    ]


def levels_of(results: Sequence[engine.CriterionResult]) -> dict[str, int | None]:
    """Effective levels by criterion, None for not applicable, unknown as 0."""
    return {
        r.code: None if r.not_applicable else (r.effective_level or 0) for r in results
    }


def resemblances(
    levels: Mapping[str, int | None],
    cases: Sequence[tuple[Provider, tuple[Sign, ...]]],
) -> list[Resemblance]:
    """Each case with the signs an offer's levels share; a missing criterion is
    one the offer's catalogue lacks, so it shares nothing there."""
    found = []
    for case, signs in cases:
        shared = tuple(
            sign
            for sign in signs
            if sign.criterion in levels
            and levels[sign.criterion] is not None
            and levels[sign.criterion] <= sign.max_level
        )
        found.append(Resemblance(case, signs, shared))
    return found


def procurement_resemblances(matrix) -> list[tuple]:
    """Each offer of a side-by-side matrix with its resemblance to each case."""
    cases = reference_cases()
    if not cases:
        return []
    return [
        (
            assessment,
            resemblances(
                levels_of([row.cells[index].result for row in matrix.rows]), cases
            ),
        )
        for index, assessment in enumerate(matrix.offers)
    ]
