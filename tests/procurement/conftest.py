"""Fixtures of the procurement tests: an open procurement of the user's
organisation under N3, a draft assessment in it, an offer."""

import pytest

from procurement import services
from procurement.models import Membership
from tests.conftest import member
from tests.factories import OfferFactory, ProcurementFactory


@pytest.fixture(autouse=True)
def _warm_catalogue(request):
    """Build the engine's catalogue spec once, so query counts stay stable."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("catalogue").to_spec()


@pytest.fixture
def procurement(catalogue, organisation):
    return ProcurementFactory(organisation=organisation, reference="T-1")


@pytest.fixture
def assessment(procurement, evaluator):
    """A draft assessment of a new offer, nothing answered yet."""
    offer = OfferFactory(provider__organisation=procurement.organisation)
    return services.start_assessment(
        user=evaluator, procurement=procurement, offer=offer
    )


@pytest.fixture
def offer(organisation):
    return OfferFactory(provider__organisation=organisation)


@pytest.fixture
def alice(organisation):
    """An evaluator, for the panel's tests."""
    return member(organisation, Membership.Role.EVALUATOR)


@pytest.fixture
def bob(organisation):
    """Another evaluator, for the panel's tests."""
    return member(organisation, Membership.Role.EVALUATOR)
