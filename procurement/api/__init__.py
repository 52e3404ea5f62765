"""The REST API: a module per resource, on one router in ``config/api.py``.

Each resource's module holds its viewset and the serializers only it uses:

- ``organisations``: yours and your role in each, their export, and which
  one a new provider or procurement goes to (``editable_organisation``).
- ``catalogues``: the published versions of the method, read-only.
- ``providers``: providers with their dated, sourced facts; offers with
  their certifications.
- ``procurements``: procurements, the ranking of their offers, the
  sensitivity analysis and the procurement report.
- ``assessments``: assessments, their answers, submit and approve, and the
  scorecard (whose ``KnockOutSerializer`` the ranking reuses).
- ``jobs``: the exports made in the background, their progress and file.
- ``panel`` and ``moderation``: a procurement's panel of evaluators, their
  declarations of interests and blind scores, the moderated consensus and
  the comment threads (actions on procurements and assessments).

Two modules hold what several share: ``fields`` (ids scoped to the user,
scores, levels, errors aligned with a list) and ``responses`` (the Download
menu's files and errors, the 409 of a stale version).

Providers, offers, procurements and assessments start from
``visible_to(request.user)``, organisations from your memberships, so another
organisation's objects are a 404 on every endpoint, writes included. Write
serializers only validate a payload; the viewsets hand the validated data to
``services``, which checks the caller's role (a ``PermissionDenied`` is a 403)
and refuses changes to the reference cases. Read serializers turn rows, stored
snapshots and the reports of ``scorecards.py`` into JSON; texts a reader sees
follow the active language. Nothing here saves a row or computes a score:
scores are the engine's, rounded to one decimal and rendered as JSON numbers.
"""

from .assessments import AssessmentViewSet
from .catalogues import CatalogueViewSet
from .evidence import FileViewSet, InvitationViewSet
from .jobs import ExportJobViewSet
from .organisations import OrganisationViewSet
from .procurements import ProcurementViewSet
from .providers import OfferViewSet, ProviderViewSet

__all__ = [
    "AssessmentViewSet",
    "CatalogueViewSet",
    "ExportJobViewSet",
    "FileViewSet",
    "InvitationViewSet",
    "OfferViewSet",
    "OrganisationViewSet",
    "ProcurementViewSet",
    "ProviderViewSet",
]
