"""Fixtures of the page tests: an offer with a certification, a procurement
and a draft assessment in the user's organisation."""

import pytest

from procurement import services
from procurement.models import Certification
from tests.factories import OfferFactory, ProcurementFactory, ProviderFactory


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
def procurement(organisation, catalogue):
    return ProcurementFactory(organisation=organisation, reference="T-1")


@pytest.fixture
def draft(procurement, evaluator):
    """A draft with nothing answered yet."""
    offer = OfferFactory(provider__organisation=procurement.organisation)
    return services.start_assessment(
        user=evaluator, procurement=procurement, offer=offer
    )
