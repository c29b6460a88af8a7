from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "pgb_admin.budgets"
    label = "budgets"
    verbose_name = _("Budget holders and grants")
