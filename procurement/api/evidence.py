"""Evidence files, bidder invitations and the XLSX grid through the API.

``BidderActionsMixin`` adds to the assessments resource:
``.../answers/{criterion}/files/`` (list, upload as multipart field ``file``),
``.../invitations/`` (invite a bidder: the link comes back once) and
``.../grid/`` (download the XLSX grid; upload a filled one: every problem
with its sheet and cell, nothing imported unless all is valid). ``/files/{id}/``
gives a file's bytes (and deletes one of a draft), ``/invitations/{id}/``
revokes an invitation. Everything is scoped to the user's organisations.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from config import errors
from config.rest import StrictInput

from .. import evidence, exports, services
from ..exports import grid
from ..models import Assessment, EvidenceFile, Invitation
from ..views.evidence import file_response


class EvidenceFileSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code")
    uploaded_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "criterion",
            "name",
            "size",
            "sha256",
            "content_type",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_uploaded_by(self, stored) -> str:
        """A username, or the bidder's invitation for a file it sent."""
        if stored.uploaded_by is not None:
            return stored.uploaded_by.get_username()
        return str(stored.uploader)

    def get_download_url(self, stored) -> str:
        return reverse("api:file-detail", args=[stored.pk])


class UploadSerializer(StrictInput, serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF, PNG, JPEG, ODT, ODS, DOCX, XLSX or TXT, checked by its "
        "content; at most EVIDENCE_MAX_BYTES (25 MB by default)."
    )


class InvitationSerializer(serializers.ModelSerializer):
    contact_email = serializers.CharField(
        read_only=True, help_text="The bidder's e-mail address; empty when none given."
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "assessment",
            "contact_email",
            "language",
            "created_at",
            "expires_at",
            "revoked_at",
            "submitted_at",
            "last_opened_at",
        ]
        read_only_fields = fields


class InvitationCreateSerializer(StrictInput, serializers.Serializer):
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    days = serializers.IntegerField(
        min_value=1, max_value=365, required=False, help_text="Default 30."
    )
    language = serializers.ChoiceField(choices=["en", "fr"], default="en")


class InvitationCreatedSerializer(InvitationSerializer):
    link = serializers.CharField(
        help_text="The link to send to the bidder. Shown only now: only a "
        "fingerprint of its token is kept."
    )

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]
        read_only_fields = fields


def grid_refused(problems) -> Response:
    """A refused grid as a 400 problem: one error per cell at fault, on the
    ``grid`` field, with its ``sheet`` and ``cell`` (empty for the file)."""
    found = [
        {
            "pointer": "/grid",
            "code": "invalid_grid",
            "detail": problem.message,
            "sheet": problem.sheet,
            "cell": problem.cell,
        }
        for problem in problems
    ]
    detail = (
        found[0]["detail"]
        if len(found) == 1
        else _("%(count)d values are invalid; see errors.") % {"count": len(found)}
    )
    return Response(
        errors.problem(400, "invalid", detail, errors=found),
        status=status.HTTP_400_BAD_REQUEST,
        content_type=errors.MEDIA_TYPE,
    )


TOO_LARGE = OpenApiResponse(description="The file is larger than the limit.")


