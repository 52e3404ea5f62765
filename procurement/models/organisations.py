"""Organisations (the buyers) and their members, each with a role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..validators import validate_country_code

ROLES_CACHE = "_organisation_roles"


def roles_of(user) -> dict[int, str]:
    """The user's role in each of their organisations, read once per user object.

    Django builds ``request.user`` anew for every request, so a change of
    membership applies from the next request on.
    """
    roles = getattr(user, ROLES_CACHE, None)
    if roles is None:
        roles = dict(
            Membership.objects.filter(user=user).values_list("organisation_id", "role")
        )
        setattr(user, ROLES_CACHE, roles)
    return roles


def member_organisations(user) -> list[int]:
    """The ids of the user's organisations.

    Lists filter on ``organisation_id IN (1, 2)`` rather than joining through
    the memberships, so that the database walks an index on the organisation
    and the list's order instead of scanning every row.
    """
    return sorted(roles_of(user))


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
    country = models.CharField(
        _("country"), max_length=2, default="FR", validators=[validate_country_code]
    )
    four_eyes = models.BooleanField(
        _("four eyes"),
        default=True,
        help_text=_(
            "Whoever submitted an assessment cannot approve it. A lead may turn "
            "this off for a one-person organisation; exports then say so."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
