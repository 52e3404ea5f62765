"""The editable reports (ODT, DOCX) through the pages and the API: made in
the background like the PDF, reused while the data is unchanged, seen only
by the organisation that owns them."""

import io

import docx
import pytest
from django.urls import reverse
from odf.opendocument import load

from procurement.exports import document, export_procurement
from procurement.models import ExportJob
from tests.factories import AssessmentFactory
from tests.procurement.api.helpers import client_for
from tests.procurement.exports.helpers import assess, tender

pytestmark = pytest.mark.django_db

ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(("fmt", "content_type"), [("odt", ODT), ("docx", DOCX)])
def test_the_api_makes_the_report_in_the_background_then_serves_it(
    viewer, procurement, fmt, content_type
):
    client = client_for(viewer)

    accepted = client.get(f"/api/v1/procurements/{procurement.pk}/export/{fmt}/")
    job = client.get(accepted["Location"]).json()
    download = client.get(job["download_url"])

    assert accepted.status_code == 202
    assert (job["status"], job["kind"], job["format"]) == ("done", "procurement", fmt)
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"] == (
        f'attachment; filename="{ExportJob.objects.get().filename}"'
    )
    assert download.getvalue()[:2] == b"PK"


def test_the_api_serves_a_scorecard_that_word_and_odfpy_can_open(viewer, strong):
    client = client_for(viewer)

    files = {
        fmt: client.get(
            client.get(f"/api/v1/assessments/{strong.pk}/export/{fmt}/").json()[
                "download_url"
            ]
        ).getvalue()
        for fmt in ("odt", "docx")
    }

    assert docx.Document(io.BytesIO(files["docx"])).paragraphs
    assert load(io.BytesIO(files["odt"])).text.childNodes


def test_asking_again_for_unchanged_data_reuses_the_file(viewer, procurement):
    client = client_for(viewer)
    url = f"/api/v1/procurements/{procurement.pk}/export/odt/"

    first = client.get(url).json()
    second = client.get(url).json()

    assert first["id"] == second["id"]
    assert ExportJob.objects.count() == 1


def test_the_odt_and_the_docx_are_two_files(viewer, procurement):
    client = client_for(viewer)

    odt = client.get(f"/api/v1/procurements/{procurement.pk}/export/odt/").json()
    word = client.get(f"/api/v1/procurements/{procurement.pk}/export/docx/").json()

    assert odt["id"] != word["id"]


def test_the_web_page_queues_the_report_and_offers_the_file(client, viewer, strong):
    client.force_login(viewer)
    url = reverse("procurement:assessment-export", args=[strong.pk, "docx"])

    response = client.get(url, follow=True)
    response.close()  # a file from storage is streamed; nothing reads it here

    assert response.redirect_chain[0][0].startswith("/exports/")
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith(
        'attachment; filename="scorecard-strong-cloud-strong-iaas-'
    )


def test_the_download_menu_offers_the_editable_reports(client, viewer, strong):
    client.force_login(viewer)

    page = client.get(strong.get_absolute_url()).content.decode()

    for fmt in ("odt", "docx"):
        assert reverse("procurement:assessment-export", args=[strong.pk, fmt]) in page
    assert "Scorecard, editable" in page


def test_another_organisations_report_is_a_404(client, lead):
    foreign = AssessmentFactory()
    client.force_login(lead)

    web = client.get(reverse("procurement:assessment-export", args=[foreign.pk, "odt"]))
    api = client_for(lead).get(f"/api/v1/assessments/{foreign.pk}/export/docx/")

    assert (web.status_code, api.status_code) == (404, 404)
    assert not ExportJob.objects.exists()


def test_without_cairo_the_job_fails_with_the_reason(viewer, procurement, monkeypatch):
    def missing_cairo(name):
        raise OSError("no library called 'cairo-2' was found")

    monkeypatch.setattr(document, "import_module", missing_cairo)

    job = client_for(viewer).get(f"/api/v1/procurements/{procurement.pk}/export/odt/")

    assert job.json()["status"] == "failed"
    assert "libcairo2" in job.json()["error"]


@pytest.mark.parametrize("fmt", ["odt", "docx"])
def test_editable_report_queries_do_not_grow_with_the_offers(
    fmt, organisation, lead, catalogue, django_assert_max_num_queries
):
    small = tender(organisation, lead, bidders=[("Alone", 3)])
    export_procurement(small, "json")  # warm the catalogue's spec cache
    # The PDF's queries (test_pdf.py): the editable report reads the PDF's content.
    with django_assert_max_num_queries(24):
        export_procurement(small, fmt)

    assess(small, lead, "Second", 2)
    assess(small, lead, "Third", 4)
    with django_assert_max_num_queries(24):
        export_procurement(small, fmt)
