"""The page components: NL Design System markup in one place, used as template tags.

Why tags and not django-cotton or includes: Django 5.2's ``simple_block_tag`` gives components
with a body (an alert, a summary list) without a new dependency or a second template language,
and an inclusion tag keeps the logic of the data-driven ones (pagination, status) in Python
where it can be tested. Each renders a template in ``templates/components/``.

    {% load components %}
    {% alert "warning" heading=_("Almost used up") %}<p>…</p>{% endalert %}
    {% summary_list %}
      {% summary_row _("Granted") %}€ 13.500,00{% endsummary_row %}
    {% endsummary_list %}
    {% action_list %}<a class="button" href="…">…</a>{% endaction_list %}
    {% status_badge declaration.get_status_display tone="ok" %}
    {% pagination page %}                      (keeps the other GET parameters)
    {% error_summary form %}
    {% breadcrumbs crumbs %}                   (a list of (label, url); the last is the page)

A table that becomes a list on a phone is a plain ``<table class="stack">`` whose cells carry
``data-label``: the stylesheet stacks it below 40rem (see site.css).
"""

from typing import Any

from django import template
from django.core.paginator import Page
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()

ALERT_TONES = {"info", "ok", "warning", "error"}
BADGE_TONES = {
    "ok": "success",
    "warning": "warning",
    "error": "danger",
    "info": "neutral",
    "neutral": "neutral",
    "active": "active",
}


@register.simple_block_tag
def alert(content: str, tone: str = "info", heading: str = "") -> SafeString:
    tone = tone if tone in ALERT_TONES else "info"
    role = "alert" if tone == "error" else "status"
    context = {"content": content, "tone": tone, "heading": heading, "role": role}
    return render_to_string("components/alert.html", context)


@register.simple_block_tag
def summary_list(content: str) -> SafeString:
    return render_to_string("components/summary_list.html", {"content": content})


@register.simple_block_tag
def summary_row(
    content: str, label: str, action_url: str = "", action_label: str = ""
) -> SafeString:
    context = {
        "content": content,
        "label": label,
        "action_url": action_url,
        "action_label": action_label,
    }
    return render_to_string("components/summary_row.html", context)


@register.simple_block_tag
def action_list(content: str) -> SafeString:
    return render_to_string("components/action_list.html", {"content": content})


@register.inclusion_tag("components/status_badge.html")
def status_badge(label: str, tone: str = "neutral") -> dict[str, Any]:
    return {"label": label, "modifier": BADGE_TONES.get(tone, "neutral")}


@register.inclusion_tag("components/error_summary.html")
def error_summary(form: Any) -> dict[str, Any]:
    return {"form": form}


@register.inclusion_tag("components/breadcrumbs.html")
def breadcrumbs(crumbs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"crumbs": crumbs}


@register.inclusion_tag("components/pagination.html", takes_context=True)
def pagination(context: template.Context, page: Page, parameter: str = "page") -> dict[str, Any]:
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop(parameter, None)

    def url(number: int) -> str:
        query[parameter] = str(number)
        return "?" + query.urlencode()

    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return {
        "page": page,
        "first": page.start_index(),
        "last": page.end_index(),
        "count": page.paginator.count,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
        "numbers": [(number, url(number) if isinstance(number, int) else "") for number in numbers],
    }
