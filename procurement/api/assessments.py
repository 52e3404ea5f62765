"""The API's shapes: what each endpoint reads and what each write accepts.

Read serializers turn rows, stored snapshots and the scorecard reports of
``scorecards.py`` into JSON; texts a reader sees (criterion and pillar names,
the reference cases' French statements) follow the active language. Write
serializers only validate a payload: the viewsets in ``api.py`` hand the
validated data to ``services.py``, which checks roles and saves. Nothing here
saves a row or computes a score; scores are the engine's, rounded to one
decimal and rendered as JSON numbers.
"""

from rest_framework import serializers

from ..models import (
    Answer,
    Assessment,
    Certification,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)
from .fields import (
    BlankAsNullCharField,
    ScopedPrimaryKeyField,
    level_field,
    score_field,
)

# The most answers one save may carry: a catalogue has a few dozen criteria, so
# anything longer is a mistake and is refused before any work is done.
MAX_ANSWERS_PER_SAVE = 200

FACT_FIELDS = [
    "key",
    "category",
    "statement",
    "as_of",
    "as_of_end",
    "date_precision",
    "source_title",
    "source_publisher",
    "source_url",
    "source_date",
    "confidence",
    "verify",
    "note",
]


# Providers and offers -------------------------------------------------------


class FactSerializer(serializers.ModelSerializer):
    statement = serializers.CharField(source="statement_i18n", read_only=True)
    note = serializers.CharField(source="note_i18n", read_only=True)
    # Strings without the slug pattern and "uri" format: both may be blank.
    key = serializers.CharField(read_only=True)
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = ProviderFact
        fields = ["id", *FACT_FIELDS]


class FactWriteSerializer(serializers.ModelSerializer):
    """A new dated, sourced fact: ``statement``, ``as_of`` and ``source_title``."""

    class Meta:
        model = ProviderFact
        fields = FACT_FIELDS


class ProviderSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="description_i18n", read_only=True)
    lesson = serializers.CharField(source="lesson_i18n", read_only=True)
    # A string, not a "uri": it may be blank.
    website = serializers.CharField(read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "organisation",
            "name",
            "legal_name",
            "country",
            "parent_name",
            "parent_country",
            "founded_on",
            "ceased_on",
            "status",
            "website",
            "description",
            "is_reference_case",
            "lesson",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProviderDetailSerializer(ProviderSerializer):
    facts = FactSerializer(many=True, read_only=True)

    class Meta(ProviderSerializer.Meta):
        fields = [*ProviderSerializer.Meta.fields, "facts"]
        read_only_fields = fields


class ProviderUpdateSerializer(serializers.ModelSerializer):
    """The provider fields a buyer may change; every one is optional."""

    class Meta:
        model = Provider
        fields = [
            "name",
            "legal_name",
            "country",
            "parent_name",
            "parent_country",
            "founded_on",
            "ceased_on",
            "status",
            "website",
            "description",
        ]


class ProviderCreateSerializer(ProviderUpdateSerializer):
    """A new provider: ``name`` is enough; ``organisation`` when you have several."""

    organisation = ScopedPrimaryKeyField(
        queryset=Organisation.objects.all(),
        scope="of_user",
        required=False,
        help_text="Your organisation that keeps this record. Optional when you are "
        "an evaluator or lead of exactly one organisation.",
    )

    class Meta(ProviderUpdateSerializer.Meta):
        fields = ["organisation", *ProviderUpdateSerializer.Meta.fields]


class CertificationSerializer(serializers.ModelSerializer):
    expired = serializers.BooleanField(
        read_only=True,
        help_text="Whether valid_to is before today (false without valid_to).",
    )

    class Meta:
        model = Certification
        fields = ["id", "scheme", "scope", "valid_from", "valid_to", "expired"]
        read_only_fields = fields


class CertificationWriteSerializer(serializers.ModelSerializer):
    """A new certification of an offer: ``scheme`` is enough."""

    class Meta:
        model = Certification
        fields = ["scheme", "scope", "valid_from", "valid_to"]


class OfferSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    name = serializers.CharField(source="name_i18n", read_only=True)
    description = serializers.CharField(source="description_i18n", read_only=True)
    regions = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_reference_case = serializers.BooleanField(
        source="provider.is_reference_case", read_only=True
    )
    certifications = CertificationSerializer(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "provider",
            "provider_name",
            "name",
            "service_model",
            "deployment_model",
            "regions",
            "description",
            "is_reference_case",
            "certifications",
            "created_at",
        ]
        read_only_fields = fields


class OfferUpdateSerializer(serializers.ModelSerializer):
    """The offer fields a buyer may change; every one is optional."""

    regions = serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=50,
        required=False,
        help_text='Regions or countries where the offer runs, e.g. ["FR", "DE"].',
    )

    class Meta:
        model = Offer
        fields = ["name", "service_model", "deployment_model", "regions", "description"]


