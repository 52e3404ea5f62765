from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from procurement.signals import exporting, state_changed

        from .receivers import announced, organisation_exported

        state_changed.connect(announced, dispatch_uid="webhooks.announced")
        exporting.connect(organisation_exported, dispatch_uid="webhooks.exported")
