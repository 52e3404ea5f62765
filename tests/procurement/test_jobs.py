"""Exports made in the background: queued, followed, downloaded, reused,
failed with a reason, restarted when their worker dies, deleted when expired.

Most tests run jobs through the queue's immediate backend (tests/conftest.py:
a job is done when the request that queued it returns). The tests marked
``database_queue`` use the real database backend, and run its worker in this
process (``run_worker``, what ``manage.py db_worker --batch`` does).
"""

import datetime
from io import StringIO

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from procurement import jobs, services
from procurement.exports import pdf
from procurement.jobs import tasks
from procurement.models import ExportJob, Membership
from procurement.seed import seed_demo
from procurement.services import AnswerData, panel
from procurement.services.panel import SeatData
from tests.conftest import member
from tests.factories import AssessmentFactory, OfferFactory, ProcurementFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def assessment(catalogue, organisation, evaluator):
    procurement = ProcurementFactory(organisation=organisation)
    offer = OfferFactory(provider__organisation=organisation, name="Trusted IaaS")
    assessment = services.start_assessment(
        user=evaluator, procurement=procurement, offer=offer
    )
    answers = [AnswerData(c.code, 3, "verified") for c in catalogue.criteria.all()]
    return services.record_answers(
        assessment, user=evaluator, version=1, answers=answers
    )


