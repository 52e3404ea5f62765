"""One login protection for every way in: the login form, the admin and the
API token share django-axes' lockout per username and address, a username
under attack from many addresses is slowed down, and the client's address
is read behind exactly TRUSTED_PROXY_COUNT proxies."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.network import client_address

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


def web(client, user, password, address="203.0.113.1", **extra):
    return client.post(
        reverse("login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def admin(client, user, password, address="203.0.113.1"):
    return client.post(
        "/admin/login/",
        {"username": user.username, "password": password},
        REMOTE_ADDR=address,
    )


def api(user, password, address="203.0.113.1", **extra):
    return APIClient().post(
        reverse("api:token"),
        {"username": user.username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def test_web_failures_lock_the_right_password_out_with_a_429(client, lead):
    for _ in range(LIMIT):
        web(client, lead, "wrong")

    response = web(client, lead, "secret-password")

    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_admin_login_is_locked_by_failures_on_the_login_form(client, lead):
    lead.is_staff = True
    lead.save()
    for _ in range(LIMIT):
        web(client, lead, "wrong")

    response = admin(client, lead, "secret-password")

    assert response.status_code == 429


def test_admin_login_failures_are_counted_and_locked(client, lead):
    for _ in range(LIMIT):
        admin(client, lead, "wrong")

    response = web(client, lead, "secret-password")

    assert response.status_code == 429


def test_api_token_failures_lock_the_web_login(client, lead):
    for _ in range(LIMIT):
        api(lead, "wrong")

    response = web(client, lead, "secret-password")

    assert response.status_code == 429


def test_a_locked_out_api_token_request_is_a_json_429(lead):
    for _ in range(LIMIT):
        api(lead, "wrong")

    response = api(lead, "secret-password")

    assert response.status_code == 429
    assert "token" not in response.json()
    assert response.json()["detail"]


def test_a_lockout_from_one_address_does_not_lock_the_user_out_elsewhere(client, lead):
    for _ in range(LIMIT):
        web(client, lead, "wrong", address="198.51.100.66")

    response = web(client, lead, "secret-password", address="203.0.113.1")

    assert response.status_code == 302


def test_forged_forwarded_for_headers_do_not_escape_the_lockout(lead):
    codes = [
        api(lead, "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(LIMIT)
    ]

    response = api(lead, "secret-password", HTTP_X_FORWARDED_FOR="10.0.1.1")

    assert codes[-1] == 429
    assert response.status_code == 429


def test_a_success_resets_the_count(client, lead):
    for _ in range(LIMIT - 1):
        web(client, lead, "wrong")
    web(client, lead, "secret-password")
    client.logout()
    for _ in range(LIMIT - 1):
        web(client, lead, "wrong")

    response = web(client, lead, "secret-password")

    assert response.status_code == 302


def test_failures_of_one_user_do_not_lock_out_another(client, lead, viewer):
    for _ in range(LIMIT):
        web(client, lead, "wrong")

    response = web(client, viewer, "secret-password")

    assert response.status_code == 302


# the per-username slow-down --------------------------------------------------


def test_a_username_attacked_from_many_addresses_is_slowed_down(client, lead, settings):
    settings.LOGIN_SLOWDOWN_AFTER = 5
    for n in range(5):
        web(client, lead, "wrong", address=f"198.51.100.{n}")
    web(client, lead, "wrong", address="198.51.100.99")  # takes the one slot

    response = web(client, lead, "secret-password", address="203.0.113.1")

    assert response.status_code == 200
    assert b"accepts one attempt every few seconds" in response.content
    assert "_auth_user_id" not in client.session


def test_a_slowed_down_username_still_accepts_one_attempt_per_interval(
    client, lead, settings
):
    settings.LOGIN_SLOWDOWN_AFTER = 5
    for n in range(5):
        web(client, lead, "wrong", address=f"198.51.100.{n}")

    response = web(client, lead, "secret-password", address="203.0.113.1")

    assert response.status_code == 302


def test_the_slow_down_also_holds_for_the_api(lead, settings):
    settings.LOGIN_SLOWDOWN_AFTER = 5
    for n in range(6):
        api(lead, "wrong", address=f"198.51.100.{n}")

    response = api(lead, "secret-password", address="203.0.113.1")

    assert response.status_code == 429


# the client's address --------------------------------------------------------


def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(request_from("192.0.2.9", "6.6.6.6")) == "192.0.2.9"


def test_behind_one_proxy_the_client_is_the_rightmost_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    address = client_address(request_from("10.0.0.1", "6.6.6.6, 192.0.2.9"))

    assert address == "192.0.2.9"


def test_behind_two_proxies_the_client_is_the_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    address = client_address(request_from("10.0.0.1", "6.6.6.6, 192.0.2.9, 10.0.0.2"))

    assert address == "192.0.2.9"


def test_behind_a_proxy_the_lockout_counts_per_forwarded_client(settings, lead):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(LIMIT):
        web(Client(), lead, "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")

    response = web(
        Client(),
        lead,
        "secret-password",
        address="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.9",
    )

    assert response.status_code == 302


def test_the_api_throttles_trust_the_same_number_of_proxies():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


def test_forged_forwarded_for_headers_do_not_escape_the_api_throttle(lead, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/min"})

    codes = [
        api(lead, "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]

    assert codes == [400, 400, 429]
