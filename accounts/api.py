"""The token endpoints: log in for a token, revoke the one in use, list and
revoke one's own tokens."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import security_log, services, two_factor
from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from config.rest import JSONParser, StrictInput, UpdatedAfterFilter


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class LoginSerializer(StrictInput, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100, required=False, default="API", help_text="To recognise it."
    )
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices, default=ApiToken.Scope.READ_WRITE
    )
    otp = serializers.CharField(
        max_length=32,
        required=False,
        help_text="With two-factor login on: a code from the app, or a recovery code.",
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=366,
        required=False,
        help_text="Lifetime in days (default 90).",
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scope", "created_at", "expires_at"]
        read_only_fields = fields


class NewTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Token <token>` (or `Bearer`); "
        "it is shown only once."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class LoginLocked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _(
        "Too many failed attempts for this username. Wait, then try again."
    )
    default_code = "locked_out"


class TokenView(APIView):
    """``auth/token/``: a new token for a password; revoke the one in use."""

    authentication_classes = [ApiTokenAuthentication]
    parser_classes = [JSONParser]
    throttle_scope = "token"

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.request.method == "POST":
            return [ScopedRateThrottle()]
        return []

    @extend_schema(
        tags=["auth"],
        summary="Get an API token",
        description="Exchange your username and password for a new personal "
        "token (named, read-write unless `scope` is `read`, valid 90 days "
        "unless `days` says otherwise). Every call makes a new one; list and "
        "revoke them at `auth/tokens/`. Too many failures get a 429.",
        request=LoginSerializer,
        responses={
            201: NewTokenSerializer,
            403: OpenApiResponse(
                ErrorSerializer, description="A second factor is missing."
            ),
            429: OpenApiResponse(ErrorSerializer, description="Too many attempts."),
        },
        examples=[
            OpenApiExample("Demo user", value={"username": "demo", "password": "demo"})
        ],
    )
    def post(self, request):
        login = LoginSerializer(data=request.data)
        login.is_valid(raise_exception=True)
        data = login.validated_data
        user = authenticate(
            request=request, username=data["username"], password=data["password"]
        )
        if user is None:
            # django-axes marks the (DRF) request it saw; its middleware only
            # sees Django's, so the lockout is answered here.
            if getattr(request, "axes_locked_out", False) or getattr(
                request, "login_slowed_down", False
            ):
                raise LoginLocked()
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}
            )
        if not two_factor.token_login_allowed(user, data.get("otp")):
            security_log.record("two_factor_failed", request, username=user.username)
            raise exceptions.PermissionDenied(
                _(
                    "Send a two-factor code as `otp` (set up two-factor login "
                    "first if your organisation requires it)."
                )
            )
        token, key = services.create_token(
            user, name=data["name"], scope=data["scope"], days=data.get("days")
        )
        security_log.token_created(request, token)
        body = NewTokenSerializer({**ApiTokenSerializer(token).data, "token": key})
        return Response(body.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["auth"],
        summary="Revoke the token in use",
        request=None,
        responses={204: None, 400: ErrorSerializer},
    )
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise exceptions.ValidationError(
                {"detail": _("This request was not made with a token.")}
            )
        security_log.token_revoked(request, request.auth)
        services.revoke_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your personal tokens (never their keys), and revoking one."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; get_queryset() is per user
    filter_backends = [UpdatedAfterFilter]
    sync_field = "created_at"  # a token never changes; a revoked one is gone

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).order_by(
            "-created_at", "-pk"
        )

    def perform_destroy(self, instance: ApiToken) -> None:
        security_log.token_revoked(self.request, instance)
        services.revoke_token(instance)