@pytest.fixture
def procurement(assessment):
    return assessment.procurement


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker(max_tasks=None):
    """Run every task that is due, as a ``db_worker --batch`` process would."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def report_url(procurement, fmt="xlsx"):
    return f"/api/v1/procurements/{procurement.pk}/export/{fmt}/"


def stored_files():
    exports = storages["exports"]
    folders, _files = exports.listdir("")
    return sorted(
        f"{folder}/{name}" for folder in folders for name in exports.listdir(folder)[1]
    )


def test_a_procurement_workbook_is_a_job_to_poll_then_download(viewer, procurement):
    client = api_client(viewer)

    accepted = client.get(report_url(procurement))
    job = client.get(accepted["Location"]).json()
    download = client.get(job["download_url"])

    assert accepted.status_code == 202
    assert accepted.json()["url"] == accepted["Location"]
    assert type(accepted["Location"]) is str  # WSGI servers accept nothing else
    assert (job["status"], job["progress"], job["step"], job["error"]) == (
        "done",
        100,
        "Ready",
        "",
    )
    assert (job["kind"], job["format"], job["language"]) == (
        "procurement",
        "xlsx",
        "en",
    )
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert download["Content-Disposition"].startswith('attachment; filename="procure')
    assert download.getvalue()[:2] == b"PK"


def test_small_exports_stay_synchronous(viewer, procurement):
    client = api_client(viewer)

    responses = [
        client.get(report_url(procurement, "csv")),
        client.get(report_url(procurement, "json")),
        client.get(
            f"/api/v1/assessments/{procurement.assessments.get().pk}/export/xlsx/"
        ),
    ]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert not ExportJob.objects.exists()


@pytest.mark.usefixtures("database_queue")
@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_its_worker_make_the_file(viewer, procurement):
    client = api_client(viewer)

    accepted = client.get(report_url(procurement)).json()
    before = client.get(accepted["url"]).json()
    run_worker()
    after = client.get(accepted["url"]).json()

    assert (accepted["status"], accepted["progress"], accepted["download_url"]) == (
        "queued",
        0,
        None,
    )
    assert (before["status"], before["step"]) == ("queued", "Waiting for a worker")
    assert (after["status"], after["progress"]) == ("done", 100)
    assert client.get(after["download_url"]).getvalue()[:2] == b"PK"
    task = DBTaskResult.objects.get(task_path="procurement.jobs.tasks.make_export")
    assert task.status == "SUCCESSFUL"


@pytest.mark.usefixtures("database_queue")
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_is_queued_again_and_finished(viewer, procurement):
    job = jobs.request_export(procurement, "xlsx", language="en", user=viewer)
    # A worker took it, then was killed (no signal, no clean-up).
    DBTaskResult.objects.get().claim("killed-worker")
    job.claim(timezone.now())

    soon = jobs.follow(job, now=timezone.now() + datetime.timedelta(seconds=60))
    in_time = (soon.status, soon.attempts)
    later = jobs.follow(job, now=timezone.now() + datetime.timedelta(seconds=121))
    requeued = (later.status, later.attempts)
    run_worker()
    job.refresh_from_db()

    assert in_time == ("running", 1)
    assert requeued == ("queued", 1)
    assert (job.status, job.attempts) == ("done", 2)


@pytest.mark.usefixtures("database_queue")
@pytest.mark.django_db(transaction=True)
def test_a_worker_stopped_during_an_export_hands_the_job_back(
    viewer, assessment, monkeypatch
):
    def stopped(name):
        raise SystemExit(1)  # what the worker's second SIGTERM does mid-task

    job = jobs.request_export(assessment, "pdf", language="en", user=viewer)
    monkeypatch.setattr(pdf, "import_module", stopped)
    run_worker(max_tasks=1)
    interrupted = ExportJob.objects.get(pk=job.pk)
    monkeypatch.undo()
    run_worker()
    job.refresh_from_db()

    assert (interrupted.status, interrupted.attempts) == ("queued", 1)
    assert (job.status, job.attempts) == ("done", 2)
    assert job.filename.endswith(".pdf")


def test_the_same_request_on_unchanged_data_reuses_the_file(
    client, viewer, procurement
):
    api = api_client(viewer)
    client.force_login(viewer)

    first = api.get(report_url(procurement)).json()
    second = api.get(report_url(procurement)).json()
    click = client.get(
        reverse("procurement:procurement-export", args=[procurement.pk, "xlsx"])
    )

    assert second["id"] == first["id"]
    assert second["status"] == "done"
    assert click.status_code == 302
    assert click["Location"] == reverse(
        "procurement:export-job-file", args=[first["id"]]
    )
    assert len(stored_files()) == 1


def test_another_language_or_format_is_another_file(viewer, procurement, assessment):
    api = api_client(viewer)

    english = api.get(report_url(procurement)).json()
    french = api.get(report_url(procurement), HTTP_ACCEPT_LANGUAGE="fr").json()

    assert english["id"] != french["id"]
    assert french["language"] == "fr"
    assert french["filename"] != ""


def test_a_changed_answer_makes_a_new_file(viewer, evaluator, procurement, assessment):
    api = api_client(viewer)
    first = api.get(report_url(procurement)).json()

    services.record_answers(
        assessment,
        user=evaluator,
        version=assessment.version,
        answers=[AnswerData("OWN-1", 1, "declared")],
    )
    second = api.get(report_url(procurement)).json()

    assert second["id"] != first["id"]
    assert second["status"] == "done"
    assert ExportJob.objects.count() == 2


def test_a_changed_offer_makes_a_new_file(viewer, evaluator, procurement, assessment):
    api = api_client(viewer)
    first = api.get(report_url(procurement)).json()

    services.update_offer(assessment.offer, user=evaluator, name="Renamed IaaS")
    second = api.get(report_url(procurement)).json()

    assert second["id"] != first["id"]


def test_a_failed_job_says_why_on_the_page_in_the_api_and_in_the_log(
    client, viewer, assessment, monkeypatch, caplog
):
    def missing_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "import_module", missing_pango)
    client.force_login(viewer)

    page = client.get(
        reverse("procurement:assessment-export", args=[assessment.pk, "pdf"]),
        follow=True,
    )
    job = ExportJob.objects.get()
    api = api_client(viewer).get(f"/api/v1/export-jobs/{job.pk}/").json()
    file = api_client(viewer).get(f"/api/v1/export-jobs/{job.pk}/file/")

    assert job.status == "failed"
    assert "PDF export is not available" in job.error
    assert "PDF export is not available" in page.content.decode()
    assert "Try again" in page.content.decode()
    assert (api["status"], api["error"], api["download_url"]) == (
        "failed",
        job.error,
        None,
    )
    assert file.status_code == 409
    assert (file.json()["code"], file.json()["job_status"]) == ("job_failed", "failed")
    assert f"Export job {job.pk}" in caplog.text
    assert "PDF export is not available" in caplog.text


def test_asking_again_after_a_failure_starts_a_new_job(viewer, assessment, monkeypatch):
    def missing_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0'")

    url = f"/api/v1/assessments/{assessment.pk}/export/pdf/"
    monkeypatch.setattr(pdf, "import_module", missing_pango)
    failed = api_client(viewer).get(url).json()
    monkeypatch.undo()

    retried = api_client(viewer).get(url).json()

    assert failed["status"] == "failed"
    assert retried["id"] != failed["id"]
    assert retried["status"] == "done"


@pytest.mark.usefixtures("database_queue")
@pytest.mark.django_db(transaction=True)
def test_an_object_deleted_before_its_job_ran_fails_the_job_in_words(
    viewer, procurement
):
    job = jobs.request_export(procurement, "xlsx", language="fr", user=viewer)
    procurement.delete()

    run_worker()
    job.refresh_from_db()

    assert job.status == "failed"
    assert job.error == (
        "Le marché a été supprimé avant que son fichier ait pu être produit."
    )


def test_a_job_that_keeps_losing_its_worker_is_given_up(viewer, procurement, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = jobs.request_export(procurement, "xlsx", language="en", user=viewer)
    for _attempt in range(settings.EXPORTS_MAX_ATTEMPTS):
        job.claim(timezone.now())
        job = jobs.follow(job, now=timezone.now() + datetime.timedelta(minutes=5))

    assert job.status == "failed"
    assert "stopped 3 times" in job.error


def test_another_organisations_job_is_a_404_everywhere(client, viewer, procurement):
    job = jobs.request_export(procurement, "xlsx", language="en", user=viewer)
    outsider = member(ProcurementFactory().organisation, Membership.Role.LEAD)
    api = api_client(outsider)
    client.force_login(outsider)

    responses = [
        api.get(f"/api/v1/export-jobs/{job.pk}/"),
        api.get(f"/api/v1/export-jobs/{job.pk}/file/"),
        client.get(job.get_absolute_url()),
        client.get(job.get_file_url()),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert api.get("/api/v1/export-jobs/").json()["count"] == 0


def test_anonymous_users_follow_no_job(client, viewer, procurement):
    job = jobs.request_export(procurement, "xlsx", language="en", user=viewer)

    api = APIClient().get(f"/api/v1/export-jobs/{job.pk}/")
    page = client.get(job.get_absolute_url())

    assert (api.status_code, page.status_code) == (401, 302)


def test_only_leads_follow_their_organisations_data_export(client, catalogue):
    organisation = seed_demo().organisation
    lead = organisation.memberships.get(role="lead").user
    viewer = member(organisation, Membership.Role.VIEWER)

    accepted = api_client(lead).get(f"/api/v1/organisations/{organisation.pk}/export/")
    job_url = accepted["Location"]

    assert accepted.status_code == 202
    assert api_client(lead).get(job_url).json()["status"] == "done"
    assert api_client(viewer).get(job_url).status_code == 404


def test_everyone_follows_the_reference_cases_jobs(viewer, catalogue):
    reference = ExportJob.objects.create(
        kind=ExportJob.Kind.ASSESSMENT,
        object_id=1,
        format="pdf",
        fingerprint="r" * 64,
        title="Cloudwatt",
    )
    foreign = AssessmentFactory()
    theirs = ExportJob.objects.create(
        kind=ExportJob.Kind.ASSESSMENT,
        object_id=foreign.pk,
        format="pdf",
        fingerprint="t" * 64,
        title="Theirs",
        organisation=foreign.procurement.organisation,
    )

    visible = ExportJob.objects.visible_to(viewer)

    assert list(visible) == [reference]
    assert theirs not in visible


def test_the_job_list_shows_mine_newest_first(lead, procurement):
    api = api_client(lead)
    older = api.get(report_url(procurement)).json()
    newer = api.get(
        f"/api/v1/organisations/{procurement.organisation_id}/export/"
    ).json()

    listed = api.get("/api/v1/export-jobs/").json()

    assert [j["id"] for j in listed["results"]] == [newer["id"], older["id"]]


def test_the_page_shows_the_progress_then_offers_the_file(
    client, viewer, procurement, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(viewer)
    queued = client.get(
        reverse("procurement:procurement-export", args=[procurement.pk, "xlsx"]),
        follow=True,
    ).content.decode()
    job = ExportJob.objects.get()
    job.claim(timezone.now())
    job.report(40, ExportJob.Step.WRITING, timezone.now())

    running = client.get(job.get_absolute_url()).content.decode()
    job.requeue()
    tasks.make_export.call(str(job.pk))  # what a worker runs
    ready = client.get(job.get_absolute_url()).content.decode()

    assert 'http-equiv="refresh"' in queued
    assert "Waiting for a worker" in queued
    assert '<progress class="export-job__progress" max="100" value="0">' in queued
    assert 'value="40"' in running and "Making the file" in running
    assert 'http-equiv="refresh"' in running
    assert "Your file is ready" in ready
    assert job.get_file_url() in ready
    assert 'http-equiv="refresh"' not in ready


def test_a_file_is_kept_for_the_configured_time_then_deleted(
    client, viewer, procurement, settings
):
    settings.EXPORTS_KEEP_HOURS = 2
    client.force_login(viewer)
    job = jobs.request_export(procurement, "xlsx", language="en", user=viewer)
    stored = stored_files()

    kept = jobs.cleanup(now=timezone.now() + datetime.timedelta(hours=1))
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    page = client.get(job.get_file_url())
    api = api_client(viewer).get(f"/api/v1/export-jobs/{job.pk}/file/")
    out = StringIO()
    call_command("cleanup_exports", stdout=out)

    assert job.expires_at - job.finished_at == datetime.timedelta(hours=2)
    assert len(stored) == 1
    assert kept == jobs.Cleanup(deleted=0, requeued=0)
    assert page.status_code == 302 and page["Location"] == job.get_absolute_url()
    assert api.status_code == 404
    assert out.getvalue() == (
        "Deleted 1 finished export(s); queued 0 interrupted one(s) again.\n"
    )
    assert stored_files() == []
    assert not ExportJob.objects.exists()


@pytest.mark.usefixtures("database_queue")
@pytest.mark.django_db(transaction=True)
def test_the_database_queue_deletes_the_file_when_it_expires(viewer, procurement):
    job = jobs.request_export(procurement, "xlsx", language="en", user=viewer)
    run_worker()
    job.refresh_from_db()
    deletion = DBTaskResult.objects.get(
        task_path="procurement.jobs.tasks.delete_export"
    )

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    DBTaskResult.objects.filter(pk=deletion.pk).update(run_after=timezone.now())
    run_worker()

    assert deletion.run_after == job.expires_at
    assert not ExportJob.objects.exists()
    assert stored_files() == []


def test_files_are_served_only_as_attachments_never_cached(viewer, procurement):
    api = api_client(viewer)
    job = api.get(report_url(procurement)).json()

    download = api.get(job["download_url"])
    download.close()

    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"


def test_two_pending_jobs_for_the_same_data_cannot_coexist(procurement):
    key = {"kind": "procurement", "object_id": procurement.pk, "format": "pdf"}
    ExportJob.objects.create(**key, fingerprint="a" * 64, title="One")

    with pytest.raises(IntegrityError):
        ExportJob.objects.create(**key, fingerprint="a" * 64, title="Two")


def test_a_file_gone_from_the_storage_is_made_again(viewer, procurement):
    api = api_client(viewer)
    first = api.get(report_url(procurement)).json()
    storages["exports"].delete(ExportJob.objects.get().file_name)

    gone = api.get(first["download_url"])
    second = api.get(report_url(procurement)).json()

    assert gone.status_code == 404
    assert second["id"] != first["id"]
    assert second["status"] == "done"


def test_a_comment_of_the_panel_makes_a_new_file(viewer, lead, procurement, assessment):
    panel.set_panel(procurement, user=lead, seats=[SeatData(lead.pk)])
    api = api_client(viewer)
    first = api.get(report_url(procurement)).json()

    panel.add_comment(assessment, user=lead, criterion="OWN-1", text="Check it.")
    second = api.get(report_url(procurement)).json()

    assert second["id"] != first["id"]
