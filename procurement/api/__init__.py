"""The REST API: viewsets and the serializers they use.

Being split by resource: ``catalogues``, ``organisations`` and
``procurements`` are done; until the rest is, ``providers`` holds the other
viewsets and ``assessments`` their serializers.
"""

from .catalogues import CatalogueViewSet
from .organisations import OrganisationViewSet
from .procurements import ProcurementViewSet
from .providers import AssessmentViewSet, OfferViewSet, ProviderViewSet

__all__ = [
    "AssessmentViewSet",
    "CatalogueViewSet",
    "OfferViewSet",
    "OrganisationViewSet",
    "ProcurementViewSet",
    "ProviderViewSet",
]
