from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Hours, costs and declarations")

    def ready(self) -> None:
        from pgb_admin.audit.registry import change_log_register

        from .services.retention import retention_setup

        change_log_register(
            {
                "declarations.TimeEntry": [],
                "declarations.Expense": [],
                "declarations.Declaration": [],
                "declarations.Batch": [],
                "declarations.ProviderMonth": [],
            }
        )
        retention_setup()
