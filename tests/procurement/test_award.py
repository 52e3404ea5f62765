"""Award criteria published before opening, marks typed, the award ranking."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from procurement import awarding, services
from procurement.models import HistoryEntry, Procurement
from procurement.scorecards import procurement_summary
from procurement.services.award import (
    AwardCriterionData,
    set_award_criteria,
    set_award_marks,
)
from tests.factories import ProcurementFactory
from tests.procurement.views.helpers import login, scored_assessment

pytestmark = pytest.mark.django_db

CRITERIA = [
    AwardCriterionData("sovereignty", 40),
    AwardCriterionData("price", 40, formula="proportional"),
    AwardCriterionData("quality", 20, name="Support"),
]


@pytest.fixture
def tender(organisation, lead):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )
    strong = scored_assessment(procurement, lead, 4, name="Strong")
    good = scored_assessment(procurement, lead, 3, name="Good")
    cheap = scored_assessment(procurement, lead, 1, name="Cheap")  # excluded
    created = set_award_criteria(procurement, user=lead, criteria=CRITERIA)
    ids = {c.kind: c.pk for c in created}
    for assessment, price, support in (
        (strong, "1000", "60"),
        (good, "800", "90"),
        (cheap, "100", "100"),
    ):
        set_award_marks(
            assessment,
            user=lead,
            values={ids["price"]: price, ids["quality"]: support},
        )
    return procurement, strong, good, cheap


def test_the_award_ranking_weighs_price_and_quality_after_the_knockouts(tender):
    procurement, strong, good, cheap = tender

    ranking = awarding.award_ranking(procurement_summary(procurement))

    keys = [row.row.assessment.pk for row in ranking.rows]
    totals = {row.row.assessment.pk: row.line.total for row in ranking.rows}
    assert keys[-1] == cheap.pk and totals[cheap.pk] is None
    # good's price (800) is the lowest among eligible offers: 100 points
    price = next(c for c in ranking.criteria if c.kind == "price")
    good_row = next(r for r in ranking.rows if r.row.assessment.pk == good.pk)
    assert good_row.line.marks[price.key] == Decimal(100)
    expected_strong = (
        Decimal("0.4") * strong.global_score + Decimal(32) + Decimal(12)
    ).quantize(Decimal("0.01"))
    assert totals[strong.pk] == expected_strong


def test_without_award_criteria_there_is_no_award_ranking(procurement):
    assert awarding.award_ranking(procurement_summary(procurement)) is None


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([AwardCriterionData("price", 100, formula="proportional")], "Sovereignty"),
        (
            [AwardCriterionData("sovereignty", 50), AwardCriterionData("price", 40)],
            "price formula",
        ),
        (
            [
                AwardCriterionData("sovereignty", 50),
                AwardCriterionData("quality", 40, name="Support"),
            ],
            "add up to 100",
        ),
    ],
)
def test_bad_award_criteria_are_refused(organisation, lead, criteria, message):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )

    with pytest.raises(ValidationError) as refused:
        set_award_criteria(procurement, user=lead, criteria=criteria)

    assert any(message in m for m in refused.value.messages)


def test_the_criteria_are_frozen_when_the_procurement_opens(tender, lead):
    procurement = tender[0]
    services.open_procurement(procurement, user=lead)

    with pytest.raises(ValidationError):
        set_award_criteria(procurement, user=lead, criteria=CRITERIA)


def test_only_a_lead_publishes_the_criteria(organisation, evaluator):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )

    with pytest.raises(PermissionDenied):
        set_award_criteria(procurement, user=evaluator, criteria=CRITERIA)


def test_criteria_and_marks_are_recorded(tender):
    assert HistoryEntry.objects.filter(action="award.criteria").count() == 1
    marks = HistoryEntry.objects.filter(action="award.marks")
    assert marks.count() == 3
    assert {"field": "Price", "before": None, "after": "800.00"} in marks[1].changes


def test_a_quality_mark_above_100_or_a_word_is_refused(tender, lead):
    procurement, strong, *_ = tender
    quality = procurement.award_criteria.get(kind="quality")

    with pytest.raises(ValidationError) as refused:
        set_award_marks(strong, user=lead, values={quality.pk: "120"})
    with pytest.raises(ValidationError):
        set_award_marks(strong, user=lead, values={quality.pk: "cheap"})

    assert "out of 100" in refused.value.messages[0]


def test_the_page_publishes_criteria_and_takes_marks(client, organisation, lead):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )
    assessment = scored_assessment(procurement, lead, 4, name="Only")
    url = reverse("procurement:procurement-award", args=[procurement.pk])
    login(client, lead)

    client.post(
        url,
        {
            "action": "criteria",
            "sovereignty_weight": 70,
            "price_weight": 30,
            "price_formula": "linear_range",
        },
    )
    price = procurement.award_criteria.get(kind="price")
    response = client.post(
        url, {"action": "marks", f"mark-{assessment.pk}-{price.pk}": "1 200,50"}
    )
    page = client.get(procurement.get_absolute_url()).content.decode()

    assert response.status_code == 302
    assert assessment.award_marks.get().value == Decimal("1200.50")
    assert "Award ranking" in page


def test_a_bad_mark_on_the_page_saves_nothing_and_says_why(client, tender, lead):
    procurement, strong, good, _cheap = tender
    quality = procurement.award_criteria.get(kind="quality")
    login(client, lead)

    response = client.post(
        reverse("procurement:procurement-award", args=[procurement.pk]),
        {
            "action": "marks",
            f"mark-{strong.pk}-{quality.pk}": "70",
            f"mark-{good.pk}-{quality.pk}": "700",
        },
    )

    assert response.status_code == 400
    assert "a mark is out of 100" in response.content.decode()
    assert strong.award_marks.get(criterion=quality).value == Decimal("60")
