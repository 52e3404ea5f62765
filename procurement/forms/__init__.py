"""Forms of the web UI: they parse and validate what a user typed.

The answer form of the assessment editor, which knows what the user changed,
is ``answers``; the others are here.

Forms never run a workflow: the views hand ``cleaned_data`` to ``services``,
which check roles and write. Messages a user reads are translatable, and
errors that the services find (``InvalidAnswers``, ``ValidationError``) are
put back next to the field they concern.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from scoring.models import Catalogue, Profile

from ..models import (
    Certification,
    Offer,
    Organisation,
    Procurement,
    Provider,
    ProviderFact,
)
from ..validators import validate_country_code
from .answers import (  # noqa: F401 - the editor's form, imported from here too
    NOT_APPLICABLE,
    UNKNOWN,
    AnswerForm,
    initial_for,
)


class DateInput(forms.DateInput):
    """A native date picker; the browser shows it in the user's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form, unknown fields on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        if field == NON_FIELD_ERRORS:
            target = None
        for message in errors:
            form.add_error(target, message)


def https_urls(db_field, **kwargs):
    """Form fields of a model, with URLs assumed https:// when typed bare."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ProviderForm(forms.ModelForm):
    """A provider's record in the organisation's register."""

    class Meta:
        model = Provider
        formfield_callback = https_urls
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
        widgets = {
            "founded_on": DateInput(),
            "ceased_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "country": forms.TextInput(attrs={"size": 2, "autocomplete": "off"}),
            "parent_country": forms.TextInput(attrs={"size": 2, "autocomplete": "off"}),
        }
        help_texts = {
            "country": _("Two-letter ISO code, e.g. FR, DE, US."),
            "parent_country": _("Two-letter ISO code, e.g. FR, DE, US."),
            "parent_name": _("The company at the top of the control chain."),
        }

    def clean_country(self):
        return self.cleaned_data["country"].upper()

    def clean_parent_country(self):
        return self.cleaned_data["parent_country"].upper()

    def clean_ceased_on(self):
        founded, ceased = (
            self.cleaned_data.get("founded_on"),
            self.cleaned_data["ceased_on"],
        )
        if founded and ceased and ceased < founded:
            raise ValidationError(_("A provider cannot cease before it was founded."))
        return ceased


class ProviderCreateForm(ProviderForm):
    """A new provider, kept by one of the organisations the user may edit for."""

    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )

    class Meta(ProviderForm.Meta):
        fields = ["organisation", *ProviderForm.Meta.fields]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.order_fields(["organisation"])


class RegionsField(forms.CharField):
    """Regions typed as "FR, DE" and stored as a list of codes."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return [part.strip().upper() for part in text.split(",") if part.strip()]


