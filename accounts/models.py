"""Personal API tokens: named, several per user, expiring, scoped, hashed.

Only a SHA-256 digest of a token is stored; its first characters are kept
to recognise it in a list. A token also remembers the user's password as it
was (Django's session hash), so changing the password anywhere, the admin
and the shell included, ends every token, as it ends every session.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """One personal token; revoking it deletes the row."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read-write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    password_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self) -> bool:
        """Whether the token's lifetime is over."""
        return self.expires_at <= timezone.now()

    def allows_writes(self) -> bool:
        """Whether the token may change anything."""
        return self.scope == self.Scope.READ_WRITE


class TwoFactorPolicy(models.Model):
    """Whether an organisation's lead made two-factor login mandatory for its
    members (accounts/two_factor.py)."""

    organisation = models.OneToOneField(
        "procurement.Organisation",
        on_delete=models.CASCADE,
        related_name="two_factor_policy",
    )
    required = models.BooleanField(_("two-factor login required"), default=False)

    def __str__(self) -> str:
        return f"{self.organisation}: {'required' if self.required else 'optional'}"
