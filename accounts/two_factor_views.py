"""The two-factor pages: set up or turn off a TOTP app and its recovery
codes, enter a code after the password, and a lead's organisation policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security_log, two_factor
from accounts.models import TwoFactorPolicy
from procurement.models import Organisation
from procurement.services import roles
from procurement.services.roles import Action


@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    """The user's second factor: set it up, renew recovery codes, turn it off."""
    state = request.session.get(two_factor.SESSION_KEY, two_factor.DONE)
    if state == two_factor.VERIFY:
        return redirect("accounts:two-factor-verify")
    user = request.user
    context = {"section": "account", "required": two_factor.is_required(user)}
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "confirm":
        device = get_object_or_404(TOTPDevice, user=user, confirmed=False)
        codes = two_factor.confirm_set_up(request, device, request.POST.get("code", ""))
        if codes is None:
            context["error"] = _("That code is not right; try the current one.")
        else:
            security_log.record("two_factor_enabled", request)
            return render(
                request, "accounts/two_factor.html", {**context, "codes": codes}
            )
    elif action == "recovery" and two_factor.has_device(user):
        codes = two_factor.new_recovery_codes(user)
        return render(request, "accounts/two_factor.html", {**context, "codes": codes})
    elif action == "off" and two_factor.has_device(user):
        if context["required"]:
            context["error"] = _("Your organisation requires a second factor.")
        elif two_factor.verify(request, request.POST.get("code", "")):
            two_factor.turn_off(user)
            security_log.record("two_factor_disabled", request)
            messages.success(request, _("Two-factor login turned off."))
            return redirect("accounts:two-factor-set-up")
        else:
            context["error"] = _("That code is not right.")
    if two_factor.has_device(user):
        context["enabled"] = True
    else:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        device = device or two_factor.start_set_up(user)
        context["qr_code"] = two_factor.qr_code_svg(device)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/two_factor.html", context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the app, or a recovery code."""
    error = None
    if request.method == "POST":
        if two_factor.verify(request, request.POST.get("code", "")):
            security_log.record("two_factor_verified", request)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, require_https=request.is_secure()
            ):
                target = "procurement:home"
            return redirect(target)
        security_log.record("two_factor_failed", request)
        error = _("That code is not right.")
    return render(request, "accounts/two_factor_verify.html", {"error": error})


@login_required
def organisation_policy(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead makes a second factor mandatory for the organisation, or not."""
    organisation = get_object_or_404(Organisation.objects.of_user(request.user), pk=pk)
    roles.require(request.user, Action.LEAD, organisation)
    policy, _created = TwoFactorPolicy.objects.get_or_create(organisation=organisation)
    if request.method == "POST":
        policy.required = request.POST.get("required") == "on"
        policy.save(update_fields=["required"])
        security_log.record(
            "two_factor_policy", request, organisation=organisation.pk,
            required=policy.required,
        )  # fmt: skip
        messages.success(request, _("Two-factor policy saved."))
        return redirect("accounts:two-factor-policy", pk=organisation.pk)
    return render(
        request,
        "accounts/two_factor_policy.html",
        {"organisation": organisation, "policy": policy, "section": "home"},
    )
