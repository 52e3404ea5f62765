"""The assessment editor: one pillar at a time, stale saves, bad input and
read-only states."""

import re

import pytest
from django.urls import reverse

from procurement import services
from tests.procurement.views.helpers import answers_at, login, reference_case

pytestmark = pytest.mark.django_db


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


# stale saves ----------------------------------------------------------------


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


def test_saving_an_untouched_pillar_after_a_change_elsewhere_changes_nothing(
    client, evaluator, lead, draft, catalogue
):
    services.record_answers(
        draft,
        user=lead,
        version=draft.version,
        answers=[services.AnswerData(criterion="SEC-1", level=2)],
    )
    login(client, evaluator)

    # A criterion never answered shows no evidence type: the browser posts "".
    untouched = pillar_post(catalogue, "OWN", 1, level="unknown", evidence="")
    for key in untouched:
        if key.endswith(("-justification", "-evidence_reference")):
            untouched[key] = ""

    response = client.post(edit_url(draft), untouched, follow=True)

    draft.refresh_from_db()
    assert "Nothing changed in OWN" in response.content.decode()
    assert draft.version == 2
    assert draft.answers.get(criterion__code="SEC-1").level == 2


# bad input ------------------------------------------------------------------


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


# read-only ------------------------------------------------------------------


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


def test_reference_case_cannot_be_edited(client, lead, catalogue):
    case = reference_case(catalogue)
    login(client, lead)

    response = client.post(
        edit_url(case), pillar_post(catalogue, "OWN", case.version, level="4")
    )

    assert response.status_code == 403
    assert set(case.answers.values_list("level", flat=True)) == {1}


# queries --------------------------------------------------------------------


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
    with django_assert_max_num_queries(20):
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
    with django_assert_max_num_queries(20):
        client.get(url)


# evidence, caps, errors and limits (issue 18) --------------------------------


def test_a_level_without_evidence_is_refused_rather_than_stored_as_declared(
    client, evaluator, draft, catalogue
):
    login(client, evaluator)

    response = client.post(
        edit_url(draft),
        pillar_post(catalogue, "OWN", draft.version, **{"OWN-2-evidence": ""}),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Say which evidence supports this level." in content
    assert '<option value="" selected>Choose the evidence</option>' in content
    assert not draft.answers.exists()


def test_knockout_evidence_options_carry_the_profiles_caps(client, evaluator, draft):
    profile = draft.profile
    caps = {c.evidence_type: c.max_level for c in profile.evidence_caps.all()}
    knockout = profile.knockouts.select_related("criterion__pillar").first()
    if not caps or knockout is None:
        pytest.skip("this profile caps no evidence")
    login(client, evaluator)

    content = client.get(
        edit_url(draft, knockout.criterion.pillar.code)
    ).content.decode()

    select = re.search(
        rf'<select name="{knockout.criterion.code}-evidence".*?</select>',
        content,
        re.S,
    ).group(0)
    for evidence, level in caps.items():
        assert f'value="{evidence}" data-cap="{level}"' in select
    assert "data-cap-note" in content


def test_the_justification_is_limited_to_20000_characters_in_the_page(
    client, evaluator, draft
):
    login(client, evaluator)

    content = client.get(edit_url(draft, "OWN")).content.decode()

    assert 'name="OWN-1-justification" cols="40" rows="3" maxlength="20000"' in content
    assert 'data-char-count="id_OWN-1-justification"' in content


def test_the_error_summary_links_to_each_wrong_field(
    client, evaluator, draft, catalogue
):
    login(client, evaluator)

    response = client.post(
        edit_url(draft),
        pillar_post(catalogue, "OWN", draft.version, **{"OWN-2-answer": "9"}),
    )

    content = response.content.decode()
    assert "data-error-summary" in content
    assert '<a href="#id_OWN-2-answer_0">OWN-2 · Level: Select a valid' in content
    # the counters count the radios as sent back, not the (empty) stored answers
    total = catalogue.criteria.filter(pillar__code="OWN").count()
    assert content.count(f"<span data-progress>{total}</span> / {total}") == 2
