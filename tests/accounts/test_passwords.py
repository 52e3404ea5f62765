"""The password policy (ASVS level 2), the change page that revokes every
token, and the reset by e-mail."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import create_token

pytestmark = pytest.mark.django_db

NEW = "violet-harbour-lantern"


@pytest.mark.parametrize("password", ["short-pw-11", "password1234", "123456789012"])
def test_short_common_or_numeric_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password(NEW)


def change(client, old, new):
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_password_change_page_changes_it_and_revokes_every_token(client, lead):
    create_token(lead, name="a")
    create_token(lead, name="b")
    client.force_login(lead)

    response = change(client, "secret-password", NEW)

    lead.refresh_from_db()
    assert response.status_code == 302
    assert lead.check_password(NEW)
    assert not lead.api_tokens.exists()


def test_the_password_change_page_refuses_a_short_password(client, lead):
    client.force_login(lead)

    response = change(client, "secret-password", "too-short")

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.check_password("secret-password")


def test_the_password_change_page_needs_a_login(client):
    response = client.get(reverse("accounts:password-change"))

    assert response.status_code == 302


def test_a_password_reset_mails_a_link_that_sets_a_new_password(client, lead):
    lead.email = "lead@example.org"
    lead.save()

    client.post(reverse("accounts:password-reset"), {"email": lead.email})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )

    lead.refresh_from_db()
    assert done.status_code == 302
    assert lead.check_password(NEW)


def test_a_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post(
        reverse("accounts:password-reset"), {"email": "nobody@example.org"}
    )

    assert response.status_code == 302
    assert mail.outbox == []


def test_the_login_page_links_to_the_reset(client):
    response = client.get(reverse("login"))

    assert reverse("accounts:password-reset") in response.content.decode()


def test_production_mails_through_the_smtp_server_of_email_url():
    from tests.test_settings import PRODUCTION, manage

    env = {**PRODUCTION, "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.org:587"}
    script = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
    )

    result = manage("shell", "-c", script, **env)

    assert (
        "django.core.mail.backends.smtp.EmailBackend smtp.example.org 587 True"
        in result.stdout
    )


def test_development_prints_mails_on_the_console():
    from tests.test_settings import PRODUCTION, manage

    env = {**PRODUCTION, "DJANGO_DEBUG": "true"}
    script = "from django.conf import settings as s; print(s.EMAIL_BACKEND)"

    result = manage("shell", "-c", script, **env)

    assert "django.core.mail.backends.console.EmailBackend" in result.stdout
