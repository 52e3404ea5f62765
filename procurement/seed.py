"""Data a fresh instance starts with: the reference cases and the demo.

``seed_reference_cases`` loads the bundled catalogue and the historical
reference cases (``procurement/reference/*.yaml``: Cloudwatt and Numergy, with
dated, sourced facts and a complete assessment each). ``seed_demo`` adds a demo
organisation, user and procurement built through the same services a user
calls. Both are idempotent: running them again updates, never duplicates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction

from scoring.loader import BUNDLED_CATALOGUES, DEFAULT_CATALOGUE, load_catalogue
from scoring.models import Catalogue

from . import services
from .models import (
    Answer,
    Assessment,
    AwardCriterion,
    Certification,
    HistoryEntry,
    Membership,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)
from .record import Event, record
from .services import award as award_services

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEMO_ORGANISATION = "Demo Ministry"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - a published demo login, created only with DEBUG on
# A second member, so that the demo shows four eyes: she answers and submits,
# the lead approves.
DEMO_EVALUATOR_USERNAME = "evaluator"
DEMO_EVALUATOR_PASSWORD = "evaluator"  # noqa: S105 - published demo login, as above
DEMO_PROCUREMENT_REFERENCE = "DEMO-2026-01"
# The demo is answered under this version, then moved to the latest one.
DEMO_FIRST_VERSION = "1.0"
DEFAULT_CATALOGUE_SLUG = "cloud-of-trust"


class SeedError(Exception):
    """A seed file is inconsistent; the message says where."""


@dataclass(frozen=True)
class SeedResult:
    catalogue: Catalogue
    reference_cases: tuple[Assessment, ...]


def seed_reference_cases(directory: Path = REFERENCE_DIR) -> SeedResult:
    """Load every bundled catalogue and every reference case in ``directory``.

    The reference cases stay pinned to the version they were assessed under
    (``DEFAULT_CATALOGUE``); newer versions are loaded beside it.
    """
    catalogue = load_catalogue(DEFAULT_CATALOGUE).catalogue
    for path in BUNDLED_CATALOGUES:
        if path != DEFAULT_CATALOGUE:
            load_catalogue(path)
    assessments = tuple(
        import_reference_case(_read(path), catalogue)
        for path in sorted(directory.glob("*.yaml"))
    )
    return SeedResult(catalogue, assessments)


def _warning_signs(data: dict[str, Any], catalogue: Catalogue) -> list[dict]:
    """A case's failure signature, checked against its facts and the catalogue."""
    signs = data.get("warning_signs", [])
    codes = set(catalogue.criteria.values_list("code", flat=True))
    facts = {item["key"] for item in data["facts"]}
    for sign in signs:
        if sign["criterion"] not in codes:
            raise SeedError(f"Warning sign on unknown criterion {sign['criterion']}.")
        if sign["fact"] not in facts:
            raise SeedError(f"Warning sign citing unknown fact {sign['fact']}.")
        if not 0 <= sign["max_level"] <= 4:
            raise SeedError(f"Warning sign {sign['criterion']}: max_level 0 to 4.")
    return signs


