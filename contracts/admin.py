from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pgb_admin.budgets.models import BudgetHolder

from .models import AgreementVersion, CareAgreement, HolderProvider, Provider, SickReport


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    """Staff change a provider in place, for every holder it works for (the API makes a copy
    for someone who acts for only some of them); each of those holders' access logs gets the
    change."""

    list_display = ["name", "kind", "masked_iban", "agb_code", "kvk_number"]
    list_filter = ["kind", "is_entrepreneur"]
    search_fields = ["name", "agb_code", "kvk_number"]
    readonly_fields = ["linked_holders"]

    @admin.display(description=_("IBAN"))
    def masked_iban(self, provider: Provider) -> str:
        return provider.masked_iban

    @admin.display(description=_("Works for (a change reaches each of them)"))
    def linked_holders(self, provider: Provider) -> str:
        holders = BudgetHolder.objects.filter(pk__in=provider.linked_holder_ids())
        return ", ".join(str(holder) for holder in holders) or "–"


@admin.register(HolderProvider)
class HolderProviderAdmin(admin.ModelAdmin):
    list_display = ["holder", "provider", "relation"]
    list_filter = ["relation"]
    list_select_related = ["holder", "provider"]
    search_fields = ["holder__surname", "provider__name"]
    autocomplete_fields = ["holder", "provider"]


class AgreementVersionInline(admin.TabularInline):
    """Registered versions are history: they can be read, not changed. A change is a new row."""

    model = AgreementVersion
    extra = 0
    can_delete = False
    fields = [
        "valid_from",
        "valid_to",
        "budget",
        "product",
        "rate",
        "unit",
        "hours_per_week",
        "approval_status",
        "change_reason",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class SickReportInline(admin.TabularInline):
    model = SickReport
    extra = 0
    fields = ["sick_from", "recovered_on", "reported_on"]


@admin.register(CareAgreement)
class CareAgreementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agreement_type", "svb_agreement_number", "holder", "provider"]
    list_filter = ["agreement_type"]
    list_select_related = ["holder", "provider"]
    search_fields = ["svb_agreement_number", "holder__surname", "provider__name"]
    autocomplete_fields = ["holder", "provider"]
    inlines = [AgreementVersionInline, SickReportInline]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = [
        "agreement",
        "valid_from",
        "valid_to",
        "rate",
        "unit",
        "hours_per_week",
        "approval_status",
    ]
    list_filter = ["approval_status", "unit"]
    list_select_related = ["agreement__holder", "agreement__provider"]
    search_fields = ["agreement__holder__surname", "agreement__provider__name"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
