from django.conf import settings

from rest_framework import permissions

from pgb_admin.accounts.scoping import ReadOnlyAccess, is_auditor


class AuditorsReadOnly(permissions.BasePermission):
    """Auditors read; they never write, whatever the object. A view marks a POST that only
    reads (a lookup by BSN) with ``reads_only = True`` on its action."""

    message = ReadOnlyAccess().args[0]
    code = "read_only"

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        handler = getattr(view, getattr(view, "action", None) or "", None)
        if getattr(handler, "reads_only", False):
            return True
        return not is_auditor(request.user)


def reads_only(action):
    """Mark a POST action that changes nothing (auditors may use it)."""
    action.reads_only = True
    return action


class ApiDocsAccess(permissions.BasePermission):
    """The schema and the API docs: for anyone with ``API_DOCS_PUBLIC``, else for logged-in
    users only (the production default)."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)
