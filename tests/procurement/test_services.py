"""Workflows: answering, submitting, approving, ranking, re-scoring."""

from decimal import Decimal as D

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError

from procurement import services
from procurement.models import Answer, Assessment, Membership, Procurement, Provider
from procurement.scorecards import assessment_report, procurement_report
from procurement.services import AnswerData, InvalidAnswers, StaleAssessment
from scoring.loader import DEFAULT_CATALOGUE, load_catalogue_text
from tests.conftest import member
from tests.factories import (
    AssessmentFactory,
    OfferFactory,
    ProviderFactFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db


def every_criterion_at(catalogue, level, evidence="verified"):
    return [AnswerData(c.code, level, evidence) for c in catalogue.criteria.all()]


def test_create_procurement_pins_the_profiles_catalogue(catalogue, organisation, lead):
    profile = catalogue.profiles.get(code="N2")

    procurement = services.create_procurement(
        user=lead, organisation=organisation, title="Messaging", profile=profile
    )

    assert (procurement.catalogue, procurement.profile, procurement.created_by) == (
        catalogue,
        profile,
        lead,
    )


def test_a_viewer_cannot_create_a_procurement(catalogue, organisation, viewer):
    with pytest.raises(PermissionDenied):
        services.create_procurement(
            user=viewer,
            organisation=organisation,
            title="Messaging",
            profile=catalogue.profiles.get(code="N2"),
        )


def test_start_assessment_pins_catalogue_and_profile_and_scores_zero(
    assessment, procurement
):
    assert (assessment.catalogue, assessment.profile) == (
        procurement.catalogue,
        procurement.profile,
    )
    assert (assessment.status, assessment.version, assessment.global_score) == (
        "draft",
        1,
        D("0.0"),
    )
    assert assessment.eligible is False


def test_start_assessment_refuses_an_offer_of_another_organisation(
    procurement, evaluator
):
    foreign = OfferFactory()

    with pytest.raises(ValidationError, match="your organisation's providers"):
        services.start_assessment(
            user=evaluator, procurement=procurement, offer=foreign
        )


def test_start_assessment_refuses_the_same_offer_twice(assessment, evaluator):
    with pytest.raises(ValidationError, match="already under assessment"):
        services.start_assessment(
            user=evaluator, procurement=assessment.procurement, offer=assessment.offer
        )


def test_start_assessment_refuses_a_closed_procurement(procurement, evaluator):
    procurement.status = Procurement.Status.CLOSED
    procurement.save()
    offer = OfferFactory(provider__organisation=procurement.organisation)

    with pytest.raises(services.ProcurementClosed, match="closed"):
        services.start_assessment(user=evaluator, procurement=procurement, offer=offer)


def test_record_answers_saves_raises_the_version_and_refreshes_the_snapshot(
    assessment, evaluator, catalogue
):
    updated = services.record_answers(
        assessment,
        user=evaluator,
        version=1,
        answers=every_criterion_at(catalogue, 4),
    )

    assert (updated.version, updated.global_score, updated.trust_level) == (
        2,
        D("100.0"),
        4,
    )
    assert (updated.eligible, updated.highest_profile_passed, updated.completeness) == (
        True,
        "N4",
        D("100.0"),
    )
    assert Assessment.objects.get(pk=assessment.pk).global_score == D("100.0")


def test_snapshot_equals_the_engines_scorecard(assessment, evaluator):
    answers = [
        AnswerData("OWN-1", 3, "documented"),
        AnswerData("JUR-1", 4, "declared"),
        AnswerData("TEC-5", None, "declared", not_applicable=True),
    ]

    updated = services.record_answers(
        assessment, user=evaluator, version=1, answers=answers
    )

    scorecard = updated.scorecard()
    assert updated.global_score == scorecard.global_score
    assert updated.pillar_scores[0] == {
        "code": "OWN",
        "weight": "15.00",
        "score": str(scorecard.pillar("OWN").score),
        "score_claimed": str(scorecard.pillar("OWN").score_claimed),
        "trust_level": 0,
        "unknown": scorecard.unknown_by_pillar["OWN"],
        "unknown_share": round(scorecard.unknown_share_by_pillar["OWN"], 1),
    }
    assert {
        "criterion": "JUR-1",
        "required": 3,
        "effective": 2,
    } in updated.failed_knockouts


def test_answers_saved_later_update_the_earlier_ones(assessment, evaluator):
    first = services.record_answers(
        assessment, user=evaluator, version=1, answers=[AnswerData("OWN-1", 1)]
    )

    services.record_answers(
        first,
        user=evaluator,
        version=2,
        answers=[AnswerData("OWN-1", 3, "verified", justification="K-bis checked")],
    )

    answer = Answer.objects.get(assessment=assessment)
    assert (
        answer.level,
        answer.evidence,
        answer.justification,
        answer.answered_by,
    ) == (
        3,
        "verified",
        "K-bis checked",
        evaluator,
    )


def test_a_stale_edit_is_refused_and_nothing_is_saved(
    assessment, evaluator, organisation
):
    colleague = member(organisation, Membership.Role.EVALUATOR)
    services.record_answers(
        assessment, user=colleague, version=1, answers=[AnswerData("OWN-1", 2)]
    )

    with pytest.raises(StaleAssessment) as refused:
        services.record_answers(
            assessment, user=evaluator, version=1, answers=[AnswerData("OWN-1", 4)]
        )

    assert refused.value.current_version == 2
    assert Answer.objects.get(assessment=assessment).level == 2


def test_an_edit_after_submission_is_refused(assessment, evaluator):
    submitted = services.submit_assessment(assessment, user=evaluator)

    with pytest.raises(ValidationError, match="read-only"):
        services.record_answers(
            submitted,
            user=evaluator,
            version=submitted.version,
            answers=[AnswerData("OWN-1", 4)],
        )

    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_viewer_cannot_answer(assessment, viewer):
    with pytest.raises(PermissionDenied):
        services.record_answers(
            assessment, user=viewer, version=1, answers=[AnswerData("OWN-1", 4)]
        )


def test_a_member_of_another_organisation_cannot_answer(assessment):
    outsider = member(
        AssessmentFactory().procurement.organisation, Membership.Role.LEAD
    )

    with pytest.raises(PermissionDenied):
        services.record_answers(
            assessment, user=outsider, version=1, answers=[AnswerData("OWN-1", 4)]
        )


def test_invalid_answers_are_reported_per_answer_and_nothing_is_saved(
    assessment, evaluator
):
    answers = [
        AnswerData("OWN-1", 3),
        AnswerData("XYZ-9", 2),
        AnswerData("OWN-2", 7),
        AnswerData("JUR-1", None, not_applicable=True),
        AnswerData("JUR-2", 2, "rumour"),
    ]

    with pytest.raises(InvalidAnswers) as refused:
        services.record_answers(assessment, user=evaluator, version=1, answers=answers)

    assert [sorted(e) for e in refused.value.errors] == [
        [],
        ["criterion"],
        ["level"],
        ["not_applicable"],
        ["evidence"],
    ]
    assert not Answer.objects.filter(assessment=assessment).exists()
    assert Assessment.objects.get(pk=assessment.pk).version == 1


def test_a_criterion_twice_in_one_save_is_refused(assessment, evaluator):
    with pytest.raises(InvalidAnswers) as refused:
        services.record_answers(
            assessment,
            user=evaluator,
            version=1,
            answers=[AnswerData("OWN-1", 3), AnswerData("OWN-1", 2)],
        )

    assert refused.value.errors[1] == {"criterion": ["Answered twice in one save."]}


def test_answers_cite_facts_of_the_offers_provider_only(assessment, evaluator):
    own_fact = ProviderFactFactory(provider=assessment.offer.provider)
    foreign_fact = ProviderFactFactory()

    with pytest.raises(InvalidAnswers):
        services.record_answers(
            assessment,
            user=evaluator,
            version=1,
            answers=[AnswerData("OWN-1", 3, facts=[foreign_fact.pk])],
        )
    services.record_answers(
        assessment,
        user=evaluator,
        version=1,
        answers=[AnswerData("OWN-1", 3, facts=[own_fact.pk])],
    )

    assert list(Answer.objects.get(assessment=assessment).facts.all()) == [own_fact]


def test_submit_then_approve_by_a_lead(assessment, evaluator, lead):
    submitted = services.submit_assessment(assessment, user=evaluator)

    approved = services.approve_assessment(
        submitted, user=lead, reason="Unanswered on purpose: a workflow test."
    )

    assert (approved.status, approved.submitted_by, approved.approved_by) == (
        "approved",
        evaluator,
        lead,
    )


def test_only_a_lead_may_approve(assessment, evaluator):
    submitted = services.submit_assessment(assessment, user=evaluator)

    with pytest.raises(PermissionDenied):
        services.approve_assessment(submitted, user=evaluator)

    assert Assessment.objects.get(pk=assessment.pk).status == "submitted"


def test_a_draft_cannot_be_approved(assessment, lead):
    with pytest.raises(
        ValidationError, match="Only a submitted assessment can be approved"
    ):
        services.approve_assessment(assessment, user=lead)


def test_a_lead_can_send_a_submitted_assessment_back_to_draft(
    assessment, evaluator, lead
):
    submitted = services.submit_assessment(assessment, user=evaluator)

    reopened = services.reopen_assessment(submitted, user=lead)

    assert reopened.status == "draft"


def test_a_stale_submit_is_refused(assessment, evaluator):
    services.record_answers(
        assessment, user=evaluator, version=1, answers=[AnswerData("OWN-1", 1)]
    )

    with pytest.raises(StaleAssessment):
        services.submit_assessment(assessment, user=evaluator, version=1)


def answered(procurement, user, levels, default=3):
    offer = OfferFactory(provider__organisation=procurement.organisation)
    assessment = services.start_assessment(
        user=user, procurement=procurement, offer=offer
    )
    answers = [
        AnswerData(c.code, levels.get(c.code, default), "verified")
        for c in procurement.catalogue.criteria.all()
    ]
    return services.record_answers(assessment, user=user, version=1, answers=answers)


def test_ranking_puts_eligible_offers_by_score_and_excluded_offers_below(
    procurement, evaluator
):
    strong = answered(procurement, evaluator, {}, default=4)
    fair = answered(procurement, evaluator, {}, default=3)
    excluded = answered(procurement, evaluator, {"JUR-1": 1}, default=4)

    ranking = services.rank_procurement(procurement)

    assert [(r.assessment, r.rank, r.tied) for r in ranking.rows] == [
        (strong, 1, False),
        (fair, 2, False),
        (excluded, None, False),
    ]
    assert ranking.excluded[0].assessment.failed_knockouts == [
        {"criterion": "JUR-1", "required": 3, "effective": 1}
    ]


def test_ranking_states_ties(procurement, evaluator):
    first = answered(procurement, evaluator, {}, default=3)
    second = answered(procurement, evaluator, {}, default=3)

    ranking = services.rank_procurement(procurement)

    assert {(r.assessment, r.rank, r.tied) for r in ranking.rows} == {
        (first, 1, True),
        (second, 1, True),
    }
    assert ranking.has_ties


def test_ranking_reads_snapshots_in_one_query(
    procurement, evaluator, django_assert_num_queries
):
    answered(procurement, evaluator, {})
    with django_assert_num_queries(1):
        services.rank_procurement(procurement)

    answered(procurement, evaluator, {"OWN-1": 1})
    answered(procurement, evaluator, {"OWN-2": 2})
    with django_assert_num_queries(1):
        services.rank_procurement(procurement)


@pytest.fixture
def newer_catalogue(catalogue):
    """Version 1.1: JUR-1 needs 4 at N3, and OWN-5 is dropped."""
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    data["version"] = "1.1"
    own = data["pillars"][0]
    own["criteria"] = [c for c in own["criteria"] if c["code"] != "OWN-5"]
    jur_1 = data["pillars"][1]["criteria"][0]
    jur_1["knockouts"]["N3"] = 4
    return load_catalogue_text(yaml.safe_dump(data, allow_unicode=True)).catalogue


def test_rescore_under_a_newer_version_shows_the_difference(
    procurement, evaluator, newer_catalogue
):
    assessment = answered(procurement, evaluator, {}, default=3)

    rescore = services.rescore_assessment(assessment, catalogue=newer_catalogue)

    assert (rescore.before.eligible, rescore.after.eligible) == (True, False)
    assert rescore.dropped == ("OWN-5",)
    assert rescore.added == ()
    assert [
        (k.criterion, k.required, k.effective) for k in rescore.after.knockouts
    ] == [("JUR-1", 4, 3)]
    assert Assessment.objects.get(pk=assessment.pk).catalogue == procurement.catalogue


def test_repinning_moves_the_procurement_and_every_assessment(
    procurement, evaluator, lead, newer_catalogue
):
    first = answered(procurement, evaluator, {}, default=3)
    second = answered(procurement, evaluator, {}, default=4)

    services.repin_procurement(procurement, catalogue=newer_catalogue, user=lead)

    procurement.refresh_from_db()
    assert procurement.catalogue == newer_catalogue
    for assessment in (first, second):
        assessment.refresh_from_db()
        assert (assessment.catalogue, assessment.profile.catalogue) == (
            newer_catalogue,
            newer_catalogue,
        )
        assert assessment.answers.count() == 44
        assert not assessment.answers.exclude(
            criterion__catalogue=newer_catalogue
        ).exists()
        assert assessment.global_score == assessment.scorecard().global_score
    assert first.eligible is False  # JUR-1 needs 4 at N3 in version 1.1


def test_after_repinning_the_ranking_and_the_reports_agree(
    procurement, evaluator, lead, newer_catalogue
):
    assessment = answered(procurement, evaluator, {}, default=3)

    services.repin_procurement(procurement, catalogue=newer_catalogue, user=lead)

    procurement.refresh_from_db()
    report = procurement_report(procurement)
    ((row, line),) = report.rows
    assert line.scorecard.global_score == row.assessment.global_score
    assert line.scorecard.version == "1.1"
    assert (
        assessment_report(Assessment.objects.get(pk=assessment.pk)).scorecard.version
        == "1.1"
    )


def test_repinning_is_refused_while_an_assessment_is_submitted(
    procurement, evaluator, lead, newer_catalogue
):
    assessment = answered(procurement, evaluator, {})
    services.submit_assessment(assessment, user=evaluator)

    with pytest.raises(ValidationError, match="back to draft first"):
        services.repin_procurement(procurement, catalogue=newer_catalogue, user=lead)

    assessment.refresh_from_db()
    assert assessment.catalogue == procurement.catalogue


def test_only_a_lead_may_repin_a_procurement(procurement, evaluator, newer_catalogue):
    answered(procurement, evaluator, {})

    with pytest.raises(PermissionDenied):
        services.repin_procurement(
            procurement, catalogue=newer_catalogue, user=evaluator
        )


def test_start_assessment_reads_the_procurement_again(procurement, evaluator, lead):
    stale = Procurement.objects.get(pk=procurement.pk)
    services.close_procurement(procurement, user=lead)
    offer = OfferFactory(provider__organisation=procurement.organisation)

    with pytest.raises(services.ProcurementClosed, match="closed"):
        services.start_assessment(user=evaluator, procurement=stale, offer=offer)


def test_a_provider_name_is_recorded_once_per_organisation(organisation, evaluator):
    services.create_provider(user=evaluator, organisation=organisation, name="Acme")

    with pytest.raises(ValidationError, match="already has a provider"):
        services.create_provider(user=evaluator, organisation=organisation, name="ACME")


def test_updating_a_provider_keeps_a_concurrent_change_to_another_field(
    organisation, evaluator
):
    provider = services.create_provider(
        user=evaluator, organisation=organisation, name="Old"
    )
    stale = Provider.objects.get(pk=provider.pk)
    services.update_provider(provider, user=evaluator, name="New name")

    services.update_provider(stale, user=evaluator, description="New description")

    provider.refresh_from_db()
    assert (provider.name, provider.description) == ("New name", "New description")


def test_a_new_offer_that_cannot_start_leaves_no_provider_behind(
    procurement, evaluator, lead
):
    services.close_procurement(procurement, user=lead)

    with pytest.raises(services.ProcurementClosed, match="closed"):
        services.start_assessment_of_new_offer(
            user=evaluator,
            procurement=procurement,
            provider={"name": "Delta"},
            offer={"name": "Delta IaaS"},
        )

    assert not Provider.objects.filter(name="Delta").exists()


def test_an_evaluator_adds_an_offer_and_a_fact_to_a_provider(organisation, evaluator):
    provider = services.create_provider(
        user=evaluator, organisation=organisation, name="Acme"
    )

    offer = services.create_offer(provider, user=evaluator, name="Acme IaaS")
    fact = services.add_fact(
        provider,
        user=evaluator,
        statement="Acme is owned by Acme Holding SA (FR).",
        as_of="2026-01-01",
        source_title="K-bis extract",
    )

    assert (offer.provider, fact.provider) == (provider, provider)


def test_a_viewer_cannot_edit_a_provider(organisation, evaluator, viewer):
    provider = services.create_provider(
        user=evaluator, organisation=organisation, name="Acme"
    )

    with pytest.raises(PermissionDenied):
        services.update_provider(provider, user=viewer, name="Acme 2")


def test_reference_cases_are_read_only_even_for_leads(lead):
    reference = ProviderFactory(reference_case=True)

    with pytest.raises(PermissionDenied, match="read-only"):
        services.create_offer(reference, user=lead, name="New offer")


def test_an_invalid_provider_gets_a_validation_error(organisation, evaluator):
    with pytest.raises(ValidationError, match="website"):
        services.create_provider(
            user=evaluator, organisation=organisation, name="Acme", website="not a url"
        )
