"""The REST API: viewsets and the serializers they use.

Being split by resource; until then ``providers`` holds the viewsets and
``assessments`` the serializers.
"""

from .providers import (
    AssessmentViewSet,
    CatalogueViewSet,
    OfferViewSet,
    OrganisationViewSet,
    ProcurementViewSet,
    ProviderViewSet,
)

__all__ = [
    "AssessmentViewSet",
    "CatalogueViewSet",
    "OfferViewSet",
    "OrganisationViewSet",
    "ProcurementViewSet",
    "ProviderViewSet",
]
