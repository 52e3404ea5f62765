from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        """Connect the login signals: failures per username, the security log."""
        from accounts import login_protection, security_log, two_factor  # noqa: F401
