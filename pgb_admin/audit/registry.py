"""Every change to domain data is written to django-auditlog's append-only change log, with the
actor (request user, or the user a command or task names with ``auditlog.context.set_actor``).
Citizen numbers and account numbers appear there only masked."""

from django.apps import apps

from auditlog.registry import auditlog

# model label -> fields masked in the change log; the apps built on pgb_admin add theirs from
# their AppConfig.ready (change_log_register)
AUDITED_MODELS: dict[str, list[str]] = {
    "accounts.User": [],
    "accounts.Mandate": [],
    "accounts.AuditorScope": [],
    "accounts.ProviderAccess": [],
    "budgets.Funder": [],
    "budgets.CareProduct": [],
    "budgets.BudgetHolder": ["bsn"],
    "budgets.Budget": [],
    "figures.StatutoryFigure": [],
    "figures.MaxTariff": [],
}

# never written to the change log at all (a batch's files are bytes: the sha256 identifies them;
# the BSN's keyed hash only follows the BSN, which is logged masked)
EXCLUDED_FIELDS = {
    "accounts.User": ["password", "last_login"],
    "budgets.BudgetHolder": ["bsn_hash"],
}


def change_log_register(models: dict[str, list[str]]) -> None:
    """Write every change to ``models`` (label -> fields masked) to the change log."""
    AUDITED_MODELS.update(models)
    for label, mask_fields in models.items():
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        m2m = [field.name for field in model._meta.many_to_many]
        auditlog.register(
            model,
            mask_fields=mask_fields,
            exclude_fields=EXCLUDED_FIELDS.get(label, []),
            m2m_fields=set(m2m),
        )


def register_change_log() -> None:
    change_log_register(dict(AUDITED_MODELS))
