"""What issue 18 asked of the pages, in a real browser: overlays that keep the
focus, a save bar that hides no field, the evidence cap shown live, the
editor's errors and counters, legible charts and long titles on a phone."""

import pytest
from playwright.sync_api import expect

from procurement.models import Assessment, Procurement

from .test_buyer_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def editor_url(live_server, draft, pillar):
    return f"{live_server.url}/assessments/{draft.pk}/edit/?pillar={pillar}"


def test_ticking_an_overlay_updates_the_chart_in_place_and_keeps_the_focus(
    demo, live_server, new_page
):
    page = new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    page.evaluate("window.notReloaded = true")
    box = page.locator(".overlay-form input[type=checkbox]").first
    expect(page.locator("[data-autosubmit-button]")).to_be_hidden()

    box.focus()
    page.keyboard.press("Space")

    expect(page.locator("#radar-chart .legend")).to_contain_text("(reference")
    expect(page.locator("#radar-table thead")).to_contain_text("reference")
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.name") == "ref"
    assert "ref=" in page.url


def test_the_save_bar_never_covers_the_focused_field(demo, live_server, new_page):
    draft = demo.assessments.get(status=Assessment.Status.DRAFT)
    covered = {}
    for width, height in ((1280, 800), (390, 844)):
        page = new_page(width=width, height=height)
        log_in(page, live_server.url)
        page.goto(editor_url(live_server, draft, "OWN"))
        page.locator(".answer-form input[type=radio]").first.focus()
        for _stop in range(120):
            page.keyboard.press("Tab")
            where = page.evaluate(
                """() => {
                  const el = document.activeElement;
                  const bar = document.querySelector(".sticky-actions");
                  if (!el.closest(".answer-form") || bar.contains(el)) return null;
                  const box = el.getBoundingClientRect();
                  return {id: el.id || el.name, bottom: box.bottom,
                          bar: bar.getBoundingClientRect().top};
                }"""
            )
            if where is None:
                break
            if where["bottom"] > where["bar"] + 1:
                covered[f"{width} {where['id']}"] = where
    assert covered == {}


def test_declared_evidence_shows_the_cap_before_saving(demo, live_server, new_page):
    draft = demo.assessments.get(status=Assessment.Status.DRAFT)
    knockout = draft.profile.knockouts.select_related("criterion__pillar").first()
    cap = draft.profile.evidence_caps.order_by("max_level").first()
    if knockout is None or cap is None:
        pytest.skip("the demo profile caps no evidence")
    code = knockout.criterion.code
    page = new_page()
    log_in(page, live_server.url)
    page.goto(editor_url(live_server, draft, knockout.criterion.pillar.code))
    group = page.locator(f"#criterion-{code}")

    group.locator(f'input[name="{code}-answer"][value="4"]').check()
    group.locator("select").select_option(cap.evidence_type)

    note = group.locator("[data-cap-note]")
    expect(note).to_be_visible()
    expect(note).to_have_text(
        f"Claimed 4, counts as {cap.max_level}: stronger evidence needed"
    )
    group.locator("select").select_option("verified")
    expect(note).to_be_hidden()


def test_the_editors_errors_take_the_focus_and_its_counters_count(
    demo, live_server, new_page
):
    draft = demo.assessments.get(status=Assessment.Status.DRAFT)
    page = new_page()
    log_in(page, live_server.url)
    page.goto(editor_url(live_server, draft, "OPS"))
    groups = page.locator("fieldset[data-criterion]")
    for group in groups.all():
        group.locator('input[type="radio"][value="2"]').check()
    first = groups.first
    first.locator("select").select_option("")

    page.get_by_role("button", name="Save OPS").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Say which evidence supports this level.")
    wrong = first.locator("select").get_attribute("id")
    expect(page.locator(f"#{wrong}")).to_be_focused()
    total = groups.count()
    expect(page.locator(".sticky-actions__status")).to_contain_text(
        f"{total} / {total}"
    )

    justification = first.locator("textarea")
    assert justification.get_attribute("maxlength") == "20000"
    justification.fill("Hello")
    expect(first.locator(".char-count")).to_have_text("5 of 20,000 characters")


def test_chart_labels_stay_legible_on_a_phone(demo, live_server, new_page):
    page = new_page(**PHONE)
    log_in(page, live_server.url)
    scored = demo.assessments.exclude(status=Assessment.Status.DRAFT).first()
    sizes = {}
    for path in (demo.get_absolute_url(), scored.get_absolute_url()):
        page.goto(f"{live_server.url}{path}")
        sizes[path] = page.evaluate(
            """() => Math.min(...Array.from(
                document.querySelectorAll(".chart-figure svg.chart text")
              ).filter(t => t.getBoundingClientRect().width > 0).map(t => {
                const svg = t.ownerSVGElement;
                const scale = svg.getBoundingClientRect().width
                  / svg.viewBox.baseVal.width;
                return parseFloat(getComputedStyle(t).fontSize) * scale;
              }))"""
        )
    assert min(sizes.values()) >= 10, sizes


def test_a_long_title_wraps_and_lists_stay_in_view_on_a_phone(
    demo, live_server, new_page
):
    Procurement.objects.filter(pk=demo.pk).update(
        title=("Hébergement souverain des données " * 6)[:200]
    )
    problems = {}
    for width in (1280, 390):
        page = new_page(width=width, height=900)
        log_in(page, live_server.url)
        for path in (demo.get_absolute_url(), "/procurements/", "/providers/"):
            page.goto(f"{live_server.url}{path}")
            found = page.evaluate(
                """(width) => {
                  const out = [];
                  if (document.documentElement.scrollWidth > width) out.push("page");
                  const h1 = document.querySelector("h1").getBoundingClientRect();
                  if (h1.right > width) out.push("h1");
                  document.querySelectorAll(".page-head .actions .button")
                    .forEach(b => {
                      const r = b.getBoundingClientRect();
                      const overlaps = r.top < h1.bottom && r.bottom > h1.top
                        && r.left < h1.right && r.right > h1.left;
                      if (overlaps) out.push("button over h1");
                    });
                  document.querySelectorAll(".table--list td").forEach(td => {
                    if (td.getBoundingClientRect().right > width + 1) out.push("td");
                  });
                  return out;
                }""",
                width,
            )
            if found:
                problems[f"{width} {path}"] = sorted(set(found))
    assert problems == {}


def test_without_script_the_overlay_button_reloads_at_the_chart(
    demo, live_server, browser
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}{demo.get_absolute_url()}")
        page.locator(".overlay-form input[type=checkbox]").first.check()

        page.get_by_role("button", name="Update the chart").click()

        expect(page.locator("#radar-chart .legend")).to_contain_text("(reference")
        assert "ref=" in page.url
        assert page.url.endswith("#radar-title")
    finally:
        context.close()
