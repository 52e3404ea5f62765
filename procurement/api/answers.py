"""What an assessment's answers, status and summary take and give in the API.

The answers as read (with the ``version`` to send back), the answers to
save (only the fields sent change; errors point at the answer at fault),
the body of a workflow step (submit, approve, reopen, withdraw) and the
summary. The viewset is in ``assessments``.
"""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from config.rest import StrictInput

from ..models import Answer, Assessment
from .fields import AnswerListSerializer, level_field

# The most answers one save may carry: a catalogue has a few dozen criteria, so
# anything longer is a mistake and is refused before any work is done.
MAX_ANSWERS_PER_SAVE = 200


class AnswerSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code", read_only=True)
    justification = serializers.CharField(source="justification_i18n", read_only=True)
    facts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = Answer
        fields = [
            "criterion",
            "level",
            "not_applicable",
            "evidence",
            "justification",
            "evidence_reference",
            "facts",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = fields


class AnswersSerializer(serializers.Serializer):
    """An assessment's answers with the version to send back when saving."""

    assessment = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Assessment.Status.choices)
    version = serializers.IntegerField()
    answers = AnswerSerializer(many=True)


class AnswerInputSerializer(StrictInput, serializers.Serializer):
    """One criterion's answer: only the fields you send change.

    A field you leave out keeps its stored value (or its default for a
    criterion not answered yet: unknown level, declared evidence, empty texts,
    no fact). Sending `not_applicable: true` alone clears the level; sending
    a level alone clears N/A.
    """

    criterion = serializers.CharField(
        max_length=16, help_text='Criterion code of the catalogue, e.g. "JUR-1".'
    )
    level = level_field(
        allow_null=True,
        required=False,
        help_text="0-4; null for unknown, which scores 0. Absent: unchanged.",
    )
    evidence = serializers.ChoiceField(
        choices=Answer.Evidence.choices,
        required=False,
        help_text="The kind of evidence behind the level (declared, documented, "
        "verified; the criterion's `evidence_guidance` says what to look for). "
        "On a profile's knock-out criteria weak evidence caps the level that "
        "counts. Absent: unchanged.",
    )
    not_applicable = serializers.BooleanField(
        required=False,
        help_text="Only where the criterion allows N/A (na_allowed); then level "
        "must be null. Absent: unchanged.",
    )
    justification = serializers.CharField(
        max_length=20000,
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        help_text="Absent: unchanged.",
    )
    evidence_reference = serializers.CharField(
        max_length=500, allow_blank=True, required=False, help_text="Absent: unchanged."
    )
    facts = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=100,
        allow_null=True,
        required=False,
        help_text="Ids of facts about the offer's provider that support the "
        "answer; replaces the ones cited before. Absent or null: unchanged.",
    )

    class Meta:
        list_serializer_class = AnswerListSerializer


class AnswersInputSerializer(StrictInput, serializers.Serializer):
    """Answers to save at once; ``version`` is the one you read."""

    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The assessment version you read (GET the assessment or its "
        "answers); required unless `If-Match` sends its `ETag`. Changes to "
        "criteria nobody else touched since are merged; "
        "if someone changed one of the criteria you change after that version, "
        "nothing is saved and you get a 409 naming them.",
    )
    answers = AnswerInputSerializer(
        many=True,
        min_length=1,
        max_length=MAX_ANSWERS_PER_SAVE,
        help_text="One entry per criterion to change; criteria left out keep "
        "their answer. An error points at its answer (`/answers/3/level`).",
    )

    def validate(self, attrs):
        request = self.context.get("request")
        if "version" not in attrs and not (request and "If-Match" in request.headers):
            raise serializers.ValidationError(
                {"version": [ErrorDetail(_("This field is required."), "required")]}
            )
        return attrs


class TransitionSerializer(StrictInput, serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Optional: the version you read; a 409 if it has changed since "
        "(or send its `ETag` in `If-Match`).",
    )
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        default="",
        help_text="Why: required to approve an assessment with unanswered "
        "criteria, to reopen an approved one and to withdraw an offer; kept in "
        "the record.",
    )


ANSWERS_EXAMPLE = {
    "version": 1,
    "answers": [
        {
            "criterion": "JUR-1",
            "level": 3,
            "evidence": "verified",
            "justification": "EU-only control chain, checked in the contract.",
            "evidence_reference": "Contract annex 4",
        },
        {"criterion": "OWN-1", "level": None},
        {"criterion": "TEC-5", "not_applicable": True},
    ],
}


class SummarySerializer(StrictInput, serializers.Serializer):
    summary = serializers.CharField(
        max_length=20000,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The evaluators' conclusion, shown on the scorecard and in the "
        "reports; empty to clear it.",
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Optional: the version you read; a 409 if it has changed since "
        "(or send its `ETag` in `If-Match`).",
    )
