"""An assessment's pages besides the editor: the workflow buttons, the
scorecard, and the re-scoring preview under a newer catalogue version."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import Answer, Assessment
from scoring.loader import DEFAULT_CATALOGUE, load_catalogue_text
from tests.factories import OfferFactory, OrganisationFactory, ProcurementFactory
from tests.procurement.views.helpers import (
    answers_at,
    login,
    reference_case,
    scored_assessment,
)

pytestmark = pytest.mark.django_db


def test_another_organisations_assessment_is_a_404_everywhere(client, lead):
    foreign = ProcurementFactory(organisation=OrganisationFactory())
    offer = OfferFactory(provider__organisation=foreign.organisation)
    assessment = Assessment.objects.create(
        offer=offer,
        procurement=foreign,
        catalogue=foreign.catalogue,
        profile=foreign.profile,
        as_of="2026-01-01",
    )
    login(client, lead)

    statuses = [
        client.get(reverse(f"procurement:{name}", args=[assessment.pk])).status_code
        for name in ("assessment-detail", "assessment-edit", "assessment-rescore")
    ] + [
        client.post(
            reverse(f"procurement:{name}", args=[assessment.pk]), {"version": 1}
        ).status_code
        for name in ("assessment-submit", "assessment-approve", "assessment-reopen")
    ]

    assert statuses == [404] * 6


# workflow -------------------------------------------------------------------


def test_evaluator_submits_a_draft(client, evaluator, draft):
    login(client, evaluator)

    response = client.post(
        reverse("procurement:assessment-submit", args=[draft.pk]),
        {"version": draft.version, "confirm": "on"},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED
    assert "Assessment submitted for approval." in response.content.decode()


def test_submitting_an_incomplete_draft_asks_to_confirm_and_shows_completeness(
    client, evaluator, draft
):
    login(client, evaluator)

    response = client.post(
        reverse("procurement:assessment-submit", args=[draft.pk]),
        {"version": draft.version},
    )

    draft.refresh_from_db()
    content = response.content.decode()
    assert (response.status_code, draft.status) == (200, Assessment.Status.DRAFT)
    assert "Confirm to submit it as it is" in content
    assert "0.0% of the criteria answered" in content


def test_viewer_cannot_submit(client, viewer, draft):
    login(client, viewer)

    response = client.post(
        reverse("procurement:assessment-submit", args=[draft.pk]),
        {"version": draft.version},
    )

    draft.refresh_from_db()
    assert response.status_code == 403
    assert draft.status == Assessment.Status.DRAFT


def test_only_a_lead_approves(client, evaluator, lead, draft):
    submitted = services.submit_assessment(draft, user=evaluator)
    url = reverse("procurement:assessment-approve", args=[draft.pk])

    by_evaluator = login(client, evaluator).post(url, {"version": submitted.version})
    by_lead = login(client, lead).post(
        url, {"version": submitted.version, "reason": "A workflow test."}
    )

    draft.refresh_from_db()
    assert (by_evaluator.status_code, by_lead.status_code) == (403, 302)
    assert draft.status == Assessment.Status.APPROVED


def test_lead_sends_a_submitted_assessment_back_to_draft(
    client, evaluator, lead, draft
):
    submitted = services.submit_assessment(draft, user=evaluator)
    login(client, lead)

    client.post(
        reverse("procurement:assessment-reopen", args=[draft.pk]),
        {"version": submitted.version},
    )

    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT


def test_submitting_a_stale_page_says_so(client, evaluator, lead, draft):
    services.record_answers(
        draft,
        user=lead,
        version=draft.version,
        answers=[services.AnswerData(criterion="OWN-1", level=2)],
    )
    login(client, evaluator)

    response = client.post(
        reverse("procurement:assessment-submit", args=[draft.pk]),
        {"version": 1, "confirm": "on"},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT
    assert "changed by someone else" in response.content.decode()


def test_submitting_without_the_page_version_is_refused(client, evaluator, draft):
    login(client, evaluator)

    response = client.post(
        reverse("procurement:assessment-submit", args=[draft.pk]), follow=True
    )

    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT
    assert "The form is incomplete" in response.content.decode()


def test_approving_a_draft_is_a_message_not_a_500(client, lead, draft):
    login(client, lead)

    response = client.post(
        reverse("procurement:assessment-approve", args=[draft.pk]),
        {"version": draft.version},
        follow=True,
    )

    assert response.status_code == 200
    assert "Only a submitted assessment can be approved." in response.content.decode()


def test_workflow_buttons_follow_the_role(client, evaluator, lead, viewer, draft):
    submit = reverse("procurement:assessment-submit", args=[draft.pk])
    approve = reverse("procurement:assessment-approve", args=[draft.pk])

    as_viewer = login(client, viewer).get(draft.get_absolute_url()).content.decode()
    as_evaluator = login(client, evaluator).get(draft.get_absolute_url())
    submitted = services.submit_assessment(draft, user=evaluator)
    as_lead = login(client, lead).get(submitted.get_absolute_url()).content.decode()

    assert submit not in as_viewer
    assert submit in as_evaluator.content.decode()
    assert approve in as_lead
    assert submit not in as_lead


# scorecard ------------------------------------------------------------------


def test_scorecard_shows_exactly_the_engines_numbers(
    client, lead, procurement, catalogue
):
    assessment = scored_assessment(procurement, lead, 2)
    services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=[
            services.AnswerData(criterion="OWN-1", level=4, evidence="declared"),
            services.AnswerData(criterion="JUR-1", level=1, evidence="verified"),
        ],
    )
    scorecard = Assessment.objects.get(pk=assessment.pk).scorecard()
    login(client, lead)

    response = client.get(assessment.get_absolute_url())

    content = response.content.decode()
    assert f"{scorecard.global_score}<small>/100</small>" in content
    assert f"<strong data-global-claimed>{scorecard.global_score_claimed}</strong>" in (
        content
    )
    assert f"Trust level {scorecard.trust_level}" in content
    for pillar in scorecard.pillars:
        row = re.search(
            rf'<tr data-pillar="{pillar.code}">.*?<td class="num" data-score>'
            r"<strong>([^<]+)</strong>",
            content,
            re.S,
        )
        assert row.group(1) == f"{pillar.score}", pillar.code
    report = response.context["report"]
    assert report.scorecard == scorecard
    for knockout in report.knockouts:
        assert knockout.text in content
    assert f"Completeness {scorecard.completeness}%" in content
    assert "Evidence gaps" in content
    assert "OWN-1" in [line.code for line in report.evidence_gaps]
    assert scorecard.highest_profile_passed in content


def test_scorecard_compares_with_the_reference_cases(
    client, lead, procurement, catalogue
):
    assessment = scored_assessment(procurement, lead, 3)
    cloudwatt = reference_case(catalogue, "Cloudwatt", level=1)
    numergy = reference_case(catalogue, "Numergy", level=2)
    login(client, lead)

    content = client.get(assessment.get_absolute_url()).content.decode()

    assert "Compared with the reference cases" in content
    for reference in (cloudwatt, numergy):
        assert reference.offer.provider.name in content
        assert f"<strong>{reference.global_score}</strong>" in content
    assert "Cloudwatt (reference, N2, 2014)" in content
    assert content.count("<svg xmlns") == 2  # the bars and the radar


def test_scorecard_lists_every_answer_with_its_justification_and_facts(
    client, lead, procurement, catalogue
):
    assessment = scored_assessment(procurement, lead, 2)
    fact = assessment.offer.provider.facts.create(
        statement="Owned by a French SAS.",
        as_of="2025-01-01",
        source_title="Trade register",
        source_url="https://example.org/kbis",
    )
    services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=[
            services.AnswerData(
                criterion="OWN-1",
                level=3,
                justification="K-bis checked.",
                evidence_reference="Annex 4",
                facts=[fact.pk],
            )
        ],
    )
    login(client, lead)

    content = client.get(assessment.get_absolute_url()).content.decode()

    assert content.count('class="answer-row"') == catalogue.criteria.count()
    assert "K-bis checked." in content
    assert "Annex 4" in content
    assert "Owned by a French SAS." in content
    assert 'href="https://example.org/kbis"' in content


def test_reference_case_scorecard_is_readable_by_any_member(client, viewer, catalogue):
    case = reference_case(catalogue)
    login(client, viewer)

    response = client.get(case.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("procurement:assessment-edit", args=[case.pk]) not in content
    assert reverse("procurement:assessment-submit", args=[case.pk]) not in content


def test_scorecard_has_a_print_stylesheet_and_no_inline_script(
    client, lead, procurement
):
    assessment = scored_assessment(procurement, lead, 2)
    login(client, lead)

    content = client.get(assessment.get_absolute_url()).content.decode()

    assert 'href="/static/css/print.css" media="print"' in content
    assert re.search(r"<script(?![^>]*\bsrc=)", content) is None
    assert re.search(r"\son[a-z]+=", content) is None


def test_scorecard_renders_in_constant_queries(
    client, lead, procurement, catalogue, django_assert_max_num_queries
):
    assessment = scored_assessment(procurement, lead, 2)
    reference_case(catalogue)
    login(client, lead)
    url = assessment.get_absolute_url()

    # session, user, assessment, catalogue with its method (11), answers and
    # their facts, claims, files, reference cases, role, newer catalogue; the
    # reference cases' warning signs and the facts they cite
    with django_assert_max_num_queries(23):
        client.get(url)

    fact = assessment.offer.provider.facts.create(
        statement="x", as_of="2020-01-01", source_title="y"
    )
    services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=[
            services.AnswerData(criterion=code, level=3, facts=[fact.pk])
            for code in ("OWN-1", "OWN-2", "JUR-1", "DAT-1")
        ],
    )
    reference_case(catalogue, "Numergy")
    with django_assert_max_num_queries(23):
        client.get(url)


# rescore --------------------------------------------------------------------


@pytest.fixture
def newer_catalogue(catalogue):
    text = Path(DEFAULT_CATALOGUE).read_text(encoding="utf-8")
    return load_catalogue_text(
        text.replace('version: "1.0"', 'version: "1.1"', 1)
    ).catalogue


def test_scorecard_offers_a_preview_under_a_newer_catalogue(
    client, lead, procurement, newer_catalogue
):
    assessment = scored_assessment(procurement, lead, 2)
    login(client, lead)

    scorecard = client.get(assessment.get_absolute_url()).content.decode()
    preview = client.get(
        reverse("procurement:assessment-rescore", args=[assessment.pk])
    )

    assert reverse("procurement:assessment-rescore", args=[assessment.pk]) in scorecard
    assert preview.status_code == 200
    assert preview.context["rescore"].catalogue == newer_catalogue
    assert "Apply catalogue 1.1 to the procurement" in preview.content.decode()


def test_lead_moves_the_whole_procurement_to_the_newer_catalogue(
    client, lead, procurement, newer_catalogue
):
    assessment = scored_assessment(procurement, lead, 2)
    other = scored_assessment(procurement, lead, 3)
    login(client, lead)

    response = client.post(
        reverse("procurement:assessment-rescore", args=[assessment.pk])
    )

    assessment.refresh_from_db()
    other.refresh_from_db()
    procurement.refresh_from_db()
    assert response.status_code == 302
    assert procurement.catalogue == assessment.catalogue == other.catalogue
    assert procurement.catalogue == newer_catalogue
    assert Answer.objects.filter(assessment=assessment).count() == (
        newer_catalogue.criteria.count()
    )


def test_a_procurement_with_a_submitted_assessment_stays_on_its_catalogue(
    client, lead, procurement, newer_catalogue
):
    assessment = scored_assessment(procurement, lead, 2)
    services.submit_assessment(assessment, user=lead)
    login(client, lead)

    response = client.post(
        reverse("procurement:assessment-rescore", args=[assessment.pk]), follow=True
    )

    procurement.refresh_from_db()
    assert procurement.catalogue != newer_catalogue
    assert "back to draft first" in response.content.decode()


def test_rescore_preview_renders_in_constant_queries(
    client, lead, procurement, newer_catalogue, django_assert_max_num_queries
):
    assessment = scored_assessment(procurement, lead, 2)
    newer_catalogue.to_spec()
    login(client, lead)
    url = reverse("procurement:assessment-rescore", args=[assessment.pk])

    # session, user, assessment, newest catalogue, answers, profile, names, role
    with django_assert_max_num_queries(8):
        client.get(url)

    for level in (1, 3):
        scored_assessment(procurement, lead, level)
    services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=answers_at(procurement.catalogue, 4),
    )
    with django_assert_max_num_queries(8):
        client.get(url)


def test_without_a_newer_catalogue_the_preview_redirects(client, lead, procurement):
    assessment = scored_assessment(procurement, lead, 2)
    login(client, lead)

    response = client.get(
        reverse("procurement:assessment-rescore", args=[assessment.pk]), follow=True
    )

    assert "already uses the latest catalogue version" in response.content.decode()
