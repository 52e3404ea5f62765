from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from procurement.signals import state_changed

        from .receivers import announced

        state_changed.connect(announced, dispatch_uid="webhooks.announced")