class OfferForm(forms.ModelForm):
    """A provider's service that can be put under assessment."""

    regions = RegionsField(
        label=_("Regions"),
        required=False,
        help_text=_("Country codes of the data centres, separated by commas."),
    )

    class Meta:
        model = Offer
        fields = ["name", "service_model", "deployment_model", "regions", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"]
        provider = self.instance.provider
        duplicate = Offer.objects.filter(provider=provider, name=name).exclude(
            pk=self.instance.pk
        )
        if duplicate.exists():
            raise ValidationError(
                _("%(provider)s already has an offer named %(name)s.")
                % {"provider": provider.name, "name": name}
            )
        return name


class CertificationForm(forms.ModelForm):
    """A certification of an offer, with the period it is valid for."""

    class Meta:
        model = Certification
        fields = [
            "scheme",
            "scheme_code",
            "covers_offer",
            "scope",
            "valid_from",
            "valid_to",
        ]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 3}),
            "valid_from": DateInput(),
            "valid_to": DateInput(),
        }
        help_texts = {
            "scope": _("What the certificate covers: services, regions, sites."),
            "valid_to": _("The expiry date on the certificate."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The schemes the latest method knows: choosing one presumes its levels.
        catalogue = Catalogue.objects.latest_published("cloud-of-trust")
        schemes = catalogue.certification_schemes if catalogue else []
        self.fields["scheme_code"] = forms.ChoiceField(
            label=_("Scheme in the method"),
            required=False,
            choices=[("", _("Other (no presumed levels)"))]
            + [(item["code"], catalogue.scheme_name(item["code"])) for item in schemes],
            help_text=_(
                "A valid certificate of a known scheme that covers the whole offer "
                "presumes the scheme's minimum levels in its assessments."
            ),
        )

    def clean_valid_to(self):
        start, end = self.cleaned_data.get("valid_from"), self.cleaned_data["valid_to"]
        if start and end and end < start:
            raise ValidationError(_("A certification cannot end before it starts."))
        return end


class FactForm(forms.ModelForm):
    """A dated, sourced fact about a provider."""

    class Meta:
        model = ProviderFact
        formfield_callback = https_urls
        fields = [
            "category",
            "statement",
            "as_of",
            "as_of_end",
            "date_precision",
            "source_title",
            "source_publisher",
            "source_url",
            "source_date",
            "published_on",
            "confidence",
            "verify",
            "note",
        ]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "as_of": DateInput(),
            "as_of_end": DateInput(),
            "source_date": DateInput(),
            "published_on": DateInput(),
        }
        help_texts = {
            "as_of": _("The date the fact describes."),
            "as_of_end": _("For a period: its last day."),
            "date_precision": _("How precisely the date is known."),
            "note": _("Why the fact needs checking, or any caveat."),
        }

    def clean_as_of_end(self):
        start, end = self.cleaned_data.get("as_of"), self.cleaned_data["as_of_end"]
        if start and end and end < start:
            raise ValidationError(_("The period cannot end before it starts."))
        return end


class ProfileChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name} ({obj.catalogue.name} {obj.catalogue.version})"


def profile_help(field: forms.ModelChoiceField) -> None:
    """Add to the field's help which data each profile is for, from the catalogue.

    The first sentence of each profile's description (the newest catalogue's
    when several are published), so the help follows the method's own words.
    """
    seen: dict[str, Profile] = {}
    for profile in field.queryset:
        seen.setdefault(profile.code, profile)
    lines = [
        (profile.code, profile.name, profile.description.split(". ")[0].rstrip("."))
        for profile in seen.values()
    ]
    field.help_text = format_html(
        "{}<br>{}",
        field.help_text,
        format_html_join(mark_safe("<br>"), "<strong>{} {}</strong>: {}.", lines),
    )


