from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Providers and care agreements")

    def ready(self) -> None:
        from pgb_admin.audit.registry import change_log_register

        change_log_register(
            {
                "contracts.Provider": ["iban"],
                "contracts.HolderProvider": [],
                "contracts.CareAgreement": [],
                "contracts.AgreementVersion": [],
                "contracts.ProviderInvitation": ["token_hash"],
            }
        )
