from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Batch,
    BatchFile,
    Declaration,
    DeclarationLine,
    Document,
    Expense,
    Finding,
    TimeEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """History and exports are read in the back office, never edited there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ["care_date", "agreement", "quantity", "start_time", "end_time"]
    list_select_related = ["agreement__holder", "agreement__provider"]
    search_fields = ["agreement__holder__surname", "agreement__svb_agreement_number"]
    date_hierarchy = "care_date"


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    list_display = ["expense_date", "agreement", "kind", "kilometres", "amount"]
    list_filter = ["kind"]
    list_select_related = ["agreement__holder", "agreement__provider"]
    search_fields = ["agreement__holder__surname", "agreement__svb_agreement_number"]
    date_hierarchy = "expense_date"


class DeclarationLineInline(admin.TabularInline):
    model = DeclarationLine
    extra = 0
    fields = readonly_fields = ("care_date", "quantity", "unit", "rate", "amount", "version")


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = readonly_fields = (
        "severity",
        "rule_code",
        "care_date",
        "message",
        "acknowledgement_reason",
    )

    @admin.display(description=_("message"))
    def message(self, finding: Finding) -> str:
        return finding.message


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "month", "agreement", "status", "total_amount", "corrects", "batch"]
    list_filter = ["status", "month"]
    list_select_related = ["agreement__holder", "agreement__provider", "corrects", "batch"]
    search_fields = ["agreement__holder__surname", "agreement__svb_agreement_number"]
    inlines = [DeclarationLineInline, FindingInline]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["declaration", "severity", "rule_code", "care_date", "acknowledged_at"]
    list_filter = ["severity", "rule_code"]
    list_select_related = ["declaration"]


class BatchFileInline(admin.TabularInline):
    model = BatchFile
    extra = 0
    fields = readonly_fields = ("format", "filename", "size", "sha256")


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["pk", "period", "created_at", "created_by", "declaration_count", "total_amount"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    inlines = [BatchFileInline]
    exclude = ["skipped"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """The back office sets or lifts a legal hold (kept past the retention period); the rest
    is read only, and documents are removed only by the retention clean-up."""

    list_display = ["document_date", "kind", "holder", "size", "legal_hold", "retention_from"]
    list_filter = ["kind", "legal_hold"]
    list_select_related = ["holder"]
    search_fields = ["holder__surname", "invoice_number", "sha256"]
    date_hierarchy = "document_date"
    _DOCUMENT_FIELDS = (
        "holder", "kind", "title", "document_date", "valid_from", "valid_to", "deadline",
        "budget", "agreement", "amends", "invoice_number", "amount", "vat_amount",
        "media_type", "size", "sha256", "retention_from", "legal_hold", "created_by",
        "created_at",
    )  # fmt: skip
    fields = _DOCUMENT_FIELDS
    readonly_fields = tuple(name for name in _DOCUMENT_FIELDS if name != "legal_hold")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
