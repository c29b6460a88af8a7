"""A grant's card on the dashboard, in words: its title, the bar, the run-out in one sentence
and the alerts that say more than that sentence. The figures come from the exhaustion report
(:meth:`reports.holders.ExhaustionReport.as_dict`), unchanged."""

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pgb_admin.core.dates import format_date
from pgb_admin.core.templatetags.pgb import euro

from .words import grant_title

#: from this many days between the run-out and the grant's end the sentence counts weeks
WEEKS_FROM_DAYS = 14
#: the alerts of the report that the run-out sentence does not say already
ALERT_CODES = ("no_budget", "exhausted", "nearly_exhausted", "attention")


def spend_bar(grant: dict) -> dict:
    """The widths (percent of the grant) of the used and committed parts of a grant's bar."""
    granted = Decimal(grant["granted"] or 0)
    if granted <= 0:
        return {"used": 100, "committed": 0}
    used = min(Decimal(grant["used"] or 0) / granted * 100, Decimal(100))
    committed = min(Decimal(grant["committed"] or 0) / granted * 100, 100 - used)
    return {"used": round(used, 1), "committed": round(max(committed, Decimal(0)), 1)}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def run_out_sentence(grant: dict, today: date) -> str:
    """When the budget runs out at the current pace (the trend projection), or what is left
    at the grant's end, in one sentence."""
    start, end = _day(grant["start_date"]), _day(grant["end_date"])
    if start is None or end is None or Decimal(grant["granted"] or 0) <= 0:
        return ""  # the alert "nothing is granted" says it
    if start > today:
        return _("The grant starts on %(day)s.") % {"day": format_date(start, "prose")}
    trend = grant["projection"]["trend"]
    run_out = _day(trend["run_out"])
    if run_out is not None and run_out <= today:
        return _("The budget is used up since %(day)s.") % {"day": format_date(run_out, "prose")}
    if run_out is not None:
        day = format_date(run_out, "prose")
        days = (end - run_out).days
        if days >= WEEKS_FROM_DAYS:
            weeks = days // 7
            return ngettext(
                "At the current pace the budget runs out on %(day)s, %(count)s week before "
                "the grant ends.",
                "At the current pace the budget runs out on %(day)s, %(count)s weeks before "
                "the grant ends.",
                weeks,
            ) % {"day": day, "count": weeks}
        if days > 0:
            return ngettext(
                "At the current pace the budget runs out on %(day)s, %(count)s day before "
                "the grant ends.",
                "At the current pace the budget runs out on %(day)s, %(count)s days before "
                "the grant ends.",
                days,
            ) % {"day": day, "count": days}
        return _(
            "At the current pace the budget runs out on %(day)s, the last day of the grant."
        ) % {"day": day}
    left = euro(trend["balance_at_end"])
    if end < today:
        return _("The grant has ended with %(amount)s left.") % {"amount": left}
    if not grant["burn_rate"]["months"]:
        return _("Nothing is spent yet: a forecast follows once the first month is over.")
    return _("At the current pace you keep %(amount)s at the end of the grant.") % {"amount": left}


def alerts(grant: dict, today: date) -> list[str]:
    """The report's alerts about the share used, and the run-out by the care agreements when
    it comes before the run-out at the current pace (that one is the sentence)."""
    messages = [alert["message"] for alert in grant["alerts"] if alert["code"] in ALERT_CODES]
    end = _day(grant["end_date"])
    agreed = _day(grant["projection"]["agreed"]["run_out"])
    trend = _day(grant["projection"]["trend"]["run_out"])
    if agreed is None or end is None:
        return messages
    if (trend is None or agreed < trend) and today < agreed < end:
        messages.append(
            _("By the care agreements the budget runs out sooner: on %(day)s.")
            % {"day": format_date(agreed, "prose")}
        )
    return messages


def shows_employment_costs(grant: dict) -> bool:
    costs = grant["employment_costs"]
    figures = (
        costs["holiday_allowance"]["used"],
        costs["holiday_allowance"]["committed"],
        costs["employer_costs"]["used"],
        costs["employer_costs"]["committed"],
    )
    return bool(costs["message"]) or any(Decimal(value or 0) for value in figures)


def grant_card(grant: dict, *, holder_id: int, funder_name: str, today: date) -> dict:
    """The grant of the report with what its card shows in words."""
    free = Decimal(grant["free"] or 0)
    return {
        **grant,
        "title": grant_title(grant["scheme"], funder_name, grant["start_date"], grant["end_date"]),
        "url": reverse("budgets:grant", args=[holder_id, grant["budget"]]),
        "bar": spend_bar(grant),
        "short": free < 0,
        "shortfall": str(-free) if free < 0 else None,
        "run_out_sentence": run_out_sentence(grant, today),
        "warnings": alerts(grant, today),
        "shows_employment_costs": shows_employment_costs(grant),
    }
