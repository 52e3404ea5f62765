"""Export jobs in the API: follow a file being made, then download it.

``GET .../export/...`` of an export made in the background (see
``procurement.jobs.in_background``) answers ``202 Accepted`` with the job
(``accepted``) and its URL in ``Location``; ``/export-jobs/{id}/`` says how
far it got, and ``/export-jobs/{id}/file/`` serves the file once done. Jobs
are scoped like what they export: another organisation's job is a 404.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from config import errors
from config.rest import UpdatedAfterFilter

from .. import exports, jobs
from ..models import ExportJob


class ExportJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:export-job-detail",
        help_text="Poll this until `status` is done or failed.",
    )
    step = serializers.CharField(
        source="get_step_display",
        read_only=True,
        help_text="What the worker is doing, in words (Accept-Language).",
    )
    progress = serializers.IntegerField(
        read_only=True, min_value=0, max_value=100, help_text="Percent done."
    )
    error = serializers.CharField(
        read_only=True, help_text="Why the job failed, in words; empty otherwise."
    )
    download_url = serializers.SerializerMethodField(
        help_text="The file, once done and until `expires_at`; null before."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "url",
            "kind",
            "object_id",
            "format",
            "language",
            "title",
            "status",
            "progress",
            "step",
            "error",
            "filename",
            "size",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, job):
        if not job.is_ready():
            return None
        return reverse(
            "api:export-job-file", args=[job.pk], request=self.context["request"]
        )


def accepted(job: ExportJob, request) -> Response:
    """``202 Accepted``: the job that makes the file, and where to follow it."""
    data = ExportJobSerializer(job, context={"request": request}).data
    # str(): the URL is DRF's Hyperlink, a subclass of str that WSGI servers
    # refuse in a header.
    return Response(
        data, status=status.HTTP_202_ACCEPTED, headers={"Location": str(data["url"])}
    )


ACCEPTED = OpenApiResponse(
    ExportJobSerializer,
    description="Made in the background: the job, with its URL (also in "
    "`Location`). Poll it until `status` is `done`, then get `download_url`. "
    "If the same file was made recently from unchanged data, the job is "
    "already `done`.",
)


def media_type(fmt: str) -> str:
    """A format's media type without its parameters (``text/csv``)."""
    return exports.CONTENT_TYPES[fmt].split(";")[0].strip()


def file_responses(formats, status_code: int = 200) -> dict:
    """One response per media type of ``formats``, for drf-spectacular."""
    return {
        (status_code, media_type(fmt)): (
            OpenApiTypes.OBJECT if fmt == "json" else OpenApiTypes.BINARY
        )
        for fmt in formats
    }


@extend_schema_view(
    list=extend_schema(
        summary="List the exports being made or kept",
        description="Your organisations' export jobs (an organisation's data "
        "export: its leads only) and the reference cases', newest first. A "
        "finished file is kept for `EXPORTS_KEEP_HOURS` (24 by default).",
    ),
    retrieve=extend_schema(
        summary="Follow an export job",
        description="`status`: queued, running, done or failed; `progress` "
        "in percent and `step` in words while it runs; `error` in words if it "
        "failed; `download_url` once done. A job whose worker died is queued "
        "again when you read it (up to `EXPORTS_MAX_ATTEMPTS` runs).",
    ),
)
class ExportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = ExportJob.objects.order_by("-created_at", "pk")
    serializer_class = ExportJobSerializer
    filter_backends = [UpdatedAfterFilter]
    sync_field = "created_at"  # a job's own URL tells its progress
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_object(self):
        return jobs.follow(super().get_object())

    def perform_content_negotiation(self, request, force=False):
        # The file action returns a file whatever ``Accept`` says; its errors
        # are JSON.
        if getattr(self, "action", None) == "file":
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        summary="Download an export job's file",
        description="The finished file, as an attachment. A job not done "
        "yet, or failed, is a 409 that says its status; a file past "
        "`expires_at` is no longer kept (404): ask for the export again.",
        responses={
            # Any export format, and an organisation's archive (JSON).
            **file_responses(exports.FORMATS),
            409: OpenApiResponse(
                description="Not done yet (`job_not_ready`) or failed "
                "(`job_failed`); `job_status` says which."
            ),
        },
    )
    @action(detail=True)
    def file(self, request, pk=None):
        job = self.get_object()
        if job.is_ready():
            return jobs.file_response(job)
        if job.status == ExportJob.Status.DONE:
            raise exceptions.NotFound(
                _("This file is no longer kept; ask for the export again.")
            )
        if job.status == ExportJob.Status.FAILED:
            detail = _("The job failed: %(error)s") % {"error": job.error}
        else:
            detail = _("The file is not ready yet (%(progress)d%% done).") % {
                "progress": job.progress
            }
        code = (
            "job_failed" if job.status == ExportJob.Status.FAILED else "job_not_ready"
        )
        return Response(
            errors.problem(409, code, detail, job_status=job.status),
            status=status.HTTP_409_CONFLICT,
            content_type=errors.MEDIA_TYPE,
        )
