"""A buyer downloads a procurement's PDF report: the page follows the job's
progress while a worker makes it, the rest of the site answers meanwhile, and
the file is offered when it is ready."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_buyer_journey import log_in
from tests.procurement.test_jobs import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pdf_report_shows_its_progress_then_offers_the_file(
    demo, live_server, new_page, settings, screenshot
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")

    page.locator(".download-menu summary").click()
    page.locator(".download-menu__list a", has_text="PDF").click()

    expect(page.locator("progress.export-job__progress")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("in the background")
    screenshot(page, "30-export-job-queued")
    other = new_page()
    log_in(other, live_server.url)
    other.goto(f"{live_server.url}{demo.get_absolute_url()}")
    expect(other.get_by_role("heading", level=1)).to_have_text(demo.title)

    run_worker()  # what `manage.py db_worker` beside the server does
    page.reload()

    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible()
    screenshot(page, "31-export-job-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download .*\.pdf")).click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
