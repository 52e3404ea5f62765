"""Serializer fields of the API that belong to no one resource.

Ids scoped to the requesting user, 0-100 scores and 0-4 levels as JSON
numbers, stored blank strings shown as null, and the errors of a list of
objects (answers, a panel's scores) aligned with the list sent.
"""

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from rest_framework import serializers

from scoring import engine


def score_field(**kwargs):
    """A 0-100 score as a JSON number with one decimal (not a string)."""
    return serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=100,
        coerce_to_string=False,
        read_only=True,
        **kwargs,
    )


ONE_DECIMAL, TWO_DECIMALS = Decimal("0.1"), Decimal("0.01")


def score_number(value) -> Decimal | None:
    """What ``score_field`` writes of a stored score, for bodies written by hand."""
    return _quantized(value, ONE_DECIMAL)


def weight_number(value) -> Decimal | None:
    """A pillar's weight as the API writes it: two decimals."""
    return _quantized(value, TWO_DECIMALS)


def _quantized(value, places: Decimal) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(places)


def level_field(**kwargs):
    """A level of the 0-4 scale."""
    return serializers.IntegerField(
        min_value=engine.MIN_LEVEL, max_value=engine.MAX_LEVEL, **kwargs
    )


class BlankAsNullCharField(serializers.CharField):
    """A stored blank string shown as null (e.g. "no profile passed")."""

    def to_representation(self, value):
        return super().to_representation(value) or None


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """The id of an object the requesting user may see; any other id is a 400.

    ``scope`` names the QuerySet method that scopes to a user
    (``visible_to`` or ``of_user``), so another organisation's objects are
    reported exactly like ids that do not exist.
    """

    def __init__(self, *, scope="visible_to", **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = request.user if request is not None else AnonymousUser()
        return getattr(super().get_queryset(), self.scope)(user)


class AnswerListSerializer(serializers.ListSerializer):
    """Errors as a list aligned with the answers sent, ``{}`` for valid ones.

    DRF 3.18 reports a list's errors by index; the service reports them as
    an aligned list, and a client should meet one shape only.
    """

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            by_index = exc.detail
            if not isinstance(by_index, dict) or not all(
                isinstance(key, int) for key in by_index
            ):
                raise
            raise serializers.ValidationError(
                [by_index.get(index, {}) for index in range(len(data))]
            ) from exc


class StoredDictSerializer(serializers.Serializer):
    """Read-only, of a dict stored in a snapshot (a key per field): DRF's output
    without its per-field machinery, which a list of 50 assessments with 8
    pillars each runs 400 times."""

    def to_representation(self, instance):
        return {
            name: None
            if (value := instance.get(field.source)) is None
            # the field's own conversion (quantized decimals, integers)
            else field.to_representation(value)
            for name, field in self.fields.items()
        }
