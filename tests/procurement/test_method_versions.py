"""Method 1.1 beside 1.0: assessments stay pinned, the demo moves and shows the
delta, the method page and the PDF list every decision, unknowns show apart."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from pypdf import PdfReader

from procurement import services
from procurement.exports import export_assessment, export_procurement
from procurement.models import Assessment, HistoryEntry
from procurement.record import last_method_change
from procurement.seed import DEMO_USERNAME, seed_demo, seed_reference_cases
from scoring.models import Catalogue
from tests.procurement.views.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(catalogue):
    result = seed_reference_cases()
    return result, seed_demo()


def test_reference_cases_stay_pinned_to_1_0(seeded):
    result, _demo = seeded

    assert {a.catalogue.version for a in result.reference_cases} == {"1.0"}
    assert Catalogue.objects.latest_published("cloud-of-trust").version == "1.1"


def test_the_demo_procurement_moves_to_1_1_and_keeps_the_delta(seeded):
    _result, demo = seeded

    change = last_method_change(demo.pk)

    assert demo.catalogue.version == "1.1"
    assert set(demo.assessments.values_list("catalogue__version", flat=True)) == {"1.1"}
    assert (change.before, change.after) == ("cloud-of-trust 1.0", "cloud-of-trust 1.1")
    assert len(change.rows) == 3
    for _offer, fields in change.rows:
        assert set(fields) == {"catalogue", "global_score", "trust_level", "eligible"}
    # The move happened while every assessment was a draft; the workflow went on.
    statuses = set(demo.assessments.values_list("status", flat=True))
    assert Assessment.Status.APPROVED in statuses
    assert HistoryEntry.objects.filter(
        procurement_id=demo.pk, action=HistoryEntry.Action.PROCUREMENT_REPINNED
    ).exists()


def test_the_procurement_page_shows_the_delta_and_links_the_register(client, seeded):
    _result, demo = seeded
    lead = demo.organisation.memberships.get(role="lead").user
    login(client, lead)

    content = client.get(demo.get_absolute_url()).content.decode()

    assert "What changed from cloud-of-trust 1.0 to cloud-of-trust 1.1" in content
    assert reverse("procurement:method-detail", args=["cloud-of-trust", "1.1"]) in (
        content
    )
    for offer, fields in last_method_change(demo.pk).rows:
        assert offer in content
        assert fields["global_score"][0] in content


def test_the_method_page_lists_every_decision_with_its_source(client, viewer, seeded):
    login(client, viewer)
    latest = Catalogue.objects.get(slug="cloud-of-trust", version="1.1")

    response = client.get(reverse("procurement:method"), follow=True)

    content = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/method/cloud-of-trust/1.1/")
    for decision in latest.decisions:
        assert f'id="decision-{decision["code"]}"' in content
        assert decision["source"].replace("'", "&#x27;") in content
    assert "REV-6 Provider-initiated end of service" in content
    older = client.get(
        reverse("procurement:method-detail", args=["cloud-of-trust", "1.0"])
    ).content.decode()
    assert "no decision recorded" in older


def test_an_unknown_version_is_a_404(client, viewer):
    login(client, viewer)

    response = client.get(
        reverse("procurement:method-detail", args=["cloud-of-trust", "7.0"])
    )

    assert response.status_code == 404


def test_the_pdf_method_section_lists_the_decisions(seeded):
    _result, demo = seeded

    exported = export_procurement(demo, "pdf")

    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(exported.content)).pages
    )
    assert "Decisions register of version 1.1" in " ".join(text.split())
    assert "Being French is not enough" in " ".join(text.split())


def test_a_reference_case_under_1_1_fails_on_viability_and_exit(seeded):
    result, _demo = seeded
    latest = Catalogue.objects.get(slug="cloud-of-trust", version="1.1")

    for assessment in result.reference_cases:
        rescore = services.rescore_assessment(assessment, catalogue=latest)
        failed = {k.criterion for k in rescore.after.knockouts}

        assert {"REV-4", "REV-6", "REV-2"} <= failed
        assert rescore.added == ("REV-6",)


def test_unknowns_are_counted_apart_on_the_scorecard(client, viewer, seeded):
    result, _demo = seeded
    cloudwatt = next(
        a for a in result.reference_cases if a.offer.provider.name == "Cloudwatt"
    )
    scorecard = cloudwatt.scorecard()
    login(client, viewer)

    content = client.get(cloudwatt.get_absolute_url()).content.decode()

    assert scorecard.unknown == sum(scorecard.unknown_by_pillar.values()) > 0
    assert scorecard.unknown_by_pillar["OPS"] >= 2  # OPS-1 and OPS-4
    assert f"{scorecard.unknown} criteria unknown, scored 0" in content
    assert 'class="bar-unknown"' in content
    assert "hatched: unknown, scored 0" in content


def test_exports_count_the_unknowns_apart(seeded):
    result, _demo = seeded
    cloudwatt = next(
        a for a in result.reference_cases if a.offer.provider.name == "Cloudwatt"
    )
    scorecard = cloudwatt.scorecard()

    document = json.loads(export_assessment(cloudwatt, "json").content)

    assert document["scorecard"]["unknown"] == scorecard.unknown
    assert document["scorecard"]["unknown_by_pillar"] == scorecard.unknown_by_pillar


def test_the_procurement_page_hatches_and_counts_the_unknowns(client, seeded):
    _result, demo = seeded
    login(client, User.objects.get(username=DEMO_USERNAME))
    unknown = [a.scorecard().unknown_by_pillar for a in demo.assessments.all()]
    hatched = sum(1 for pillars in unknown if any(pillars.values()))

    content = client.get(demo.get_absolute_url()).content.decode()

    assert hatched and content.count('class="radar-unknown"') == hatched
    assert "Hatched: what criteria left unknown (scored 0) could add" in content
    for count in {n for pillars in unknown for n in pillars.values() if n}:
        assert f'<span class="unknown-count">{count} unknown</span>' in content
