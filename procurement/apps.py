from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "procurement"
    verbose_name = _("Procurement")

    def ready(self):
        from config.sqlite import refresh_after_migrate

        post_migrate.connect(refresh_after_migrate, sender=self)
