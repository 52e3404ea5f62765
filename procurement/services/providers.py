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

from ..models import (
    Assessment,
    Certification,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)
from ..record import Action as Recorded
from ..record import Event, changes_between, record
from . import roles
from .roles import Action

# Fields that say when or by whom a row was written: the record has them.
BOOKKEEPING = {"id", "created_at", "updated_at", "translations"}


class ProcurementClosed(Exception):
    """The change would touch a closed procurement: a lead must reopen it first."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "This procurement is closed: nothing in it can change until a "
                "lead reopens it."
            )
        )


def values_of(instance, names=None) -> dict:
    """The fields of a row as the record shows them (foreign keys as ids)."""
    fields = [
        f
        for f in instance._meta.concrete_fields
        if f.name not in BOOKKEEPING and (names is None or f.name in names)
    ]
    return {f.name: getattr(instance, f.attname) for f in fields}


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
    clean_but_unique(provider, field="name")
    with transaction.atomic():
        save_unique(
            provider,
            field="name",
            message=_("Your organisation already has a provider named %(name)s.")
            % {"name": name},
        )
        _record_provider(provider, user, Recorded.PROVIDER_CREATED, {})
    return provider


def clean_but_unique(instance, *, field: str) -> None:
    """``full_clean``, leaving the uniqueness of ``field`` to ``save_unique``.

    Django reports a unique constraint on an expression or on several fields
    for the whole object, and the database's refusal (a race) is reported on
    ``field``: checking it at save only, a clash always comes back one way.
    """
    instance.full_clean(validate_constraints=False)
    instance.validate_constraints(exclude={field})


def save_unique(instance, *, field: str, message: str, **save):
    """Save, turning a uniqueness clash (or a race lost) into a message."""
    try:
        with transaction.atomic():
            instance.save(**save)
    except IntegrityError as exc:
        raise ValidationError({field: ValidationError(message, code="unique")}) from exc
    return instance


def update_provider(provider: Provider, *, user, **fields) -> Provider:
    """Change a provider's record (evaluators and leads of its organisation).

    Only the fields given are written, on a fresh copy read under a lock, so
    that two people editing different fields at once both keep their change.
    """
    roles.require_provider_editor(user, provider)
    with transaction.atomic():
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        before = values_of(locked, fields)
        for name, value in fields.items():
            setattr(locked, name, value)
        clean_but_unique(locked, field="name")
        save_unique(
            locked,
            field="name",
            message=_("Your organisation already has a provider named %(name)s.")
            % {"name": locked.name},
            update_fields=[*fields, "updated_at"],
        )
        _record_provider(locked, user, Recorded.PROVIDER_CHANGED, before, fields)
    return locked


def _record_provider(provider, user, action, before, names=None) -> None:
    changes = changes_between(before, values_of(provider, names))
    if changes:
        record(
            provider.organisation_id,
            user=user,
            events=[
                Event(action, str(provider), provider=provider.pk, changes=changes)
            ],
        )


def add_fact(provider: Provider, *, user, **fields) -> ProviderFact:
    """Record a dated, sourced fact about a provider."""
    roles.require_provider_editor(user, provider)
    fact = ProviderFact(provider=provider, **fields)
    fact.full_clean()
    with transaction.atomic():
        fact.save()
        _touch(Provider, provider.pk)
        record(
            provider.organisation_id,
            user=user,
            events=[
                Event(
                    Recorded.FACT_ADDED,
                    _("Fact about %(provider)s") % {"provider": provider},
                    provider=provider.pk,
                    changes=changes_between({}, values_of(fact)),
                )
            ],
        )
    return fact


def update_fact(fact: ProviderFact, *, user, **fields) -> ProviderFact:
    """Correct a provider's fact (evaluators and leads of its organisation).

    Like ``update_provider``: only the given fields, on a locked fresh copy;
    the record keeps what it said before.
    """
    roles.require_provider_editor(user, fact.provider)
    with transaction.atomic():
        locked = (
            ProviderFact.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=fact.pk)
        )
        before = values_of(locked, fields)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields))
        _touch(Provider, locked.provider_id)
        changes = changes_between(before, values_of(locked, fields))
        if changes:
            record(
                locked.provider.organisation_id,
                user=user,
                events=[
                    Event(
                        Recorded.FACT_CHANGED,
                        _("Fact about %(provider)s") % {"provider": locked.provider},
                        provider=locked.provider_id,
                        changes=changes,
                    )
                ],
            )
    return locked


def _touch(model, pk) -> None:
    """Mark a row changed (``updated_at``) when what it shows changed, for
    the clients that sync what changed since their last run."""
    model.objects.filter(pk=pk).update(updated_at=timezone.now())


def create_offer(provider: Provider, *, user, name: str, **fields) -> Offer:
    """Add a service of a provider that can then be assessed."""
    roles.require_provider_editor(user, provider)
    offer = Offer(provider=provider, name=name, **fields)
    clean_but_unique(offer, field="name")
    with transaction.atomic():
        save_unique(
            offer,
            field="name",
            message=_("This provider already has an offer named %(name)s.")
            % {"name": name},
        )
        _record_offer(offer, user, Recorded.OFFER_CREATED, {})
    return offer


def _record_offer(offer, user, action, before, names=None, reason="") -> None:
    changes = changes_between(before, values_of(offer, names))
    if changes or reason:
        record(
            offer.provider.organisation_id,
            user=user,
            events=[
                Event(
                    action,
                    str(offer),
                    offer=offer.pk,
                    provider=offer.provider_id,
                    changes=changes,
                    reason=reason,
                )
            ],
        )


def require_offer_open(offer: Offer) -> None:
    """Refuse to change an offer that a closed procurement is still assessing."""
    under_closed = Assessment.objects.filter(
        offer=offer, procurement__status=Procurement.Status.CLOSED
    ).exclude(status__in=[Assessment.Status.APPROVED, Assessment.Status.WITHDRAWN])
    if under_closed.exists():
        raise ProcurementClosed(
            _(
                "This offer is under assessment in a closed procurement: it cannot "
                "change until a lead reopens the procurement."
            )
        )


def update_offer(offer: Offer, *, user, **fields) -> Offer:
    """Change an offer (evaluators and leads of its provider's organisation).

    Like ``update_provider``: only the given fields, on a locked fresh copy.
    """
    roles.require_provider_editor(user, offer.provider)
    with transaction.atomic():
        locked = (
            Offer.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=offer.pk)
        )
        require_offer_open(locked)
        before = values_of(locked, fields)
        for name, value in fields.items():
            setattr(locked, name, value)
        clean_but_unique(locked, field="name")
        save_unique(
            locked,
            field="name",
            message=_("This provider already has an offer named %(name)s.")
            % {"name": locked.name},
            update_fields=[*fields, "updated_at"],
        )
        _record_offer(locked, user, Recorded.OFFER_CHANGED, before, fields)
    return locked


def add_certification(offer: Offer, *, user, **fields) -> Certification:
    """Record a certification of an offer (evaluators and leads)."""
    roles.require_provider_editor(user, offer.provider)
    certification = Certification(offer=offer, **fields)
    _check_validity_period(certification)
    certification.full_clean()
    with transaction.atomic():
        require_offer_open(offer)
        certification.save()
        _touch(Offer, offer.pk)
        _record_certification(certification, user, Recorded.CERTIFICATION_ADDED)
    # The offer's draft assessments get what the new certificate presumes.
    # Imported here: presumptions save answers, whose module imports this one.
    from .presumptions import apply_presumptions

    drafts = (
        offer.assessments.filter(status=Assessment.Status.DRAFT)
        .exclude(procurement=None)
        .exclude(procurement__status=Procurement.Status.CLOSED)
        .select_related("catalogue", "offer", "procurement")
    )
    for assessment in drafts:
        apply_presumptions(assessment, user=user)
    return certification


def remove_certification(certification: Certification, *, user) -> None:
    """Delete an offer's certification (evaluators, leads); the record keeps it."""
    roles.require_provider_editor(user, certification.offer.provider)
    with transaction.atomic():
        require_offer_open(certification.offer)
        _record_certification(certification, user, Recorded.CERTIFICATION_REMOVED)
        certification.delete()
        _touch(Offer, certification.offer_id)


def _record_certification(certification: Certification, user, action) -> None:
    values = values_of(certification)
    before, after = (
        ({}, values) if action == Recorded.CERTIFICATION_ADDED else (values, {})
    )
    offer = certification.offer
    record(
        offer.provider.organisation_id,
        user=user,
        events=[
            Event(
                action,
                f"{certification.scheme} · {offer}",
                offer=offer.pk,
                provider=offer.provider_id,
                changes=changes_between(before, after),
            )
        ],
    )


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
