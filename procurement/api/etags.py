"""HTTP's optimistic locking for assessments: ``ETag`` and ``If-Match``.

An assessment's ``version`` goes up with every change (answers, status,
summary, re-pin); its entity tag says the same in a header, on the
assessment and on its answers: ``"a12v7"`` is assessment 12 at version 7.
A write that sends ``If-Match`` with a tag of another version is refused
with 412 (``precondition_failed``) before anything is read or saved; a
matching tag stands for the body's ``version``, which then becomes
optional. ``If-Match`` itself stays optional (no 428): clients that send
``version`` in the body keep working, with its 409 for a stale version.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("The resource changed since you read it.")
    default_code = "precondition_failed"


def etag(assessment) -> str:
    """The entity tag of an assessment (and of its answers) as it is now."""
    return f'"a{assessment.pk}v{assessment.version}"'


def with_etag(response, assessment):
    """The response with the assessment's current ``ETag``."""
    response["ETag"] = etag(assessment)
    return response


def matched_version(request, assessment) -> int | None:
    """The version ``If-Match`` stands for; None without the header.

    A tag of another version (or of another assessment) is a 412.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = [tag.strip() for tag in header.split(",")]
    if "*" in tags or etag(assessment) in tags:
        return assessment.version
    raise PreconditionFailed(
        _(
            "This assessment changed since the version you read (If-Match); it "
            "is now %(etag)s at version %(version)d. Nothing was saved: read it "
            "again."
        )
        % {"etag": etag(assessment), "version": assessment.version}
    )


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='Optional: the `ETag` you read (e.g. `"a12v7"`). Another '
    "version's tag is a 412 and nothing is saved; a matching one stands for "
    "the body's `version`.",
)
PRECONDITION_FAILED = OpenApiResponse(
    description="`If-Match` names a version other than the current one: "
    "nothing was saved; read the assessment again."
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="The assessment's version as an entity tag: send it back in "
    "`If-Match` when you change it.",
)
