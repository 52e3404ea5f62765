"""Scorecards explained: the engine's numbers joined to the catalogue's words.

The scorecard page, the procurement page, the API and every export read an
assessment through ``assessment_report`` or ``procurement_report``, which load
everything in a fixed number of queries, score with ``scoring.engine`` and
attach the texts a reader needs (criterion names, level descriptors, why a
knock-out failed). Nothing here computes a score itself. An approved
assessment is reported as it was approved (``approvals.thaw``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from scoring import engine
from scoring import overlays as jurisdiction
from scoring.adjustments import adjusted
from scoring.models import Catalogue, Criterion, Pillar, Profile

from . import approvals, charts
from .models import Answer, Assessment, Claim, EvidenceFile, Procurement, ProviderFact
from .services import Ranking, RankingRow, rank_procurement


@dataclass(frozen=True)
class CriterionLine:
    criterion: Criterion
    result: engine.CriterionResult
    answer: Answer | None
    claim: Claim | None = None  # the bidder's, when it answered
    files: tuple[EvidenceFile, ...] = ()

    @property
    def claim_differs(self) -> bool:
        """The evaluators accepted another level than the bidder claimed."""
        if self.claim is None or self.answer is None:
            return False
        return (self.claim.level, self.claim.not_applicable) != (
            self.answer.level,
            self.answer.not_applicable,
        )

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def name(self) -> str:
        return self.criterion.name

    def descriptor(self, level: int | None) -> str:
        if level is None:
            return ""
        return next(d.text for d in self.criterion.levels.all() if d.level == level)

    @property
    def claimed_text(self) -> str:
        return self.descriptor(self.result.level)

    @property
    def effective_text(self) -> str:
        return self.descriptor(self.result.effective_level)

    @property
    def facts(self) -> list[ProviderFact]:
        return list(self.answer.facts.all()) if self.answer else []


@dataclass(frozen=True)
class PillarLine:
    pillar: Pillar
    result: engine.PillarResult
    criteria: tuple[CriterionLine, ...]

    @property
    def code(self) -> str:
        return self.pillar.code

    @property
    def name(self) -> str:
        return self.pillar.name

    @property
    def answered(self) -> int:
        return sum(line.result.answered for line in self.criteria)

    @property
    def unknown(self) -> int:
        """Criteria of this pillar left unknown: scored 0, shown apart."""
        return len(self.criteria) - self.answered

    @property
    def unknown_share(self) -> float:
        """The share of the pillar's points (0-100) its unknown criteria hold."""
        return engine.unknown_share(line.result for line in self.criteria)


@dataclass(frozen=True)
class KnockOutLine:
    criterion: Criterion
    required: int
    effective: int
    profile: str
    rule: str = ""  # a jurisdiction overlay's rule, when one set this threshold

    @property
    def text(self) -> str:
        """E.g. "JUR-1 Exposure to ...: level 1, N3 requires 3"."""
        text = _(
            "%(code)s %(name)s: level %(effective)s, %(profile)s requires %(required)s"
        ) % {
            "code": self.criterion.code,
            "name": self.criterion.name,
            "effective": self.effective,
            "profile": self.profile,
            "required": self.required,
        }
        return f"{text} ({self.rule})" if self.rule else text


