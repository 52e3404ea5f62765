"""Query-string filters of the API's lists (django-filter).

Each filter only narrows a queryset that the viewset has already scoped to
the user with ``visible_to``; an id the user may not see is refused like an id
that does not exist.
"""

import django_filters as filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from scoring.models import LEVEL_CHOICES

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


def level_filter(*, help_text, **kwargs):
    """A level of the 0-4 scale, an integer like everywhere in the API."""
    return extend_schema_field(
        {"type": "integer", "minimum": 0, "maximum": 4, "description": help_text}
    )(
        filters.TypedChoiceFilter(
            choices=[(str(level), label) for level, label in LEVEL_CHOICES],
            coerce=int,
            **kwargs,
        )
    )


def search_filter(*fields, help_text):
    """``q``: the rows where any of ``fields`` contains the words given, in
    any case (each word somewhere, so "cloud fr" finds "FR Cloud")."""

    def search(queryset, name, value):
        for word in value.split()[:10]:
            match = Q()
            for field in fields:
                match |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(match)
        return queryset

    return filters.CharFilter(method=search, max_length=200, help_text=help_text)


def _visible(model):
    """The choices of an id filter: the objects the requesting user may see."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.visible_to(request.user)

    return queryset


class ProviderFilter(filters.FilterSet):
    q = search_filter(
        "name",
        "legal_name",
        "parent_name",
        help_text="Search the name, legal name and parent's name.",
    )
    reference = boolean_filter(
        field_name="is_reference_case",
        help_text="true: only the reference cases; false: only your providers.",
    )

    class Meta:
        model = Provider
        fields = ["q", "reference", "status", "country"]


class OfferFilter(filters.FilterSet):
    q = search_filter(
        "name",
        "description",
        "provider__name",
        help_text="Search the offer's name and description and its provider's name.",
    )
    provider = filters.ModelChoiceFilter(
        queryset=_visible(Provider), help_text="Only the offers of this provider."
    )
    reference = boolean_filter(
        field_name="provider__is_reference_case",
        help_text="true: only the reference cases' offers; false: only yours.",
    )

    class Meta:
        model = Offer
        fields = [
            "q",
            "provider",
            "reference",
            "service_model",
            "deployment_model",
        ]


def _own_organisations(request):
    if request is None:
        return Organisation.objects.none()
    return Organisation.objects.of_user(request.user)


class ProcurementFilter(filters.FilterSet):
    q = search_filter(
        "title",
        "reference",
        "description",
        help_text="Search the title, reference and description.",
    )
    organisation = filters.ModelChoiceFilter(
        queryset=_own_organisations,
        help_text="Only the procurements of this organisation of yours.",
    )

    class Meta:
        model = Procurement
        fields = ["q", "organisation", "status"]


class AssessmentFilter(filters.FilterSet):
    procurement = filters.ModelChoiceFilter(
        queryset=_visible(Procurement),
        help_text="Only the assessments of this procurement.",
    )
    offer = filters.ModelChoiceFilter(
        queryset=_visible(Offer), help_text="Only the assessments of this offer."
    )
    provider = filters.ModelChoiceFilter(
        field_name="offer__provider",
        queryset=_visible(Provider),
        help_text="Only the assessments of this provider's offers.",
    )
    eligible = boolean_filter(
        help_text="true: only the offers eligible for their procurement's "
        "profile (stored snapshot); false: only the excluded ones."
    )
    trust_level = level_filter(help_text="Only this trust level (0-4).")
    trust_level_min = level_filter(
        field_name="trust_level",
        lookup_expr="gte",
        help_text="Only a trust level of at least this one (0-4).",
    )
    reference = boolean_filter(
        method="filter_reference",
        help_text="true: only the reference cases (Cloudwatt, Numergy...); "
        "false: only your organisations' assessments.",
    )

    class Meta:
        model = Assessment
        fields = [
            "procurement",
            "offer",
            "provider",
            "status",
            "eligible",
            "trust_level",
            "trust_level_min",
            "reference",
        ]

    def filter_reference(self, queryset, name, value):
        if value:
            return queryset.reference_cases()
        return queryset.filter(procurement__isnull=False)
