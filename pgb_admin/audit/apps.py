from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "pgb_admin.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from auditlog.signals import post_log

        from .events import log_change_entry
        from .registry import register_change_log

        register_change_log()
        post_log.connect(log_change_entry, dispatch_uid="access_log_changes")
