"""Free text in the language of the page, for shipped content that has a translation."""

from __future__ import annotations

from django.utils.translation import get_language


class Localized:
    """Read a free-text field in the active language from ``translations``.

    User-entered text is stored as typed; shipped content such as the
    reference cases also carries a French version in
    ``translations = {"fr": {"statement": ...}}``.
    """

    def __init__(self, field: str):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        language = (get_language() or "en")[:2]
        translated = (instance.translations or {}).get(language, {}).get(self.field)
        return translated or getattr(instance, self.field)
