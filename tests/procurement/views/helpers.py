"""What the page tests share: a logged-in client, a page's address, and
assessments and reference cases built through the services and factories."""

import datetime

from django.urls import reverse

from procurement import services
from procurement.models import Assessment, Provider, ProviderFact
from tests.factories import OfferFactory, ProviderFactFactory, ProviderFactory


def login(client, user):
    client.force_login(user)
    return client


def url(name, obj):
    return reverse(f"procurement:{name}", args=[obj.pk])


def answers_at(catalogue, level, evidence="verified"):
    return [
        services.AnswerData(criterion=c.code, level=level, evidence=evidence)
        for c in catalogue.criteria.all()
    ]


def scored_assessment(procurement, user, level, **offer):
    """An assessment of a new offer with every criterion at ``level``."""
    offer = OfferFactory(provider__organisation=procurement.organisation, **offer)
    assessment = services.start_assessment(
        user=user, procurement=procurement, offer=offer
    )
    return services.record_answers(
        assessment,
        user=user,
        version=assessment.version,
        answers=answers_at(procurement.catalogue, level),
    )


def reference_case(catalogue, name="Cloudwatt", level=1):
    """A reference case built by factories: provider, facts, approved assessment."""
    provider = ProviderFactory(
        reference_case=True,
        name=name,
        reference_key=name.lower(),
        founded_on=datetime.date(2012, 9, 6),
        ceased_on=datetime.date(2020, 2, 1),
        status=Provider.Status.CEASED,
        description="A French sovereign cloud.",
        lesson="Ownership is not enough.",
        translations={"fr": {"lesson": "La propriété ne suffit pas."}},
    )
    ProviderFactFactory(
        provider=provider,
        statement="Orange, the State and Thales found the company.",
        as_of=datetime.date(2012, 9, 6),
        source_title="Press release",
        source_url="https://example.org/founding",
        translations={
            "fr": {"statement": "Orange, l'État et Thales fondent la société."}
        },
    )
    ProviderFactFactory(
        provider=provider,
        statement="The platform is switched off.",
        as_of=datetime.date(2020, 2, 1),
        date_precision=ProviderFact.Precision.MONTH,
        source_title="Shutdown notice",
        source_url="https://example.org/shutdown",
        verify=True,
        note="Only one source.",
    )
    offer = OfferFactory(provider=provider, name="Public cloud")
    assessment = Assessment.objects.create(
        offer=offer,
        procurement=None,
        catalogue=catalogue,
        profile=catalogue.profiles.get(code="N2"),
        status=Assessment.Status.APPROVED,
        as_of=datetime.date(2014, 3, 31),
    )
    for data in answers_at(catalogue, level, evidence="documented"):
        assessment.answers.create(
            criterion=catalogue.criteria.get(code=data.criterion),
            level=data.level,
            evidence=data.evidence,
        )
    return services.refresh_snapshot(assessment)
