from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "pgb_admin.figures"
    label = "figures"
    verbose_name = _("Tariffs and statutory figures")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