@dataclass(frozen=True)
class AssessmentReport:
    assessment: Assessment
    catalogue: Catalogue
    profile: Profile
    scorecard: engine.Scorecard
    pillars: tuple[PillarLine, ...]

    @property
    def criteria(self) -> tuple[CriterionLine, ...]:
        return tuple(line for pillar in self.pillars for line in pillar.criteria)

    @property
    def claims_given(self) -> bool:
        """Whether the bidder answered (questionnaire or grid)."""
        return any(line.claim is not None for line in self.criteria)

    @property
    def claim_differences(self) -> tuple[CriterionLine, ...]:
        """The criteria where the evaluators accepted another level than claimed."""
        return tuple(line for line in self.criteria if line.claim_differs)

    def _lines(self, codes: Sequence[str]) -> tuple[CriterionLine, ...]:
        wanted = set(codes)
        return tuple(line for line in self.criteria if line.code in wanted)

    @property
    def knockouts(self) -> tuple[KnockOutLine, ...]:
        by_code = {line.code: line.criterion for line in self.criteria}
        procurement = self.assessment.procurement
        rules = (
            jurisdiction.rule_texts(procurement.overlays, self.profile.code)
            if procurement and procurement.overlays
            else {}
        )
        return tuple(
            KnockOutLine(
                by_code[k.criterion],
                k.required,
                k.effective,
                self.profile.code,
                rules.get(k.criterion, ""),
            )
            for k in self.scorecard.knockouts
        )

    @property
    def binding_criteria(self) -> tuple[CriterionLine, ...]:
        return self._lines(self.scorecard.binding_criteria)

    @property
    def evidence_gaps(self) -> tuple[CriterionLine, ...]:
        return self._lines(self.scorecard.evidence_gaps)

    @property
    def trust_meaning(self) -> str:
        level = self.scorecard.trust_level
        return "" if level is None else self.catalogue.scale_text(level)

    @property
    def highest_profile_passed(self) -> Profile | None:
        code = self.scorecard.highest_profile_passed
        return next((p for p in self.catalogue.profiles.all() if p.code == code), None)

    def radar_series(self, references: Sequence[Assessment] = ()) -> list:
        """The radar's series: this offer, then the reference cases dashed."""
        return [
            charts.Series(
                str(self.assessment.offer),
                [p.result.score for p in self.pillars],
                unknown=[p.unknown_share for p in self.pillars],
                **charts.offer_style(0),
            ),
            *(reference_series(reference) for reference in references),
        ]

    def radar(
        self,
        references: Sequence[Assessment] = (),
        *,
        size: int = 360,
        with_legend: bool = True,
    ) -> str:
        """This offer's pillar scores, with reference cases as dashed overlays.

        The legend is drawn inside the chart unless the page shows it as HTML.
        """
        return charts.radar_svg(
            [p.code for p in self.pillars],
            self.radar_series(references),
            size=size,
            title=_("Pillar scores of %(offer)s") % {"offer": self.assessment.offer},
            description=", ".join(f"{p.code} {p.result.score}" for p in self.pillars),
            with_legend=with_legend,
        )

    def bars(self, *, width: int = 360) -> str:
        return charts.bars_svg(
            [f"{p.code} {p.name}" for p in self.pillars],
            [p.result.score for p in self.pillars],
            markers=[p.result.score_claimed for p in self.pillars],
            unknown=[p.unknown_share for p in self.pillars],
            width=width,
            title=_(
                "Pillar scores, as evidenced (bar) and as claimed (tick); "
                "hatched: unknown, scored 0"
            ),
        )


def _offers_radar(
    self, references: Sequence[Assessment] = (), *, size=420, with_legend=True
) -> str:
    """Every offer's pillar scores on one radar, reference cases dashed."""
    return charts.radar_svg(
        [p.code for p in self.catalogue.pillars.all()],
        self.radar_series(references),
        size=size,
        title=_("Pillar scores of the offers in %(procurement)s")
        % {"procurement": self.procurement},
        with_legend=with_legend,
    )


@dataclass(frozen=True)
class ProcurementReport:
    procurement: Procurement
    catalogue: Catalogue
    profile: Profile
    ranking: Ranking
    reports: dict[int, AssessmentReport]  # by assessment id

    @property
    def rows(self) -> tuple[tuple[RankingRow, AssessmentReport], ...]:
        return tuple(
            (row, self.reports[row.assessment.pk]) for row in self.ranking.rows
        )

    def radar_series(self, references: Sequence[Assessment] = ()) -> list:
        """One series per offer in ranking order, then the reference cases."""
        pillars = list(self.catalogue.pillars.all())
        return [
            *(
                charts.Series(
                    str(row.assessment.offer),
                    [report.scorecard.pillar(p.code).score for p in pillars],
                    unknown=[
                        report.scorecard.unknown_share_by_pillar[p.code]
                        for p in pillars
                    ],
                    **charts.offer_style(index),
                )
                for index, (row, report) in enumerate(self.rows)
            ),
            *(reference_series(reference) for reference in references),
        ]

    radar = _offers_radar


@dataclass(frozen=True)
class SnapshotItem:
    """An offer as its stored snapshot shows it: all that lists and rankings read.

    No answer is loaded and the engine does not run: the numbers were stored
    by the engine at the last save (``services.apply_snapshot``).
    """

    assessment: Assessment
    profile: Profile
    knockouts: tuple[KnockOutLine, ...]

    @property
    def global_score(self) -> Decimal:
        return self.assessment.global_score

    @property
    def global_score_claimed(self) -> Decimal:
        return self.assessment.global_score_claimed

    @property
    def trust_level(self) -> int | None:
        return self.assessment.trust_level

    @property
    def eligible(self) -> bool:
        return self.assessment.eligible

    @property
    def highest_profile_passed(self) -> str:
        return self.assessment.highest_profile_passed

    @property
    def completeness(self) -> Decimal:
        return self.assessment.completeness

    def pillar_score(self, code: str) -> Decimal | None:
        return _stored_scores(self.assessment).get(code)

    def pillar_unknown(self, code: str) -> tuple[int, float]:
        """Criteria of a pillar left unknown, and the share of its points they hold."""
        return stored_unknown(self.assessment).get(code, (0, 0.0))


