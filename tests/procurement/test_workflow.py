"""Four eyes, frozen approvals, closed procurements, withdrawals, rankings."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement import services
from procurement.exports import export_assessment
from procurement.models import Assessment, HistoryEntry, Membership, Procurement
from procurement.services import AnswerData
from tests.conftest import member
from tests.factories import AssessmentFactory, ProviderFactFactory, published_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_lead(organisation):
    return member(organisation, Membership.Role.LEAD)


def complete(assessment, user, **fields):
    """Answer every criterion (level 3, verified unless said otherwise)."""
    answers = [
        AnswerData(c.code, level=3, evidence="verified", **fields)
        for c in assessment.catalogue.criteria.all()
    ]
    return services.record_answers(
        assessment, user=user, version=assessment.version, answers=answers
    )


@pytest.fixture
def submitted(organisation, evaluator, catalogue):
    assessment = AssessmentFactory(procurement__organisation=organisation)
    complete(assessment, evaluator)
    return services.submit_assessment(assessment, user=evaluator)


def test_the_submitter_cannot_approve_under_four_eyes(organisation, lead, catalogue):
    assessment = AssessmentFactory(procurement__organisation=organisation)
    complete(assessment, lead)
    submitted = services.submit_assessment(assessment, user=lead)

    with pytest.raises(PermissionDenied, match="four-eyes"):
        services.approve_assessment(submitted, user=lead)


def test_another_lead_approves(submitted, lead):
    approved = services.approve_assessment(submitted, user=lead)

    assert approved.status == "approved"
    assert not approved.approved_by_submitter


def test_with_four_eyes_off_the_submitter_approves_and_it_says_so(
    organisation, lead, catalogue
):
    services.set_four_eyes(
        organisation, user=lead, enabled=False, reason="One-person team."
    )
    assessment = AssessmentFactory(procurement__organisation=organisation)
    complete(assessment, lead)
    submitted = services.submit_assessment(assessment, user=lead)

    approved = services.approve_assessment(submitted, user=lead)

    assert approved.approved_by_submitter
    setting = HistoryEntry.objects.get(action="organisation.changed")
    assert (setting.reason, setting.changes[0]["after"]) == ("One-person team.", False)
    document = json.loads(export_assessment(approved, "json").content)
    assert document["approved_by_submitter"] is True


def test_turning_four_eyes_off_needs_a_reason(organisation, lead):
    with pytest.raises(ValidationError):
        services.set_four_eyes(organisation, user=lead, enabled=False)


def test_an_incomplete_assessment_is_approved_only_with_a_reason(
    organisation, evaluator, lead, catalogue
):
    assessment = AssessmentFactory(procurement__organisation=organisation)
    submitted = services.submit_assessment(assessment, user=evaluator)

    with pytest.raises(ValidationError):
        services.approve_assessment(submitted, user=lead)
    approved = services.approve_assessment(
        submitted, user=lead, reason="The bidder declined to answer the rest."
    )

    entry = HistoryEntry.objects.get(action="assessment.approved")
    assert approved.status == "approved"
    assert entry.reason == "The bidder declined to answer the rest."


def test_approval_freezes_the_report_and_its_digest(submitted, lead, evaluator):
    fact = ProviderFactFactory(provider=submitted.offer.provider)
    approved = services.approve_assessment(submitted, user=lead)
    before = json.loads(export_assessment(approved, "json").content)

    services.update_offer(approved.offer, user=evaluator, name="Renamed")
    services.update_provider(
        approved.offer.provider, user=evaluator, parent_name="Other parent"
    )
    services.add_fact(
        approved.offer.provider,
        user=evaluator,
        key="late",
        statement="Back-dated claim.",
        as_of=fact.as_of,
        source_title="x",
        source_url="https://example.org/x",
    )
    after = json.loads(
        export_assessment(Assessment.objects.get(pk=approved.pk), "json").content
    )

    assert after["digest"] == before["digest"]
    assert after["inputs"]["offer"] == before["inputs"]["offer"] != "Renamed"


def test_the_changes_since_approval_are_listed(submitted, lead, evaluator):
    from procurement.approvals import changes_since_approval

    approved = services.approve_assessment(submitted, user=lead)
    services.update_offer(approved.offer, user=evaluator, name="Renamed")

    (difference,) = changes_since_approval(Assessment.objects.get(pk=approved.pk))

    assert (difference.at_approval, difference.now) == (approved.offer.name, "Renamed")


def test_reopening_an_approved_assessment_needs_a_reason(submitted, lead):
    approved = services.approve_assessment(submitted, user=lead)

    with pytest.raises(ValidationError):
        services.reopen_assessment(approved, user=lead)
    reopened = services.reopen_assessment(approved, user=lead, reason="New evidence.")

    assert reopened.status == "draft"
    assert reopened.approval_record is None
    assert HistoryEntry.objects.get(action="assessment.reopened").reason == (
        "New evidence."
    )


def test_an_evaluator_cannot_reopen(submitted, evaluator):
    with pytest.raises(PermissionDenied):
        services.reopen_assessment(submitted, user=evaluator, reason="x")


def test_a_withdrawn_offer_leaves_the_ranking_and_stays_on_record(submitted, lead):
    services.withdraw_assessment(submitted, user=lead, reason="Bidder withdrew.")

    ranking = services.rank_procurement(submitted.procurement)

    assert ranking.rows == ()
    assert [a.pk for a in ranking.withdrawn] == [submitted.pk]
    assert Assessment.objects.filter(pk=submitted.pk).exists()


def test_withdrawing_needs_a_reason(submitted, lead):
    with pytest.raises(ValidationError):
        services.withdraw_assessment(submitted, user=lead)


def test_the_ranking_is_provisional_until_every_ranked_assessment_is_approved(
    submitted, lead
):
    assert services.rank_procurement(submitted.procurement).provisional

    services.approve_assessment(submitted, user=lead)

    assert not services.rank_procurement(submitted.procurement).provisional


@pytest.mark.parametrize(
    "change",
    [
        lambda a, u: services.record_answers(
            a, user=u, version=a.version, answers=[AnswerData("OWN-1", level=1)]
        ),
        lambda a, u: services.submit_assessment(a, user=u),
        lambda a, u: services.update_offer(a.offer, user=u, name="New name"),
        lambda a, u: services.add_certification(a.offer, user=u, scheme="HDS"),
    ],
)
def test_nothing_changes_in_a_closed_procurement(
    organisation, evaluator, lead, catalogue, change
):
    assessment = AssessmentFactory(procurement__organisation=organisation)
    services.close_procurement(assessment.procurement, user=lead)

    with pytest.raises(services.ProcurementClosed):
        change(Assessment.objects.get(pk=assessment.pk), evaluator)


def test_a_lead_reopens_a_closed_procurement_and_work_resumes(
    organisation, evaluator, lead, catalogue
):
    assessment = AssessmentFactory(procurement__organisation=organisation)
    services.close_procurement(assessment.procurement, user=lead)

    services.open_procurement(assessment.procurement, user=lead, reason="Extension.")
    saved = services.record_answers(
        assessment, user=evaluator, version=1, answers=[AnswerData("OWN-1", level=1)]
    )

    assert saved.version == 2
    assert HistoryEntry.objects.get(action="procurement.opened").reason == "Extension."


def test_a_draft_procurement_with_nothing_submitted_may_be_deleted(
    organisation, lead, evaluator, catalogue
):
    procurement = services.create_procurement(
        user=evaluator,
        organisation=organisation,
        title="Draft",
        profile=published_profile("N2"),
    )

    services.delete_procurement(procurement, user=lead, reason="Duplicate.")

    assert not Procurement.objects.filter(pk=procurement.pk).exists()
    entry = HistoryEntry.objects.get(action="procurement.deleted")
    assert (entry.procurement_id, entry.reason) == (procurement.pk, "Duplicate.")


def test_a_procurement_with_a_submitted_assessment_cannot_be_deleted(submitted, lead):
    procurement = submitted.procurement
    Procurement.objects.filter(pk=procurement.pk).update(status="draft")
    procurement.refresh_from_db()

    with pytest.raises(ValidationError):
        services.delete_procurement(procurement, user=lead)
