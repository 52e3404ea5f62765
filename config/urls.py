"""URL wiring: the web UI, the API under /api/v1/, the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from config import errors
from operations import views as operations
from operations.metrics import metrics
from procurement.forms import ThrottledAuthenticationForm
from procurement.views import bidders

urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The bidders' questionnaire: no account, only a link's token.
    path("bid/<str:token>/", bidders.bid, name="bid"),
    path("bid/<str:token>/files/", bidders.bid_file, name="bid-file"),
    path("bid/<str:token>/submit/", bidders.bid_submit, name="bid-submit"),
    path("organisations/<int:organisation_pk>/webhooks/", include("webhooks.urls")),
    path("api/v1/", include("config.api")),
    # Any other path under /api/ is a JSON 404, with DEBUG on too (Django's
    # debug page would otherwise answer in HTML).
    re_path(r"^api/", errors.api_not_found),
    path("admin/", admin.site.urls),
    path("", include("procurement.urls")),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
