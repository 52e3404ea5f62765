"""Logging in, and the throttle on repeated failures."""

import pytest
from django.urls import reverse

from procurement.forms import ThrottledAuthenticationForm

pytestmark = pytest.mark.django_db


def attempt(client, user, password):
    return client.post(
        reverse("login"), {"username": user.username, "password": password}
    )


def test_ten_failures_lock_the_username_out_even_with_the_right_password(client, lead):
    for _ in range(ThrottledAuthenticationForm.max_failures):
        attempt(client, lead, "wrong")

    response = attempt(client, lead, "secret-password")

    assert response.status_code == 200
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_few_failures_do_not_stop_the_right_password(client, lead):
    for _ in range(ThrottledAuthenticationForm.max_failures - 1):
        attempt(client, lead, "wrong")

    response = attempt(client, lead, "secret-password")

    assert response.status_code == 302


def test_a_success_resets_the_count(client, lead):
    for _ in range(ThrottledAuthenticationForm.max_failures - 1):
        attempt(client, lead, "wrong")
    attempt(client, lead, "secret-password")
    client.logout()

    for _ in range(ThrottledAuthenticationForm.max_failures - 1):
        attempt(client, lead, "wrong")
    response = attempt(client, lead, "secret-password")

    assert response.status_code == 302


def test_failures_of_one_user_do_not_lock_out_another(client, lead, viewer):
    for _ in range(ThrottledAuthenticationForm.max_failures):
        attempt(client, lead, "wrong")

    response = attempt(client, viewer, "secret-password")

    assert response.status_code == 302
