"""The record: an append-only, hash-chained trail of every change, per organisation.

``services`` write it through ``procurement.record.record`` inside the
transaction of the change itself; nothing here is written by a signal. Each
entry carries a SHA-256 over its own content and the previous entry's hash,
so ``python manage.py verify_history`` finds a row altered or removed in the
database. Entries keep the ids of what they concern without a foreign-key
constraint, so a deleted draft procurement leaves its entries in place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation


class HistoryEntryQuerySet(models.QuerySet):
    def of_assessment(self, assessment):
        """An assessment's entries, and those of the offer and provider it uses."""
        offer = assessment.offer
        return self.filter(
            organisation_id=assessment.procurement.organisation_id
        ).filter(
            models.Q(assessment_id=assessment.pk)
            | models.Q(assessment__isnull=True, offer_id=offer.pk)
            | models.Q(
                assessment__isnull=True,
                offer__isnull=True,
                provider_id=offer.provider_id,
            )
        )

    def of_procurement(self, procurement):
        return self.filter(
            organisation_id=procurement.organisation_id, procurement_id=procurement.pk
        )

    def of_procurement_and_offers(self, procurement):
        """A procurement's entries, and those of the offers and providers in it."""
        assessments = procurement.assessments.all()
        offers = assessments.values("offer_id")
        providers = assessments.values("offer__provider_id")
        return self.filter(organisation_id=procurement.organisation_id).filter(
            models.Q(procurement_id=procurement.pk)
            | models.Q(assessment__isnull=True, offer_id__in=offers)
            | models.Q(
                assessment__isnull=True,
                offer__isnull=True,
                provider_id__in=providers,
            )
        )

    def newest_first(self):
        return self.order_by("-sequence")


class HistoryEntry(models.Model):
    class Action(models.TextChoices):
        ANSWER_CHANGED = "answer.changed", _("Answer changed")
        ASSESSMENT_STARTED = "assessment.started", _("Offer put under assessment")
        ASSESSMENT_SUBMITTED = "assessment.submitted", _("Assessment submitted")
        ASSESSMENT_APPROVED = "assessment.approved", _("Assessment approved")
        ASSESSMENT_REOPENED = "assessment.reopened", _("Assessment reopened")
        ASSESSMENT_WITHDRAWN = "assessment.withdrawn", _("Offer withdrawn")
        ASSESSMENT_REPINNED = "assessment.repinned", _("Assessment re-pinned")
        SUMMARY_CHANGED = "assessment.summary", _("Assessment summary changed")
        PROCUREMENT_CREATED = "procurement.created", _("Procurement created")
        PROCUREMENT_CHANGED = "procurement.changed", _("Procurement changed")
        PROCUREMENT_OPENED = "procurement.opened", _("Procurement opened")
        PROCUREMENT_CLOSED = "procurement.closed", _("Procurement closed")
        PROCUREMENT_REPINNED = "procurement.repinned", _("Procurement re-pinned")
        PROCUREMENT_DELETED = "procurement.deleted", _("Draft procurement deleted")
        PROVIDER_CREATED = "provider.created", _("Provider recorded")
        PROVIDER_CHANGED = "provider.changed", _("Provider changed")
        FACT_ADDED = "fact.added", _("Fact added")
        FACT_CHANGED = "fact.changed", _("Fact corrected")
        OFFER_CREATED = "offer.created", _("Offer added")
        OFFER_CHANGED = "offer.changed", _("Offer changed")
        CERTIFICATION_ADDED = "certification.added", _("Certification added")
        CERTIFICATION_REMOVED = "certification.removed", _("Certification removed")
        ORGANISATION_CHANGED = "organisation.changed", _("Organisation setting changed")
        ORGANISATION_IMPORTED = "organisation.imported", _("Organisation imported")
        CLAIM_CHANGED = "claim.changed", _("Bidder's claim changed")
        CLAIMS_SUBMITTED = "claims.submitted", _("Bidder submitted the questionnaire")
        GRID_IMPORTED = "grid.imported", _("Bidder's grid imported")
        FILE_ADDED = "file.added", _("Evidence file added")
        FILE_REMOVED = "file.removed", _("Evidence file removed")
        INVITATION_CREATED = "invitation.created", _("Bidder invited")
        INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
        PANEL_CHANGED = "panel.changed", _("Evaluation panel changed")
        INTEREST_DECLARED = "panel.declared", _("Conflict of interest declared")
        CONFLICT_OVERRIDDEN = "panel.overridden", _("Conflict of interest overridden")
        SCORES_SUBMITTED = "panel.submitted", _("Individual scores submitted")
        CONSENSUS_RECORDED = "panel.consensus", _("Consensus recorded")
        COMMENT_ADDED = "panel.comment", _("Comment added")
        AWARD_CRITERIA_CHANGED = "award.criteria", _("Award criteria changed")
        AWARD_MARKS_CHANGED = "award.marks", _("Award marks changed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="history"
    )
    sequence = models.PositiveIntegerField(
        help_text=_("Position in the organisation's chain, from 1.")
    )
    at = models.DateTimeField(_("at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    user_name = models.CharField(
        _("user"), max_length=300, help_text=_("The name as it was then.")
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    procurement = models.ForeignKey(
        "Procurement",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    assessment = models.ForeignKey(
        "Assessment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    offer = models.ForeignKey(
        "Offer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    provider = models.ForeignKey(
        "Provider",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=500)
    criterion = models.CharField(_("criterion"), max_length=16, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = HistoryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sequence"], name="one_entry_per_position"
            ),
        ]
        indexes = [
            models.Index(
                fields=["assessment", "-sequence"], name="history_by_assessment"
            ),
            models.Index(
                fields=["procurement", "-sequence"], name="history_by_procurement"
            ),
            models.Index(fields=["offer", "-sequence"], name="history_by_offer"),
            models.Index(fields=["provider", "-sequence"], name="history_by_provider"),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.subject}"


class HistoryChain(models.Model):
    """The head of an organisation's chain, locked by each write so positions follow."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    length = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"{self.organisation}: {self.length} entries"
