"""The reminder pages: the notices (mark read), the choices per kind, and the unsubscribe link
of an e-mail, which works without logging in (the signed token is the proof)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from pgb_admin.core.web import AuthenticatedRequest

from . import selectors, services
from .forms import ReminderChoicesForm
from .mail import notice_label
from .tokens import ALL_KINDS, unsubscribe_target


@login_required
def notices(request: AuthenticatedRequest) -> HttpResponse:
    items = selectors.notice_list(user=request.user)
    unread = any(notice.read_at is None for notice in items)
    return render(request, "reports/reminders/notices.html", {"notices": items, "unread": unread})


@login_required
@require_POST
def notices_read(request: AuthenticatedRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("notice") if value.isdigit()]
    services.notice_mark_read(user=request.user, notice_ids=ids or None)
    return redirect("reports:notices")


@login_required
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = ReminderChoicesForm(request.POST)
        if form.is_valid():
            services.reminder_preferences_set(
                user=request.user,
                channels=form.channels(),
                language=form.cleaned_data["language"],
                emails_off=form.cleaned_data["emails_off"],
            )
            messages.success(request, _("Your reminder choices are saved."))
            return redirect("reports:reminder_preferences")
    else:
        initial = {
            "language": (get_language() or "nl")[:2],
            **selectors.reminder_choices(user=request.user),
        }
        form = ReminderChoicesForm(initial=initial)
    return render(request, "reports/reminders/preferences.html", {"form": form})


# A mail client's one-click unsubscribe (RFC 8058) POSTs without a CSRF token; the signed
# token in the URL is what authorises the change. A GET only asks to confirm, so a link
# checker that opens the link changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = unsubscribe_target(token)
    if target is None:
        return render(request, "reports/reminders/unsubscribe.html", {"invalid": True}, status=400)
    _user_id, kind = target
    context = {"all_kinds": kind == ALL_KINDS, "label": notice_label(kind)}
    if request.method == "POST":
        if services.unsubscribe(token=token) is None:
            return render(
                request, "reports/reminders/unsubscribe.html", {"invalid": True}, status=400
            )
        context["done"] = True
    return render(request, "reports/reminders/unsubscribe.html", context)
