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
        _forget_scopes_on_change()


def _forget_scopes_on_change() -> None:
    """A request that changes a mandate or an auditor scope reads with the new ones after."""
    from django.db.models.signals import post_delete, post_save

    from pgb_admin.accounts.models import AuditorScope, Mandate
    from pgb_admin.accounts.scoping import forget_request_scopes

    for model in (Mandate, AuditorScope):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_request_scopes,
                sender=model,
                dispatch_uid=f"forget_scopes_{signal is post_save}_{model.__name__}",
            )
