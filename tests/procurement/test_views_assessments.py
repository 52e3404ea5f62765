"""The assessment pages: the editor (one pillar at a time, stale saves, bad
input, read-only states), the workflow buttons, the scorecard and the
re-scoring preview under a newer catalogue version."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import Answer, Assessment
from scoring.loader import DEFAULT_CATALOGUE, load_catalogue_text
from tests.factories import OfferFactory, OrganisationFactory, ProcurementFactory
from tests.procurement.test_views import answers_at, reference_case, scored_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def procurement(organisation, catalogue):
    return ProcurementFactory(organisation=organisation)


@pytest.fixture
def draft(procurement, evaluator):
    """A draft with nothing answered yet."""
    offer = OfferFactory(provider__organisation=procurement.organisation)
    return services.start_assessment(
        user=evaluator, procurement=procurement, offer=offer
    )


def login(client, user):
    client.force_login(user)
    return client


def edit_url(assessment, pillar=None):
    url = reverse("procurement:assessment-edit", args=[assessment.pk])
    return f"{url}?pillar={pillar}" if pillar else url


def pillar_post(catalogue, pillar, version, level="3", evidence="verified", **extra):
    """The POST of one pillar's form with every criterion at ``level``."""
    data = {"version": str(version), "pillar": pillar}
    for criterion in catalogue.criteria.filter(pillar__code=pillar):
        data[f"{criterion.code}-answer"] = level
        data[f"{criterion.code}-evidence"] = evidence
        data[f"{criterion.code}-justification"] = f"Why {criterion.code}"
        data[f"{criterion.code}-evidence_reference"] = f"Annex {criterion.code}"
    data.update(extra)
    return data


# ---------------------------------------------------------------------- editor


def test_editor_shows_every_criterion_of_the_pillar_with_its_choices(
    client, evaluator, draft, catalogue
):
    login(client, evaluator)

    response = client.get(edit_url(draft, "TEC"))

    content = response.content.decode()
    criteria = catalogue.criteria.filter(pillar__code="TEC").prefetch_related("levels")
    for criterion in criteria:
        assert f'<span class="code">{criterion.code}</span>' in content
        assert f'name="{criterion.code}-answer" value="unknown"' in content
        for level in criterion.levels.all():
            assert f'name="{criterion.code}-answer" value="{level.level}"' in content
        has_na = f'name="{criterion.code}-answer" value="na"' in content
        assert has_na == criterion.na_allowed
        assert f'name="{criterion.code}-evidence"' in content
        assert f'name="{criterion.code}-justification"' in content
        assert f'name="{criterion.code}-evidence_reference"' in content
    assert any(c.na_allowed for c in criteria)
    assert "Evidence to ask for" in content
    assert f'name="version" value="{draft.version}"' in content


def test_editor_has_one_tab_per_pillar_with_its_progress(
    client, evaluator, draft, catalogue
):
    services.record_answers(
        draft,
        user=evaluator,
        version=draft.version,
        answers=answers_at(catalogue, 2)[:3],
    )
    login(client, evaluator)

    response = client.get(edit_url(draft))

    content = response.content.decode()
    for pillar in catalogue.pillars.all():
        assert f'href="?pillar={pillar.code}"' in content
    own_total = catalogue.criteria.filter(pillar__code="OWN").count()
    assert f"3/{own_total}" in content
    assert 'aria-current="page" class="pillar-tab' in content


def test_unknown_pillar_is_a_404(client, evaluator, draft):
    login(client, evaluator)

    response = client.get(edit_url(draft, "XYZ"))

    assert response.status_code == 404


