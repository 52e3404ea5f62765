"""What the export tests share: a fixed clock, and procurements, assessed
offers and a reference case built through the services, as a buyer would."""

import datetime

from procurement import services
from procurement.seed import import_reference_case
from procurement.services import AnswerData
from tests.factories import published_profile

NOW = datetime.datetime(2026, 11, 22, 9, 30, tzinfo=datetime.timezone.utc)


def assess(procurement, user, name, level, evidence="verified", *, only=None, **texts):
    """An offer answered at ``level`` on every criterion (or the ``only`` ones)."""
    provider = services.create_provider(
        user=user, organisation=procurement.organisation, name=f"{name} Cloud"
    )
    offer = services.create_offer(provider, user=user, name=f"{name} IaaS")
    assessment = services.start_assessment(
        user=user,
        procurement=procurement,
        offer=offer,
        as_of=datetime.date(2026, 11, 1),
    )
    criteria = procurement.catalogue.criteria.order_by("pillar__position", "position")
    answers = [
        AnswerData(
            criterion=criterion.code,
            level=level,
            evidence=evidence,
            justification=texts.get(criterion.code, f"{name} meets {criterion.code}."),
            evidence_reference=texts.get(
                f"{criterion.code}-ref", f"{name} response, {criterion.code}"
            ),
        )
        for criterion in criteria
        if only is None or criterion.code in only
    ]
    return services.record_answers(
        assessment, user=user, version=assessment.version, answers=answers
    )


def tender(organisation, user, bidders=(("Strong", 4), ("Weak", 1))):
    """A procurement under N3 with one assessed offer per (name, level)."""
    procurement = services.create_procurement(
        user=user,
        organisation=organisation,
        title="Hosting of the payroll system",
        reference="T-2026/07",
        profile=published_profile("N3"),
    )
    for name, level in bidders:
        assess(procurement, user, name, level)
    return procurement


def reference_case(catalogue):
    """A small reference case with French texts, imported like the real ones."""
    codes = list(
        catalogue.criteria.order_by("pillar__position", "position").values_list(
            "code", flat=True
        )
    )
    return import_reference_case(
        {
            "provider": {
                "slug": "testwatt",
                "name": "Testwatt",
                "description": {"en": "A closed cloud.", "fr": "Un cloud fermé."},
                "lesson": {"en": "Check the exit.", "fr": "Vérifier la sortie."},
            },
            "facts": [
                {
                    "key": "tw-closed",
                    "category": "end_of_service",
                    "statement": {"en": "Testwatt closed.", "fr": "Testwatt a fermé."},
                    # Published before the assessment: an answer may cite it.
                    "as_of": datetime.date(2013, 2, 1),
                    "source_title": "Press release",
                    "source_url": "https://example.org/closed",
                }
            ],
            "offer": {
                "name": {"en": "Testwatt public cloud", "fr": "Cloud public Testwatt"}
            },
            "assessment": {
                "profile": "N2",
                "as_of": datetime.date(2014, 3, 31),
                "summary": {
                    "en": "Weak exit terms.",
                    "fr": "Clauses de sortie faibles.",
                },
                "answers": [
                    {
                        "criterion": code,
                        "level": 2,
                        "evidence": "documented",
                        "justification": {
                            "en": f"Documented in 2014 ({code}).",
                            "fr": f"Documenté en 2014 ({code}).",
                        },
                        "facts": ["tw-closed"] if code == codes[0] else [],
                    }
                    for code in codes
                ],
            },
        },
        catalogue,
    )
