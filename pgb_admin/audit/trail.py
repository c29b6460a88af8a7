"""The way back for an auditor: on a holder's pages, the breadcrumbs "Audit > Municipality of
Assen 2026 > <holder> > <page>" lead back to the municipal report and the audit page. Only an
auditor sees them (one who does not act for the holder); the funder is the audited one that
granted the holder's grant, the year the one asked for (``?year=``) or this year."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import audited_funder_ids, sees_everything
from pgb_admin.budgets.models import Funder
from pgb_admin.budgets.naming import funder_title
from pgb_admin.core.periods import LAST_DAY

if TYPE_CHECKING:
    from pgb_admin.core.web import HolderAccess

Crumbs = list[tuple[str, str]]

#: the auditor's workspace, the first crumb
AUDIT = _("Audit")
FIRST_YEAR = 2000


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    if text.isdigit() and FIRST_YEAR <= int(text) <= LAST_DAY.year:
        return int(text)
    return timezone.localdate().year


def report_crumb(funder: Funder, year: int) -> str:
    """The report in a breadcrumb: "Gemeente Assen 2026"."""
    return f"{funder_title(funder.name, funder.kind)} {year}"


def audited_funder_of(request: HttpRequest, holder_id: int) -> Funder | None:
    """The funder through which the user audits this holder (one query), or None."""
    user = request.user
    if not user.is_authenticated or sees_everything(user):
        return None
    return (
        Funder.objects.filter(
            pk__in=audited_funder_ids(user),
            budgets__holder_id=holder_id,
            budgets__holder__duplicate_of__isnull=True,
        )
        .order_by("name", "pk")
        .first()
    )


def holder_breadcrumbs(request: HttpRequest, access: "HolderAccess", page: str = "") -> Crumbs:
    """The breadcrumbs of a holder's page for an auditor: the audit page, the report, the
    holder (their dashboard) and, below the dashboard, ``page``. Empty for anyone else."""
    if access.acts_for_holder:
        return []
    funder = audited_funder_of(request, access.holder_id)
    if funder is None:
        return []
    year = _year(request)
    report = f"{reverse('reports:municipality', args=[funder.code])}?year={year}"
    crumbs: Crumbs = [
        (str(AUDIT), reverse("reports:audit")),
        (report_crumb(funder, year), report),
        (access.holder.display_name, reverse("budgets:dashboard", args=[access.holder_id])),
    ]
    if page:
        crumbs.append((page, ""))
    return crumbs
