"""Who assesses what: organisations and their members, providers and their
dated facts, offers, procurements, assessments and their answers.

Reads that views, the API and exports share are QuerySet methods, above all
``visible_to(user)``: a user sees their organisations' work plus the reference
cases, nothing else. Workflows that change several rows (answering, submitting,
approving, ranking, re-scoring) live in ``services.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from scoring import engine
from scoring.models import LEVEL_CHOICES, Catalogue, Criterion, Profile


class Localized:
    """Read a free-text field in the active language from ``translations``.

    User-entered text is stored as typed; shipped content such as the
    reference cases also carries a French version in
    ``translations = {"fr": {"statement": ...}}``.
    """

    def __init__(self, field: str):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        language = (get_language() or "en")[:2]
        translated = (instance.translations or {}).get(language, {}).get(self.field)
        return translated or getattr(instance, self.field)


class OrganisationQuerySet(models.QuerySet):
    def of_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        HOSPITAL = "hospital", _("Hospital")
        COMPANY = "company", _("Company")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER
    )
    country = models.CharField(_("country"), max_length=2, default="FR")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        VIEWER = "viewer", _("Viewer")
        EVALUATOR = "evaluator", _("Evaluator")
        LEAD = "lead", _("Lead")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="one_membership_per_user_and_organisation",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["viewer", "evaluator", "lead"]),
                name="membership_role_known",
            ),
        ]

    def __str__(self):
        return f"{self.user} - {self.organisation} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in (self.Role.EVALUATOR, self.Role.LEAD)


class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's organisations' providers, plus the reference cases."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(organisation__memberships__user=user) | Q(is_reference_case=True)
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
        _("country of registered office"), max_length=2, blank=True
    )
    parent_name = models.CharField(_("ultimate parent"), max_length=200, blank=True)
    parent_country = models.CharField(
        _("country of the ultimate parent"), max_length=2, blank=True
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    ceased_on = models.DateField(_("ceased on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    website = models.URLField(_("website"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_reference_case = models.BooleanField(_("reference case"), default=False)
    reference_key = models.SlugField(max_length=64, unique=True, null=True, blank=True)
    lesson = models.TextField(_("lesson for buyers"), blank=True)
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderQuerySet.as_manager()

    description_i18n = Localized("description")
    lesson_i18n = Localized("lesson")

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
                {"name": _("Your organisation already has a provider with this name.")}
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
    as_of = models.DateField(_("as of"))
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
    source_date = models.DateField(_("source date"), null=True, blank=True)
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


class OfferQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(provider__organisation__memberships__user=user)
            | Q(provider__is_reference_case=True)
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

    objects = OfferQuerySet.as_manager()

    name_i18n = Localized("name")
    description_i18n = Localized("description")

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
    scope = models.TextField(_("scope"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

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


class ProcurementQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user)


class Procurement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="procurements"
    )
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    description = models.TextField(_("description"), blank=True)
    catalogue = models.ForeignKey(
        Catalogue,
        on_delete=models.PROTECT,
        related_name="procurements",
        verbose_name=_("catalogue"),
    )
    profile = models.ForeignKey(
        Profile,
        on_delete=models.PROTECT,
        related_name="procurements",
        verbose_name=_("profile"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcurementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                condition=~Q(reference=""),
                name="procurement_reference_unique_per_organisation",
                violation_error_message=_(
                    "This organisation already has a procurement with this reference."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("procurement:procurement-detail", args=[self.pk])

    def clean(self):
        if (
            self.profile_id
            and self.catalogue_id
            and self.profile.catalogue_id != self.catalogue_id
        ):
            raise ValidationError(
                {"profile": _("The profile must belong to the catalogue.")}
            )
        taken = Procurement.objects.filter(
            organisation_id=self.organisation_id, reference=self.reference
        ).exclude(pk=self.pk)
        if self.reference and taken.exists():
            # Said here, on the field, rather than by the constraint (which
            # can only name the whole form).
            raise ValidationError(
                {
                    "reference": _(
                        "This organisation already has a procurement with this "
                        "reference."
                    )
                }
            )


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's organisations' assessments, plus the reference cases."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(procurement__organisation__memberships__user=user)
            | Q(procurement__isnull=True, offer__provider__is_reference_case=True)
        )

    def reference_cases(self):
        return self.filter(
            procurement__isnull=True, offer__provider__is_reference_case=True
        )

    def with_context(self):
        """Join what every list of assessments shows: offer, provider, profile."""
        return self.select_related(
            "offer__provider", "profile", "catalogue", "procurement__organisation"
        )


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="assessments"
    )
    procurement = models.ForeignKey(
        Procurement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        help_text=_("Empty only for the reference cases."),
    )
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.PROTECT, related_name="assessments"
    )
    profile = models.ForeignKey(
        Profile, on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    as_of = models.DateField(_("as of"), help_text=_("The date the facts describe."))
    summary = models.TextField(_("summary"), blank=True)
    translations = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised on every change, to refuse stale edits.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    # The stored snapshot of the scorecard, refreshed in the same transaction
    # as the answers it reflects, so that lists and rankings never recompute.
    global_score = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("0.0")
    )
    global_score_claimed = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("0.0")
    )
    trust_level = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=LEVEL_CHOICES
    )
    eligible = models.BooleanField(default=False)
    highest_profile_passed = models.CharField(max_length=8, blank=True)
    completeness = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("0.0")
    )
    pillar_scores = models.JSONField(default=list, blank=True)
    failed_knockouts = models.JSONField(default=list, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    summary_i18n = Localized("summary")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "offer"],
                name="one_assessment_per_offer_and_procurement",
            ),
            models.CheckConstraint(
                condition=Q(global_score__gte=0, global_score__lte=100),
                name="assessment_global_score_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(trust_level__isnull=True)
                | Q(trust_level__lte=engine.MAX_LEVEL),
                name="assessment_trust_level_0_to_4",
            ),
        ]

    def __str__(self):
        return f"{self.offer} ({self.profile.code})"

    def get_absolute_url(self):
        return reverse("procurement:assessment-detail", args=[self.pk])

    @property
    def is_reference_case(self) -> bool:
        return self.procurement_id is None

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT and not self.is_reference_case

    def answer_inputs(self) -> list[engine.AnswerInput]:
        """Stored answers as engine inputs (one query, joined to the criteria)."""
        return [
            engine.AnswerInput(
                criterion=answer.criterion.code,
                level=answer.level,
                evidence=answer.evidence,
                not_applicable=answer.not_applicable,
            )
            for answer in self.answers.select_related("criterion")
        ]

    def scorecard(self) -> engine.Scorecard:
        """The full explanation of this assessment's score, from the engine."""
        return engine.score(
            self.catalogue.to_spec(), self.profile.code, self.answer_inputs()
        )


class Answer(models.Model):
    class Evidence(models.TextChoices):
        DECLARED = "declared", _("Declared")
        DOCUMENTED = "documented", _("Documented")
        VERIFIED = "verified", _("Verified")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="answers"
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        null=True,
        blank=True,
        choices=LEVEL_CHOICES,
        help_text=_("Empty: unknown."),
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    evidence = models.CharField(
        _("evidence"),
        max_length=12,
        choices=Evidence.choices,
        default=Evidence.DECLARED,
    )
    justification = models.TextField(_("justification"), blank=True)
    evidence_reference = models.CharField(
        _("evidence reference"), max_length=500, blank=True
    )
    facts = models.ManyToManyField(ProviderFact, blank=True, related_name="answers")
    translations = models.JSONField(default=dict, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    justification_i18n = Localized("justification")

    class Meta:
        ordering = ["assessment", "criterion__pillar__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_answer_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=engine.MAX_LEVEL),
                name="answer_level_0_to_4",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(level__isnull=True),
                name="not_applicable_answer_has_no_level",
            ),
            models.CheckConstraint(
                condition=Q(evidence__in=["declared", "documented", "verified"]),
                name="answer_evidence_known",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.level}"