class OfferCreateSerializer(OfferUpdateSerializer):
    """A new offer: ``provider`` and ``name`` are enough."""

    provider = ScopedPrimaryKeyField(
        queryset=Provider.objects.all(),
        help_text="Id of one of your organisation's providers.",
    )

    class Meta(OfferUpdateSerializer.Meta):
        fields = ["provider", *OfferUpdateSerializer.Meta.fields]
        # The (provider, name) constraint is checked by the service's
        # full_clean, with the same message as in the web UI.
        validators = []


class KnockOutSerializer(serializers.Serializer):
    """A failed knock-out: the criterion's effective level is below the minimum."""

    criterion = serializers.CharField(source="criterion.code")
    name = serializers.CharField(source="criterion.name")
    required = level_field()
    effective = level_field()
    reason = serializers.CharField(source="text")


# Assessments ----------------------------------------------------------------


class PillarSnapshotSerializer(serializers.Serializer):
    code = serializers.CharField()
    weight = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False
    )
    score = score_field(allow_null=True)
    score_claimed = score_field(allow_null=True)
    trust_level = level_field(allow_null=True)


class KnockOutSnapshotSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    required = level_field()
    effective = level_field()


class SnapshotSerializer(serializers.ModelSerializer):
    """The headline numbers stored with the assessment at its last save."""

    global_score = score_field()
    global_score_claimed = score_field()
    completeness = score_field()
    highest_profile_passed = BlankAsNullCharField(allow_null=True, read_only=True)
    pillars = PillarSnapshotSerializer(
        source="pillar_scores", many=True, read_only=True
    )
    knockouts = KnockOutSnapshotSerializer(
        source="failed_knockouts", many=True, read_only=True
    )

    class Meta:
        model = Assessment
        fields = [
            "global_score",
            "global_score_claimed",
            "trust_level",
            "eligible",
            "highest_profile_passed",
            "completeness",
            "pillars",
            "knockouts",
            "scored_at",
        ]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    offer_name = serializers.CharField(source="offer.name_i18n", read_only=True)
    provider = serializers.IntegerField(source="offer.provider_id", read_only=True)
    provider_name = serializers.CharField(source="offer.provider.name", read_only=True)
    catalogue_slug = serializers.CharField(source="catalogue.slug", read_only=True)
    catalogue_version = serializers.CharField(
        source="catalogue.version", read_only=True
    )
    profile = serializers.CharField(source="profile.code", read_only=True)
    summary = serializers.CharField(source="summary_i18n", read_only=True)
    is_reference_case = serializers.BooleanField(read_only=True)
    snapshot = SnapshotSerializer(source="*", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "procurement",
            "offer",
            "offer_name",
            "provider",
            "provider_name",
            "catalogue",
            "catalogue_slug",
            "catalogue_version",
            "profile",
            "status",
            "version",
            "as_of",
            "summary",
            "is_reference_case",
            "created_at",
            "updated_at",
            "submitted_at",
            "approved_at",
            "snapshot",
        ]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.ModelSerializer):
    """Put an offer under assessment: ``procurement`` and ``offer`` are enough."""

    procurement = ScopedPrimaryKeyField(
        queryset=Procurement.objects.all(),
        help_text="Id of one of your procurements; its profile and catalogue "
        "version apply.",
    )
    offer = ScopedPrimaryKeyField(
        queryset=Offer.objects.all(),
        help_text="Id of an offer of one of your organisation's providers.",
    )
    as_of = serializers.DateField(
        required=False, help_text="The date the facts describe. Default: today."
    )

    class Meta:
        model = Assessment
        fields = ["procurement", "offer", "as_of"]
        # One assessment per offer and procurement: the service says so.
        validators = []


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


