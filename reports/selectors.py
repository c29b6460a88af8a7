"""The reports, scoped to the user who asks: a holder's reports for those who may see the
holder (an auditor sees only their funder's grants), a municipality's report for its auditors
and staff. Anything else is a 404. Every report read by someone who does not act for the holder
is logged (:mod:`pgb_admin.audit.access`)."""

from datetime import date
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from declarations.selectors.reporting import statement_documents
from pgb_admin.accounts.scoping import (
    AnyUser,
    audited_funder_ids,
    get_visible,
    sees_everything,
)
from pgb_admin.audit.events import log_read, log_refused
from pgb_admin.budgets.models import Budget, BudgetHolder, BudgetQuerySet, Funder
from pgb_admin.core.errors import NotFound
from pgb_admin.core.periods import LAST_DAY

from .cache import cached_report
from .frames import ReportData, load_report_data
from .holders import ExhaustionReport, thresholds_on, year_costs
from .municipality import MunicipalityReport
from .reconciliation.models import Difference
from .year_statement import YearStatement, year_statement

#: the years a report is made for: from 2000 (no pgb data is older) to the last supported year
FIRST_YEAR, LAST_YEAR = 2000, LAST_DAY.year


def _grants_in(budgets: BudgetQuerySet, year: int | None) -> BudgetQuerySet:
    if year is None:
        return budgets
    return budgets.filter(start_date__lte=date(year, 12, 31), end_date__gte=date(year, 1, 1))


def _visible_holder(user: AnyUser, holder_id: int, what: str) -> BudgetHolder:
    """The holder whose report it is (404 out of scope, logged refused)."""
    try:
        return get_visible(BudgetHolder.objects, user, pk=holder_id)
    except NotFound:
        log_refused(user=user, what=f"report:{what}", holder_id=holder_id)
        raise


def holder_exhaustion(
    *, user: AnyUser, holder_id: int, year: int | None = None, what: str = "exhaustion"
) -> ExhaustionReport:
    holder = _visible_holder(user, holder_id, what)
    budgets = _grants_in(Budget.objects.visible_to(user).filter(holder=holder), year)
    today = timezone.localdate()
    data = load_report_data(budgets, today=today)
    log_read(user=user, what=f"report:{what}", holder_id=holder.pk)
    return ExhaustionReport.build(holder, data, year=year, thresholds=thresholds_on(today))


def holder_exhaustion_dict(
    *, user: AnyUser, holder_id: int, year: int | None = None, what: str = "exhaustion"
) -> dict[str, Any]:
    """:func:`holder_exhaustion` as a dict, cached while its data is unchanged
    (:mod:`reports.cache`); every read is logged, cached or not."""
    holder = _visible_holder(user, holder_id, what)
    today = timezone.localdate()

    def build() -> dict[str, Any]:
        shown = BudgetHolder.objects.get(pk=holder.pk)  # read here: its table is in the version
        budgets = _grants_in(Budget.objects.visible_to(user).filter(holder=shown), year)
        data = load_report_data(budgets, today=today)
        return ExhaustionReport.build(
            shown, data, year=year, thresholds=thresholds_on(today)
        ).as_dict()

    report = cached_report("exhaustion", (getattr(user, "pk", None), holder.pk, year, today), build)
    log_read(user=user, what=f"report:{what}", holder_id=holder.pk)
    return report


def holder_year_costs(*, user: AnyUser, holder_id: int, year: int) -> dict[str, Any]:
    holder = _visible_holder(user, holder_id, "year_costs")
    budgets = _grants_in(Budget.objects.visible_to(user).filter(holder=holder), year)
    data = load_report_data(budgets, today=timezone.localdate())
    log_read(user=user, what="report:year_costs", holder_id=holder.pk)
    return year_costs(holder, data, year=year)


def holder_year_statement(*, user: AnyUser, holder_id: int, year: int) -> YearStatement:
    """The holder's year statement: the grants the user may see that run in ``year``."""
    holder = _visible_holder(user, holder_id, "year_statement")
    budgets = _grants_in(Budget.objects.visible_to(user).filter(holder=holder), year)
    today = timezone.localdate()
    data = load_report_data(budgets, today=today)
    grants = list(budgets.select_related("funder").order_by("start_date", "pk"))
    differences = list(
        Difference.objects.visible_to(user)
        .filter(holder=holder, budget__in=[grant.pk for grant in grants])
        .filter(Q(month__year=year) | Q(month__isnull=True))
    )
    documents = statement_documents(
        user=user, holder_id=holder.pk, year=year, budget_ids=[grant.pk for grant in grants]
    )
    log_read(user=user, what="report:year_statement", holder_id=holder.pk)
    return year_statement(
        holder,
        data,
        grants,
        year=year,
        made_on=today,
        thresholds=thresholds_on(today),
        differences=differences,
        documents=documents,
    )


def audited_funder(*, user: AnyUser, code: str) -> Funder:
    """The funder whose municipal report the user may read: one they audit (staff: any)."""
    funders = Funder.objects.all()
    if not sees_everything(user):
        funders = (
            funders.filter(pk__in=audited_funder_ids(user))
            if user.is_authenticated
            else funders.none()
        )
    try:
        return funders.get(code=code.upper())
    except Funder.DoesNotExist:
        raise Http404(_("Not found.")) from None


def municipality_report(
    *,
    user: AnyUser,
    code: str,
    year: int,
    what: str = "municipality",
    today: date | None = None,
) -> MunicipalityReport:
    funder = audited_funder(user=user, code=code)
    return build_municipality_report(funder, year=year, user=user, what=what, today=today)


def municipality_report_dict(
    *, user: AnyUser, code: str, year: int, what: str = "municipality"
) -> dict[str, Any]:
    """:func:`municipality_report` as a dict, cached while its data is unchanged
    (:mod:`reports.cache`); every read is logged, cached or not."""
    funder = audited_funder(user=user, code=code)
    today = timezone.localdate()

    def build() -> tuple[dict[str, Any], int]:
        shown = Funder.objects.get(pk=funder.pk)  # read here: its table is in the version
        data = _municipality_data(shown, year, today)
        report = MunicipalityReport.build(shown, data, year=year, thresholds=thresholds_on(today))
        return report.as_dict(), len(data.budgets)

    # the report holds the funder's totals, the same for each of its auditors
    report, grants = cached_report("municipality", (funder.pk, year, today), build)
    log_read(user=user, what=f"report:{what}", holder_id=None, obj=funder, count=grants)
    return report


def _municipality_data(funder: Funder, year: int, today: date) -> ReportData:
    # a held copy's grants are of the registrar's making: not the funder's figures
    budgets = _grants_in(Budget.objects.of_registered_holders().filter(funder=funder), year)
    return load_report_data(budgets, today=today)


def build_municipality_report(
    funder: Funder, *, year: int, user: AnyUser, what: str, today: date | None = None
) -> MunicipalityReport:
    today = today or timezone.localdate()
    data = _municipality_data(funder, year, today)
    # one row for the funder's report, not one per holder: it shows totals, no person
    log_read(user=user, what=f"report:{what}", holder_id=None, obj=funder, count=len(data.budgets))
    return MunicipalityReport.build(funder, data, year=year, thresholds=thresholds_on(today))
