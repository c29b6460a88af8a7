from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Budget, BudgetHolder, CareProduct, Funder, HolderAdmission, Indication


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


class HolderAdmissionInline(admin.TabularInline):
    """Stays in a hospital or Wlz institution (care at home during one is an audit signal)."""

    model = HolderAdmission
    extra = 0
    fields = ["kind", "valid_from", "valid_to", "note"]


class IndicationInline(admin.TabularInline):
    """The hours the grant decision indicates (declared hours above them are a signal)."""

    model = Indication
    extra = 0
    fields = ["product", "hours", "per", "valid_from", "valid_to"]


class AwaitingReviewFilter(admin.SimpleListFilter):
    title = _("awaiting review")
    parameter_name = "held_copy"

    def lookups(self, request, model_admin):
        return [("yes", _("Held copies awaiting review")), ("no", _("Registered holders"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.held_copies()
        if self.value() == "no":
            return queryset.registered()
        return queryset


@admin.register(BudgetHolder)
class BudgetHolderAdmin(admin.ModelAdmin):
    # No search on the BSN: the search term would end up in the URL and the access log.
    list_display = [
        "display_name",
        "masked_bsn",
        "date_of_birth",
        "svb_client_number",
        "duplicate_of",
        "created_at",
    ]
    list_filter = [AwaitingReviewFilter, "funders"]
    list_select_related = ["duplicate_of"]
    search_fields = ["surname", "first_name", "initials", "svb_client_number"]
    filter_horizontal = ["funders"]
    inlines = [BudgetInline, HolderAdmissionInline]
    readonly_fields = ["masked_bsn", "duplicate_of"]
    actions = ["merge_held_copies", "reject_held_copies"]

    def get_exclude(self, request, obj=None):
        # staff see the BSN masked (SECURITY.md, "BSN"): typed once when adding, never shown
        return ["bsn"] if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    @admin.display(description=_("BSN"))
    def masked_bsn(self, holder: BudgetHolder) -> str:
        return holder.masked_bsn

    @admin.action(
        description=_(
            "Held copies: give their users a mandate for the registered holder and remove the copy"
        ),
        permissions=["change"],
    )
    def merge_held_copies(self, request, queryset):
        self._resolve(request, queryset, services.held_copy_merge, _("merged into %(holder)s"))

    @admin.action(
        description=_(
            "Held copies: reject (a second holder with one BSN is not possible) and remove the copy"
        ),
        permissions=["change"],
    )
    def reject_held_copies(self, request, queryset):
        self._resolve(request, queryset, services.held_copy_reject, _("rejected"))

    def _resolve(self, request, queryset, service, done) -> None:
        """Each copy on its own (one transaction each): a refusal is shown and the others
        go on."""
        for copy in list(queryset.select_related("duplicate_of")):
            name = str(copy)
            try:
                registered = service(actor=request.user, copy_id=copy.pk)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            self.message_user(
                request,
                _("Held copy %(copy)s: %(outcome)s.")
                % {"copy": name, "outcome": done % {"holder": registered}},
                messages.SUCCESS,
            )


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
    inlines = [IndicationInline]
