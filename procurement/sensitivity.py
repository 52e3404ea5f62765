"""Sensitivity of a procurement's ranking to the choice of profile.

The research behind the method says: show the ranking under every profile.
``sensitivity`` takes a ``ProcurementReport`` (answers already loaded by
``scorecards.procurement_report``) and scores every offer's answers again
under each profile of the catalogue with ``scoring.engine``: the profile's
pillar weights, knock-out thresholds and evidence caps. It ranks each profile
with ``engine.rank``. No query is made and no score is computed here: the
engine does both; this module only arranges its results for the page and the
API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring import engine
from scoring.models import Profile

from .models import Assessment
from .scorecards import AssessmentReport, ProcurementReport


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


def sensitivity(report: ProcurementReport) -> Sensitivity:
    """Score and rank a procurement's offers under each profile of its catalogue."""
    spec = report.catalogue.to_spec()
    inputs = {pk: _answer_inputs(item) for pk, item in report.reports.items()}
    order = [row.assessment for row, _item in report.rows]
    by_profile: dict[str, dict[int, ProfileResult]] = {}
    for profile in spec.profiles:
        scorecards = {
            pk: engine.score(spec, profile.code, answers)
            for pk, answers in inputs.items()
        }
        ranked = engine.rank(
            [
                engine.RankInput(pk, card.eligible, card.global_score, card.trust_level)
                for pk, card in scorecards.items()
            ]
        )
        by_profile[profile.code] = {
            entry.key: _result(profile.code, scorecards[entry.key], entry)
            for entry in ranked
        }
    profiles = list(report.catalogue.profiles.all())
    return Sensitivity(
        profile=report.profile.code,
        columns=tuple(
            ProfileColumn(
                profile=profile,
                current=profile.code == report.profile.code,
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


def _answer_inputs(report: AssessmentReport) -> list[engine.AnswerInput]:
    """The stored answers of one offer, as the engine takes them."""
    return [
        engine.AnswerInput(
            line.code,
            line.answer.level,
            line.answer.evidence,
            line.answer.not_applicable,
        )
        for line in report.criteria
        if line.answer is not None
    ]


def _result(
    code: str, scorecard: engine.Scorecard, ranked: engine.RankedEntry
) -> ProfileResult:
    return ProfileResult(
        profile=code,
        global_score=scorecard.global_score,
        trust_level=scorecard.trust_level,
        eligible=scorecard.eligible,
        rank=ranked.rank,
        tied=ranked.tied,
        knockouts=tuple(k.criterion for k in scorecard.knockouts),
    )
