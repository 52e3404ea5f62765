"""Two-factor login: a TOTP app with recovery codes, asked after the password
on every way in, and mandatory for an organisation when its lead says so."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import two_factor
from accounts.models import TwoFactorPolicy

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def device(lead):
    return TOTPDevice.objects.create(user=lead, name="TOTP", confirmed=True)


def password_login(client, user):
    return client.post(
        reverse("login"), {"username": user.username, "password": "secret-password"}
    )


def test_with_a_device_the_password_alone_reaches_no_page(client, lead, device):
    password_login(client, lead)

    response = client.get(reverse("procurement:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two-factor-verify")


def test_with_a_device_the_password_alone_reaches_no_api(client, lead, device):
    password_login(client, lead)

    response = client.get("/api/v1/providers/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "second_factor_required"


def test_with_a_device_the_password_alone_reaches_no_admin(client, lead, device):
    lead.is_staff = lead.is_superuser = True
    lead.save()
    client.post(
        "/admin/login/", {"username": lead.username, "password": "secret-password"}
    )

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two-factor-verify")


def test_the_right_code_opens_the_pages(client, lead, device):
    password_login(client, lead)

    client.post(reverse("accounts:two-factor-verify"), {"code": code_for(device)})

    assert client.get(reverse("procurement:home")).status_code == 200


def test_a_wrong_code_is_refused(client, lead, device):
    password_login(client, lead)

    response = client.post(reverse("accounts:two-factor-verify"), {"code": "000000"})

    assert response.status_code == 200
    assert client.get(reverse("procurement:home")).status_code == 302


def test_a_recovery_code_works_once(client, lead, device):
    codes = two_factor.new_recovery_codes(lead)
    password_login(client, lead)
    client.post(reverse("accounts:two-factor-verify"), {"code": codes[0]})
    client.post(reverse("logout"))
    password_login(client, lead)

    response = client.post(reverse("accounts:two-factor-verify"), {"code": codes[0]})

    assert response.status_code == 200  # refused the second time
    assert client.get(reverse("procurement:home")).status_code == 302


def test_setting_up_confirms_the_app_and_shows_ten_recovery_codes(client, lead):
    client.force_login(lead)
    page = client.get(reverse("accounts:two-factor-set-up"))
    pending = TOTPDevice.objects.get(user=lead, confirmed=False)

    response = client.post(
        reverse("accounts:two-factor-set-up"),
        {"action": "confirm", "code": code_for(pending)},
    )

    assert "<svg" in page.content.decode()
    assert len(response.context["codes"]) == 10
    assert two_factor.has_device(lead)


def test_the_api_token_needs_the_code_when_two_factor_is_on(lead, device):
    body = {"username": lead.username, "password": "secret-password"}

    without = APIClient().post(reverse("api:token"), body)
    with_code = APIClient().post(
        reverse("api:token"), {**body, "otp": code_for(device)}
    )

    assert without.status_code == 403
    assert with_code.status_code == 201


def test_a_lead_makes_two_factor_mandatory_for_the_organisation(client, lead, viewer):
    organisation = lead.memberships.get().organisation
    client.force_login(lead)
    client.post(
        reverse("accounts:two-factor-policy", args=[organisation.pk]),
        {"required": "on"},
    )
    client.force_login(viewer)

    response = client.get(reverse("procurement:home"))

    assert TwoFactorPolicy.objects.get(organisation=organisation).required
    assert response["Location"] == reverse("accounts:two-factor-set-up")


def test_a_member_of_a_strict_organisation_gets_no_token_without_two_factor(
    lead, viewer
):
    TwoFactorPolicy.objects.create(
        organisation=lead.memberships.get().organisation, required=True
    )

    response = APIClient().post(
        reverse("api:token"),
        {"username": viewer.username, "password": "secret-password"},
    )

    assert response.status_code == 403


def test_only_a_lead_sets_the_policy(client, viewer):
    organisation = viewer.memberships.get().organisation
    client.force_login(viewer)

    response = client.post(
        reverse("accounts:two-factor-policy", args=[organisation.pk]),
        {"required": "on"},
    )

    assert response.status_code == 403
    assert not TwoFactorPolicy.objects.filter(required=True).exists()


def test_without_two_factor_nothing_changes(client, lead):
    password_login(client, lead)

    assert client.get(reverse("procurement:home")).status_code == 200