def import_reference_case(data: dict[str, Any], catalogue: Catalogue) -> Assessment:
    """Create or update one reference case: provider, facts, offer, assessment."""
    provider_data, offer_data = data["provider"], data["offer"]
    assessment_data = data["assessment"]
    criteria = {c.code: c for c in catalogue.criteria.all()}
    codes = [a["criterion"] for a in assessment_data["answers"]]
    if sorted(codes) != sorted(criteria) or len(set(codes)) != len(codes):
        raise SeedError(
            f"{provider_data['slug']}: answers must cover each criterion once."
        )
    with transaction.atomic():
        provider, _created = Provider.objects.update_or_create(
            reference_key=provider_data["slug"],
            defaults={
                "organisation": None,
                "is_reference_case": True,
                "name": provider_data["name"],
                "legal_name": provider_data.get("legal_name", ""),
                "country": provider_data.get("country", ""),
                "parent_name": provider_data.get("parent_name", ""),
                "parent_country": provider_data.get("parent_country", ""),
                "founded_on": provider_data.get("founded_on"),
                "ceased_on": provider_data.get("ceased_on"),
                "founded_precision": provider_data.get("founded_precision") or "day",
                "ceased_precision": provider_data.get("ceased_precision") or "day",
                "status": Provider.Status.CEASED
                if provider_data.get("ceased_on")
                else Provider.Status.ACTIVE,
                "website": provider_data.get("website") or "",
                "description": provider_data["description"]["en"],
                "lesson": provider_data["lesson"]["en"],
                "warning_signs": _warning_signs(data, catalogue),
                "translations": _french(provider_data, "description", "lesson"),
            },
        )
        facts = {item["key"]: _upsert_fact(provider, item) for item in data["facts"]}
        provider.facts.exclude(key__in=facts).delete()
        offer = _upsert_offer(provider, offer_data)
        profile = catalogue.profiles.get(code=assessment_data["profile"])
        assessment, _created = Assessment.objects.update_or_create(
            offer=offer,
            procurement=None,
            defaults={
                "catalogue": catalogue,
                "profile": profile,
                "status": Assessment.Status.APPROVED,
                "as_of": assessment_data["as_of"],
                "summary": assessment_data["summary"]["en"],
                "translations": _french(assessment_data, "summary"),
            },
        )
        # Answers pinned to another catalogue version (an older bundled one)
        # go: the assessment is re-answered below under this version.
        assessment.answers.exclude(criterion__in=criteria.values()).delete()
        for item in assessment_data["answers"]:
            missing = set(item.get("facts") or []) - set(facts)
            if missing:
                raise SeedError(
                    f"{item['criterion']} cites unknown facts {sorted(missing)}."
                )
            # An answer may rest only on what a buyer could read on its date.
            later = [
                key
                for key in item.get("facts") or []
                if not facts[key].known_on(assessment.as_of)
            ]
            if later:
                raise SeedError(
                    f"{item['criterion']} cites facts published after "
                    f"{assessment.as_of}: {sorted(later)}."
                )
            answer, _created = Answer.objects.update_or_create(
                assessment=assessment,
                criterion=criteria[item["criterion"]],
                defaults={
                    "level": item.get("level"),
                    "not_applicable": item.get("not_applicable", False),
                    "evidence": item.get("evidence") or Answer.Evidence.DECLARED,
                    "justification": item["justification"]["en"],
                    "evidence_reference": item.get("evidence_reference") or "",
                    "translations": _french(item, "justification"),
                },
            )
            answer.facts.set([facts[key] for key in item.get("facts") or []])
        return services.refresh_snapshot(assessment)


def seed_demo() -> Procurement:
    """The demo organisation, its lead and evaluator, and a ranked procurement.

    The procurement is answered under the first version of the method, then
    moved to the latest one (``repin_procurement``), so that the demo shows
    what changed from one version to the next; the new criteria are answered
    after the move.
    """
    latest = Catalogue.objects.latest_published(DEFAULT_CATALOGUE_SLUG)
    first = (
        Catalogue.objects.published()
        .filter(slug=DEFAULT_CATALOGUE_SLUG, version=DEMO_FIRST_VERSION)
        .first()
    )
    if latest is None or first is None:
        raise SeedError("Load the catalogue first (seed_reference_cases).")
    with transaction.atomic():
        organisation, _created = Organisation.objects.get_or_create(
            name=DEMO_ORGANISATION, defaults={"kind": Organisation.Kind.MINISTRY}
        )
        user = _demo_user(
            organisation,
            DEMO_USERNAME,
            DEMO_PASSWORD,
            Membership.Role.LEAD,
            first_name="Demo",
            last_name="Buyer",
        )
        evaluator = _demo_user(
            organisation,
            DEMO_EVALUATOR_USERNAME,
            DEMO_EVALUATOR_PASSWORD,
            Membership.Role.EVALUATOR,
            first_name="Camille",
            last_name="Martin",
        )
        existing = Procurement.objects.filter(
            organisation=organisation, reference=DEMO_PROCUREMENT_REFERENCE
        ).first()
        if existing is not None:
            return existing
        procurement = services.create_procurement(
            user=user,
            organisation=organisation,
            title="Hosting of the regional health-data platform",
            reference=DEMO_PROCUREMENT_REFERENCE,
            description=(
                "Demo tender: IaaS hosting for patient records and research data "
                "(highly sensitive, N3). Three fictional bidders."
            ),
            profile=first.profiles.get(code="N3"),
            deadline=datetime.date(2027, 3, 31),
        )
        assessments = [
            _demo_bidder(procurement, evaluator, bidder) for bidder in DEMO_BIDDERS
        ]
        if latest != first:
            procurement = services.repin_procurement(
                procurement, catalogue=latest, user=user
            )
            assessments = [
                _answer_new_criteria(assessment, procurement, evaluator, bidder)
                for assessment, bidder in zip(assessments, DEMO_BIDDERS, strict=True)
            ]
        for assessment, bidder in zip(assessments, DEMO_BIDDERS, strict=True):
            _demo_workflow(assessment, evaluator, user, bidder)
        _demo_award(procurement, user, assessments)
        # An offer nobody assesses yet: the one the API's examples put under
        # assessment (POST /api/v1/assessments/).
        services.create_offer(
            assessments[0].offer.provider,
            user=evaluator,
            name="Beta Object Storage",
            regions=["FR"],
        )
    return procurement


