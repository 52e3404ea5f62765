"""A buyer's journey in a real browser: log in as the demo user, open a
procurement, add an offer, answer two pillars and watch the score change,
submit, read the scorecard and the ranking, switch to French. Also two
colleagues saving the same assessment at once, and the reference cases.

Each test seeds its own data (the live server's database is emptied after
every test) and saves screenshots of the pages it visits.
"""

import re

import pytest
from playwright.sync_api import expect

from procurement.models import Assessment
from procurement.seed import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
)
from scoring.models import Catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def answer_pillar(page, level, evidence="verified"):
    """Choose ``level`` and ``evidence`` for every criterion on the page."""
    for group in page.locator("fieldset[data-criterion]").all():
        group.locator(f'input[type="radio"][value="{level}"]').check()
        group.locator("select").select_option(evidence)


def global_score(page) -> str:
    return page.locator("[data-global-score]").first.inner_text().split("/")[0]


def test_buyer_assesses_an_offer_and_reads_the_ranking(
    demo, live_server, new_page, screenshot
):
    page = new_page()
    log_in(page, live_server.url)
    screenshot(page, "01-home")

    page.get_by_role("link", name="New procurement").first.click()
    page.get_by_label("Title").fill("Cloud for the archives service")
    page.get_by_label("Reference").fill("ARCH-2027")
    n2 = Catalogue.objects.latest_published("cloud-of-trust").profiles.get(code="N2")
    page.get_by_label("Sensitivity profile").select_option(str(n2.pk))
    page.get_by_label("Deadline").fill("2027-06-30")
    page.get_by_role("button", name="Open the procurement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cloud for the archives service"
    )

    page.get_by_role("link", name="Add an offer").first.click()
    new_offer = page.locator("form", has_text="A new provider and offer")
    new_offer.get_by_label("Provider").fill("Delta Souverain")
    new_offer.get_by_label("Country of registered office").fill("FR")
    new_offer.get_by_label("Offer name").fill("Delta Archive Storage")
    new_offer.get_by_label("Service model").select_option("storage")
    new_offer.get_by_role("button", name="Record and start the assessment").click()
    expect(page.get_by_role("heading", name=re.compile("Ownership"))).to_be_visible()
    start = global_score(page)
    assert start == "0.0"

    answer_pillar(page, 3)
    expect(page.locator(".sticky-actions__status")).to_contain_text("5 / 5")
    screenshot(page, "02-editor")
    page.get_by_role("button", name="Save and go to JUR").click()
    expect(page.locator(".message--success")).to_contain_text("OWN score: 0.0 →")
    after_own = global_score(page)
    assert float(after_own) > float(start)

    answer_pillar(page, 4)
    page.get_by_role("button", name="Save JUR").click()
    expect(page.locator(".message--success")).to_contain_text("JUR score: 0.0 → 100.0")
    after_jur = global_score(page)
    assert float(after_jur) > float(after_own)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit for approval").first.click()
    # Two pillars of eight are answered: the page asks to confirm, saying so.
    expect(page.locator(".message--warning")).to_contain_text("Confirm to submit")
    page.get_by_label("Submit it as it is, with unanswered criteria").check()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".message--success")).to_contain_text("submitted")
    assessment = Assessment.objects.get(offer__name="Delta Archive Storage")
    scorecard = assessment.scorecard()
    assert assessment.status == Assessment.Status.SUBMITTED
    expect(page.locator(".headline__value[data-global-score]")).to_have_text(
        f"{scorecard.global_score}/100"
    )
    expect(page.get_by_text("Compared with the reference cases")).to_be_visible()
    screenshot(page, "03-scorecard")

    page.get_by_role("link", name="Cloud for the archives service").click()
    expect(page.get_by_role("heading", name="Ranking")).to_be_visible()
    expect(page.locator(".excluded")).to_contain_text("Delta Souverain")
    expect(page.locator(".knockouts").first).to_contain_text(", N2 requires ")
    page.get_by_label(re.compile("^Cloudwatt")).check()
    expect(page.locator(".legend")).to_contain_text("Cloudwatt (reference")
    expect(page).to_have_url(re.compile(r"\?ref=\d+"))
    screenshot(page, "04-procurement-ranking")

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Classement")).to_be_visible()
    main_nav = page.get_by_role("navigation", name="Navigation principale")
    expect(main_nav.get_by_role("link", name="Marchés")).to_be_visible()
    screenshot(page, "05-procurement-french")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Français")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_the_demo_ranking_and_a_scorecard(demo, live_server, new_page, screenshot):
    page = new_page()
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    rows = page.locator(".ranking tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Beta Sovereign")
    expect(page.locator(".excluded")).to_contain_text(
        "JUR-1 Exposure to extraterritorial access laws: level 1, N3 requires 3"
    )
    expect(page.locator("svg.chart-radar")).to_be_visible()
    screenshot(page, "06-demo-ranking")

    page.get_by_role("link", name="Beta Sovereign").first.click()
    expect(page.get_by_text("Eligible for N3").first).to_be_visible()
    screenshot(page, "07-demo-scorecard")


