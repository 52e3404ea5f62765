"""Fixtures of the API tests: a certification of the offer, a reference case,
another organisation's assessment. The procurement, its draft assessment and
the offer are in ``tests/procurement/conftest.py``."""

import pytest

from procurement.models import Answer, Assessment, Certification
from tests.factories import (
    AssessmentFactory,
    OfferFactory,
    ProviderFactFactory,
    ProviderFactory,
)


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
