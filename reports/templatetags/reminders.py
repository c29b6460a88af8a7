"""The count of unread reminders in the navigation: one query per request, only where the nav
is shown (the page shows the nav twice: in the header and in the phone's menu)."""

from django import template

from reports.reminders.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_reminders(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    count = getattr(request, "_unread_reminders", None)
    if count is None:
        count = request._unread_reminders = unread_count(user=user)
    return count
