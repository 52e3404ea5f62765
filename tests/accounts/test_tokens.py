"""Personal API tokens: several per user, named, expiring, scoped, stored
hashed, listed and revoked by their owner (page and API), all revoked by a
password change; both `Token` and `Bearer` prefixes work."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import create_token, digest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROVIDERS = "/api/v1/providers/"


def client_with(key, prefix="Token"):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"{prefix} {key}")
    return api


def obtain(user, **body):
    return APIClient().post(
        reverse("api:token"),
        {"username": user.username, "password": "secret-password", **body},
    )


def test_each_login_makes_a_new_token(lead):
    first = obtain(lead).json()["token"]
    second = obtain(lead).json()["token"]

    assert first != second
    assert lead.api_tokens.count() == 2


def test_a_token_is_stored_hashed(lead):
    key = obtain(lead, name="CI").json()["token"]

    token = lead.api_tokens.get()
    assert token.name == "CI"
    assert token.digest == digest(key)
    assert not ApiToken.objects.filter(digest=key).exists()
    assert key not in {token.prefix, token.digest}


def test_a_token_expires_after_90_days_by_default(lead):
    body = obtain(lead).json()

    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + datetime.timedelta(days=90))) < (
        datetime.timedelta(minutes=1)
    )


def test_an_expired_token_is_refused(lead):
    token, key = create_token(lead, name="old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())

    response = client_with(key).get(PROVIDERS)

    assert response.status_code == 401


@pytest.mark.parametrize("prefix", ["Token", "Bearer", "bearer"])
def test_both_token_and_bearer_prefixes_authenticate(lead, prefix):
    _, key = create_token(lead, name="t")

    assert client_with(key, prefix).get(PROVIDERS).status_code == 200


def test_a_read_token_reads_but_cannot_write(lead):
    _, key = create_token(lead, name="dashboard", scope=ApiToken.Scope.READ)
    api = client_with(key)

    assert api.get(PROVIDERS).status_code == 200
    assert api.post(PROVIDERS, {"name": "Delta Cloud"}).status_code == 403


def test_a_read_write_token_writes(lead):
    _, key = create_token(lead, name="script", scope=ApiToken.Scope.READ_WRITE)

    response = client_with(key).post(PROVIDERS, {"name": "Delta Cloud"})

    assert response.status_code == 201


def test_a_read_scope_can_be_asked_at_login(lead):
    body = obtain(lead, scope="read").json()

    response = client_with(body["token"]).post(PROVIDERS, {"name": "Delta Cloud"})

    assert body["scope"] == "read"
    assert response.status_code == 403


def test_delete_revokes_the_token_in_use_only(lead):
    _, used = create_token(lead, name="used", scope=ApiToken.Scope.READ)
    _, other = create_token(lead, name="other")

    response = client_with(used).delete(reverse("api:token"))

    assert response.status_code == 204
    assert client_with(used).get(PROVIDERS).status_code == 401
    assert client_with(other).get(PROVIDERS).status_code == 200


def test_the_api_lists_ones_own_tokens_without_their_keys(lead, viewer):
    _, key = create_token(lead, name="mine")
    create_token(viewer, name="theirs")

    response = client_with(key).get(reverse("api:api-token-list"))

    names = [t["name"] for t in response.json()["results"]]
    assert names == ["mine"]
    assert key not in response.content.decode()


def test_the_api_revokes_one_of_ones_own_tokens(lead):
    _, key = create_token(lead, name="mine")
    old, old_key = create_token(lead, name="old")

    response = client_with(key).delete(reverse("api:api-token-detail", args=[old.pk]))

    assert response.status_code == 204
    assert client_with(old_key).get(PROVIDERS).status_code == 401


def test_another_users_token_cannot_be_revoked(lead, viewer):
    _, key = create_token(lead, name="mine")
    theirs, _ = create_token(viewer, name="theirs")

    response = client_with(key).delete(
        reverse("api:api-token-detail", args=[theirs.pk])
    )

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_a_password_change_anywhere_ends_every_token(lead):
    _, key = create_token(lead, name="t")
    lead.set_password("another-long-password")
    lead.save()

    assert client_with(key).get(PROVIDERS).status_code == 401


def test_an_inactive_users_token_is_refused():
    user = UserFactory(is_active=False)
    _, key = create_token(user, name="t")

    assert client_with(key).get(PROVIDERS).status_code == 401


# the page ---------------------------------------------------------------------


def test_the_page_creates_a_token_and_shows_its_key_once(client, lead):
    client.force_login(lead)

    created = client.post(
        reverse("accounts:token-list"), {"name": "laptop", "scope": "read", "days": 7}
    )
    again = client.get(reverse("accounts:token-list"))

    token = lead.api_tokens.get()
    key = created.context["new_key"]
    assert token.digest == digest(key)
    assert key in created.content.decode()
    assert key not in again.content.decode()
    assert "laptop" in again.content.decode()


def test_the_page_revokes_ones_own_token(client, lead):
    token, _ = create_token(lead, name="t")
    client.force_login(lead)

    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))

    assert response.status_code == 302
    assert not lead.api_tokens.exists()


def test_the_page_cannot_revoke_another_users_token(client, lead, viewer):
    theirs, _ = create_token(viewer, name="t")
    client.force_login(lead)

    response = client.post(reverse("accounts:token-revoke", args=[theirs.pk]))

    assert response.status_code == 404
