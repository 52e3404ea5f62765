"""Creating, using and revoking personal API tokens."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from accounts.models import ApiToken


def digest(key: str) -> str:
    """The stored form of a token: its SHA-256, enough for 256 random bits."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(
    user,
    *,
    name: str,
    scope: str = ApiToken.Scope.READ_WRITE,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the user, and its key, which is shown only this once."""
    key = secrets.token_urlsafe(32)
    lifetime = datetime.timedelta(days=days or settings.API_TOKEN_DAYS)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:8],
        digest=digest(key),
        scope=scope,
        password_hash=user.get_session_auth_hash(),
        expires_at=timezone.now() + lifetime,
    )
    return token, key


def find_token(key: str) -> ApiToken | None:
    """The valid token of this key: known, not expired, password unchanged."""
    token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
    if token is None or token.is_expired() or not token.user.is_active:
        return None
    if token.password_hash != token.user.get_session_auth_hash():
        return None
    now = timezone.now()
    # Record the use, at most once an hour, so reads stay one query.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(
        hours=1
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(token: ApiToken) -> None:
    """End one token at once."""
    token.delete()


def revoke_all_tokens(user) -> int:
    """End every token of the user (a password change); how many there were."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    return count
