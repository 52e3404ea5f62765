"""A procurement's award criteria and each offer's marks on them.

Sovereignty is one award criterion; price and the buyer's other quality
criteria are the others, each with a weight published before the
procurement opens (then frozen). ``AwardMark`` holds an offer's price (in
euros, before the formula) or its quality mark out of 100. Without award
criteria a procurement ranks on sovereignty alone, as before.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scoring import award

from .assessments import Assessment
from .procurements import Procurement


class AwardCriterion(models.Model):
    class Kind(models.TextChoices):
        SOVEREIGNTY = award.SOVEREIGNTY, _("Sovereignty (this tool's score)")
        PRICE = award.PRICE, _("Price")
        QUALITY = award.QUALITY, _("Other quality criterion")

    class Formula(models.TextChoices):
        PROPORTIONAL = award.PROPORTIONAL, _("100 × lowest price / price")
        LINEAR_LOWEST = (
            award.LINEAR_LOWEST,
            _("100 × (1 − (price − lowest) / lowest), not below 0"),
        )
        LINEAR_RANGE = (
            award.LINEAR_RANGE,
            _("100 × (highest − price) / (highest − lowest)"),
        )

    procurement = models.ForeignKey(
        Procurement, on_delete=models.CASCADE, related_name="award_criteria"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    formula = models.CharField(
        _("price formula"), max_length=16, choices=Formula.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["procurement", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "kind"],
                condition=~Q(kind="quality"),
                name="one_sovereignty_and_one_price_criterion",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.weight})"

    @property
    def key(self) -> str:
        return str(self.pk)


class AwardMark(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="award_marks"
    )
    criterion = models.ForeignKey(
        AwardCriterion, on_delete=models.CASCADE, related_name="marks"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when imported from a member who is not a user here."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_mark_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"
