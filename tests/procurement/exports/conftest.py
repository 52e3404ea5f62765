"""Fixtures of the export tests: a procurement with a strong and a weak
offer."""

import pytest

from tests.procurement.exports.helpers import tender


@pytest.fixture
def procurement(organisation, lead, catalogue):
    return tender(organisation, lead)


@pytest.fixture
def strong(procurement):
    return procurement.assessments.get(offer__name="Strong IaaS")
