"""Evidence files: checked by content, stored by hash, served only to members."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement import evidence, services
from procurement.models import EvidenceFile, HistoryEntry
from tests.factories import MembershipFactory, stored_bytes
from tests.procurement.api.helpers import client_for, problem_fields, url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name, content):
    return SimpleUploadedFile(name, content)


def office(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("certificate.pdf", PDF, "application/pdf"),
        ("scan.png", PNG, "image/png"),
        ("notes.txt", "Plain notes, in UTF-8: é.".encode(), "text/plain"),
        (
            "clause.odt",
            office({"mimetype": b"application/vnd.oasis.opendocument.text"}),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "register.xlsx",
            office({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_accepted_files_are_told_by_their_content(name, content, kind):
    inspected = evidence.inspect(upload(name, content))

    assert inspected.content_type == kind
    assert inspected.sha256 == hashlib.sha256(content).hexdigest()
    assert inspected.size == len(content)


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00" + b"\x00" * 100,  # a Windows program renamed .pdf
        office({"payload.exe": b"MZ"}),  # a zip that is no office document
        b"\x00\x01\x02 binary noise",
    ],
)
def test_a_file_of_another_kind_renamed_pdf_is_refused(content):
    with pytest.raises(evidence.FileRefused):
        evidence.inspect(upload("certificate.pdf", content))


def test_an_oversized_file_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 10

    with pytest.raises(evidence.FileTooLarge):
        evidence.inspect(upload("big.pdf", PDF))


def test_an_added_file_is_stored_by_hash_and_recorded(assessment, evaluator):
    stored = services.add_evidence(
        assessment, "SEC-1", upload("SecNumCloud.pdf", PDF), user=evaluator
    )

    entry = HistoryEntry.objects.get(action="file.added")
    assert stored.sha256 in stored.file.name
    assert stored_bytes(stored.file) == PDF
    assert entry.criterion == "SEC-1"
    assert {"field": "sha256", "before": None, "after": stored.sha256} in entry.changes


def test_files_go_to_the_configured_storage(assessment, evaluator, tmp_path):
    stored = services.add_evidence(
        assessment, "SEC-1", upload("SecNumCloud.pdf", PDF), user=evaluator
    )

    assert (tmp_path / "evidence" / stored.file.name).read_bytes() == PDF


def test_the_same_file_twice_on_one_criterion_is_refused(assessment, evaluator):
    services.add_evidence(assessment, "SEC-1", upload("a.pdf", PDF), user=evaluator)

    with pytest.raises(ValidationError):
        services.add_evidence(assessment, "SEC-1", upload("b.pdf", PDF), user=evaluator)


def test_files_of_a_submitted_assessment_cannot_be_removed(assessment, evaluator):
    stored = services.add_evidence(
        assessment, "SEC-1", upload("a.pdf", PDF), user=evaluator
    )
    services.submit_assessment(assessment, user=evaluator)

    with pytest.raises(ValidationError):
        services.remove_evidence(EvidenceFile.objects.get(pk=stored.pk), user=evaluator)


def test_a_draft_file_is_removed_and_the_record_keeps_it(assessment, evaluator):
    stored = services.add_evidence(
        assessment, "SEC-1", upload("a.pdf", PDF), user=evaluator
    )

    services.remove_evidence(stored, user=evaluator)

    assert not EvidenceFile.objects.exists()
    assert HistoryEntry.objects.filter(action="file.removed").exists()


def test_a_file_is_served_as_an_attachment_that_is_never_sniffed(
    client, assessment, evaluator
):
    stored = services.add_evidence(
        assessment, "SEC-1", upload("c.pdf", PDF), user=evaluator
    )
    client.force_login(evaluator)

    response = client.get(reverse("procurement:evidence-file", args=[stored.pk]))

    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_another_organisations_file_is_a_404(client, assessment, evaluator):
    stored = services.add_evidence(
        assessment, "SEC-1", upload("c.pdf", PDF), user=evaluator
    )
    outsider = MembershipFactory(role="lead").user

    page = client_for(outsider).get(url("file-detail", stored.pk))
    client.force_login(outsider)
    web = client.get(reverse("procurement:evidence-file", args=[stored.pk]))

    assert (page.status_code, web.status_code) == (404, 404)


def test_the_api_uploads_lists_reads_and_deletes_a_file(assessment, evaluator):
    client = client_for(evaluator)
    path = url("assessment-files", assessment.pk, "SEC-1")

    created = client.post(path, {"file": upload("c.pdf", PDF)}, format="multipart")
    listed = client.get(path)
    read = client.get(url("file-detail", created.json()["id"]))
    deleted = client.delete(url("file-detail", created.json()["id"]))

    body = created.json()
    assert created.status_code == 201
    assert set(body) >= {"id", "name", "size", "sha256", "content_type"}
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["uploaded_by"] == evaluator.username
    assert [f["id"] for f in listed.json()] == [body["id"]]
    assert b"".join(read.streaming_content) == PDF
    assert deleted.status_code == 204


def test_the_api_refuses_a_renamed_file_and_an_oversized_one(
    assessment, evaluator, settings
):
    client = client_for(evaluator)
    path = url("assessment-files", assessment.pk, "SEC-1")

    renamed = client.post(
        path, {"file": upload("x.pdf", b"MZ" * 40)}, format="multipart"
    )
    settings.EVIDENCE_MAX_BYTES = 10
    large = client.post(path, {"file": upload("x.pdf", PDF)}, format="multipart")

    assert renamed.status_code == 400
    assert problem_fields(renamed) == ["file"]
    assert large.status_code == 413


def test_the_files_list_costs_the_same_queries_at_two_sizes(
    assessment, evaluator, django_assert_max_num_queries
):
    client = client_for(evaluator)
    path = url("assessment-files", assessment.pk, "SEC-1")
    services.add_evidence(assessment, "SEC-1", upload("1.txt", b"one"), user=evaluator)
    with django_assert_max_num_queries(4):
        client.get(path)
    for index in range(5):
        services.add_evidence(
            assessment,
            "SEC-1",
            upload(f"{index}.txt", f"n{index}".encode()),
            user=evaluator,
        )

    with django_assert_max_num_queries(4):
        response = client.get(path)

    assert len(response.json()) == 6
