"""What a save stores is what lists, rankings and the sensitivity table read."""

import pytest
from django.core.management import call_command

from procurement import scorecards, sensitivity, services
from procurement.models import Assessment
from scoring import engine
from tests.procurement.api.helpers import add_offers

pytestmark = pytest.mark.django_db


def test_a_save_stores_the_result_under_every_profile(procurement, lead, catalogue):
    add_offers(procurement, lead, 2, catalogue)

    for assessment in procurement.assessments.all():
        spec, inputs = catalogue.to_spec(), assessment.answer_inputs()
        for profile in spec.profiles:
            card = engine.score(spec, profile.code, inputs)
            stored = assessment.profile_results[profile.code]
            assert stored["global_score"] == str(card.global_score)
            assert (stored["trust_level"], stored["eligible"]) == (
                card.trust_level,
                card.eligible,
            )
            assert [k["criterion"] for k in stored["knockouts"]] == [
                k.criterion for k in card.knockouts
            ]


def test_a_save_stores_the_badges(procurement, lead, catalogue):
    add_offers(procurement, lead, 1, catalogue)
    assessment = procurement.assessments.get()

    card = assessment.scorecard()

    assert assessment.binding_criteria == list(card.binding_criteria)
    assert assessment.evidence_gaps == list(card.evidence_gaps)
    assert assessment.answered == card.answered


def test_the_sensitivity_from_snapshots_equals_scoring_the_answers_again(
    procurement, lead, catalogue
):
    add_offers(procurement, lead, 4, catalogue)
    summary = scorecards.procurement_summary(procurement)
    stored = sensitivity.sensitivity(summary)
    Assessment.objects.filter(procurement=procurement).update(profile_results={})

    scored = sensitivity.sensitivity(scorecards.procurement_summary(procurement))

    assert stored == scored


def test_the_procurement_summary_reads_no_answer(
    procurement, lead, catalogue, django_assert_max_num_queries
):
    add_offers(procurement, lead, 3, catalogue)

    with django_assert_max_num_queries(13):
        summary = scorecards.procurement_summary(procurement)
        sensitivity.sensitivity(summary)

    assert len(summary.rows) == 3


def test_refresh_snapshots_stores_what_an_older_snapshot_lacks(
    procurement, lead, catalogue, capsys
):
    add_offers(procurement, lead, 2, catalogue)
    Assessment.objects.update(profile_results={}, binding_criteria=[])

    call_command("refresh_snapshots")

    assert all(a.profile_results for a in Assessment.objects.all())
    assert "2 snapshots stored" in capsys.readouterr().out


def test_an_approved_offer_keeps_its_approved_name_on_the_procurement_page(
    procurement, lead, evaluator, catalogue, organisation
):
    from tests.conftest import member

    add_offers(procurement, evaluator, 1, catalogue)
    assessment = procurement.assessments.get()
    services.submit_assessment(assessment, user=evaluator)
    other_lead = member(organisation, "lead")
    services.approve_assessment(assessment, user=other_lead, reason="Test.")
    name = assessment.offer.name
    services.update_offer(assessment.offer, user=evaluator, name="Renamed later")

    summary = scorecards.procurement_summary(procurement)

    (row, _item) = summary.rows[0]
    assert row.assessment.offer.name == name


def test_a_save_stores_the_unknowns_of_each_pillar(procurement, lead, catalogue):
    add_offers(procurement, lead, 1, catalogue)
    assessment = procurement.assessments.get()
    card = assessment.scorecard()

    stored = scorecards.stored_unknown(assessment)

    assert stored == {
        code: (card.unknown_by_pillar[code], round(share, 1))
        for code, share in card.unknown_share_by_pillar.items()
    }
