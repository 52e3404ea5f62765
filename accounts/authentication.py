"""DRF authentication by personal token, and its permission by scope.

The header is ``Authorization: Token <key>`` or ``Authorization: Bearer
<key>``. A read-only token may only read; ``DELETE /api/v1/auth/token/``
(its own revocation) is the one write it may do.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from accounts.models import ApiToken
from accounts.services import find_token

KEYWORDS = ("token", "bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A personal token in the Authorization header, as Token or Bearer."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = find_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Invalid, expired or revoked token.")
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"


class TokenScope(permissions.BasePermission):
    """A read-only token may not write."""

    message = _("This token is read-only.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if isinstance(request.auth, ApiToken):
            return request.auth.allows_writes()
        return True


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>` or `Bearer <key>`, from POST /api/v1/auth/token/."
            ),
        }
