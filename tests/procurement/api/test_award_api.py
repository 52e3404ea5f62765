"""Award criteria, marks and the award ranking through the API."""

import pytest

from procurement.models import Procurement
from tests.factories import ProcurementFactory
from tests.procurement.api.helpers import client_for, url
from tests.procurement.views.helpers import scored_assessment

pytestmark = pytest.mark.django_db

CRITERIA = [
    {"kind": "sovereignty", "weight": 60},
    {"kind": "price", "weight": 40, "formula": "proportional"},
]


@pytest.fixture
def draft(organisation, lead):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )
    scored_assessment(procurement, lead, 4, name="Dear")
    scored_assessment(procurement, lead, 3, name="Cheap")
    return procurement


def test_a_lead_publishes_criteria_and_the_ranking_gains_the_award(draft, lead):
    api = client_for(lead)

    criteria = api.put(
        url("procurement-award-criteria", draft.pk), CRITERIA, format="json"
    ).json()
    price = next(c["id"] for c in criteria if c["kind"] == "price")
    for assessment, value in zip(
        draft.assessments.order_by("pk"), ("2000", "1000"), strict=True
    ):
        api.put(
            url("procurement-award-marks", draft.pk),
            {
                "assessment": assessment.pk,
                "values": [{"criterion": price, "value": value}],
            },
            format="json",
        )
    ranking = api.get(url("procurement-ranking", draft.pk)).json()

    rows = ranking["award"]["rows"]
    assert [c["kind"] for c in ranking["award"]["criteria"]] == ["sovereignty", "price"]
    assert rows[0]["marks"][1] == {
        "criterion": price,
        "value": 2000.0 if rows[0]["marks"][1]["value"] == 2000.0 else 1000.0,
        "mark": rows[0]["marks"][1]["mark"],
        "missing": False,
    }
    cheap = next(r for r in rows if r["marks"][1]["value"] == 1000.0)
    assert cheap["marks"][1]["mark"] == 100.0


def test_weights_not_adding_up_are_a_400_naming_it(draft, lead):
    response = client_for(lead).put(
        url("procurement-award-criteria", draft.pk),
        [{"kind": "sovereignty", "weight": 50}],
        format="json",
    )

    assert response.status_code == 400
    assert "add up to 100" in str(response.json())


def test_an_evaluator_cannot_publish_criteria(draft, evaluator):
    response = client_for(evaluator).put(
        url("procurement-award-criteria", draft.pk), CRITERIA, format="json"
    )

    assert response.status_code == 403


def test_without_criteria_the_ranking_award_is_null(draft, lead):
    assert (
        client_for(lead).get(url("procurement-ranking", draft.pk)).json()["award"]
        is None
    )
