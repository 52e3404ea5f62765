"""Nothing lost, everything on record: merged saves, the trail and its hash chain."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from procurement import services
from procurement.models import Answer, HistoryChain, HistoryEntry, Membership
from procurement.record import verify_chains
from procurement.services import AnswerData
from tests.conftest import member
from tests.factories import AssessmentFactory, ProviderFactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(organisation, catalogue):
    return AssessmentFactory(procurement__organisation=organisation)


def save(assessment, user, *answers, version=None):
    return services.record_answers(
        assessment,
        user=user,
        version=assessment.version if version is None else version,
        answers=list(answers),
    )


def answer(assessment, code):
    return Answer.objects.get(assessment=assessment, criterion__code=code)


def test_a_save_naming_only_the_level_keeps_evidence_and_texts(assessment, evaluator):
    save(
        assessment,
        evaluator,
        AnswerData(
            "JUR-1",
            level=2,
            evidence="verified",
            justification="Legal opinion, annex 4.",
            evidence_reference="Annex 4",
        ),
    )

    save(
        assessment.__class__.objects.get(pk=assessment.pk),
        evaluator,
        AnswerData("JUR-1", level=4),
    )

    stored = answer(assessment, "JUR-1")
    assert (stored.level, stored.evidence) == (4, "verified")
    assert stored.justification == "Legal opinion, annex 4."
    assert stored.evidence_reference == "Annex 4"


def test_two_people_changing_different_criteria_both_land(assessment, evaluator, lead):
    read_by_both = assessment.version
    save(assessment, evaluator, AnswerData("DAT-1", level=3), version=read_by_both)

    save(assessment, lead, AnswerData("DAT-2", level=1), version=read_by_both)

    assert (answer(assessment, "DAT-1").level, answer(assessment, "DAT-2").level) == (
        3,
        1,
    )


def test_changing_a_criterion_someone_changed_since_is_a_conflict_naming_it(
    assessment, evaluator, lead
):
    read_by_both = assessment.version
    save(assessment, evaluator, AnswerData("DAT-1", level=3), version=read_by_both)

    with pytest.raises(services.AnswerConflict) as conflict:
        save(
            assessment,
            lead,
            AnswerData("DAT-1", level=1),
            AnswerData("DAT-2", level=2),
            version=read_by_both,
        )

    assert conflict.value.criteria == ["DAT-1"]
    assert answer(assessment, "DAT-1").level == 3
    assert not Answer.objects.filter(assessment=assessment, criterion__code="DAT-2")


def test_an_empty_save_is_refused_and_keeps_the_version(assessment, evaluator):
    with pytest.raises(ValidationError):
        save(assessment, evaluator)

    assessment.refresh_from_db()
    assert assessment.version == 1


def test_a_save_that_changes_nothing_keeps_the_version_and_records_nothing(
    assessment, evaluator
):
    saved = save(assessment, evaluator, AnswerData("OWN-1", level=2))
    entries = HistoryEntry.objects.count()

    again = save(saved, evaluator, AnswerData("OWN-1", level=2))

    assert again.version == saved.version
    assert HistoryEntry.objects.count() == entries


def test_every_changed_criterion_is_one_entry_with_its_fields_before_and_after(
    assessment, evaluator
):
    save(assessment, evaluator, AnswerData("OWN-1", level=2, justification="First."))
    saved = assessment.__class__.objects.get(pk=assessment.pk)

    save(saved, evaluator, AnswerData("OWN-1", level=3), AnswerData("OWN-2", level=1))

    entries = list(HistoryEntry.objects.filter(assessment=assessment))
    own1 = [e for e in entries if e.criterion == "OWN-1"]
    assert [e.action for e in own1] == ["answer.changed", "answer.changed"]
    assert own1[0].changes == [{"field": "level", "before": 2, "after": 3}]
    assert own1[0].user == evaluator
    assert {e.criterion for e in entries} >= {"OWN-1", "OWN-2"}


def test_cited_facts_are_recorded_as_ids(assessment, evaluator):
    fact = ProviderFactFactory(provider=assessment.offer.provider)

    save(assessment, evaluator, AnswerData("OWN-1", level=2, facts=[fact.pk]))

    entry = HistoryEntry.objects.get(criterion="OWN-1")
    assert {"field": "facts", "before": None, "after": [fact.pk]} in entry.changes


def test_saving_costs_a_bounded_number_of_queries(
    assessment, evaluator, django_assert_max_num_queries
):
    few = [AnswerData("OWN-1", level=1)]
    many = [AnswerData(c.code, level=2) for c in assessment.catalogue.criteria.all()]
    save(assessment, evaluator, *few)

    with django_assert_max_num_queries(22):
        save(assessment.__class__.objects.get(pk=assessment.pk), evaluator, *many)


def test_the_chain_links_each_entry_to_the_one_before(assessment, evaluator):
    save(assessment, evaluator, AnswerData("OWN-1", level=1), AnswerData("OWN-2", 2))

    entries = list(HistoryEntry.objects.order_by("sequence"))
    head = HistoryChain.objects.get(organisation=assessment.procurement.organisation)
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    assert all(
        later.previous_hash == earlier.hash
        for earlier, later in zip(entries, entries[1:], strict=False)
    )
    assert (head.length, head.last_hash) == (len(entries), entries[-1].hash)
    assert verify_chains() == []


def test_verify_history_names_an_entry_altered_with_raw_sql(assessment, evaluator):
    save(assessment, evaluator, AnswerData("OWN-1", level=1), AnswerData("OWN-2", 2))
    altered = HistoryEntry.objects.get(criterion="OWN-1")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {HistoryEntry._meta.db_table} SET reason = %s WHERE id = %s",
            ["quietly changed", altered.pk],
        )

    with pytest.raises(CommandError):
        call_command("verify_history")

    (broken,) = verify_chains()
    assert broken.sequence == altered.sequence
    assert "altered" in broken.problem


def test_verify_history_finds_a_removed_entry(assessment, evaluator):
    save(assessment, evaluator, AnswerData("OWN-1", level=1), AnswerData("OWN-2", 2))
    first = HistoryEntry.objects.order_by("sequence").first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {HistoryEntry._meta.db_table} WHERE id = %s", [first.pk]
        )

    (broken,) = verify_chains()

    assert broken.sequence == first.sequence
    assert "missing" in broken.problem


def test_verify_history_finds_the_last_entries_cut_off(assessment, evaluator):
    save(assessment, evaluator, AnswerData("OWN-1", level=1), AnswerData("OWN-2", 2))
    last = HistoryEntry.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {HistoryEntry._meta.db_table} WHERE id = %s", [last.pk]
        )

    (broken,) = verify_chains()

    assert "removed" in broken.problem


def test_verify_history_passes_an_intact_record(assessment, evaluator, capsys):
    save(assessment, evaluator, AnswerData("OWN-1", level=1))

    call_command("verify_history")

    assert "History intact" in capsys.readouterr().out


def test_a_user_with_records_cannot_be_deleted(assessment, evaluator):
    from django.db.models import ProtectedError

    save(assessment, evaluator, AnswerData("OWN-1", level=1))

    with pytest.raises(ProtectedError):
        evaluator.delete()


def test_provider_and_offer_changes_are_recorded_with_before_and_after(
    assessment, evaluator
):
    offer = assessment.offer

    services.update_offer(offer, user=evaluator, name="Renamed offer")
    services.update_provider(offer.provider, user=evaluator, parent_name="Holding SA")

    offer_entry = HistoryEntry.objects.get(action="offer.changed")
    provider_entry = HistoryEntry.objects.get(action="provider.changed")
    assert offer_entry.changes == [
        {"field": "name", "before": offer.name, "after": "Renamed offer"}
    ]
    assert provider_entry.changes[0]["after"] == "Holding SA"
    assert offer_entry in HistoryEntry.objects.of_assessment(assessment)


def test_removing_a_certification_is_recorded(assessment, evaluator):
    certification = services.add_certification(
        assessment.offer, user=evaluator, scheme="SecNumCloud 3.2"
    )

    services.remove_certification(certification, user=evaluator)

    removed = HistoryEntry.objects.get(action="certification.removed")
    assert {"field": "scheme", "before": "SecNumCloud 3.2", "after": None} in (
        removed.changes
    )


def test_an_evaluator_cannot_create_an_open_procurement(organisation, evaluator):
    with pytest.raises(PermissionDenied):
        services.create_procurement(
            user=evaluator,
            organisation=organisation,
            title="Payroll",
            profile=organisation_profile(),
            status="open",
        )


def test_an_evaluators_procurement_starts_as_a_draft_a_leads_opens(
    organisation, evaluator, lead
):
    mine = services.create_procurement(
        user=evaluator,
        organisation=organisation,
        title="A",
        profile=organisation_profile(),
    )
    theirs = services.create_procurement(
        user=lead, organisation=organisation, title="B", profile=organisation_profile()
    )

    assert (mine.status, theirs.status) == ("draft", "open")


def organisation_profile():
    from tests.factories import published_profile

    return published_profile()


def test_a_viewer_cannot_save_answers(assessment, organisation):
    viewer = member(organisation, Membership.Role.VIEWER)

    with pytest.raises(PermissionDenied):
        save(assessment, viewer, AnswerData("OWN-1", level=1))


def test_the_record_is_read_only_in_the_admin(admin_client, assessment, evaluator):
    save(assessment, evaluator, AnswerData("OWN-1", level=1))
    entry = HistoryEntry.objects.first()

    listing = admin_client.get("/admin/procurement/historyentry/")
    add = admin_client.get("/admin/procurement/historyentry/add/")
    delete = admin_client.post(
        f"/admin/procurement/historyentry/{entry.pk}/delete/", {"post": "yes"}
    )

    assert (listing.status_code, add.status_code, delete.status_code) == (
        200,
        403,
        403,
    )
    assert HistoryEntry.objects.filter(pk=entry.pk).exists()


def test_an_admin_edit_of_an_offer_is_versioned_with_its_author(
    admin_client, admin_user, assessment
):
    offer = assessment.offer
    admin_client.post(
        f"/admin/procurement/offer/{offer.pk}/change/",
        {
            "name": "Edited in the admin",
            "provider": offer.provider_id,
            "service_model": offer.service_model,
            "deployment_model": offer.deployment_model,
            "regions": "[]",
            "translations": "{}",
            "certifications-TOTAL_FORMS": "0",
            "certifications-INITIAL_FORMS": "0",
        },
    )

    versions = admin_client.get(f"/admin/procurement/offer/{offer.pk}/history/")
    latest = offer.history.first()
    assert (latest.name, latest.history_user) == ("Edited in the admin", admin_user)
    assert versions.status_code == 200


def test_assessments_are_never_deleted_in_the_admin(admin_client, assessment):
    response = admin_client.post(
        f"/admin/procurement/assessment/{assessment.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert assessment.__class__.objects.filter(pk=assessment.pk).exists()