class BidderActionsMixin:
    """Files, invitations and the grid of one assessment (for AssessmentViewSet)."""

    @extend_schema(
        methods=["GET"],
        summary="List an answer's evidence files",
        responses={200: EvidenceFileSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Attach an evidence file to an answer",
        description="Multipart field `file`. Checked by its content, not its name "
        "(a 400 says why a file is refused); a 413 above the size limit. Returns "
        "the file with its SHA-256. Evaluators and leads; not on a closed "
        "procurement (409).",
        request={"multipart/form-data": UploadSerializer},
        responses={201: EvidenceFileSerializer, 413: TOO_LARGE},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path=r"answers/(?P<criterion>[A-Za-z0-9-]{1,16})/files",
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def files(self, request, pk=None, criterion=None):
        assessment = self.get_object()
        if request.method == "GET":
            files = assessment.files.filter(criterion__code=criterion).select_related(
                "criterion", "uploaded_by", "invitation"
            )
            return Response(EvidenceFileSerializer(files, many=True).data)
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            stored = services.add_evidence(
                assessment,
                criterion,
                serializer.validated_data["file"],
                user=request.user,
            )
        except evidence.FileTooLarge as exc:
            return Response(
                {"detail": str(exc)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        except evidence.FileRefused as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from exc
        return Response(
            EvidenceFileSerializer(stored).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["GET"],
        summary="List the bidder invitations of an assessment",
        responses={200: InvitationSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Invite the bidder to answer (leads)",
        description="Returns the link once: the bidder answers this offer's "
        "questionnaire through it, without an account, until it expires "
        "(`days`, default 30) or is revoked (DELETE /api/v1/invitations/{id}/).",
        request=InvitationCreateSerializer,
        responses={201: InvitationCreatedSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=None,
    )
    def invitations(self, request, pk=None):
        assessment = self.get_object()
        if request.method == "GET":
            return Response(
                InvitationSerializer(assessment.invitations.all(), many=True).data
            )
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, token = services.invite_bidder(
            assessment, user=request.user, **serializer.validated_data
        )
        data = InvitationSerializer(invitation).data
        data["link"] = request.build_absolute_uri(reverse("bid", args=[token]))
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Download the XLSX grid for the bidder",
        description="An instructions sheet and one row per criterion (question, "
        "level descriptors, evidence asked for), a drop-down list for the level, "
        "cells for the justification and the documents' names; other cells are "
        "protected. In the language of `Accept-Language` (en, fr).",
        responses={
            (200, exports.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
        },
    )
    @extend_schema(
        methods=["POST"],
        summary="Import the grid the bidder returned",
        description="Multipart field `grid`. Every cell is checked; nothing is "
        "imported unless all is valid (a 400 lists every problem with its sheet "
        "and cell). A grid of another offer or procurement is refused. The "
        "answers become the bidder's claims; the record keeps the file's SHA-256.",
        request={
            "multipart/form-data": inline_serializer(
                "GridUpload", {"grid": serializers.FileField()}
            )
        },
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The assessment (as GET /api/v1/assessments/{id}/), "
                "with the bidder's score as claimed.",
            ),
            400: OpenApiResponse(
                description="Nothing imported: every problem in `errors`, on "
                "`/grid` with its `sheet` and `cell`."
            ),
            413: TOO_LARGE,
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def grid(self, request, pk=None):
        assessment = self.get_object()
        if request.method == "GET":
            language = exports.language_for(request.LANGUAGE_CODE)
            response = HttpResponse(
                grid.grid_xlsx(assessment, language),
                content_type=exports.CONTENT_TYPES["xlsx"],
            )
            response["Content-Disposition"] = content_disposition_header(
                as_attachment=True, filename=f"grid-{assessment.pk}-{language}.xlsx"
            )
            return response
        upload = request.data.get("grid")
        if upload is None or isinstance(upload, str):
            return grid_refused(
                [grid.GridProblem("", "", _("Send the grid as a file."))]
            )
        if upload.size > settings.GRID_MAX_BYTES:
            return Response(
                errors.problem(413, "payload_too_large", _("The grid is too large.")),
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                content_type=errors.MEDIA_TYPE,
            )
        content = upload.read()
        try:
            claims = grid.read_grid(content, assessment)
        except grid.GridRefused as exc:
            return grid_refused(exc.problems)
        services.import_claims(
            assessment,
            claims,
            user=request.user,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        return self._detail(Assessment.objects.get(pk=assessment.pk))


class FileViewSet(mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """An evidence file: its bytes, or its removal from a draft."""

    queryset = EvidenceFile.objects.select_related(
        "assessment", "criterion", "uploaded_by"
    ).order_by("pk")
    serializer_class = EvidenceFileSerializer
    filter_backends = []

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(assessment__in=Assessment.objects.visible_to(self.request.user))
        )

    @extend_schema(
        summary="Download an evidence file",
        description="The bytes, as an attachment (`X-Content-Type-Options: nosniff`).",
        responses={
            (200, content_type): OpenApiTypes.BINARY
            for content_type in evidence.CONTENT_TYPES
        },
    )
    def retrieve(self, request, pk=None):
        return file_response(self.get_object())

    @extend_schema(
        summary="Remove an evidence file (draft assessments only)",
        responses={204: None},
    )
    def destroy(self, request, pk=None):
        services.remove_evidence(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationViewSet(mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Revoke a bidder invitation (leads)."""

    queryset = Invitation.objects.select_related("assessment").order_by("pk")
    serializer_class = InvitationSerializer
    filter_backends = []

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(assessment__in=Assessment.objects.visible_to(self.request.user))
        )

    @extend_schema(summary="Revoke a bidder invitation (leads)", responses={204: None})
    def destroy(self, request, pk=None):
        services.revoke_invitation(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
