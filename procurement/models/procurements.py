"""Procurements: a buyer's tender, pinned to a catalogue version and a profile."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scoring import engine
from scoring import overlays as jurisdiction
from scoring.adjustments import Adjustment, adjusted
from scoring.models import Catalogue, Profile

from ..validators import validate_deadline
from .organisations import Organisation, member_organisations


class ProcurementQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation_id__in=member_organisations(user))

    def for_list(self):
        """With their organisation, profile and catalogue (its file left out),
        for a list ordered newest first.

        The organisation and the catalogue come in a query each rather than
        joined: given its statistics, SQLite put those two small tables first
        in the join and then sorted every procurement of the organisation
        (50 ms at a million answers) instead of walking the newest-first index
        to the page's last row (0.1 ms).
        """
        return self.select_related("profile").prefetch_related(
            "organisation",
            models.Prefetch("catalogue", queryset=Catalogue.objects.defer("source")),
        )

    def with_assessment_count(self):
        """``assessment_count``: a subquery per row shown, not a grouped join."""
        return self.annotate(assessment_count=Coalesce(Subquery(_offers()), 0))

    def with_offer_counts(self):
        """``offer_count`` and ``eligible_count`` of each procurement.

        One subquery per row shown rather than a join grouped over every
        procurement: a list's page sorts and cuts the procurements on their
        index first, then counts the offers of the rows it keeps.
        """
        offers = _offers()
        return self.annotate(
            offer_count=Coalesce(Subquery(offers), 0),
            eligible_count=Coalesce(Subquery(offers.filter(eligible=True)), 0),
        )


def _offers():
    """The number of assessments of the procurement of the outer row."""
    from .assessments import Assessment  # which imports this module

    return (
        Assessment.objects.filter(procurement=OuterRef("pk"))
        .order_by()
        .values("procurement")
        .annotate(count=Count("pk"))
        .values("count")
    )


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
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, validators=[validate_deadline]
    )
    # The profile as adjusted for this procurement before it opened (a lead,
    # with a reason): its pillar weights, and knock-out thresholds lowered.
    pillar_weights = models.JSONField(
        _("adjusted pillar weights"), default=dict, blank=True
    )
    lowered_thresholds = models.JSONField(
        _("lowered knock-out thresholds"), default=dict, blank=True
    )
    adjustment_reason = models.TextField(_("reason of the adjustment"), blank=True)
    overlays = models.JSONField(
        _("jurisdiction overlays"),
        default=list,
        blank=True,
        help_text=_("Codes of the jurisdiction overlays the buyer applies."),
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

    objects = ProcurementQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["organisation", "-created_at", "-id"],
                name="procurement_newest",
            ),
            # The newest first across organisations, for a member of several:
            # no index of one organisation gives the order of two, and the
            # lists sorted every procurement of both (13 ms at 11,000).
            models.Index(fields=["-created_at", "-id"], name="procurement_created"),
        ]
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
                    "reference": ValidationError(
                        _(
                            "This organisation already has a procurement with "
                            "this reference."
                        ),
                        code="unique",
                    )
                }
            )

    @property
    def adjustment(self) -> Adjustment:
        """The profile's changes here: weights, lowered thresholds, and the
        thresholds the chosen overlays raise (an overlay wins over a lowering)."""
        thresholds = dict(self.lowered_thresholds or {})
        if self.overlays:
            spec = self.catalogue.to_spec()
            base = next(p for p in spec.profiles if p.code == self.profile.code)
            for code, (level, _rule) in jurisdiction.thresholds(
                self.overlays, self.profile.code
            ).items():
                current = thresholds.get(code, base.thresholds.get(code, 0))
                if level > current:
                    thresholds[code] = level
        return Adjustment.of(self.pillar_weights or {}, thresholds)

    def overlay_rules(self) -> dict[str, str]:
        """Each criterion an overlay raised here, with the rule in words."""
        return dict(jurisdiction.rule_texts(self.overlays or [], self.profile.code))

    def scoring_spec(self) -> engine.CatalogueSpec:
        """The catalogue as this procurement scores it: its profile adjusted."""
        return adjusted(self.catalogue.to_spec(), self.profile.code, self.adjustment)
