"""Two browsers, one pillar: both changes land. A bidder answers through its
link in a fresh browser, attaches a PDF and submits; the evaluator judges."""

import pytest
from playwright.sync_api import expect

from procurement import services
from procurement.models import Assessment, Claim
from tests.browser.test_buyer_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_browsers_editing_different_criteria_of_one_pillar_both_land(
    demo,
    live_server,
    new_page,
    screenshot,  # noqa: F811
):
    draft = demo.assessments.get(status=Assessment.Status.DRAFT)
    editor = f"{live_server.url}/assessments/{draft.pk}/edit/?pillar=OPS"
    first, second = new_page(), new_page()
    for page in (first, second):
        log_in(page, live_server.url)
        page.goto(editor)

    first.locator('input[name="OPS-1-answer"][value="4"]').check()
    first.locator("#criterion-OPS-1 select").select_option("declared")
    first.get_by_role("button", name="Save OPS").click()
    expect(first.locator(".message--success")).to_be_visible()
    second.locator('input[name="OPS-2-answer"][value="1"]').check()
    second.locator("#criterion-OPS-2 select").select_option("declared")
    second.get_by_role("button", name="Save OPS").click()

    expect(second.locator(".message--success")).to_be_visible()
    expect(second.locator(".panel--conflict")).to_have_count(0)
    screenshot(second, "20-merged-save")
    levels = dict(draft.answers.values_list("criterion__code", "level"))
    assert (levels["OPS-1"], levels["OPS-2"]) == (4, 1)


def test_a_bidder_answers_with_a_pdf_and_the_evaluator_judges(
    demo,
    live_server,
    new_page,
    screenshot,
    tmp_path,  # noqa: F811
):
    draft = demo.assessments.get(status=Assessment.Status.DRAFT)
    lead = demo.organisation.memberships.get(role="lead").user
    _invitation, token = services.invite_bidder(draft, user=lead)
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

    bidder = new_page()  # a fresh context: no session, no account
    bidder.goto(f"{live_server.url}/bid/{token}/?pillar=SEC")
    expect(bidder.get_by_role("heading", level=1)).to_contain_text(
        draft.offer.provider.name
    )
    expect(bidder.locator(".main-nav")).to_have_count(0)
    bidder.locator('input[name="SEC-1-level"][value="4"]').check()
    bidder.get_by_label("Justification").first.fill("Qualified SecNumCloud 3.2.")
    bidder.get_by_role("button", name="Save SEC").click()
    expect(bidder.locator(".message--success")).to_be_visible()
    bidder.locator("#file-SEC-1").set_input_files(str(pdf))
    bidder.locator("#criterion-SEC-1").get_by_role(
        "button", name="Attach", exact=True
    ).click()
    expect(bidder.locator(".message--success")).to_contain_text("File attached")
    bidder.get_by_role("link", name="Submit my answers").click()
    bidder.get_by_role("button", name="Submit my answers").click()
    expect(bidder.locator(".message--success")).to_contain_text("sent to the buyer")
    screenshot(bidder, "21-bidder-submitted")

    evaluator = new_page()
    log_in(evaluator, live_server.url)
    evaluator.goto(f"{live_server.url}/assessments/{draft.pk}/edit/?pillar=SEC")
    criterion = evaluator.locator("#criterion-SEC-1")
    expect(criterion.locator(".claim")).to_contain_text("level 4")
    expect(criterion.locator(".evidence-files")).to_contain_text("certificate.pdf")
    criterion.locator('input[name="SEC-1-answer"][value="2"]').check()
    criterion.locator('select[name="SEC-1-evidence"]').select_option("declared")
    evaluator.get_by_role("button", name="Save SEC").click()
    expect(evaluator.locator(".message--success")).to_be_visible()
    evaluator.goto(f"{live_server.url}/assessments/{draft.pk}/")
    expect(evaluator.locator("#claims-title")).to_be_visible()
    screenshot(evaluator, "22-claims-judged")
    assert Claim.objects.get(assessment=draft, criterion__code="SEC-1").level == 4
    assert draft.answers.get(criterion__code="SEC-1").level == 2
