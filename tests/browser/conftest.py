"""Fixtures that drive Debian's Chromium with Playwright against a live server.

The browser tests run with ``make browser-test`` (``pytest -m browser``) and
never download a browser: they use /usr/bin/chromium. Without it they are
skipped, unless the CI variable is set, where a missing Chromium is a failure.
Playwright's sync API runs an event loop in the test thread, so Django's
async-safety check is switched off for these tests.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Skip the browser tests when Chromium is absent, but only outside CI."""
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(
        reason=f"Chromium is not installed at {CHROMIUM} "
        "(apt-get install chromium); set CI=true to make this a failure."
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _static_root(tmp_path_factory):
    """WhiteNoise warns (an error here) when STATIC_ROOT was never collected;
    the live server serves the static files from the app folders instead."""
    original = settings.STATIC_ROOT
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    yield
    settings.STATIC_ROOT = original


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"CI is set but Chromium is missing at {CHROMIUM}.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies), closed after."""
    contexts = []

    def open_page(width=1366, height=900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-GB"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under tests/browser/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save


@pytest.fixture
def demo(live_server):
    """The reference cases and the demo organisation, users and procurement."""
    from procurement.seed import seed_demo, seed_reference_cases

    seed_reference_cases()
    return seed_demo()
