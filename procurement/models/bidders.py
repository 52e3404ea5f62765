"""What bidders bring: their claims, the evidence files, their invitations.

A bidder answers the questionnaire through an invitation (a link with a
random token, stored hashed) or returns the XLSX grid; either way its answers
are claims (``Claim``), one per criterion. The buyer's evaluators then judge
them: the evaluator's ``Answer`` is what the engine scores "as evaluated";
the claims give the score "as claimed by the bidder". Evidence files
(``EvidenceFile``) hang on a criterion of an assessment, uploaded by the
bidder or an evaluator, stored through Django's storage API ("evidence"),
never served from a public URL.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from scoring import engine
from scoring.models import LEVEL_CHOICES, Criterion

from .assessments import Assessment


class Invitation(models.Model):
    """A link that lets a bidder answer one assessment's questionnaire."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="en")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Invitation #{self.pk} to {self.assessment.offer}"

    @property
    def label(self) -> str:
        """How the record names the bidder who answers through this link."""
        who = self.contact_email or _("the bidder")
        return _("%(who)s (invitation #%(id)s)") % {"who": who, "id": self.pk}

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class Claim(models.Model):
    """A bidder's answer to one criterion: what it claims, in its own words."""

    class Source(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", _("Questionnaire")
        GRID = "grid", _("XLSX grid")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="claims"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="claims"
    )
    level = models.PositiveSmallIntegerField(
        _("claimed level"), null=True, blank=True, choices=LEVEL_CHOICES
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    justification = models.TextField(_("justification"), blank=True)
    documents = models.TextField(
        _("documents named"),
        blank=True,
        help_text=_("The documents the bidder names in support (from the grid)."),
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
    )
    claimed_at = models.DateTimeField()

    class Meta:
        ordering = ["assessment", "criterion__pillar__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_claim_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=engine.MAX_LEVEL),
                name="claim_level_0_to_4",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(level__isnull=True),
                name="not_applicable_claim_has_no_level",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: claimed {self.level}"


class _EvidenceStorage(LazyObject):
    """The "evidence" storage, looked up again whenever ``STORAGES`` changes.

    A field's storage is fixed when models load; going through this proxy lets
    a deployment's (or a test's) setting apply without restarting."""

    def _setup(self):
        self._wrapped = storages["evidence"]


_evidence = _EvidenceStorage()


@receiver(setting_changed)
def _forget_evidence_storage(setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        _evidence._wrapped = empty


def evidence_storage():
    return _evidence


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    """Files are stored under their hash, never under the name a user gave."""
    return f"{instance.assessment_id}/{instance.criterion.code}/{instance.sha256}"


class EvidenceFile(models.Model):
    """A document supporting one criterion's answer, checked by its content."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="files"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(storage=evidence_storage, upload_to=evidence_path)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="files",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["criterion__pillar__position", "criterion__position", "pk"]
        indexes = [
            models.Index(fields=["assessment", "criterion"], name="files_by_answer")
        ]

    def __str__(self):
        return f"{self.name} ({self.sha256[:12]})"

    @property
    def uploader(self) -> str:
        if self.uploaded_by is not None:
            return self.uploaded_by.get_full_name() or self.uploaded_by.get_username()
        if self.invitation is not None:
            return str(self.invitation.label)
        return ""
