from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "pgb_admin.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from .registry import register_change_log

        register_change_log()
