"""Validators of single values that forms, the API and the admin share.

They sit on the model fields, so a ``ModelForm`` (through ``full_clean``) and
a DRF ``ModelSerializer`` (which copies a model field's validators) apply the
same rule, with the same message. Dates are compared with today's date in
the site's time zone.
"""

from __future__ import annotations

import datetime

import pycountry
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# ISO 3166-1 alpha-2 codes assigned to a country, from pycountry (the Debian
# iso-codes data); user-assigned codes (AA, QM-QZ, XA-XZ, ZZ) and reserved
# ones (U1 is not even letters) are absent.
COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
EARLIEST_DEADLINE = datetime.date(2000, 1, 1)
DEADLINE_YEARS_AHEAD = 10


def validate_country_code(value: str) -> None:
    """An assigned ISO 3166-1 alpha-2 code, in capitals (blank is for the field)."""
    if value and value not in COUNTRY_CODES:
        raise ValidationError(
            _(
                "“%(value)s” is not an ISO 3166-1 country code: two capital "
                "letters, e.g. FR, DE, US."
            ),
            code="invalid_country",
            params={"value": value},
        )


def validate_deadline(value: datetime.date | None) -> None:
    """A deadline from 2000 to ten years ahead: anything else is a typing slip."""
    if value is None:
        return
    today = timezone.localdate()
    latest = _years_after(today, DEADLINE_YEARS_AHEAD)
    if not EARLIEST_DEADLINE <= value <= latest:
        raise ValidationError(
            _("Enter a deadline between %(earliest)s and %(latest)s."),
            code="deadline_out_of_range",
            params={
                "earliest": date_format(EARLIEST_DEADLINE),
                "latest": date_format(latest),
            },
        )


def validate_not_in_the_future(value: datetime.date | None) -> None:
    """A date that has happened: a fact or its source cannot be dated tomorrow."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(
            _("This date is in the future: a fact describes what has happened."),
            code="in_the_future",
        )


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, ten years later
        return day.replace(year=day.year + years, day=28)