class ProcurementForm(forms.ModelForm):
    """A new procurement: what is bought, for which sensitivity of data."""

    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    profile = ProfileChoiceField(
        queryset=Profile.objects.none(),
        label=_("Sensitivity profile"),
        help_text=_(
            "The sensitivity of the data sets the pillar weights and the "
            "knock-out thresholds. The catalogue version is pinned from now on."
        ),
    )

    class Meta:
        model = Procurement
        fields = [
            "organisation",
            "title",
            "reference",
            "description",
            "profile",
            "deadline",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "deadline": DateInput(),
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["profile"].queryset = (
            Profile.objects.filter(catalogue__status="published")
            .select_related("catalogue")
            .order_by("catalogue__slug", "-catalogue__loaded_at", "position")
        )
        profile_help(self.fields["profile"])

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        organisation = self.cleaned_data.get("organisation")
        taken = Procurement.objects.filter(
            organisation=organisation, reference=reference
        )
        if reference and organisation and taken.exists():
            raise ValidationError(
                _("%(organisation)s already has a procurement with this reference.")
                % {"organisation": organisation}
            )
        return reference


class ProcurementEditForm(forms.ModelForm):
    """A procurement's title, reference, description, deadline and profile.

    The profile is a declared field, not a model field of the form, so that
    only ``services.update_procurement`` changes it (with the catalogue). It
    is read-only once an offer is under assessment.
    """

    profile = ProfileChoiceField(
        queryset=Profile.objects.none(), label=_("Sensitivity profile")
    )
    field_order = ["title", "reference", "description", "profile", "deadline"]

    class Meta:
        model = Procurement
        fields = ["title", "reference", "description", "deadline"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "deadline": DateInput(),
        }

    def __init__(self, *args, pinned: bool, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.fields["profile"]
        profile.initial = self.instance.profile
        if pinned:
            profile.queryset = Profile.objects.filter(
                pk=self.instance.profile_id
            ).select_related("catalogue")
            profile.disabled = True
            profile.help_text = _(
                "Pinned: offers are under assessment with this profile and "
                "catalogue version, so they cannot change any more."
            )
        else:
            profile.queryset = (
                Profile.objects.filter(catalogue__status="published")
                .select_related("catalogue")
                .order_by("catalogue__slug", "-catalogue__loaded_at", "position")
            )
            profile.help_text = _(
                "You can still change it: the profile and catalogue version are "
                "pinned once the first offer is under assessment."
            )
            profile_help(profile)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        taken = Procurement.objects.filter(
            organisation_id=self.instance.organisation_id, reference=reference
        ).exclude(pk=self.instance.pk)
        if reference and taken.exists():
            raise ValidationError(
                _("%(organisation)s already has a procurement with this reference.")
                % {"organisation": self.instance.organisation}
            )
        return reference


class ExistingOfferForm(forms.Form):
    """Put an offer from the organisation's register under assessment."""

    offer = forms.ModelChoiceField(
        queryset=Offer.objects.none(), label=_("Offer"), empty_label=None
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers


class NewOfferForm(forms.Form):
    """A provider and its offer typed in one go, then put under assessment."""

    provider_name = forms.CharField(label=_("Provider"), max_length=200)
    country = forms.CharField(
        label=_("Country of registered office"),
        max_length=2,
        required=False,
        help_text=_("Two-letter ISO code, e.g. FR, DE, US."),
    )
    parent_name = forms.CharField(
        label=_("Ultimate parent"), max_length=200, required=False
    )
    parent_country = forms.CharField(
        label=_("Country of the ultimate parent"),
        max_length=2,
        required=False,
        help_text=_("Two-letter ISO code, e.g. FR, DE, US."),
    )
    offer_name = forms.CharField(
        label=_("Offer name"),
        max_length=200,
        help_text=_("The service as the provider sells it, e.g. “Trusted IaaS”."),
    )
    service_model = forms.ChoiceField(
        label=_("Service model"), choices=Offer.ServiceModel.choices
    )
    deployment_model = forms.ChoiceField(
        label=_("Deployment model"), choices=Offer.DeploymentModel.choices
    )

    # Not a ModelForm: the model's validator is applied by hand.
    def clean_country(self):
        country = self.cleaned_data["country"].upper()
        validate_country_code(country)
        return country

    def clean_parent_country(self):
        country = self.cleaned_data["parent_country"].upper()
        validate_country_code(country)
        return country


class VersionForm(forms.Form):
    """The assessment version a page was rendered with, to refuse stale saves."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class WorkflowForm(VersionForm):
    """A workflow step: the version read, a reason, a confirmation."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the record with your name and the time."),
    )
    confirm = forms.BooleanField(
        label=_("Submit it as it is, with unanswered criteria"), required=False
    )


class ReasonForm(forms.Form):
    """An optional reason, kept in the record."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the record with your name and the time."),
    )


class FourEyesForm(forms.Form):
    """An organisation's four-eyes rule, and why it changes."""

    four_eyes = forms.BooleanField(
        label=_("Four eyes: whoever submits an assessment cannot approve it"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to turn the rule off; kept in the record."),
    )


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, which says when a username under attack is
    slowed down (accounts/login_protection.py) rather than "wrong password".

    The lockout itself is django-axes' (a 429 page), shared with the admin
    and the API token.
    """

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, "login_slowed_down", False):
            return ValidationError(
                _(
                    "This account had many failed attempts: it accepts one "
                    "attempt every few seconds. Wait a little, then try again."
                ),
                code="throttled",
            )
        return super().get_invalid_login_error()
