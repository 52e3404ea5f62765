"""Sensitivity of a procurement's ranking to the choice of profile.

The research behind the method says: show the ranking under every profile.
Every save stores each offer's result under every profile of its catalogue
(``Assessment.profile_results``: the engine's global score, trust level,
eligibility and failed knock-outs under that profile's pillar weights,
knock-out thresholds and evidence caps). ``sensitivity`` reads those and
ranks each profile with ``engine.rank``: no answer is loaded and no score is
computed here. A snapshot older than ``profile_results`` is scored by the
engine from its answers, one query for all such offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring import engine
from scoring.models import Profile

from .models import Answer, Assessment


@dataclass(frozen=True)
class ProfileResult:
    """One offer under one profile: its score, eligibility and rank."""

    profile: str  # the profile's code
    global_score: Decimal
    trust_level: int | None
    eligible: bool
    rank: int | None  # None when excluded
    tied: bool
    knockouts: tuple[str, ...]  # codes of the criteria whose knock-out fails


@dataclass(frozen=True)
class SensitivityRow:
    """One offer, with its result under every profile (laxest first)."""

    assessment: Assessment
    results: tuple[ProfileResult, ...]

    def result(self, code: str) -> ProfileResult:
        return next(r for r in self.results if r.profile == code)


@dataclass(frozen=True)
class ProfileColumn:
    """A profile of the catalogue, with how many offers it lets through."""

    profile: Profile
    current: bool  # the procurement's own profile
    eligible: int
    total: int
    leaders: tuple[Assessment, ...]  # ranked first (several when tied)

    @property
    def code(self) -> str:
        return self.profile.code


@dataclass(frozen=True)
class Sensitivity:
    """Every offer of a procurement under every profile of its catalogue."""

    profile: str  # the procurement's own profile
    columns: tuple[ProfileColumn, ...]  # laxest first
    rows: tuple[SensitivityRow, ...]  # in the order of the procurement's ranking

    @property
    def leader_depends_on_profile(self) -> bool:
        """Whether profiles that let an offer through rank different ones first."""
        leaders = {tuple(a.pk for a in c.leaders) for c in self.columns if c.leaders}
        return len(leaders) > 1


def sensitivity(summary) -> Sensitivity:
    """Rank a procurement's offers under each profile, from their snapshots.

    ``summary`` is a ``scorecards.ProcurementSummary`` (or any report with
    ``rows``, ``catalogue`` and ``profile``).
    """
    order = [row.assessment for row, _item in summary.rows]
    stored = {a.pk: a.profile_results for a in order}
    missing = [a for a in order if not stored[a.pk]]
    if missing:
        stored.update(_scored_from_answers(summary.procurement, missing))
    profiles = list(summary.catalogue.profiles.all())
    by_profile: dict[str, dict[int, ProfileResult]] = {}
    for profile in profiles:
        results = {a.pk: stored[a.pk][profile.code] for a in order}
        ranked = engine.rank(
            [
                engine.RankInput(
                    pk,
                    result["eligible"],
                    Decimal(result["global_score"]),
                    result["trust_level"],
                )
                for pk, result in results.items()
            ]
        )
        by_profile[profile.code] = {
            entry.key: _result(profile.code, results[entry.key], entry)
            for entry in ranked
        }
    return Sensitivity(
        profile=summary.profile.code,
        columns=tuple(
            ProfileColumn(
                profile=profile,
                current=profile.code == summary.profile.code,
                eligible=sum(r.eligible for r in by_profile[profile.code].values()),
                total=len(order),
                leaders=tuple(
                    a for a in order if by_profile[profile.code][a.pk].rank == 1
                ),
            )
            for profile in profiles
        ),
        rows=tuple(
            SensitivityRow(
                assessment=assessment,
                results=tuple(
                    by_profile[profile.code][assessment.pk] for profile in profiles
                ),
            )
            for assessment in order
        ),
    )


def _scored_from_answers(procurement, assessments) -> dict[int, dict]:
    """Results under every profile, from the answers, for snapshots without them."""
    spec = procurement.scoring_spec()
    inputs: dict[int, list[engine.AnswerInput]] = {a.pk: [] for a in assessments}
    answers = Answer.objects.filter(assessment__in=assessments).select_related(
        "criterion"
    )
    for answer in answers:
        inputs[answer.assessment_id].append(
            engine.AnswerInput(
                answer.criterion.code,
                answer.level,
                answer.evidence,
                answer.not_applicable,
            )
        )
    results = {}
    for pk, given in inputs.items():
        results[pk] = {}
        for profile in spec.profiles:
            card = engine.score(spec, profile.code, given)
            results[pk][profile.code] = {
                "global_score": str(card.global_score),
                "trust_level": card.trust_level,
                "eligible": card.eligible,
                "knockouts": [{"criterion": k.criterion} for k in card.knockouts],
            }
    return results


def _result(code: str, stored: dict, ranked: engine.RankedEntry) -> ProfileResult:
    return ProfileResult(
        profile=code,
        global_score=Decimal(stored["global_score"]),
        trust_level=stored["trust_level"],
        eligible=stored["eligible"],
        rank=ranked.rank,
        tied=ranked.tied,
        knockouts=tuple(k["criterion"] for k in stored["knockouts"]),
    )