def test_saving_a_pillar_records_the_answers_and_rescores_at_once(
    client, evaluator, draft, catalogue
):
    login(client, evaluator)

    response = client.post(
        edit_url(draft), pillar_post(catalogue, "OWN", draft.version), follow=True
    )

    draft.refresh_from_db()
    stored = draft.answers.filter(criterion__pillar__code="OWN")
    assert draft.version == 2
    assert {(a.level, a.evidence) for a in stored} == {(3, "verified")}
    assert stored.filter(justification="Why OWN-1").exists()
    scorecard = draft.scorecard()
    own = scorecard.pillar("OWN").score
    content = response.content.decode()
    assert f"OWN score: 0.0 → {own}" in content
    assert f"Global score: 0.0 → {scorecard.global_score}" in content
    assert draft.global_score == scorecard.global_score
    assert f"{scorecard.global_score}<small>/100</small>" in content


def test_save_and_next_goes_to_the_next_pillar(client, evaluator, draft, catalogue):
    login(client, evaluator)

    response = client.post(
        edit_url(draft),
        pillar_post(catalogue, "OWN", draft.version, next="JUR"),
    )

    assert response.status_code == 302
    assert response["Location"] == edit_url(draft, "JUR") + "#top"


def test_unknown_and_not_applicable_answers_are_saved_as_such(
    client, evaluator, draft, catalogue
):
    na_criterion = catalogue.criteria.filter(na_allowed=True).first()
    pillar = na_criterion.pillar.code
    data = pillar_post(catalogue, pillar, draft.version, level="unknown")
    data[f"{na_criterion.code}-answer"] = "na"
    login(client, evaluator)

    client.post(edit_url(draft), data)

    answers = {a.criterion.code: a for a in draft.answers.select_related("criterion")}
    assert answers[na_criterion.code].not_applicable is True
    assert answers[na_criterion.code].level is None
    assert {
        (a.level, a.not_applicable)
        for code, a in answers.items()
        if code != na_criterion.code
    } == {(None, False)}


def test_stale_save_shows_both_versions_and_keeps_the_users_input(
    client, evaluator, lead, draft, catalogue
):
    rendered_version = draft.version
    services.record_answers(
        draft,
        user=lead,
        version=draft.version,
        answers=[
            services.AnswerData(
                criterion="OWN-1", level=1, justification="Colleague's view"
            )
        ],
    )
    login(client, evaluator)

    response = client.post(
        edit_url(draft), pillar_post(catalogue, "OWN", rendered_version, level="4")
    )

    content = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in content
    assert "What you entered" in content
    assert "What is now stored" in content
    assert "Colleague&#x27;s view" in content
    assert "Why OWN-1" in content
    assert re.search(r'name="OWN-1-answer" value="4"[^>]*checked', content)
    assert 'name="version" value="2"' in content
    own1 = draft.answers.get(criterion__code="OWN-1")
    assert (own1.level, own1.justification) == (1, "Colleague's view")


def test_stale_save_can_be_submitted_again_with_the_new_version(
    client, evaluator, lead, draft, catalogue
):
    services.record_answers(
        draft,
        user=lead,
        version=draft.version,
        answers=[services.AnswerData(criterion="OWN-1", level=1)],
    )
    login(client, evaluator)

    stale = client.post(edit_url(draft), pillar_post(catalogue, "OWN", 1, level="4"))
    again = client.post(edit_url(draft), pillar_post(catalogue, "OWN", 2, level="4"))

    assert (stale.status_code, again.status_code) == (409, 302)
    assert draft.answers.get(criterion__code="OWN-1").level == 4


def test_stale_save_after_a_change_elsewhere_says_nothing_here_differs(
    client, evaluator, lead, draft, catalogue
):
    services.record_answers(
        draft,
        user=lead,
        version=draft.version,
        answers=[services.AnswerData(criterion="SEC-1", level=2)],
    )
    login(client, evaluator)

    untouched = pillar_post(catalogue, "OWN", 1, level="unknown", evidence="declared")
    for key in untouched:
        if key.endswith(("-justification", "-evidence_reference")):
            untouched[key] = ""

    response = client.post(edit_url(draft), untouched)

    content = response.content.decode()
    assert response.status_code == 409
    assert "the other changes were made elsewhere" in content
    assert "What you entered" not in content


