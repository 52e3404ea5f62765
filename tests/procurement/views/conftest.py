"""Fixtures of the page tests: a named offer with a certification, and the
draft assessment of ``tests/procurement/conftest.py`` under the name the
pages use."""

import pytest

from procurement.models import Certification
from tests.factories import OfferFactory, ProviderFactory


@pytest.fixture
def offer(organisation):
    return OfferFactory(
        provider=ProviderFactory(organisation=organisation, name="Beta"),
        name="Trusted IaaS",
    )


@pytest.fixture
def certification(offer):
    return Certification.objects.create(offer=offer, scheme="SecNumCloud 3.2")


@pytest.fixture
def draft(assessment):
    """A draft with nothing answered yet."""
    return assessment
