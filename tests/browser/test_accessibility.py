"""axe-core on every page of ours, in English and French, on a laptop and a phone.

The axe script comes from the axe-playwright-python wheel (nothing is fetched
from outside). A violation of impact "serious" or "critical" fails the test;
"moderate" and "minor" ones are for a human to weigh, not a gate.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from procurement.models import Assessment
from procurement.seed import DEMO_PASSWORD, DEMO_USERNAME
from scoring.models import Catalogue

from .test_buyer_journey import main_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GATING = {"serious", "critical"}
WIDTHS = (1280, 390)
LANGUAGES = ("en-GB", "fr-FR")


def every_page(demo):
    """The main pages, plus what ``main_paths`` leaves out: a submitted
    scorecard, comparison, history, method, settings, tokens, password."""
    scored = demo.assessments.exclude(status=Assessment.Status.DRAFT).first()
    catalogue = Catalogue.objects.latest_published("cloud-of-trust")
    return [
        *main_paths(demo),
        scored.get_absolute_url(),
        f"/procurements/{demo.pk}/compare/",
        f"/procurements/{demo.pk}/history/",
        "/method/",
        f"/method/{catalogue.slug}/{catalogue.version}/",
        f"/organisations/{demo.organisation_id}/settings/",
        "/accounts/tokens/",
        "/accounts/password/",
    ]


def sign_in(page, base_url):
    """Log in whatever the page's language (log_in reads English labels)."""
    page.fill("#id_username", DEMO_USERNAME)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{rule['id']} ({rule['impact']}): "
        + "; ".join(node["target"][0] for node in rule["nodes"][:3])
        for rule in results.response["violations"]
        if rule["impact"] in GATING
    ]


def test_axe_finds_nothing_serious_on_any_page(demo, live_server, browser):
    found = {}
    for language in LANGUAGES:
        for width in WIDTHS:
            context = browser.new_context(
                viewport={"width": width, "height": 900}, locale=language
            )
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            if problems := serious_violations(page):
                found[f"{language} {width} login"] = problems
            sign_in(page, live_server.url)
            for path in every_page(demo):
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, path
                if problems := serious_violations(page):
                    found[f"{language} {width} {path}"] = problems
            context.close()

    assert found == {}, "\n".join(
        f"{where}: {problem}"
        for where, problems in found.items()
        for problem in problems
    )
