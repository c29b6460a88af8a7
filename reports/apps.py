from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from pgb_admin.audit.registry import change_log_register

        from .data_changes import install_triggers
        from .services import retention_setup

        change_log_register({"reports.Difference": []})

        retention_setup()
        post_migrate.connect(install_triggers, sender=self)
