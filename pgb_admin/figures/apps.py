from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "pgb_admin.figures"
    label = "figures"
    verbose_name = _("Tariffs and statutory figures")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import checks  # noqa: F401  (registers the system checks)
        from .models import StatutoryFigure, forget_request_figures

        for signal in (post_save, post_delete):
            signal.connect(
                forget_request_figures,
                sender=StatutoryFigure,
                dispatch_uid=f"forget_figures_{signal is post_save}",
            )
