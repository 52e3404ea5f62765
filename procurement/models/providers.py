"""Providers with their dated, sourced facts, their offers and certifications."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scoring import engine

from ..validators import validate_country_code, validate_not_in_the_future
from .localized import Localized
from .organisations import Organisation, member_organisations


class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's organisations' providers, plus the reference cases."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(organisation_id__in=member_organisations(user))
            | Q(organisation__isnull=True, is_reference_case=True)
        )

    def reference_cases(self):
        return self.filter(is_reference_case=True)


class Provider(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CEASED = "ceased", _("Ceased")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="providers",
        help_text=_("The buyer who keeps this record; empty for reference cases."),
    )
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    country = models.CharField(
        _("country of registered office"),
        max_length=2,
        blank=True,
        validators=[validate_country_code],
    )
    parent_name = models.CharField(_("ultimate parent"), max_length=200, blank=True)
    parent_country = models.CharField(
        _("country of the ultimate parent"),
        max_length=2,
        blank=True,
        validators=[validate_country_code],
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    ceased_on = models.DateField(_("ceased on"), null=True, blank=True)
    # How precisely the sources date the founding and the end: a company known
    # to have ended "in 2016" must not be shown as ending on 1 January 2016.
    founded_precision = models.CharField(
        _("founding date precision"), max_length=5, default="day"
    )
    ceased_precision = models.CharField(
        _("end date precision"), max_length=5, default="day"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    website = models.URLField(_("website"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_reference_case = models.BooleanField(_("reference case"), default=False)
    reference_key = models.SlugField(max_length=64, unique=True, null=True, blank=True)
    lesson = models.TextField(_("lesson for buyers"), blank=True)
    warning_signs = models.JSONField(
        _("warning signs"),
        default=list,
        blank=True,
        help_text=_(
            "Reference cases: where the case failed, as criteria, the level at "
            "or below which an offer shares the sign, and the fact that shows "
            "what happened."
        ),
    )
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderQuerySet.as_manager()

    description_i18n = Localized("description")
    lesson_i18n = Localized("lesson")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "organisation",
                name="provider_name_unique_per_organisation",
                violation_error_message=_(
                    "Your organisation already has a provider with this name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_reference_case=True, organisation__isnull=True)
                | Q(is_reference_case=False, organisation__isnull=False),
                name="provider_owned_unless_reference_case",
            ),
            models.CheckConstraint(
                condition=Q(ceased_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(ceased_on__gte=models.F("founded_on")),
                name="provider_ceases_after_founding",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procurement:provider-detail", args=[self.pk])

    def clean(self):
        taken = Provider.objects.filter(
            organisation_id=self.organisation_id, name__iexact=self.name
        ).exclude(pk=self.pk)
        if self.organisation_id and taken.exists():
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("Your organisation already has a provider with this name."),
                        code="unique",
                    )
                }
            )


class ProviderFact(models.Model):
    class Category(models.TextChoices):
        OWNERSHIP = "ownership", _("Ownership")
        FUNDING = "funding", _("Funding")
        GOVERNANCE = "governance", _("Governance")
        TECHNOLOGY = "technology", _("Technology")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        CERTIFICATION = "certification", _("Certification")
        COMMERCIAL = "commercial", _("Commercial")
        FINANCIALS = "financials", _("Financials")
        CHANGE_OF_CONTROL = "change_of_control", _("Change of control")
        END_OF_SERVICE = "end_of_service", _("End of service")
        MIGRATION = "migration", _("Migration")
        OTHER = "other", _("Other")

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    class Confidence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="facts"
    )
    key = models.SlugField(max_length=64, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    statement = models.TextField(_("statement"))
    as_of = models.DateField(_("as of"), validators=[validate_not_in_the_future])
    as_of_end = models.DateField(_("until"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    source_title = models.CharField(_("source title"), max_length=300)
    source_publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    source_date = models.DateField(
        _("source date"),
        null=True,
        blank=True,
        validators=[validate_not_in_the_future],
    )
    # When the fact became public, which is not the period it describes: a
    # revenue of 2013 published in 2015 was not knowable in 2014.
    published_on = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_("When the fact first became public; empty: its source date."),
        validators=[validate_not_in_the_future],
    )
    confidence = models.CharField(
        _("confidence"),
        max_length=6,
        choices=Confidence.choices,
        default=Confidence.MEDIUM,
    )
    verify = models.BooleanField(
        _("to verify"), default=False, help_text=_("Sources disagree or are weak.")
    )
    note = models.TextField(_("note"), blank=True)
    translations = models.JSONField(default=dict, blank=True)

    statement_i18n = Localized("statement")
    note_i18n = Localized("note")

    history = HistoricalRecords()

    class Meta:
        ordering = ["as_of", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "key"],
                condition=~Q(key=""),
                name="fact_key_unique_per_provider",
            ),
            models.CheckConstraint(
                condition=Q(as_of_end__isnull=True)
                | Q(as_of_end__gte=models.F("as_of")),
                name="fact_period_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.provider}: {self.statement[:60]}"

    @property
    def public_since(self):
        """When a buyer could first read it: published, else sourced, else dated."""
        return self.published_on or self.source_date or self.as_of

    def known_on(self, day) -> bool:
        """Whether a buyer could know this fact on ``day``."""
        return self.public_since <= day


class OfferQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(provider__organisation_id__in=member_organisations(user))
            | Q(provider__organisation__isnull=True, provider__is_reference_case=True)
        )


class Offer(models.Model):
    class ServiceModel(models.TextChoices):
        IAAS = "iaas", "IaaS"
        PAAS = "paas", "PaaS"
        SAAS = "saas", "SaaS"
        STORAGE = "storage", _("Storage")

    class DeploymentModel(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")
        COMMUNITY = "community", _("Community")
        HYBRID = "hybrid", _("Hybrid")

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="offers"
    )
    name = models.CharField(_("name"), max_length=200)
    service_model = models.CharField(
        _("service model"),
        max_length=10,
        choices=ServiceModel.choices,
        default=ServiceModel.IAAS,
    )
    deployment_model = models.CharField(
        _("deployment model"),
        max_length=10,
        choices=DeploymentModel.choices,
        default=DeploymentModel.PUBLIC,
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    name_i18n = Localized("name")
    description_i18n = Localized("description")

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider__name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"], name="offer_name_unique_per_provider"
            ),
        ]

    def __str__(self):
        return f"{self.provider.name} - {self.name}"


class Certification(models.Model):
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="certifications"
    )
    scheme = models.CharField(
        _("scheme"),
        max_length=100,
        help_text=_("e.g. SecNumCloud 3.2, ISO 27001, HDS, C5"),
    )
    scheme_code = models.CharField(
        _("scheme code"),
        max_length=64,
        blank=True,
        help_text=_("The catalogue's code, e.g. secnumcloud-3.2: presumes its levels."),
    )
    covers_offer = models.BooleanField(
        _("covers the whole offer"),
        default=True,
        help_text=_("Untick if the certificate's scope leaves part of the offer out."),
    )
    scope = models.TextField(_("scope"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["offer", "scheme"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="certification_valid_to_after_valid_from",
            ),
        ]

    def __str__(self):
        return f"{self.scheme} ({self.offer})"

    def as_input(self):
        """This certificate as the presumption rules read it."""
        return engine.CertificateInput(
            self.pk, self.scheme_code, self.valid_from, self.valid_to, self.covers_offer
        )