@dataclass(frozen=True)
class ProcurementSummary:
    """A procurement's ranking from stored snapshots, as pages and the API show it."""

    procurement: Procurement
    catalogue: Catalogue
    profile: Profile
    ranking: Ranking
    items: dict[int, SnapshotItem]  # by assessment id

    @property
    def rows(self) -> tuple[tuple[RankingRow, SnapshotItem], ...]:
        return tuple((row, self.items[row.assessment.pk]) for row in self.ranking.rows)

    def radar_series(self, references: Sequence[Assessment] = ()) -> list:
        """One series per offer in ranking order, then the reference cases."""
        codes = [p.code for p in self.catalogue.pillars.all()]
        return [
            *(
                charts.Series(
                    str(row.assessment.offer),
                    [item.pillar_score(code) for code in codes],
                    unknown=[item.pillar_unknown(code)[1] for code in codes],
                    **charts.offer_style(index),
                )
                for index, (row, item) in enumerate(self.rows)
            ),
            *(reference_series(reference) for reference in references),
        ]

    radar = _offers_radar


def procurement_summary(
    procurement: Procurement, catalogue: Catalogue | None = None
) -> ProcurementSummary:
    """Rank a procurement from its snapshots, with the catalogue's words.

    A constant number of queries (the ranking, and the catalogue's method
    unless the caller has it loaded), whatever the number of offers or answers.
    """
    catalogue = catalogue or procurement.catalogue.with_method()
    profile = _profile(catalogue, procurement.profile.code)
    ranking = rank_procurement(procurement)
    criteria = {c.code: c for c in catalogue.criteria.all()}
    rules = procurement.overlay_rules()
    for row in ranking.rows:
        approvals.thaw(row.assessment, ())  # approved offers as they were approved
    items = {
        row.assessment.pk: SnapshotItem(
            row.assessment,
            profile,
            tuple(
                KnockOutLine(
                    criteria[k["criterion"]],
                    k["required"],
                    k["effective"],
                    profile.code,
                    rules.get(k["criterion"], ""),
                )
                for k in row.assessment.failed_knockouts
                if k["criterion"] in criteria
            ),
        )
        for row in ranking.rows
    }
    return ProcurementSummary(procurement, catalogue, profile, ranking, items)


def stored_unknown(assessment: Assessment) -> dict[str, tuple[int, float]]:
    """Pillar code -> (unknown criteria, share of points) from the snapshot
    (none in snapshots stored before they were counted: ``refresh_snapshots``)."""
    return {
        p["code"]: (p.get("unknown", 0), p.get("unknown_share", 0.0))
        for p in assessment.pillar_scores
    }


def _stored_scores(assessment: Assessment) -> dict[str, Decimal | None]:
    return {
        p["code"]: None if p["score"] is None else Decimal(p["score"])
        for p in assessment.pillar_scores
    }


def assessment_report(assessment: Assessment) -> AssessmentReport:
    """Score one assessment and attach the catalogue's texts (about 14 queries)."""
    catalogue = assessment.catalogue.with_method()
    answers = list(_answers().filter(assessment=assessment))
    claims = list(Claim.objects.filter(assessment=assessment))
    files = list(_files().filter(assessment=assessment))
    return _report(assessment, catalogue, answers, claims, files)


def procurement_report(procurement: Procurement) -> ProcurementReport:
    """Rank a procurement and explain every offer, in a fixed number of queries."""
    catalogue = procurement.catalogue.with_method()
    ranking = rank_procurement(procurement)
    by_assessment: dict[int, list[Answer]] = defaultdict(list)
    for answer in _answers().filter(assessment__procurement=procurement):
        by_assessment[answer.assessment_id].append(answer)
    claims: dict[int, list[Claim]] = defaultdict(list)
    for claim in Claim.objects.filter(assessment__procurement=procurement):
        claims[claim.assessment_id].append(claim)
    files: dict[int, list[EvidenceFile]] = defaultdict(list)
    for stored in _files().filter(assessment__procurement=procurement):
        files[stored.assessment_id].append(stored)
    reports = {
        row.assessment.pk: _report(
            row.assessment,
            catalogue,
            by_assessment[row.assessment.pk],
            claims[row.assessment.pk],
            files[row.assessment.pk],
        )
        for row in ranking.rows
    }
    return ProcurementReport(
        procurement=procurement,
        catalogue=catalogue,
        profile=_profile(catalogue, procurement.profile.code),
        ranking=ranking,
        reports=reports,
    )


