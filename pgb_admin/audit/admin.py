from django.contrib import admin

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read-only: the access log is only ever added to, by the application itself."""

    list_display = ["at", "username", "role", "action", "what", "holder_pk", "count", "outcome"]
    list_filter = ["action", "role", "outcome", "purpose"]
    search_fields = ["username", "request_id", "=holder_pk", "=object_pk"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
