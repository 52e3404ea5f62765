"""Two assessors saving at the same moment: one wins, the other is told."""

import threading

import pytest
from django.db import connection

from procurement import services
from procurement.models import Answer, Assessment, Membership
from procurement.services import AnswerData, StaleAssessment
from tests.conftest import member
from tests.factories import OfferFactory, ProcurementFactory


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks whole tables across threads; "
    "CI runs this on PostgreSQL, where select_for_update does the work",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_the_same_version_let_exactly_one_through(catalogue):
    procurement = ProcurementFactory()
    alice = member(procurement.organisation, Membership.Role.EVALUATOR)
    bob = member(procurement.organisation, Membership.Role.EVALUATOR)
    offer = OfferFactory(provider__organisation=procurement.organisation)
    assessment = services.start_assessment(
        user=alice, procurement=procurement, offer=offer
    )
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(user, level):
        try:
            barrier.wait()
            services.record_answers(
                assessment, user=user, version=1, answers=[AnswerData("OWN-1", level)]
            )
            outcomes[user.username] = "saved"
        except StaleAssessment as refused:
            outcomes[user.username] = f"stale at {refused.current_version}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=args) for args in ((alice, 1), (bob, 4))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["saved", "stale at 2"]
    assert Assessment.objects.get(pk=assessment.pk).version == 2
    assert Answer.objects.filter(assessment=assessment).count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks whole tables across threads; "
    "CI runs this on PostgreSQL, where select_for_update does the work",
)
@pytest.mark.django_db(transaction=True)
def test_twenty_clients_saving_different_criteria_at_once_all_land_on_record(
    catalogue,
):
    from procurement.models import HistoryEntry
    from procurement.record import verify_chains

    procurement = ProcurementFactory()
    users = [
        member(procurement.organisation, Membership.Role.EVALUATOR) for _ in range(20)
    ]
    offer = OfferFactory(provider__organisation=procurement.organisation)
    assessment = services.start_assessment(
        user=users[0], procurement=procurement, offer=offer
    )
    codes = list(catalogue.criteria.values_list("code", flat=True)[:20])
    barrier = threading.Barrier(len(users))
    retries = []

    def save(user, code):
        try:
            barrier.wait()
            version = 1
            for _attempt in range(50):
                try:
                    services.record_answers(
                        assessment,
                        user=user,
                        version=version,
                        answers=[AnswerData(code, level=3, justification=code)],
                    )
                    return
                except StaleAssessment as refused:  # retried only on a 409
                    retries.append(code)
                    version = refused.current_version
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=pair)
        for pair in zip(users, codes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = dict(
        Answer.objects.filter(assessment=assessment).values_list(
            "criterion__code", "justification"
        )
    )
    changes = HistoryEntry.objects.filter(
        assessment_id=assessment.pk, action="answer.changed"
    )
    assert stored == {code: code for code in codes}
    assert sorted(changes.values_list("criterion", flat=True)) == sorted(codes)
    assert Assessment.objects.get(pk=assessment.pk).version == 21
    assert retries == []
    assert verify_chains() == []
