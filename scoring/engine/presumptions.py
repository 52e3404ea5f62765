"""Levels presumed from certifications (brief §8.6), as pure functions.

A certificate of a scheme the catalogue knows, valid on the assessment's
date and covering the offer, presumes the scheme's minimum levels; the
highest presumption of a criterion wins. An expired certificate, one not yet
valid, or one whose scope does not cover the offer presumes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import NamedTuple


class SchemeSpec(NamedTuple):
    code: str
    presumes: Mapping[str, int]  # criterion code -> minimum level


class CertificateInput(NamedTuple):
    key: object  # the caller's id for the certificate
    scheme: str  # a scheme code; unknown codes presume nothing
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    covers_offer: bool = True

    def valid_on(self, day: datetime.date) -> bool:
        starts = self.valid_from is None or self.valid_from <= day
        return starts and self.valid_to is not None and day <= self.valid_to


class Presumption(NamedTuple):
    level: int
    certificate: object  # the key of the certificate it comes from
    scheme: str


def presumed_levels(
    schemes: Mapping[str, SchemeSpec],
    certificates: Iterable[CertificateInput],
    on: datetime.date,
) -> dict[str, Presumption]:
    """Criterion code -> the highest level presumed by a valid certificate.

    A certificate without an end date presumes nothing: validity must be
    shown, not assumed.
    """
    presumed: dict[str, Presumption] = {}
    for certificate in certificates:
        scheme = schemes.get(certificate.scheme)
        if scheme is None or not certificate.covers_offer:
            continue
        if not certificate.valid_on(on):
            continue
        for code, level in scheme.presumes.items():
            if code not in presumed or level > presumed[code].level:
                presumed[code] = Presumption(level, certificate.key, scheme.code)
    return presumed
