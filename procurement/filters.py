"""Query-string filters of the API's lists (django-filter).

Each filter only narrows a queryset that the viewset has already scoped to
the user with ``visible_to``; an id the user may not see is refused like an id
that does not exist.
"""

import django_filters as filters
from drf_spectacular.utils import extend_schema_field

from .models import Assessment, Offer, Organisation, Procurement, Provider


def boolean_filter(*, help_text, **kwargs):
    """``true`` or ``false``; anything else is a 400 (django-filter's own
    BooleanFilter silently ignores a value it does not understand)."""
    return extend_schema_field({"type": "boolean", "description": help_text})(
        filters.TypedChoiceFilter(
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
            **kwargs,
        )
    )


def _visible(model):
    """The choices of an id filter: the objects the requesting user may see."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.visible_to(request.user)

    return queryset


class ProviderFilter(filters.FilterSet):
    reference = boolean_filter(
        field_name="is_reference_case",
        help_text="true: only the reference cases; false: only your providers.",
    )

    class Meta:
        model = Provider
        fields = ["reference", "status", "country"]


class OfferFilter(filters.FilterSet):
    provider = filters.ModelChoiceFilter(
        queryset=_visible(Provider), help_text="Only the offers of this provider."
    )
    reference = boolean_filter(
        field_name="provider__is_reference_case",
        help_text="true: only the reference cases' offers; false: only yours.",
    )

    class Meta:
        model = Offer
        fields = ["provider", "reference", "service_model", "deployment_model"]


def _own_organisations(request):
    if request is None:
        return Organisation.objects.none()
    return Organisation.objects.of_user(request.user)


class ProcurementFilter(filters.FilterSet):
    organisation = filters.ModelChoiceFilter(
        queryset=_own_organisations,
        help_text="Only the procurements of this organisation of yours.",
    )

    class Meta:
        model = Procurement
        fields = ["organisation", "status"]


class AssessmentFilter(filters.FilterSet):
    procurement = filters.ModelChoiceFilter(
        queryset=_visible(Procurement),
        help_text="Only the assessments of this procurement.",
    )
    offer = filters.ModelChoiceFilter(
        queryset=_visible(Offer), help_text="Only the assessments of this offer."
    )
    reference = boolean_filter(
        method="filter_reference",
        help_text="true: only the reference cases (Cloudwatt, Numergy...); "
        "false: only your organisations' assessments.",
    )

    class Meta:
        model = Assessment
        fields = ["procurement", "offer", "status", "reference"]

    def filter_reference(self, queryset, name, value):
        if value:
            return queryset.reference_cases()
        return queryset.filter(procurement__isnull=False)