def test_a_stale_save_loses_nothing(demo, live_server, new_page, screenshot):
    draft = demo.assessments.get(status=Assessment.Status.DRAFT)
    editor = f"{live_server.url}/assessments/{draft.pk}/edit/?pillar=SUP"
    mine, theirs = new_page(), new_page()
    for page in (mine, theirs):
        log_in(page, live_server.url)
        page.goto(editor)

    theirs.locator('input[name="SUP-3-answer"][value="1"]').check()
    theirs.locator("#criterion-SUP-3 select").select_option("declared")
    theirs.get_by_label("Justification").nth(2).fill("Their reading of the contract")
    theirs.get_by_role("button", name="Save SUP").click()
    expect(theirs.locator(".message--success")).to_be_visible()

    mine.locator('input[name="SUP-3-answer"][value="4"]').check()
    mine.locator("#criterion-SUP-3 select").select_option("declared")
    mine.get_by_label("Justification").nth(2).fill("My reading of the contract")
    mine.get_by_role("button", name="Save SUP").click()

    expect(mine.locator(".panel--conflict")).to_contain_text("What you entered")
    expect(mine.locator(".conflict-table")).to_contain_text("Their reading")
    expect(mine.locator(".conflict-table")).to_contain_text("My reading")
    expect(mine.locator('input[name="SUP-3-answer"][value="4"]')).to_be_checked()
    screenshot(mine, "08-stale-save")
    mine.locator("#criterion-SUP-3").get_by_label("Mine (what I entered)").check()
    mine.get_by_role("button", name="Save SUP").click()
    expect(mine.locator(".message--success")).to_be_visible()
    draft.refresh_from_db()
    assert draft.answers.get(criterion__code="SUP-3").level == 4


def test_reference_case_story_in_both_languages(
    demo, live_server, new_page, screenshot
):
    page = new_page()
    log_in(page, live_server.url)

    page.get_by_role("link", name="Reference cases", exact=True).click()
    page.get_by_role("link", name="Cloudwatt").first.click()
    expect(
        page.get_by_role("heading", name=re.compile("What a buyer could know"))
    ).to_be_visible()
    expect(page.locator(".timeline__item").first).to_be_visible()
    expect(page.locator(".timeline__source a").first).to_have_attribute(
        "href", re.compile("^https?://")
    )
    screenshot(page, "09-reference-case")

    page.get_by_role("button", name="Français").click()
    expect(
        page.get_by_role("heading", name="Ce qu'un acheteur doit en retenir")
    ).to_be_visible()
    screenshot(page, "10-reference-case-french")


def main_paths(demo):
    """Every page a buyer meets, with the demo procurement's objects."""
    draft = demo.assessments.get(status=Assessment.Status.DRAFT)
    provider = draft.offer.provider
    return [
        "/",
        "/procurements/",
        "/procurements/new/",
        demo.get_absolute_url(),
        f"/procurements/{demo.pk}/offers/add/",
        draft.get_absolute_url(),
        f"/assessments/{draft.pk}/edit/",
        "/providers/",
        "/providers/new/",
        provider.get_absolute_url(),
        f"/providers/{provider.pk}/edit/",
        f"/providers/{provider.pk}/offers/new/",
        f"/providers/{provider.pk}/facts/new/",
        "/reference-cases/",
        "/reference-cases/numergy/",
    ]


UNLABELLED_CONTROLS = """() => Array.from(
    document.querySelectorAll("input:not([type=hidden]), select, textarea, button")
).filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
    && !(el.tagName === "BUTTON" && el.innerText.trim()))
 .map(el => el.outerHTML.slice(0, 80))"""


def test_every_page_labels_its_controls_and_breaks_no_policy(
    demo, live_server, new_page
):
    page = new_page()
    problems = []
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(message.text),
    )
    log_in(page, live_server.url)
    paths = main_paths(demo)

    unlabelled = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        if missing := page.evaluate(UNLABELLED_CONTROLS):
            unlabelled[path] = missing

    assert unlabelled == {}
    assert problems == []


def test_pages_work_on_a_phone(demo, live_server, new_page, screenshot):
    page = new_page(width=390, height=844)
    log_in(page, live_server.url)

    too_wide = {}
    for path in main_paths(demo):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width

    assert too_wide == {}
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    screenshot(page, "11-phone-procurement")