# The demo's award: criteria as its tender published them, and each bidder's
# price and support mark. The cheapest bid is the excluded one: its price
# moves nobody's mark.
DEMO_AWARD = (("sovereignty", 60, ""), ("price", 30, ""), ("quality", 10, "Support"))
DEMO_PRICES = {"Beta Sovereign": "1480000", "Alpha Cloud": "1250000"}
DEMO_PRICES["Gamma Hyperscale EU"] = "990000"
DEMO_SUPPORT = {
    "Beta Sovereign": "85",
    "Alpha Cloud": "70",
    "Gamma Hyperscale EU": "60",
}


def _demo_award(procurement: Procurement, user, assessments) -> None:
    """Published with the tender, before it opened: written as such, on record."""
    created = AwardCriterion.objects.bulk_create(
        AwardCriterion(
            procurement=procurement,
            kind=kind,
            name=name or str(AwardCriterion.Kind(kind).label),
            weight=weight,
            formula="proportional" if kind == "price" else "",
            position=position,
        )
        for position, (kind, weight, name) in enumerate(DEMO_AWARD)
    )
    record(
        procurement.organisation_id,
        user=user,
        events=[
            Event(
                HistoryEntry.Action.AWARD_CRITERIA_CHANGED,
                str(procurement),
                procurement=procurement.pk,
                changes=[
                    {
                        "field": "award_criteria",
                        "before": [],
                        "after": [f"{c.name}: {c.weight}" for c in created],
                    }
                ],
                reason="Published with the demo tender.",
            )
        ],
    )
    ids = {c.kind: c.pk for c in created}
    for assessment in assessments:
        provider = assessment.offer.provider.name
        award_services.set_award_marks(
            assessment,
            user=user,
            values={
                ids["price"]: DEMO_PRICES[provider],
                ids["quality"]: DEMO_SUPPORT[provider],
            },
        )


def _demo_user(organisation, username, password, role, **names):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={**names, "email": f"{username}@example.org"}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    return user


@dataclass(frozen=True)
class DemoBidder:
    provider: str
    country: str
    parent: str
    parent_country: str
    offer: str
    description: str
    default_level: int
    default_evidence: str
    levels: dict[str, int | None]
    note: str
    status: str
    unanswered: tuple[str, ...] = ()


