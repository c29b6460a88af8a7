"""The count of unread reminders in the navigation (one query, only where the nav is shown)."""

from django import template

from reports.reminders.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_reminders(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user=user)
