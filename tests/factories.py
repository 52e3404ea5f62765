"""factory-boy factories for the procurement domain (deterministic)."""

import datetime

import factory
from django.contrib.auth import get_user_model

from procurement.models import (
    Assessment,
    Membership,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)
from scoring.models import Catalogue


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("secret-password")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Ministry {n}")
    kind = Organisation.Kind.MINISTRY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.EVALUATOR


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Provider {n}")
    country = "FR"

    class Params:
        reference_case = factory.Trait(
            organisation=None,
            is_reference_case=True,
            reference_key=factory.Sequence(lambda n: f"reference-{n}"),
        )


class ProviderFactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderFact

    provider = factory.SubFactory(ProviderFactory)
    key = factory.Sequence(lambda n: f"fact-{n}")
    statement = "The provider is majority-owned by an EU company."
    as_of = datetime.date(2014, 3, 1)
    source_title = "Annual report"
    source_url = "https://example.org/report"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Offer {n}")


def published_profile(code="N3"):
    catalogue = Catalogue.objects.latest_published("cloud-of-trust")
    return catalogue.profiles.get(code=code)


class ProcurementFactory(factory.django.DjangoModelFactory):
    """Needs the bundled catalogue loaded (the ``catalogue`` fixture)."""

    class Meta:
        model = Procurement

    organisation = factory.SubFactory(OrganisationFactory)
    title = "Hosting of the payroll system"
    reference = factory.Sequence(lambda n: f"T-{n:04d}")
    profile = factory.LazyFunction(published_profile)
    catalogue = factory.SelfAttribute("profile.catalogue")


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    procurement = factory.SubFactory(ProcurementFactory)
    offer = factory.SubFactory(
        OfferFactory,
        provider__organisation=factory.SelfAttribute("...procurement.organisation"),
    )
    catalogue = factory.SelfAttribute("procurement.catalogue")
    profile = factory.SelfAttribute("procurement.profile")
    as_of = datetime.date(2026, 11, 1)


def stored_bytes(field_file) -> bytes:
    """The content of a stored file, closed afterwards."""
    with field_file.open("rb") as handle:
        return handle.read()
