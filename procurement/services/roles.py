"""Who may do what in an organisation: the one rule views, the API and services ask.

A member is a viewer (reads), an evaluator (reads and edits) or a lead (also
decides: opens and closes procurements, approves, reopens, re-pins, exports the
organisation's data). Pages ask ``can`` to show a button, services ask
``require`` before they write, API querysets ask ``organisations_where``: all
of them read ``ALLOWED`` below and nothing else.

A user's roles are read once per user object (one query) and kept on it
(``models.organisations.roles_of``): Django builds ``request.user`` anew for
every request, so a change of role applies from the next request on.
"""

from __future__ import annotations

from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..models import Assessment, Membership, Organisation, Provider
from ..models.organisations import roles_of

Role = Membership.Role


class Action(str, Enum):
    EDIT = "edit"  # providers, offers, facts, procurements, answers; submit
    LEAD = "lead"  # open, close, approve, reopen, re-pin, export everything


ALLOWED: dict[Action, frozenset[str]] = {
    Action.EDIT: frozenset({Role.EVALUATOR, Role.LEAD}),
    Action.LEAD: frozenset({Role.LEAD}),
}


def role_in(user, organisation: Organisation | int | None) -> str | None:
    """The user's role in an organisation (object or id), or None if not a member."""
    if organisation is None or not user.is_authenticated:
        return None
    return roles_of(user).get(getattr(organisation, "pk", organisation))


def allows(role: str | None, action: Action) -> bool:
    """True when a role (None: not a member) allows the action."""
    return role in ALLOWED[action]


def can(user, action: Action, organisation: Organisation | int | None) -> bool:
    """True when the user's role in the organisation allows the action."""
    return allows(role_in(user, organisation), action)


def require(user, action: Action, organisation: Organisation | int | None) -> None:
    """Refuse (403) unless the user's role in the organisation allows the action."""
    if not can(user, action, organisation):
        name = organisation if isinstance(organisation, Organisation) else None
        raise PermissionDenied(
            _("Your role in %(organisation)s does not allow this.")
            % {"organisation": name}
            if name
            else _("Your role does not allow this.")
        )


def organisations_where(user, action: Action) -> QuerySet[Organisation]:
    """The organisations in which the user may take the action, by name."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=ALLOWED[action]
    ).order_by("name")


def require_provider_editor(user, provider: Provider) -> None:
    """Refuse to change a provider, its facts or offers: reference cases, readers."""
    if provider.is_reference_case:
        raise PermissionDenied(_("Reference cases are read-only."))
    require(user, Action.EDIT, provider.organisation)


def require_assessment_editor(
    user, assessment: Assessment, action: Action = Action.EDIT
) -> None:
    """Refuse to change an assessment: reference cases, or a role that may not."""
    if assessment.is_reference_case:
        raise PermissionDenied(_("Reference cases are read-only."))
    require(user, action, assessment.procurement.organisation)
