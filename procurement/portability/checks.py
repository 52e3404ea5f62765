"""What an import refuses beyond the models' own validation: what the API
refuses, with a message that says where.

The models accept some values that the API's serializers do not: a NUL
character in a text (PostgreSQL cannot store one), a justification longer
than the API's 20,000 characters, regions that are not a list of short
names. The import runs the API's own field validators on those values, so
a file cannot bring in what no user could have entered.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .fields import ImportRefused


def refuse_nul(value: Any, where: str) -> None:
    """Refuse any text, key or value, holding a NUL character."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if "\x00" in current:
                raise ImportRefused(
                    f"{where}: a text holds a NUL character; nothing was imported."
                )
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def check_as_api(item: dict, serializer_class, names, where: str) -> None:
    """Validate these fields of an item with the API serializer's own fields."""
    fields = serializer_class().fields
    for name in names:
        if name not in item or item[name] is None:
            continue
        try:
            fields[name].run_validation(item[name])
        except serializers.ValidationError as exc:
            raise ImportRefused(
                f"{where}, {name}: {' '.join(_messages(exc.detail))} "
                "Nothing was imported."
            ) from exc


def check_offer(item: dict, where: str) -> None:
    """An offer's regions as the API takes them: a list of short names."""
    from ..api.providers import OfferUpdateSerializer

    check_as_api(item, OfferUpdateSerializer, ["regions"], where)


def check_answer(item: dict, where: str) -> None:
    """An answer's texts and cited facts within the API's limits."""
    from ..api.answers import AnswerInputSerializer

    check_as_api(
        item,
        AnswerInputSerializer,
        ["justification", "evidence_reference", "facts"],
        where,
    )


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]
