"""The procurement page keeps its rendered report, and renders it again as soon
as anything it shows has changed: never a stale ranking."""

import os
import re

import pytest

from procurement import report_cache, services
from procurement.models import Answer, Assessment
from tests.factories import ProcurementFactory
from tests.procurement.views.helpers import login, reference_case, scored_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def procurement(organisation):
    return ProcurementFactory(organisation=organisation)


def _page(client, procurement, **query):
    return client.get(procurement.get_absolute_url(), query)


def _without_token(response) -> str:
    """The page less its CSRF token, which is masked anew at each request."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)


def _rendered(response) -> bool:
    """True when the view rendered the report in this request."""
    return "sensitivity" in response.context


def test_a_second_view_serves_the_kept_report(client, lead, procurement):
    scored_assessment(procurement, lead, 3, name="Kept offer")
    login(client, lead)

    first = _page(client, procurement)
    second = _page(client, procurement)

    assert _rendered(first) and not _rendered(second)
    assert _without_token(second) == _without_token(first)
    assert "Kept offer" in second.text


def test_a_kept_view_runs_fewer_queries(
    client, lead, procurement, catalogue, django_assert_max_num_queries
):
    for level in (1, 2, 3, 4):
        scored_assessment(procurement, lead, level)
    reference_case(catalogue)
    login(client, lead)
    _page(client, procurement)

    # session, user, procurement, roles (2), the report's state (3)
    with django_assert_max_num_queries(8):
        _page(client, procurement)


def test_a_saved_answer_renders_the_report_again(client, lead, procurement):
    assessment = scored_assessment(procurement, lead, 3)
    login(client, lead)
    before = _page(client, procurement).context["report"].items[assessment.pk]

    services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=[services.AnswerData("JUR-1", 0, evidence="verified")],
    )
    after = _page(client, procurement)

    assert _rendered(after)
    assert after.context["report"].items[assessment.pk].global_score < (
        before.global_score
    )


def test_a_renamed_offer_and_provider_show_at_once(client, lead, procurement):
    assessment = scored_assessment(procurement, lead, 3, name="Old offer name")
    login(client, lead)
    _page(client, procurement)

    services.update_offer(assessment.offer, user=lead, name="New offer name")
    renamed_offer = _page(client, procurement).content.decode()
    services.update_provider(
        assessment.offer.provider, user=lead, name="Renamed provider"
    )
    renamed_provider = _page(client, procurement).content.decode()

    assert "New offer name" in renamed_offer and "Old offer name" not in renamed_offer
    assert "Renamed provider" in renamed_provider


def test_a_withdrawn_offer_leaves_the_kept_ranking(client, lead, procurement):
    kept = scored_assessment(procurement, lead, 3, name="Staying offer")
    leaving = scored_assessment(procurement, lead, 2, name="Leaving offer")
    login(client, lead)
    _page(client, procurement)

    services.withdraw_assessment(leaving, user=lead, reason="The bidder withdrew.")
    response = _page(client, procurement)

    rows = [row.assessment.pk for row, _item in response.context["report"].rows]
    assert rows == [kept.pk]
    assert "The bidder withdrew." in response.content.decode()


def test_a_snapshot_stored_again_renders_the_report_again(client, lead, procurement):
    assessment = scored_assessment(procurement, lead, 3)
    login(client, lead)
    before = _page(client, procurement).context["report"].items[assessment.pk]
    # An answer changed under the services (a repair in the database), then
    # `refresh_snapshots`: no entry in the record, but a new snapshot.
    Answer.objects.filter(assessment=assessment).update(level=1)
    services.refresh_snapshot(assessment)

    after = _page(client, procurement)

    assert _rendered(after)
    assert after.context["report"].items[assessment.pk].global_score < (
        before.global_score
    )


def test_a_changed_reference_case_renders_the_report_again(
    client, lead, procurement, catalogue
):
    scored_assessment(procurement, lead, 3)
    reference = reference_case(catalogue, "Cloudwatt")
    login(client, lead)
    _page(client, procurement)

    Assessment.objects.filter(pk=reference.pk).update(global_score="99.9")
    services.refresh_snapshot(reference)
    response = _page(client, procurement, ref=reference.pk)

    assert _rendered(response)


def test_the_overlays_asked_for_are_part_of_the_key(
    client, lead, procurement, catalogue
):
    scored_assessment(procurement, lead, 3)
    reference = reference_case(catalogue, "Cloudwatt")
    login(client, lead)

    plain = _page(client, procurement)
    overlaid = _page(client, procurement, ref=reference.pk)

    assert _rendered(plain) and _rendered(overlaid)
    assert "reference-col" in overlaid.content.decode()
    assert "reference-col" not in plain.content.decode()


def test_each_language_has_its_own_report(client, lead, procurement):
    scored_assessment(procurement, lead, 3)
    login(client, lead)
    _page(client, procurement)

    french = client.get(procurement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")

    assert _rendered(french)
    assert "Classement" in french.content.decode()


def test_a_reader_who_cannot_add_offers_gets_no_add_button(
    client, lead, viewer, procurement
):
    login(client, lead)
    lead_view = _page(client, procurement).content.decode()
    login(client, viewer)
    viewer_view = _page(client, procurement).content.decode()

    assert "Add an offer" in lead_view
    assert "Add an offer" not in viewer_view


def test_another_release_renders_the_report_again(
    client, lead, procurement, monkeypatch
):
    scored_assessment(procurement, lead, 3)
    login(client, lead)
    _page(client, procurement)

    monkeypatch.setattr(report_cache, "code_version", lambda: "another release")

    assert _rendered(_page(client, procurement))


def test_no_report_is_kept_when_the_setting_is_zero(
    client, lead, procurement, settings
):
    settings.PROCUREMENT_REPORT_CACHE_SECONDS = 0
    scored_assessment(procurement, lead, 3)
    login(client, lead)
    _page(client, procurement)

    assert _rendered(_page(client, procurement))


def test_the_code_version_follows_a_changed_template(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    settings.DEBUG = True  # read at every call
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text("one")
    before = report_cache.code_version()

    template.write_text("two, longer")

    assert report_cache.code_version() != before


def test_the_code_version_follows_contents_whatever_the_file_times(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    settings.DEBUG = False  # contents, read once per process
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text("one")
    times = (template.stat().st_atime_ns, template.stat().st_mtime_ns)
    report_cache._contents_digest.cache_clear()
    before = report_cache.code_version()

    template.write_text("two")  # same size, and the same time below
    os.utime(template, ns=times)
    report_cache._contents_digest.cache_clear()

    assert report_cache.code_version() != before
    report_cache._contents_digest.cache_clear()
