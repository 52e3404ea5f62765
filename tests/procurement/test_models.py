"""Constraints that always hold, and who sees what (visible_to)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from procurement.models import (
    Answer,
    Assessment,
    Membership,
    Offer,
    Procurement,
    Provider,
)
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    OfferFactory,
    ProcurementFactory,
    ProviderFactFactory,
    ProviderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def violates(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()
    return True


def test_one_answer_per_criterion_per_assessment(catalogue):
    assessment = AssessmentFactory()
    criterion = catalogue.criteria.get(code="OWN-1")
    Answer.objects.create(assessment=assessment, criterion=criterion, level=2)

    assert violates(
        lambda: Answer.objects.create(
            assessment=assessment, criterion=criterion, level=3
        )
    )


def test_answer_level_above_four_is_refused_by_the_database(catalogue):
    assessment = AssessmentFactory()

    assert violates(
        lambda: Answer.objects.create(
            assessment=assessment,
            criterion=catalogue.criteria.get(code="OWN-1"),
            level=5,
        )
    )


def test_not_applicable_answer_cannot_carry_a_level(catalogue):
    assessment = AssessmentFactory()

    assert violates(
        lambda: Answer.objects.create(
            assessment=assessment,
            criterion=catalogue.criteria.get(code="TEC-5"),
            level=2,
            not_applicable=True,
        )
    )


def test_procurement_reference_is_unique_per_organisation(catalogue, organisation):
    ProcurementFactory(organisation=organisation, reference="T-1")

    assert violates(
        lambda: ProcurementFactory(organisation=organisation, reference="T-1")
    )


def test_same_reference_is_fine_in_another_organisation(catalogue, organisation):
    ProcurementFactory(organisation=organisation, reference="T-1")

    ProcurementFactory(reference="T-1")

    assert Procurement.objects.filter(reference="T-1").count() == 2


def test_blank_references_do_not_collide(catalogue, organisation):
    ProcurementFactory(organisation=organisation, reference="")
    ProcurementFactory(organisation=organisation, reference="")

    assert Procurement.objects.filter(reference="").count() == 2


def test_an_offer_is_assessed_once_per_procurement(catalogue):
    assessment = AssessmentFactory()

    assert violates(
        lambda: AssessmentFactory(
            procurement=assessment.procurement, offer=assessment.offer
        )
    )


def test_a_provider_belongs_to_an_organisation_unless_it_is_a_reference_case(db):
    assert violates(lambda: Provider.objects.create(name="Orphan", organisation=None))


def test_a_fact_period_cannot_end_before_it_starts(db):
    import datetime

    assert violates(
        lambda: ProviderFactFactory(
            as_of=datetime.date(2015, 1, 1), as_of_end=datetime.date(2014, 1, 1)
        )
    )


def test_users_see_their_organisations_procurements_only(
    catalogue, organisation, viewer
):
    mine = ProcurementFactory(organisation=organisation)
    ProcurementFactory()

    assert list(Procurement.objects.visible_to(viewer)) == [mine]


def test_a_user_in_two_organisations_sees_both(catalogue, organisation, viewer):
    other = MembershipFactory(user=viewer, role=Membership.Role.LEAD).organisation
    first = ProcurementFactory(organisation=organisation)
    second = ProcurementFactory(organisation=other)

    assert set(Procurement.objects.visible_to(viewer)) == {first, second}


def test_assessments_visible_are_my_organisations_and_the_reference_cases(
    catalogue, organisation, viewer
):
    mine = AssessmentFactory(procurement__organisation=organisation)
    AssessmentFactory()
    reference_offer = OfferFactory(provider=ProviderFactory(reference_case=True))
    reference = Assessment.objects.create(
        offer=reference_offer,
        procurement=None,
        catalogue=catalogue,
        profile=catalogue.profiles.get(code="N2"),
        as_of="2014-03-31",
    )

    assert set(Assessment.objects.visible_to(viewer)) == {mine, reference}


def test_providers_and_offers_visible_are_mine_and_the_reference_cases(
    organisation, viewer
):
    mine = OfferFactory(provider__organisation=organisation)
    reference = OfferFactory(provider=ProviderFactory(reference_case=True))
    OfferFactory()

    assert set(Offer.objects.visible_to(viewer)) == {mine, reference}
    assert set(Provider.objects.visible_to(viewer)) == {
        mine.provider,
        reference.provider,
    }


def test_visible_to_does_not_duplicate_rows_for_several_members(
    catalogue, organisation, viewer
):
    MembershipFactory(organisation=organisation)
    ProcurementFactory(organisation=organisation)

    assert Procurement.objects.visible_to(viewer).count() == 1


def test_anonymous_sees_nothing(catalogue):
    AssessmentFactory()
    ProviderFactory(reference_case=True)

    assert not Assessment.objects.visible_to(AnonymousUser()).exists()
    assert not Provider.objects.visible_to(AnonymousUser()).exists()


def test_a_user_without_membership_sees_only_reference_cases(catalogue):
    ProcurementFactory()
    reference = ProviderFactory(reference_case=True)

    outsider = UserFactory()

    assert not Procurement.objects.visible_to(outsider).exists()
    assert list(Provider.objects.visible_to(outsider)) == [reference]


def test_the_admin_cannot_repin_an_assessment(admin_client, catalogue):
    assessment = AssessmentFactory()

    page = admin_client.get(f"/admin/procurement/assessment/{assessment.pk}/change/")

    assert page.status_code == 200
    assert 'name="catalogue"' not in page.content.decode()
    assert 'name="profile"' not in page.content.decode()
