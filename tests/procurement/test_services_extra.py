"""Services for certifications, editing a procurement and its status."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement import services
from procurement.models import Certification, Procurement
from tests.factories import (
    OfferFactory,
    ProcurementFactory,
    ProviderFactory,
    published_profile,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


# Certifications --------------------------------------------------------------


def test_an_evaluator_adds_a_certification(offer, evaluator):
    certification = services.add_certification(
        offer,
        user=evaluator,
        scheme="SecNumCloud 3.2",
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2027, 12, 31),
    )

    assert list(offer.certifications.values_list("pk", "scheme")) == [
        (certification.pk, "SecNumCloud 3.2")
    ]


def test_a_viewer_cannot_add_or_remove_a_certification(offer, viewer):
    certification = Certification.objects.create(offer=offer, scheme="HDS")

    with pytest.raises(PermissionDenied):
        services.add_certification(offer, user=viewer, scheme="ISO 27001")
    with pytest.raises(PermissionDenied):
        services.remove_certification(certification, user=viewer)

    assert list(offer.certifications.values_list("scheme", flat=True)) == ["HDS"]


def test_a_reference_cases_certifications_are_read_only(lead):
    offer = OfferFactory(provider=ProviderFactory(reference_case=True))
    certification = Certification.objects.create(offer=offer, scheme="HDS")

    with pytest.raises(PermissionDenied, match="read-only"):
        services.add_certification(offer, user=lead, scheme="ISO 27001")
    with pytest.raises(PermissionDenied, match="read-only"):
        services.remove_certification(certification, user=lead)


def test_a_certification_ending_before_it_starts_is_refused_on_valid_to(
    offer, evaluator
):
    with pytest.raises(ValidationError) as refused:
        services.add_certification(
            offer,
            user=evaluator,
            scheme="C5",
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2025, 1, 1),
        )

    assert refused.value.message_dict == {
        "valid_to": ["A certification cannot end before it starts."]
    }
    assert not offer.certifications.exists()


def test_a_certification_needs_a_scheme(offer, evaluator):
    with pytest.raises(ValidationError) as refused:
        services.add_certification(offer, user=evaluator, scheme="")

    assert list(refused.value.message_dict) == ["scheme"]


def test_an_evaluator_removes_a_certification(offer, evaluator):
    certification = Certification.objects.create(offer=offer, scheme="HDS")

    services.remove_certification(certification, user=evaluator)

    assert not offer.certifications.exists()


def test_a_certification_is_expired_only_after_its_last_day(offer):
    for scheme, valid_to in [
        ("Lapsed", datetime.date(2026, 5, 31)),
        ("Last day", TODAY),
        ("Open-ended", None),
    ]:
        Certification.objects.create(offer=offer, scheme=scheme, valid_to=valid_to)

    annotated = services.certifications_with_expiry(TODAY)

    assert list(annotated.values_list("scheme", "expired")) == [
        ("Lapsed", True),
        ("Last day", False),
        ("Open-ended", False),
    ]


# Editing a procurement -------------------------------------------------------


def test_an_evaluator_edits_a_procurements_texts_and_deadline(procurement, evaluator):
    updated = services.update_procurement(
        procurement,
        user=evaluator,
        title="Archive hosting",
        reference="T-2",
        description="Ten years of archives.",
        deadline=datetime.date(2027, 3, 31),
    )

    procurement.refresh_from_db()
    assert (
        procurement.title,
        procurement.reference,
        procurement.description,
        procurement.deadline,
    ) == (
        "Archive hosting",
        "T-2",
        "Ten years of archives.",
        datetime.date(2027, 3, 31),
    )
    assert updated.pk == procurement.pk


def test_a_viewer_cannot_edit_a_procurement(procurement, viewer):
    with pytest.raises(PermissionDenied):
        services.update_procurement(procurement, user=viewer, title="Changed")

    procurement.refresh_from_db()
    assert procurement.title == "Hosting of the payroll system"


def test_the_profile_can_change_while_no_offer_is_assessed(procurement, evaluator):
    n2 = published_profile("N2")

    services.update_procurement(procurement, user=evaluator, profile=n2)

    procurement.refresh_from_db()
    assert (procurement.profile, procurement.catalogue) == (n2, n2.catalogue)


def test_the_profile_is_pinned_once_an_offer_is_assessed(procurement, evaluator, offer):
    services.start_assessment(user=evaluator, procurement=procurement, offer=offer)

    with pytest.raises(ValidationError) as refused:
        services.update_procurement(
            procurement, user=evaluator, profile=published_profile("N2")
        )

    assert list(refused.value.message_dict) == ["profile"]
    procurement.refresh_from_db()
    assert procurement.profile.code == "N3"


def test_the_same_profile_is_accepted_once_an_offer_is_assessed(
    procurement, evaluator, offer
):
    services.start_assessment(user=evaluator, procurement=procurement, offer=offer)

    services.update_procurement(
        procurement, user=evaluator, profile=procurement.profile, title="Renamed"
    )

    procurement.refresh_from_db()
    assert procurement.title == "Renamed"


def test_a_reference_taken_in_the_organisation_is_refused_on_reference(
    procurement, evaluator
):
    ProcurementFactory(organisation=procurement.organisation, reference="T-9")

    with pytest.raises(ValidationError) as refused:
        services.update_procurement(procurement, user=evaluator, reference="T-9")

    assert list(refused.value.message_dict) == ["reference"]
    assert "already has a procurement with this reference" in str(refused.value)


def test_only_the_editable_fields_can_change(procurement, lead):
    with pytest.raises(TypeError, match="status"):
        services.update_procurement(procurement, user=lead, status="closed")


# Opening and closing ---------------------------------------------------------


def test_a_lead_closes_then_reopens_a_procurement(procurement, lead):
    closed = services.close_procurement(procurement, user=lead)
    reopened = services.open_procurement(procurement, user=lead)

    assert (closed.status, reopened.status) == ("closed", "open")


def test_a_closed_procurement_refuses_new_offers(procurement, lead, offer):
    services.close_procurement(procurement, user=lead)
    procurement.refresh_from_db()

    with pytest.raises(services.ProcurementClosed, match="closed"):
        services.start_assessment(user=lead, procurement=procurement, offer=offer)


@pytest.mark.parametrize("role", ["evaluator", "viewer"])
def test_only_a_lead_opens_or_closes(procurement, role, request):
    user = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        services.close_procurement(procurement, user=user)

    procurement.refresh_from_db()
    assert procurement.status == Procurement.Status.OPEN


def test_closing_a_closed_procurement_says_so(procurement, lead):
    services.close_procurement(procurement, user=lead)

    with pytest.raises(ValidationError, match="already closed"):
        services.close_procurement(procurement, user=lead)


def test_opening_an_open_procurement_says_so(procurement, lead):
    with pytest.raises(ValidationError, match="already open"):
        services.open_procurement(procurement, user=lead)


def test_a_draft_procurement_opens(catalogue, organisation, lead):
    draft = ProcurementFactory(organisation=organisation, status="draft")

    assert services.open_procurement(draft, user=lead).status == "open"