DEMO_BIDDERS = (
    DemoBidder(
        provider="Beta Sovereign",
        country="FR",
        parent="Beta Sovereign SAS",
        parent_country="FR",
        offer="Beta Trusted IaaS",
        description="Fictional French operator with a SecNumCloud 3.2 qualified IaaS.",
        default_level=3,
        default_evidence="verified",
        levels={
            "OWN-1": 4,
            "OWN-2": 4,
            "JUR-1": 4,
            "JUR-3": 4,
            "DAT-1": 4,
            "DAT-2": 4,
            "OPS-1": 4,
            "OPS-3": 3,
            "SEC-1": 4,
            "TEC-3": 3,
            "TEC-5": None,
            "REV-4": 2,
            "REV-6": 3,
        },
        note="SecNumCloud 3.2 qualification of the offer, checked with the contract.",
        status=Assessment.Status.APPROVED,
    ),
    DemoBidder(
        provider="Alpha Cloud",
        country="DE",
        parent="Alpha Holding AG",
        parent_country="DE",
        offer="Alpha Compute EU",
        description="Fictional German provider; C5 Type 2 attested, no SecNumCloud.",
        default_level=3,
        default_evidence="documented",
        levels={
            "OWN-3": 2,
            "JUR-4": 2,
            "JUR-5": 2,
            "DAT-1": 2,
            "DAT-4": 2,
            "DAT-6": 2,
            "DAT-7": 2,
            "OPS-2": 2,
            "TEC-2": 2,
            "TEC-5": 1,
            "TEC-6": 2,
            "SUP-3": 2,
            "SUP-6": 2,
            "SUP-7": 1,
            "REV-1": 2,
            "REV-2": 2,
            "REV-3": 2,
            "REV-5": 2,
            "REV-6": 2,
            "SEC-3": 2,
            "SEC-5": 2,
        },
        note="From the provider's public documentation and its C5 attestation.",
        status=Assessment.Status.SUBMITTED,
    ),
    DemoBidder(
        provider="Gamma Hyperscale EU",
        country="IE",
        parent="Gamma Cloud Inc.",
        parent_country="US",
        offer="Gamma Sovereign Region",
        description="Fictional EU subsidiary of a US hyperscaler; EU-only region.",
        default_level=3,
        default_evidence="documented",
        levels={
            "OWN-1": 1,
            "OWN-2": 0,
            "OWN-3": 1,
            "OWN-4": 1,
            "OWN-5": 2,
            "JUR-1": 1,
            "JUR-2": 2,
            "JUR-3": 2,
            "JUR-4": 2,
            "JUR-5": 1,
            "DAT-1": 2,
            "DAT-2": 3,
            "DAT-3": 2,
            "OPS-1": 2,
            "OPS-3": 1,
            "OPS-5": 1,
            "TEC-3": 0,
            "SUP-2": 2,
            "SEC-1": 3,
            "REV-5": 1,
        },
        note="From the provider's sovereignty white paper; not yet checked.",
        status=Assessment.Status.DRAFT,
        unanswered=("SUP-3", "SUP-5", "SUP-6", "SUP-7", "REV-4", "REV-6", "TEC-5"),
    ),
)


def _demo_bidder(procurement: Procurement, user, bidder: DemoBidder) -> Assessment:
    """The evaluator records and answers a bidder's offer, as a draft."""
    provider = services.create_provider(
        user=user,
        organisation=procurement.organisation,
        name=bidder.provider,
        legal_name=bidder.parent if bidder.parent_country == bidder.country else "",
        country=bidder.country,
        parent_name=bidder.parent,
        parent_country=bidder.parent_country,
        description=bidder.description,
    )
    offer = services.create_offer(
        provider, user=user, name=bidder.offer, regions=[bidder.country]
    )
    if bidder.provider == "Beta Sovereign":
        services.add_certification(
            offer,
            user=user,
            scheme="SecNumCloud 3.2",
            scheme_code="secnumcloud-3.2",
            scope="IaaS, regions Paris and Lyon",
            valid_from=datetime.date(2025, 6, 1),
            valid_to=datetime.date(2028, 5, 31),
        )
    assessment = services.start_assessment(
        user=user, procurement=procurement, offer=offer
    )
    criteria = procurement.catalogue.criteria.prefetch_related("levels")
    answers = [
        _demo_answer(criterion, bidder)
        for criterion in criteria
        if criterion.code not in bidder.unanswered
    ]
    return services.record_answers(
        assessment, user=user, version=assessment.version, answers=answers
    )


