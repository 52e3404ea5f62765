"""A procurement's evaluation panel: who scores what, on their own, then together.

A lead seats evaluators on a procurement (``PanelSeat``), each for every
pillar or some of them, and may make one a moderator. Before scoring an
offer, each evaluator declares any conflict of interest with its bidder
(``PanelReview``, one per evaluator and offer, which also carries when they
submitted their scores). Each scores on their own (``IndividualScore``),
blind to the others until they have submitted. The moderator then records
the consensus of each criterion with a rationale (``ModerationDecision``);
the consensus is written as the assessment's ``Answer``, which the engine
scores. Individual scores are kept, never overwritten by the consensus.
``PanelComment`` is the thread of one criterion of one offer. A procurement
with no seat works as before: whoever may edit answers them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring.models import LEVEL_CHOICES, Criterion

from .assessments import Answer, Assessment
from .procurements import Procurement


class PanelSeat(models.Model):
    """An evaluator named to score a procurement's offers."""

    procurement = models.ForeignKey(
        Procurement, on_delete=models.CASCADE, related_name="panel"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    pillars = models.JSONField(
        _("pillars"),
        default=list,
        blank=True,
        help_text=_("Codes of the pillars this evaluator scores; empty for all."),
    )
    moderator = models.BooleanField(_("moderator"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["procurement", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "user"], name="one_seat_per_evaluator"
            )
        ]

    def __str__(self):
        return f"{self.user} on {self.procurement}"

    def scores(self, pillar_code: str) -> bool:
        return not self.pillars or pillar_code in self.pillars


class PanelReview(models.Model):
    """One evaluator's work on one offer: the declaration, then the submission."""

    class Conflict(models.TextChoices):
        NONE = "none", _("No conflict of interest")
        DECLARED = "declared", _("Conflict of interest declared")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="panel_reviews"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    conflict = models.CharField(
        _("conflict of interest"), max_length=10, choices=Conflict.choices
    )
    statement = models.TextField(_("statement"), blank=True)
    declared_at = models.DateTimeField()
    override_reason = models.TextField(_("reason of the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "evaluator"], name="one_review_per_evaluator"
            )
        ]

    def __str__(self):
        return f"{self.evaluator} on {self.assessment}"

    @property
    def may_score(self) -> bool:
        """No conflict, or a conflict a lead overrode with a reason."""
        return self.conflict == self.Conflict.NONE or self.overridden_at is not None

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class IndividualScore(models.Model):
    """What one evaluator scored on one criterion, on their own."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="individual_scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=LEVEL_CHOICES, null=True, blank=True
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    evidence = models.CharField(
        _("evidence"),
        max_length=12,
        choices=Answer.Evidence.choices,
        default=Answer.Evidence.DECLARED,
    )
    justification = models.TextField(_("justification"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "criterion__pillar__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion", "evaluator"],
                name="one_score_per_evaluator_and_criterion",
            )
        ]

    def __str__(self):
        return f"{self.criterion.code} by {self.evaluator}: {self.level}"


class ModerationDecision(models.Model):
    """The consensus of one criterion, with the moderator's rationale."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="moderation_decisions"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("level"), choices=LEVEL_CHOICES, null=True, blank=True
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    evidence = models.CharField(
        _("evidence"), max_length=12, choices=Answer.Evidence.choices
    )
    rationale = models.TextField(_("rationale"))
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["assessment", "criterion__pillar__position", "criterion__position"]
        get_latest_by = "decided_at"

    def __str__(self):
        return f"{self.criterion.code}: consensus {self.level}"


class PanelComment(models.Model):
    """A message in the thread of one criterion of one offer."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="panel_comments"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "criterion", "created_at", "pk"]

    def __str__(self):
        return f"{self.criterion.code}: {self.text[:40]}"