class AnswerListSerializer(serializers.ListSerializer):
    """Errors as a list aligned with the answers sent, ``{}`` for valid ones.

    DRF 3.18 reports a list's errors by index; the service reports them as
    an aligned list, and a client should meet one shape only.
    """

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            by_index = exc.detail
            if not isinstance(by_index, dict) or not all(
                isinstance(key, int) for key in by_index
            ):
                raise
            raise serializers.ValidationError(
                [by_index.get(index, {}) for index in range(len(data))]
            ) from exc


class AnswerInputSerializer(serializers.Serializer):
    criterion = serializers.CharField(
        max_length=16, help_text='Criterion code of the catalogue, e.g. "JUR-1".'
    )
    level = level_field(
        allow_null=True,
        default=None,
        help_text="0-4; null (or absent) for unknown, which scores 0.",
    )
    evidence = serializers.ChoiceField(
        choices=Answer.Evidence.choices,
        default=Answer.Evidence.DECLARED,
        help_text="What supports the level; on a profile's knock-out criteria "
        "weak evidence caps the level that counts.",
    )
    not_applicable = serializers.BooleanField(
        default=False,
        help_text="Only where the criterion allows N/A (na_allowed); then level "
        "must be null.",
    )
    justification = serializers.CharField(
        max_length=20000, allow_blank=True, default="", trim_whitespace=False
    )
    evidence_reference = serializers.CharField(
        max_length=500, allow_blank=True, default=""
    )
    facts = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=100,
        allow_null=True,
        default=None,
        help_text="Ids of facts about the offer's provider that support the "
        "answer; replaces the ones cited before. Absent: left as they are.",
    )

    class Meta:
        list_serializer_class = AnswerListSerializer


class AnswersInputSerializer(serializers.Serializer):
    """Answers to save at once; ``version`` is the one you read."""

    version = serializers.IntegerField(
        min_value=1,
        help_text="The assessment version you read (GET the assessment or its "
        "answers). If someone saved since, nothing is saved and you get a 409 "
        "with the current version.",
    )
    answers = AnswerInputSerializer(
        many=True,
        max_length=MAX_ANSWERS_PER_SAVE,
        help_text="One entry per criterion to set; criteria left out keep their "
        "answer. Errors come back as a list aligned with this one.",
    )


class TransitionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Optional: the version you read; a 409 if it has changed since.",
    )


# Scorecards -----------------------------------------------------------------


class CatalogueRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.CharField()


class PillarLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    core = serializers.BooleanField(source="result.core")
    weight = serializers.DecimalField(
        source="result.weight", max_digits=5, decimal_places=2, coerce_to_string=False
    )
    score = score_field(source="result.score", allow_null=True)
    score_claimed = score_field(source="result.score_claimed", allow_null=True)
    trust_level = level_field(source="result.trust_level", allow_null=True)


class CriterionLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    pillar = serializers.CharField(source="result.pillar")
    weight = serializers.IntegerField(source="result.weight")
    level = level_field(source="result.level", allow_null=True)
    not_applicable = serializers.BooleanField(source="result.not_applicable")
    evidence = serializers.ChoiceField(
        choices=Answer.Evidence.choices, source="result.evidence", allow_null=True
    )
    effective_level = level_field(source="result.effective_level", allow_null=True)
    capped = serializers.BooleanField(source="result.capped")
    threshold = level_field(source="result.threshold", allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    """The engine's full explanation of an ``AssessmentReport``."""

    assessment = serializers.IntegerField(source="assessment.pk")
    catalogue = CatalogueRefSerializer()
    profile = serializers.CharField(source="profile.code")
    global_score = score_field(source="scorecard.global_score")
    global_score_claimed = score_field(source="scorecard.global_score_claimed")
    trust_level = level_field(source="scorecard.trust_level", allow_null=True)
    trust_level_meaning = serializers.CharField(source="trust_meaning")
    eligible = serializers.BooleanField(source="scorecard.eligible")
    highest_profile_passed = serializers.CharField(
        source="scorecard.highest_profile_passed", allow_null=True
    )
    knockouts = KnockOutSerializer(many=True)
    pillars = PillarLineSerializer(many=True)
    criteria = CriterionLineSerializer(many=True)
    binding_criteria = serializers.ListField(
        child=serializers.CharField(), source="scorecard.binding_criteria"
    )
    evidence_gaps = serializers.ListField(
        child=serializers.CharField(), source="scorecard.evidence_gaps"
    )
    completeness = score_field(source="scorecard.completeness")
    answered = serializers.IntegerField(source="scorecard.answered")
    total = serializers.IntegerField(source="scorecard.total")
