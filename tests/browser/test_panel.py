"""A panel in three browsers: the lead names two evaluators, each scores the
same offer on their own and differently, blind until they submit; the lead
moderates the spread, and the ranking follows the consensus.

The procurement is built by the services in the demo organisation (so the
demo logins work): two offers at level 3 everywhere, one of them with JUR-1
at 0, below the N3 knock-out threshold, so excluded until the panel agrees
otherwise.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from procurement import services
from procurement.models import Membership
from procurement.seed import (
    DEMO_EVALUATOR_PASSWORD,
    DEMO_EVALUATOR_USERNAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)
from tests.factories import OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECOND_USERNAME, SECOND_PASSWORD = "dominique", "dominique-panel"  # noqa: S105


def log_in_as(page, base_url, username, password):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def offer_at_three(procurement, lead, name, **levels):
    offer = OfferFactory(
        provider__organisation=procurement.organisation, provider__name=name
    )
    assessment = services.start_assessment(
        user=lead, procurement=procurement, offer=offer
    )
    return services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=[
            services.AnswerData(c.code, levels.get(c.code, 3), "verified")
            for c in procurement.catalogue.criteria.all()
        ],
    )


def eligible_names(page):
    return page.locator("table.ranking tbody th[scope=row] a").all_inner_texts()


def score_jur(page, base_url, assessment, jur_1, why):
    """Declare no conflict, score JUR at 3 (JUR-1 at ``jur_1``), save, submit."""
    page.goto(f"{base_url}/assessments/{assessment.pk}/my-scores/?pillar=JUR")
    page.get_by_label("No: I have no conflict").check()
    page.get_by_role("button", name="Record my declaration").click()
    expect(page.locator(".message--success")).to_contain_text("declaration")
    for group in page.locator("fieldset[data-criterion]").all():
        group.locator('input[type="radio"][value="3"]').check()
        group.locator("select").select_option("verified")
    criterion = page.locator("#criterion-JUR-1")
    criterion.locator(f'input[type="radio"][value="{jur_1}"]').check()
    criterion.get_by_label("Justification").fill(why)
    page.get_by_role("button", name="Save my JUR draft").click()
    expect(page.locator(".message--success")).to_contain_text("Draft saved")


def submit(page):
    page.get_by_label("My scores of this offer are final").check()
    page.get_by_role("button", name="Submit my scores").click()
    expect(page.locator("[data-submitted]")).to_be_visible()


def test_two_evaluators_score_apart_the_lead_moderates_the_ranking_follows(
    demo, live_server, new_page, screenshot
):
    organisation = demo.organisation
    lead = organisation.memberships.get(role="lead").user
    second = get_user_model().objects.create_user(
        SECOND_USERNAME, password=SECOND_PASSWORD, first_name="Dominique"
    )
    Membership.objects.create(
        user=second, organisation=organisation, role=Membership.Role.EVALUATOR
    )
    procurement = services.create_procurement(
        user=lead,
        organisation=organisation,
        title="Panel-scored hosting",
        reference="PANEL-1",
        profile=demo.profile,
    )
    ahead = offer_at_three(procurement, lead, "Ahead Cloud")
    behind = offer_at_three(procurement, lead, "Behind Cloud", **{"JUR-1": 0})
    base = live_server.url

    chair = new_page()
    log_in_as(chair, base, DEMO_USERNAME, DEMO_PASSWORD)
    chair.goto(f"{base}/procurements/{procurement.pk}/panel/")
    for username in (DEMO_EVALUATOR_USERNAME, SECOND_USERNAME):
        row = chair.locator(f'tr[data-member="{username}"]')
        row.locator('input[name^="seat_"]').check()
        row.locator('input[value="JUR"]').check()
    chair.get_by_role("button", name="Save the panel").click()
    expect(chair.locator(".message--success")).to_contain_text("2 evaluators")
    screenshot(chair, "30-panel-named")
    chair.goto(f"{base}/procurements/{procurement.pk}/")
    assert eligible_names(chair) == [ahead.offer.provider.name]

    camille = new_page()
    log_in_as(camille, base, DEMO_EVALUATOR_USERNAME, DEMO_EVALUATOR_PASSWORD)
    score_jur(camille, base, behind, 4, "Camille: the clause is in the contract.")
    submit(camille)

    dominique = new_page()
    log_in_as(dominique, base, SECOND_USERNAME, SECOND_PASSWORD)
    score_jur(dominique, base, behind, 2, "Dominique: only a letter of intent.")
    expect(dominique.locator("[data-blind]")).to_be_visible()
    expect(dominique.get_by_text("Camille: the clause")).to_have_count(0)
    screenshot(dominique, "31-blind-sheet")
    submit(dominique)
    expect(dominique.get_by_text("Camille: the clause")).to_be_visible()

    chair.goto(f"{base}/assessments/{behind.pk}/moderation/?pillar=JUR")
    flagged = chair.locator('tr[data-criterion-row="JUR-1"]')
    expect(flagged).to_have_class("conflict-table__differs")
    expect(flagged).to_contain_text("levels 2+ apart")
    expect(flagged).to_contain_text("on both sides of the N3 threshold (3)")
    screenshot(chair, "32-moderation")
    section = chair.locator("section#criterion-JUR-1")
    section.locator('input[name="consensus-JUR-1-answer"][value="4"]').check()
    section.get_by_label("Evidence").select_option("verified")
    section.get_by_label("Rationale").fill("The signed contract, clause 4, settles it.")
    section.get_by_role("button", name="Record the consensus on JUR-1").click()
    expect(chair.locator(".message--success")).to_contain_text("Consensus on JUR-1")

    chair.goto(f"{base}/procurements/{procurement.pk}/")
    screenshot(chair, "33-ranking-after-consensus")
    assert eligible_names(chair) == [
        behind.offer.provider.name,
        ahead.offer.provider.name,
    ]