def _answer_new_criteria(
    assessment: Assessment, procurement: Procurement, user, bidder: DemoBidder
) -> Assessment:
    """After the move to a newer version, answer the criteria it added."""
    assessment.refresh_from_db()
    answered = set(assessment.answers.values_list("criterion__code", flat=True))
    criteria = procurement.catalogue.criteria.prefetch_related("levels")
    answers = [
        _demo_answer(criterion, bidder)
        for criterion in criteria
        if criterion.code not in answered and criterion.code not in bidder.unanswered
    ]
    if not answers:
        return assessment
    return services.record_answers(
        assessment, user=user, version=assessment.version, answers=answers
    )


def _demo_workflow(assessment: Assessment, user, lead, bidder: DemoBidder) -> None:
    """Submit and approve the assessments the demo shows further along."""
    if bidder.status in (Assessment.Status.SUBMITTED, Assessment.Status.APPROVED):
        assessment = services.submit_assessment(assessment, user=user)
    if bidder.status == Assessment.Status.APPROVED:
        services.approve_assessment(assessment, user=lead)


def _demo_answer(criterion, bidder: DemoBidder) -> services.AnswerData:
    marked_na = (
        criterion.code in bidder.levels and bidder.levels[criterion.code] is None
    )
    if criterion.na_allowed and marked_na:
        return services.AnswerData(
            criterion=criterion.code,
            not_applicable=True,
            justification="The offer has no AI or HPC feature.",
        )
    level = bidder.levels.get(criterion.code, bidder.default_level)
    descriptor = next(d.text_en for d in criterion.levels.all() if d.level == level)
    return services.AnswerData(
        criterion=criterion.code,
        level=level,
        evidence=bidder.default_evidence,
        justification=f"Level {level}: {descriptor} {bidder.note}",
        evidence_reference=f"{bidder.provider} tender response, {criterion.code}",
    )


def _upsert_fact(provider: Provider, item: dict[str, Any]) -> ProviderFact:
    fact, _created = ProviderFact.objects.update_or_create(
        provider=provider,
        key=item["key"],
        defaults={
            "category": item.get("category") or ProviderFact.Category.OTHER,
            "statement": item["statement"]["en"],
            "as_of": item["as_of"],
            "as_of_end": item.get("as_of_end"),
            "date_precision": item.get("date_precision") or ProviderFact.Precision.DAY,
            "source_title": item["source_title"],
            "source_publisher": item.get("source_publisher") or "",
            "source_url": item.get("source_url") or "",
            "source_date": item.get("source_date"),
            "published_on": item.get("published_on"),
            "confidence": item.get("confidence") or ProviderFact.Confidence.MEDIUM,
            "verify": bool(item.get("verify")),
            "note": (item.get("note") or {}).get("en", ""),
            "translations": _french(item, "statement", "note"),
        },
    )
    return fact


def _upsert_offer(provider: Provider, data: dict[str, Any]) -> Offer:
    offer = provider.offers.first()
    fields = {
        "name": data["name"]["en"],
        "service_model": data.get("service_model") or Offer.ServiceModel.IAAS,
        "deployment_model": data.get("deployment_model")
        or Offer.DeploymentModel.PUBLIC,
        "regions": data.get("regions") or [],
        "description": data.get("description", {}).get("en", ""),
        "translations": _french(data, "name", "description"),
    }
    if offer is None:
        offer = Offer.objects.create(provider=provider, **fields)
    else:
        Offer.objects.filter(pk=offer.pk).update(**fields)
        offer.refresh_from_db()
    offer.certifications.all().delete()
    Certification.objects.bulk_create(
        Certification(
            offer=offer,
            **{k: item.get(k) or "" for k in ("scheme", "scope")},
            valid_from=item.get("valid_from"),
            valid_to=item.get("valid_to"),
        )
        for item in data.get("certifications") or []
    )
    return offer


def _french(item: dict[str, Any], *names: str) -> dict[str, dict[str, str]]:
    texts = {name: (item.get(name) or {}).get("fr", "") for name in names}
    return {"fr": {name: text for name, text in texts.items() if text}}


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
