"""Providers, their dated facts, their offers and the offers' certifications.

The register a buyer keeps of who sells what. Evaluators and leads of the
provider's organisation write it; the reference cases are read-only.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Certification, Offer, Organisation, Provider, ProviderFact
from . import roles
from .roles import Action


def create_provider(
    *, user, organisation: Organisation, name: str, **fields
) -> Provider:
    """Record a provider in an organisation's register (evaluators and leads).

    A name is recorded once per organisation (whatever its case), so that a
    double submit or a second colleague does not split one provider's facts
    and offers over two records.
    """
    roles.require(user, Action.EDIT, organisation)
    provider = Provider(organisation=organisation, name=name, **fields)
    provider.full_clean()
    return save_unique(
        provider,
        field="name",
        message=_("Your organisation already has a provider named %(name)s.")
        % {"name": name},
    )


def save_unique(instance, *, field: str, message: str, **save):
    """Save, turning a uniqueness race lost to another request into a message."""
    try:
        with transaction.atomic():
            instance.save(**save)
    except IntegrityError as exc:
        raise ValidationError({field: message}) from exc
    return instance


def update_provider(provider: Provider, *, user, **fields) -> Provider:
    """Change a provider's record (evaluators and leads of its organisation).

    Only the fields given are written, on a fresh copy read under a lock, so
    that two people editing different fields at once both keep their change.
    """
    roles.require_provider_editor(user, provider)
    with transaction.atomic():
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=[*fields, "updated_at"])
    return locked


def add_fact(provider: Provider, *, user, **fields) -> ProviderFact:
    """Record a dated, sourced fact about a provider."""
    roles.require_provider_editor(user, provider)
    fact = ProviderFact(provider=provider, **fields)
    fact.full_clean()
    fact.save()
    return fact


def create_offer(provider: Provider, *, user, name: str, **fields) -> Offer:
    """Add a service of a provider that can then be assessed."""
    roles.require_provider_editor(user, provider)
    offer = Offer(provider=provider, name=name, **fields)
    offer.full_clean()
    offer.save()
    return offer


def update_offer(offer: Offer, *, user, **fields) -> Offer:
    """Change an offer (evaluators and leads of its provider's organisation).

    Like ``update_provider``: only the given fields, on a locked fresh copy.
    """
    roles.require_provider_editor(user, offer.provider)
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields))
    return locked


def add_certification(offer: Offer, *, user, **fields) -> Certification:
    """Record a certification of an offer (evaluators and leads)."""
    roles.require_provider_editor(user, offer.provider)
    certification = Certification(offer=offer, **fields)
    _check_validity_period(certification)
    certification.full_clean()
    certification.save()
    return certification


def remove_certification(certification: Certification, *, user) -> None:
    """Delete a certification of an offer (evaluators and leads)."""
    roles.require_provider_editor(user, certification.offer.provider)
    certification.delete()


def certifications_with_expiry(
    today: datetime.date | None = None,
) -> QuerySet[Certification]:
    """Certifications annotated with ``expired`` (valid_to before today)."""
    today = today or timezone.localdate()
    return Certification.objects.annotate(
        expired=ExpressionWrapper(
            Q(valid_to__isnull=False, valid_to__lt=today),
            output_field=BooleanField(),
        )
    ).order_by("scheme", "pk")


def _check_validity_period(certification: Certification) -> None:
    """Say which field is wrong, rather than the constraint's generic message."""
    start, end = certification.valid_from, certification.valid_to
    if start and end and end < start:
        raise ValidationError(
            {"valid_to": _("A certification cannot end before it starts.")}
        )
