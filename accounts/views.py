"""The account pages: personal API tokens, and the password change that
revokes them all."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import security_log, services
from accounts.forms import TokenForm


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens, and a form for a new one whose key is shown once."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        token, new_key = services.create_token(
            request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
        )
        security_log.token_created(request, token)
        form = TokenForm()
    tokens = request.user.api_tokens.order_by("-created_at", "-pk")
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": tokens, "new_key": new_key, "section": "account"},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (another's is a 404)."""
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    security_log.token_revoked(request, token)
    services.revoke_token(token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:token-list")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also revokes every API token."""

    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form):
        response = super().form_valid(form)
        count = services.revoke_all_tokens(self.request.user)
        security_log.record("password_changed", self.request, tokens_revoked=count)
        return response
