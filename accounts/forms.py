"""The form of a new personal token on the account page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken


class TokenForm(forms.Form):
    """A name, a scope and a lifetime for a new token."""

    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=366, initial=90
    )
