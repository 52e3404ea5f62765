"""The ranking API writes its body by hand (``ranking_row``): byte for byte
what ``RankingSerializer``, which documents it, writes of the same report:
eligible, tied, excluded with knock-outs, withdrawn, with an award."""

import json

import pytest
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from procurement import services
from procurement.api.procurements import RankingSerializer
from procurement.awarding import award_ranking
from procurement.models import Assessment, Offer, Procurement
from procurement.scorecards import procurement_summary
from tests.factories import ProcurementFactory
from tests.procurement.api.helpers import client_for, url
from tests.procurement.api.test_award_api import CRITERIA
from tests.procurement.views.helpers import scored_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def procurement(organisation, lead):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )
    for name, level in (("Dear", 4), ("Twin", 3), ("Other twin", 3), ("Weak", 0)):
        scored_assessment(procurement, lead, level, name=name)
    Offer.objects.filter(name="Weak").update(translations={"fr": {"name": "Faible"}})
    Assessment.objects.filter(offer__name="Twin").update(
        bidder_score="88.8", bidder_differs=["JUR-1"]
    )
    gone = scored_assessment(procurement, lead, 2, name="Gone")
    services.withdraw_assessment(gone, user=lead, reason="Left the tender.")
    return procurement


def expected(procurement) -> bytes:
    """RankingSerializer's body, as the action used to build it."""
    report = procurement_summary(Procurement.objects.get(pk=procurement.pk))
    rows = [{"row": row, "report": line} for row, line in report.rows]
    data = {
        "procurement": report.procurement,
        "profile": report.profile,
        "catalogue": report.catalogue,
        "ranking": report.ranking,
        "eligible": [r for r in rows if not r["row"].excluded],
        "excluded": [r for r in rows if r["row"].excluded],
        "withdrawn": report.ranking.withdrawn,
        "award": award_ranking(report),
    }
    return JSONRenderer().render(RankingSerializer(data).data)


def served(procurement, user, language="en") -> bytes:
    response = client_for(user).get(
        url("procurement-ranking", procurement.pk),
        headers={"accept-language": language},
    )
    assert response.status_code == 200
    return JSONRenderer().render(response.json())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_ranking_is_what_the_serializer_writes(procurement, lead, language):
    with translation.override(language), timezone.override("Europe/Paris"):
        body = served(procurement, lead, language)
        assert body == expected(procurement)


def test_the_body_holds_every_kind_of_row(procurement, lead):
    body = json.loads(served(procurement, lead))

    assert [row["offer_name"] for row in body["excluded"]] == ["Weak"]
    assert body["excluded"][0]["reason"].startswith("Excluded: fails")
    assert len(body["excluded"][0]["knockouts"]) > 1
    assert body["has_ties"] and body["award"] is None
    assert [row["offer_name"] for row in body["withdrawn"]] == ["Gone"]


def test_with_award_criteria_the_ranking_is_what_the_serializer_writes(
    procurement, lead
):
    client_for(lead).put(
        url("procurement-award-criteria", procurement.pk), CRITERIA, format="json"
    )

    body = served(procurement, lead)

    assert body == expected(procurement)
    assert b'"award":{"criteria"' in body