def reference_assessments() -> list[Assessment]:
    """The reference cases, with their stored snapshots, for comparison."""
    return list(
        Assessment.objects.reference_cases()
        .select_related("offer__provider", "profile")
        .order_by("offer__provider__name")
    )


def reference_series(reference: Assessment) -> charts.Series:
    scores = [
        Decimal(p["score"]) if p["score"] is not None else None
        for p in reference.pillar_scores
    ]
    key = reference.offer.provider.reference_key or ""
    colour = charts.REFERENCE_COLOURS.get(key, "#5b6773")
    label = _("%(provider)s (reference, %(profile)s, %(date)s)") % {
        "provider": reference.offer.provider.name,
        "profile": reference.profile.code,
        "date": reference.as_of.year,
    }
    return charts.Series(
        label,
        scores,
        colour=colour,
        dashed=True,
        dash=charts.REFERENCE_DASHES.get(key, ""),
    )


def _answers():
    return Answer.objects.select_related(
        "criterion", "answered_by", "presumed_by"
    ).prefetch_related(
        Prefetch("facts", queryset=ProviderFact.objects.order_by("as_of", "pk"))
    )


def _profile(catalogue: Catalogue, code: str) -> Profile:
    return next(p for p in catalogue.profiles.all() if p.code == code)


def _files():
    return EvidenceFile.objects.select_related("uploaded_by", "invitation").order_by(
        "pk"
    )


def scoring_spec(assessment: Assessment, catalogue: Catalogue) -> engine.CatalogueSpec:
    """The catalogue (already loaded) as this assessment is scored: adjusted by
    its procurement when a lead adjusted the profile there."""
    spec = catalogue.to_spec()
    if assessment.procurement_id is None:
        return spec
    return adjusted(spec, assessment.profile.code, assessment.procurement.adjustment)


def _report(
    assessment: Assessment,
    catalogue: Catalogue,
    answers: Sequence[Answer],
    claims: Sequence[Claim] = (),
    files: Sequence[EvidenceFile] = (),
) -> AssessmentReport:
    # An approved assessment shows its offer, provider, certifications and
    # cited facts as they were at approval, whatever the live rows say now.
    approvals.thaw(assessment, answers)
    scorecard = engine.score(
        scoring_spec(assessment, catalogue),
        assessment.profile.code,
        [
            engine.AnswerInput(a.criterion.code, a.level, a.evidence, a.not_applicable)
            for a in answers
        ],
    )
    return explained(assessment, catalogue, scorecard, answers, claims, files)


def explained(
    assessment: Assessment,
    catalogue: Catalogue,
    scorecard: engine.Scorecard,
    answers: Sequence[Answer] = (),
    claims: Sequence[Claim] = (),
    files: Sequence[EvidenceFile] = (),
) -> AssessmentReport:
    """The engine's scorecard joined to the catalogue's words, line by line."""
    profile = _profile(catalogue, scorecard.profile)
    by_code = {answer.criterion.code: answer for answer in answers}
    criteria_by_pillar: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in catalogue.criteria.all():
        criteria_by_pillar[criterion.pillar_id].append(criterion)
    claimed = {claim.criterion_id: claim for claim in claims}
    attached: dict[int, list[EvidenceFile]] = defaultdict(list)
    for stored in files:
        attached[stored.criterion_id].append(stored)
    pillars = tuple(
        PillarLine(
            pillar=pillar,
            result=scorecard.pillar(pillar.code),
            criteria=tuple(
                CriterionLine(
                    c,
                    scorecard.criterion(c.code),
                    by_code.get(c.code),
                    claimed.get(c.pk),
                    tuple(attached[c.pk]),
                )
                for c in criteria_by_pillar[pillar.pk]
            ),
        )
        for pillar in catalogue.pillars.all()
    )
    return AssessmentReport(assessment, catalogue, profile, scorecard, pillars)


@dataclass(frozen=True)
class ComparisonRow:
    """One pillar of an assessment beside the same pillar of each reference."""

    pillar: PillarLine
    references: tuple[Decimal | None, ...]


def reference_pillar_row(
    reference: Assessment, codes: Sequence[str]
) -> list[Decimal | None]:
    """A reference case's stored pillar scores, in the order of ``codes``."""
    stored = _stored_scores(reference)
    return [stored.get(code) for code in codes]


def comparison(
    report: AssessmentReport, references: Sequence[Assessment]
) -> tuple[ComparisonRow, ...]:
    """Pillar by pillar, this assessment's scores next to the references' snapshots."""
    codes = [pillar.code for pillar in report.pillars]
    rows = [reference_pillar_row(reference, codes) for reference in references]
    return tuple(
        ComparisonRow(pillar, tuple(row[index] for row in rows))
        for index, pillar in enumerate(report.pillars)
    )
