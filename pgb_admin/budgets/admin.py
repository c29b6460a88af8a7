from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Budget, BudgetHolder, CareProduct, Funder


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(CareProduct)
class CareProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nl", "name_en"]
    search_fields = ["code", "name_nl", "name_en"]


class BudgetInline(admin.TabularInline):
    model = Budget
    extra = 0
    fields = ["funder", "scheme", "start_date", "end_date", "amount", "decision_reference"]
    show_change_link = True
    can_delete = False


@admin.register(BudgetHolder)
class BudgetHolderAdmin(admin.ModelAdmin):
    # No search on the BSN: the search term would end up in the URL and the access log.
    list_display = ["display_name", "masked_bsn", "date_of_birth", "svb_client_number"]
    list_filter = ["funders"]
    search_fields = ["surname", "first_name", "initials", "svb_client_number"]
    filter_horizontal = ["funders"]
    inlines = [BudgetInline]
    readonly_fields = ["masked_bsn"]

    def get_exclude(self, request, obj=None):
        # staff see the BSN masked (SECURITY.md, "BSN"): typed once when adding, never shown
        return ["bsn"] if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    @admin.display(description=_("BSN"))
    def masked_bsn(self, holder: BudgetHolder) -> str:
        return holder.masked_bsn


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = [
        "holder",
        "funder",
        "scheme",
        "start_date",
        "end_date",
        "amount",
        "decision_reference",
    ]
    readonly_fields = ["objection_deadline"]
    list_filter = ["scheme", "funder"]
    list_select_related = ["holder", "funder"]
    search_fields = ["holder__surname", "decision_reference"]
    autocomplete_fields = ["holder"]
    filter_horizontal = ["products"]
    date_hierarchy = "start_date"
