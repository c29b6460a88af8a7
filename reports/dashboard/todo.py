"""The dashboard's to-do list, in words, each item an action link: the weeks that are over
without hours, the months to declare with their deadline, grants that end soon and objection
periods still open. The rules are the selectors': what is due (:func:`holder_due`), a month's
declaration deadline (the rule ``declaration.late``); this module reads the weeks and writes
the words."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.urls import reverse
from django.utils.translation import gettext as _

from declarations.constants import DeclarationStatus
from declarations.selectors.bureau_deadlines import declaration_deadline
from declarations.selectors.due import Due
from declarations.selectors.weeks import HourWeeks, week_number
from pgb_admin.core.dates import format_date, format_month, week_span
from pgb_admin.figures.models import FigureLookup

from .words import budget_title

#: a month further back than this is written with its year
MONTHS_WITHOUT_YEAR = 6


@dataclass(frozen=True)
class Task:
    """One thing to do: the action (the link's text), where to do it, and a line about it."""

    text: str
    url: str
    hint: str = ""
    late: bool = False


def _month_words(month: date, today: date) -> str:
    """A month as the list writes it: "november", with the year when it is long ago."""
    text = format_month(month)
    recent = (today.year - month.year) * 12 + today.month - month.month <= MONTHS_WITHOUT_YEAR
    return text.rsplit(" ", 1)[0] if recent else text


def _day_words(day: date, today: date) -> str:
    """A day in prose, without the year when it is this year's: "8 februari 2027"."""
    text = format_date(day, "prose")
    return text.rsplit(" ", 1)[0] if day.year == today.year else text


def _week_tasks(holder_id: int, weeks: HourWeeks) -> list[Task]:
    return [
        Task(
            text=_("Enter the hours of week %(number)s") % {"number": week_number(monday)},
            url=reverse("declarations:week", args=[holder_id, monday]),
            hint=week_span(monday),
        )
        for monday in weeks.missing
    ]


def _month_tasks(holder_id: int, due: Due, today: date) -> list[Task]:
    """A task per month to declare: make, check and export, or export its declarations,
    with the month's deadline in a sentence."""
    by_month: dict[date, dict] = defaultdict(
        lambda: {"drafts": [], "validated": [], "undeclared": [], "providers": []}
    )
    for declaration in due.declarations:
        month = by_month[declaration.month]
        is_draft = declaration.status == DeclarationStatus.DRAFT
        month["drafts" if is_draft else "validated"].append(declaration)
        month["providers"].append(declaration.agreement.provider.name)
    for row in due.months_without_declaration:
        month = by_month[cast(date, row["month"])]
        month["undeclared"].append(row)
        month["providers"].append(row["agreement__provider__name"])
    figures = FigureLookup()
    tasks = []
    for month_day, month in sorted(by_month.items()):
        name = _month_words(month_day, today)
        month_url = reverse("declarations:list", args=[holder_id]) + (f"?month={month_day:%Y-%m}")
        if month["undeclared"]:
            text, url = _("Make the declaration of %(month)s") % {"month": name}, month_url
        elif month["drafts"]:
            text = _("Check and export %(month)s") % {"month": name}
            drafts = month["drafts"]
            single = len(drafts) == 1 and not month["validated"]
            url = reverse("declarations:detail", args=[drafts[0].pk]) if single else month_url
        else:
            text = _("Export %(month)s and submit the declaration") % {"month": name}
            url = reverse("declarations:batches", args=[holder_id])
        deadline = declaration_deadline(month_day, figures)
        late = deadline is not None and today > deadline
        sentences = [
            _("For %(providers)s.") % {"providers": ", ".join(sorted(set(month["providers"])))}
        ]
        if deadline is not None and late:
            sentences.append(
                _("The deadline was %(day)s: submit %(month)s as soon as possible.")
                % {"day": _day_words(deadline, today), "month": name}
            )
        elif deadline is not None:
            sentences.append(
                _("Submit %(month)s by %(day)s.")
                % {"month": name, "day": _day_words(deadline, today)}
            )
        tasks.append(Task(text=text, url=url, hint=" ".join(sentences), late=late))
    return tasks


def _grant_tasks(holder_id: int, due: Due) -> list[Task]:
    tasks = []
    for budget in sorted(due.grants_ending, key=lambda budget: (budget.end_date, budget.pk)):
        tasks.append(
            Task(
                text=_("Your grant ends on %(day)s: ask for a new decision in time")
                % {"day": format_date(budget.end_date, "prose")},
                url=reverse("budgets:grant", args=[holder_id, budget.pk]),
                hint=budget_title(budget),
            )
        )
    for budget, deadline in sorted(due.objections_open, key=lambda pair: (pair[1], pair[0].pk)):
        tasks.append(
            Task(
                text=_("You can object to the decision until %(day)s")
                % {"day": format_date(deadline, "prose")},
                url=reverse("budgets:grant", args=[holder_id, budget.pk]),
                hint=budget_title(budget),
            )
        )
    return tasks


def review_tasks(months: Iterable[Any], today: date) -> list[Task]:
    """The months care providers submitted for the holder's review (issue 19)."""
    return [
        Task(
            text=_("Review the care of %(month)s by %(provider)s")
            % {"month": _month_words(month.month, today), "provider": month.agreement.provider},
            url=reverse("providers:review", args=[month.pk]),
            hint=_("Nothing counts before you approve it."),
        )
        for month in months
    ]


def holder_tasks(*, holder_id: int, due: Due, weeks: HourWeeks, today: date) -> list[Task]:
    """The to-do list, in this order: hours, months to declare, grants."""
    return (
        _week_tasks(holder_id, weeks)
        + _month_tasks(holder_id, due, today)
        + _grant_tasks(holder_id, due)
    )
