"""Fixtures of the API tests: a procurement with a draft assessment, an
offer with a certification, a reference case, another organisation's
assessment."""

import pytest

from procurement import services
from procurement.models import Answer, Assessment, Certification
from tests.factories import (
    AssessmentFactory,
    OfferFactory,
    ProcurementFactory,
    ProviderFactFactory,
    ProviderFactory,
)


@pytest.fixture
def procurement(catalogue, organisation):
    catalogue.to_spec()  # the engine's spec is built once per process
    return ProcurementFactory(organisation=organisation, reference="T-1")


@pytest.fixture
def assessment(procurement, evaluator):
    offer = OfferFactory(provider__organisation=procurement.organisation)
    return services.start_assessment(
        user=evaluator, procurement=procurement, offer=offer
    )


@pytest.fixture
def offer(organisation):
    return OfferFactory(provider__organisation=organisation)


@pytest.fixture
def certification(offer):
    return Certification.objects.create(offer=offer, scheme="HDS")


@pytest.fixture
def reference_case(catalogue):
    """A read-only reference assessment with one answer."""
    offer = OfferFactory(provider=ProviderFactory(reference_case=True))
    assessment = AssessmentFactory(
        procurement=None,
        offer=offer,
        catalogue=catalogue,
        profile=catalogue.profiles.get(code="N2"),
        status=Assessment.Status.APPROVED,
    )
    Answer.objects.create(
        assessment=assessment, criterion=catalogue.criteria.get(code="OWN-1"), level=2
    )
    return assessment


@pytest.fixture
def foreign_assessment(catalogue):
    """An assessment of another organisation, with a fact on its provider."""
    assessment = AssessmentFactory()
    ProviderFactFactory(provider=assessment.offer.provider)
    return assessment