def test_bad_level_gets_a_message_next_to_the_field(
    client, evaluator, draft, catalogue
):
    login(client, evaluator)

    response = client.post(
        edit_url(draft),
        pillar_post(catalogue, "OWN", draft.version, **{"OWN-2-answer": "9"}),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_OWN-2-answer_error">' in content
    assert "Select a valid choice" in content
    assert not draft.answers.exists()


def test_invalid_answers_from_the_service_are_shown_next_to_their_field(
    client, evaluator, draft, catalogue
):
    login(client, evaluator)

    response = client.post(
        edit_url(draft),
        pillar_post(
            catalogue,
            "OWN",
            draft.version,
            **{"OWN-3-evidence_reference": "x" * 501},
        ),
    )

    forms = dict(response.context["rows"])
    own3 = next(form for line, form in forms.items() if line.code == "OWN-3")
    assert response.status_code == 200
    assert own3.errors["evidence_reference"] == ["At most 500 characters."]
    assert "Some answers are invalid; nothing was saved." in response.content.decode()
    assert not draft.answers.exists()


def test_viewer_reads_the_editor_without_inputs_and_cannot_post(
    client, viewer, draft, catalogue
):
    login(client, viewer)

    page = client.get(edit_url(draft))
    post = client.post(edit_url(draft), pillar_post(catalogue, "OWN", draft.version))

    assert page.status_code == 200
    assert 'type="radio"' not in page.content.decode()
    assert post.status_code == 403
    assert not draft.answers.exists()


def test_submitted_assessment_is_read_only_in_the_editor(
    client, evaluator, draft, catalogue
):
    services.record_answers(
        draft,
        user=evaluator,
        version=draft.version,
        answers=answers_at(catalogue, 2),
    )
    submitted = services.submit_assessment(draft, user=evaluator)
    login(client, evaluator)

    page = client.get(edit_url(submitted))
    post = client.post(
        edit_url(submitted),
        pillar_post(catalogue, "OWN", submitted.version, level="4"),
        follow=True,
    )

    assert 'type="radio"' not in page.content.decode()
    assert "read-only" in page.content.decode()
    assert "A submitted assessment is read-only." in post.content.decode()
    assert set(draft.answers.values_list("level", flat=True)) == {2}


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


def test_editor_renders_in_constant_queries(
    client, evaluator, draft, catalogue, django_assert_max_num_queries
):
    services.record_answers(
        draft,
        user=evaluator,
        version=draft.version,
        answers=answers_at(catalogue, 2)[:2],
    )
    login(client, evaluator)
    url = edit_url(draft, "OWN")

    # session, user, assessment, role, catalogue with its method (11),
    # answers and their facts, the provider's facts
    with django_assert_max_num_queries(18):
        client.get(url)

    services.record_answers(
        draft,
        user=evaluator,
        version=2,
        answers=answers_at(catalogue, 3),
    )
    for _ in range(5):
        draft.offer.provider.facts.create(
            statement="x", as_of="2020-01-01", source_title="y"
        )
    with django_assert_max_num_queries(18):
        client.get(url)


# -------------------------------------------------------------------- workflow


def test_evaluator_submits_a_draft(client, evaluator, draft):
    login(client, evaluator)

    response = client.post(
        reverse("procurement:assessment-submit", args=[draft.pk]),
        {"version": draft.version},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED
    assert "Assessment submitted for approval." in response.content.decode()


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
    by_lead = login(client, lead).post(url, {"version": submitted.version})

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
        {"version": 1},
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


# ------------------------------------------------------------------- scorecard


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
    assert content.count("<svg") == 2


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


def test_reference_case_cannot_be_edited(client, lead, catalogue):
    case = reference_case(catalogue)
    login(client, lead)

    response = client.post(
        edit_url(case), pillar_post(catalogue, "OWN", case.version, level="4")
    )

    assert response.status_code == 403
    assert set(case.answers.values_list("level", flat=True)) == {1}


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
    # their facts, reference cases, role, newer catalogue
    with django_assert_max_num_queries(19):
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
    with django_assert_max_num_queries(19):
        client.get(url)


# --------------------------------------------------------------------- rescore


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
