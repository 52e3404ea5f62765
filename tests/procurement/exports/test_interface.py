"""What every export has in common (``procurement/exports/__init__.py``): its
name and type, the formats and languages allowed, the same bytes for the
same data, and queries that do not grow with the data."""

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from procurement import services
from procurement.exports import (
    FORMATS,
    ExportFile,
    UnknownFormat,
    export_assessment,
    export_procurement,
)
from tests.factories import published_profile
from tests.procurement.exports.helpers import NOW, assess, tender

pytestmark = pytest.mark.django_db


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("xlsx", XLSX),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ],
)
def test_an_assessment_export_says_what_it_is_in_its_name_and_type(
    strong, fmt, content_type
):
    exported = export_assessment(strong, fmt, now=NOW)

    assert (exported.filename, exported.content_type) == (
        f"scorecard-strong-cloud-strong-iaas-2026-11-22.{fmt}",
        content_type,
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_procurement_export_is_named_after_its_reference_and_date(procurement, fmt):
    exported = export_procurement(procurement, fmt, now=NOW)

    assert exported.filename == f"procurement-t-202607-2026-11-22.{fmt}"


def test_a_procurement_without_reference_is_named_after_its_title(
    organisation, lead, catalogue
):
    procurement = services.create_procurement(
        user=lead,
        organisation=organisation,
        title="Messagerie sécurisée",
        profile=published_profile("N2"),
    )

    exported = export_procurement(procurement, "csv", now=NOW)

    assert exported.filename == "procurement-messagerie-securisee-2026-11-22.csv"


def test_the_date_in_the_file_name_is_the_local_date(strong):
    late_evening_utc = datetime.datetime(
        2026, 11, 22, 23, 30, tzinfo=datetime.timezone.utc
    )

    exported = export_assessment(strong, "json", now=late_evening_utc)

    assert exported.filename.endswith("-2026-11-23.json")  # Europe/Paris


def test_an_unknown_format_is_refused_with_the_formats_allowed(strong):
    with pytest.raises(UnknownFormat, match="pdf, odt, docx, xlsx, csv, json"):
        export_assessment(strong, "rtf")


def test_an_unknown_language_is_refused(strong):
    with pytest.raises(ValueError, match="en or fr"):
        export_assessment(strong, "csv", language="de")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_the_same_data_at_the_same_time_gives_the_same_bytes(procurement, fmt):
    first = export_procurement(procurement, fmt, now=NOW)

    second = export_procurement(procurement, fmt, now=NOW)

    assert first.content == second.content


def test_the_workbook_says_it_was_made_at_the_generation_time(procurement):
    content = export_procurement(procurement, "xlsx", now=NOW).content

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        core = archive.read("docProps/core.xml").decode()

    stamp = timezone.localtime(NOW).replace(tzinfo=None).isoformat(timespec="seconds")
    assert core.count(stamp) == 2  # created and modified


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_procurement_without_offers_exports_its_headers(
    organisation, lead, catalogue, fmt
):
    empty = tender(organisation, lead, bidders=[])

    assert export_procurement(empty, fmt).content


def test_every_format_returns_an_export_file(procurement, strong):
    files = [export_assessment(strong, fmt) for fmt in FORMATS if fmt != "pdf"]

    assert all(isinstance(f, ExportFile) and f.content for f in files)


# Query counts: the same bound at two sizes.


# The assessment joined to its offer, provider, procurement, organisation,
# catalogue and profile (1); the catalogue with its method (11: catalogue,
# pillars, criteria, levels, profiles, weights and their pillars, knock-outs and
# their criteria, caps, evidence types); the answers with their criteria and
# authors, and their facts (2); the bidder's claims and the evidence files (2);
# the record and the reference cases' warning signs with their facts, in the
# JSON (1 + 2); the panel's seats, none here, in the XLSX and JSON (1; with a
# panel, 4 more: see test_panel_exports.py).
ASSESSMENT_QUERIES = 20


# The procurement joined to its organisation, catalogue and profile (1), the
# method (11), the ranking (1), every offer's answers and facts (2), claims and
# evidence files (2), the record, in the JSON (1), the panel's seats (1).
PROCUREMENT_QUERIES = 19


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_assessment_export_queries_do_not_grow_with_the_answers(
    procurement, lead, fmt, django_assert_max_num_queries
):
    few = assess(procurement, lead, "Few", 3, only={"OWN-1"})
    many = procurement.assessments.get(offer__name="Strong IaaS")
    export_assessment(few, fmt)  # warm the catalogue's spec cache

    with django_assert_max_num_queries(ASSESSMENT_QUERIES):
        export_assessment(few, fmt)
    with django_assert_max_num_queries(ASSESSMENT_QUERIES):
        export_assessment(many, fmt)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_procurement_export_queries_do_not_grow_with_the_offers(
    organisation, lead, catalogue, fmt, django_assert_max_num_queries
):
    small = tender(organisation, lead, bidders=[("Alone", 3)])
    export_procurement(small, fmt)  # warm the catalogue's spec cache
    with django_assert_max_num_queries(PROCUREMENT_QUERIES):
        export_procurement(small, fmt)

    for name in ("Second", "Third", "Fourth"):
        assess(small, lead, name, 2)
    with django_assert_max_num_queries(PROCUREMENT_QUERIES):
        export_procurement(small, fmt)


def test_a_french_export_is_named_in_french(procurement, strong):
    report = export_procurement(procurement, "csv", language="fr", now=NOW)
    scorecard = export_assessment(strong, "pdf", language="fr", now=NOW)

    assert report.filename == "consultation-t-202607-2026-11-22.csv"
    assert scorecard.filename == "notation-strong-cloud-strong-iaas-2026-11-22.pdf"
