"""Assessments of an offer in a procurement, and their answers, one per criterion."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from scoring import engine
from scoring.adjustments import adjusted
from scoring.models import LEVEL_CHOICES, Catalogue, Criterion, Profile

from .localized import Localized
from .organisations import member_organisations
from .procurements import Procurement
from .providers import Offer, ProviderFact

# The fields of an assessment its stored scorecard is read from.
STORED_SCORECARD_FIELDS = (
    "version",
    "catalogue",
    "profile",
    "procurement",
    "global_score",
    "global_score_claimed",
    "trust_level",
    "eligible",
    "highest_profile_passed",
    "completeness",
    "pillar_scores",
    "failed_knockouts",
    "profile_results",
    "binding_criteria",
    "evidence_gaps",
    "answered",
    "criterion_results",
    "scored_at",
)


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's organisations' assessments, plus the reference cases."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(organisation_id__in=member_organisations(user))
            | Q(organisation__isnull=True, procurement__isnull=True)
        )

    def reference_cases(self):
        return self.filter(
            procurement__isnull=True, offer__provider__is_reference_case=True
        )

    def with_stored_scorecard(self):
        """Only what ``snapshots.stored_report`` reads: the snapshot, the key of
        the catalogue (whose method is in memory) and the procurement's overlays."""
        return self.select_related("catalogue", "procurement").only(
            *STORED_SCORECARD_FIELDS,
            "catalogue__status",
            "catalogue__content_hash",
            "catalogue__loaded_at",
            "procurement__overlays",
        )

    def for_task_list(self):
        """Only what a list of work to do shows (the home page): the offer,
        its provider, the procurement, the status and the completeness.

        Three joins instead of the eight of ``with_context``: on PostgreSQL
        the planner's search among eight joins took longer (6 ms at 200,000
        answers) than running the query.
        """
        return self.select_related("offer__provider", "procurement").only(
            "status",
            "completeness",
            "updated_at",
            "organisation_id",
            "offer__name",
            "offer__provider__name",
            "procurement__title",
            "procurement__reference",
        )

    def with_context(self):
        """Join what every list of assessments shows: offer, provider, profile.

        Without the two widest columns no list shows: the catalogue's file
        (tens of KB, joined to every row) and every criterion's result (read
        by the scorecard alone, ``with_stored_scorecard``).
        """
        return self.select_related(
            "offer__provider",
            "profile",
            "catalogue",
            "procurement__organisation",
            "submitted_by",
            "approved_by",
        ).defer("catalogue__source", "criterion_results")


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

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
    # The procurement's organisation, copied so that lists filter and sort on
    # one indexed table (``visible_to``); empty for the reference cases.
    organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
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
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # What the report showed when it was approved (offer, provider, its
    # certifications, the facts the answers cite): pages and exports of an
    # approved assessment read this, not the live rows (``procurement.approvals``).
    approval_record = models.JSONField(null=True, blank=True, editable=False)

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
    # Under every profile of the catalogue (code -> global_score,
    # global_score_claimed, trust_level, eligible, knockouts), for the
    # sensitivity table; and what badges show. Empty in a snapshot older
    # than this field: readers then ask the engine (``manage.py
    # refresh_snapshots`` stores them).
    profile_results = models.JSONField(default=dict, blank=True)
    binding_criteria = models.JSONField(default=list, blank=True)
    # Every criterion's result under the assessment's profile, in the
    # catalogue's order: the engine's ``CriterionResult`` as a list (code,
    # pillar, weight, level, evidence, not applicable, effective level, cap,
    # threshold), so that the scorecard API answers from this row. Empty in
    # a snapshot older than this field: the scorecard then asks the engine.
    criterion_results = models.JSONField(default=list, blank=True)
    evidence_gaps = models.JSONField(default=list, blank=True)
    answered = models.PositiveSmallIntegerField(default=0)
    # The bidder's own answers scored by the engine ("as claimed by the
    # bidder"), and the criteria where the evaluator accepted another level;
    # empty until the bidder answers.
    bidder_score = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True
    )
    bidder_differs = models.JSONField(default=list, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    summary_i18n = Localized("summary")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["organisation", "-created_at", "-id"],
                name="assessment_newest",
            ),
            models.Index(
                fields=["organisation", "status", "-updated_at", "-id"],
                name="assessment_waiting",
            ),
            # The same across organisations (the home page of a member of
            # several, who had every draft of both sorted: 15 ms at 22,000).
            models.Index(
                fields=["status", "-updated_at", "-id"], name="assessment_status_newest"
            ),
            # The newest first across organisations: ``visible_to``'s OR (the
            # user's organisations, or a reference case) can use no index of
            # one organisation for the order, so a list's page walks this one
            # and stops at the page's last row, instead of joining and sorting
            # every visible assessment.
            models.Index(fields=["-created_at", "-id"], name="assessment_created"),
            # ``visible_to`` (the user's organisations, or a reference case:
            # no organisation, no procurement) answered from the index alone:
            # the count of a list's pages no longer reads every row.
            models.Index(
                fields=["organisation", "procurement"], name="assessment_visible"
            ),
        ]
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

    def save(self, *args, **kwargs):
        # Keep the copy of the procurement's organisation (see the field):
        # whoever creates an assessment, it is visible where its procurement is.
        if self.procurement_id is not None and self.organisation_id is None:
            self.organisation_id = self.procurement.organisation_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("procurement:assessment-detail", args=[self.pk])

    @property
    def is_reference_case(self) -> bool:
        return self.procurement_id is None

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT and not self.is_reference_case

    @property
    def approved_by_submitter(self) -> bool:
        """Approved by the person who submitted it (the four-eyes rule was off)."""
        return (
            self.status == self.Status.APPROVED
            and self.approved_by_id is not None
            and self.approved_by_id == self.submitted_by_id
        )

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

    def scoring_spec(self) -> engine.CatalogueSpec:
        """The catalogue as this assessment is scored: its procurement's profile
        as adjusted there, or the catalogue's own for a reference case."""
        spec = self.catalogue.to_spec()
        if self.procurement_id is None:
            return spec
        return adjusted(spec, self.profile.code, self.procurement.adjustment)

    def scorecard(self) -> engine.Scorecard:
        """The full explanation of this assessment's score, from the engine."""
        return engine.score(
            self.scoring_spec(), self.profile.code, self.answer_inputs()
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
    # A level presumed from a valid certification of the offer (brief §8.6):
    # the certificate, and the minimum it presumes. The evaluator may answer
    # higher with evidence, or lower with a justification.
    presumed_by = models.ForeignKey(
        "Certification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presumed from"),
    )
    presumed_level = models.PositiveSmallIntegerField(
        _("presumed level"), null=True, blank=True
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    changed_in_version = models.PositiveIntegerField(
        default=0,
        help_text=_(
            "The assessment version this answer last changed in: a save based "
            "on an older version that changes it again is a conflict."
        ),
    )

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
