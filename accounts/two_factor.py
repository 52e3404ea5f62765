"""Two-factor login with django-otp: a TOTP app, and ten recovery codes.

After the password, a user with a confirmed TOTP device must enter a code
(or a recovery code, each usable once) before any page; a member of an
organisation whose lead made it mandatory must set one up first. What a
session still needs is worked out once at login and kept in the session
(``SESSION_KEY``), so pages spend no query on it. django-otp throttles
wrong codes per device.
"""

import io

import qrcode
import qrcode.image.svg
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TwoFactorPolicy

SESSION_KEY = "two_factor"
VERIFY, SET_UP, DONE = "verify", "set-up", "done"
RECOVERY_CODES = 10


def has_device(user) -> bool:
    """Whether the user has a confirmed TOTP app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(user) -> bool:
    """Whether an organisation of the user's requires a second factor."""
    return TwoFactorPolicy.objects.filter(
        required=True, organisation__memberships__user=user
    ).exists()


def state_at_login(user) -> str:
    """What the new session must still do: verify a code, set up, or nothing."""
    if has_device(user):
        return VERIFY
    if is_required(user):
        return SET_UP
    return DONE


@receiver(user_logged_in)
def remember_state(sender, request, user, **kwargs) -> None:
    """Work out once, at login, what the session still needs."""
    if getattr(request, "session", None) is not None:
        request.session[SESSION_KEY] = state_at_login(user)


def verify(request, code: str) -> bool:
    """Check a TOTP or recovery code; on success the session is verified."""
    device = match_token(request.user, code.strip().replace(" ", ""))
    if device is None:
        return False
    otp_login(request, device)
    request.session[SESSION_KEY] = DONE
    return True


def start_set_up(user) -> TOTPDevice:
    """A new unconfirmed TOTP device (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def confirm_set_up(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device with a first code; its recovery codes, or None."""
    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(device.user)
    otp_login(request, device)
    request.session[SESSION_KEY] = DONE
    return codes


def new_recovery_codes(user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def turn_off(user) -> None:
    """Remove the user's TOTP app and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no outside
    service sees the secret)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def token_login_allowed(user, code: str | None) -> bool:
    """Whether a password login for an API token has its second factor."""
    if has_device(user):
        return bool(code) and match_token(user, code.strip()) is not None
    return not is_required(user)
