"""One way in for hours and costs: the hour grid, the API (one entry, a whole month, a weekly
pattern), filling weeks from a pattern on the page and an import all go through the hours
services, so they take and refuse the same days of care, and say why in the same words."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

import pytest

from declarations.imports.columns import COLUMNS
from declarations.imports.hours import hours_import
from declarations.imports.problems import ImportRefused
from declarations.models import Expense, TimeEntry

from ..api.conftest import api_world, shared_api_world, token_client  # noqa: F401
from ..two_factor import verified_login

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
OPEN_DAY = date(2026, 11, 2)  # a Monday of November: nothing logged, nothing declared
LOCKED_DAY = date(2026, 9, 7)  # a Monday of September, whose declaration is exported
OUTSIDE_DAY = date(2025, 12, 1)  # a Monday before the agreement's first version (1 Jan 2026)
LOCKED = (
    "The hours and costs of 09-2026 are declared and exported; open a correction of that "
    "declaration to change them."
)


@dataclass(frozen=True)
class Case:
    day: date
    quantity: str
    refusal: str | None  # the message every path gives; None: every path stores the day


CASES = {
    "a valid day": Case(OPEN_DAY, "7.50", None),
    "outside the agreement": Case(OUTSIDE_DAY, "4.00", "The agreement does not run on 1 Dec 2025."),
    "a declared and exported month": Case(LOCKED_DAY, "4.00", LOCKED),
    "a negative quantity": Case(OPEN_DAY, "-1.00", "-1.00 is negative."),
    "more than a day": Case(OPEN_DAY, "25.00", "25.00 hours do not fit in one day (at most 24)."),
    "not a number": Case(OPEN_DAY, "abc", "abc is not a number."),
}


class World:
    """The persona world of the API tests, with a client per way in for the representative."""

    def __init__(self, base):
        self.agreement = base.mine_wmo_agreement
        self.user = base.users["representative"]
        self.api = token_client(self.user, "en")
        self.web = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), self.user)


@pytest.fixture
def world(api_world) -> World:  # noqa: F811
    return World(api_world)


def _day_quantity(world: World, day: date) -> Decimal | None:
    return TimeEntry.objects.filter(agreement=world.agreement, care_date=day).aggregate(
        total=Sum("quantity")
    )["total"]


def _api_outcome(response) -> str | None:
    if response.status_code in (200, 201):
        return None
    assert response.status_code in (400, 409), response.content
    return " | ".join(param["reason"] for param in response.json()["invalid_params"])


def _page_outcome(response) -> str | None:
    """A page answers a refusal with the form again (200) listing what is wrong, and a success
    with a redirect. The listed errors, without the label of the field they are next to."""
    if response.status_code == 302:
        return None
    assert response.status_code == 200, response.status_code
    block = response.content.decode().split('class="errors form-errors', 1)[-1]
    items = re.findall(r"<li>(.*?)</li>", block.split("</ul>", 1)[0], flags=re.DOTALL)
    return " | ".join(unescape(strip_tags(item)).split(": ", 1)[-1] for item in items)


def _grid(world: World, case: Case) -> str | None:
    month = case.day.replace(day=1)
    response = world.web.post(
        reverse("declarations:hours", args=[world.agreement.pk, month]),
        {f"day_{case.day.day:02d}": case.quantity},
    )
    return _page_outcome(response)


def _page_pattern(world: World, case: Case) -> str | None:
    """The week of the day filled from a pattern of that weekday: the preview lists the
    errors, or the days it leaves out and why; then the fill itself."""
    month = case.day.replace(day=1)
    url = reverse("declarations:fill", args=[world.agreement.pk, month])
    monday = case.day - timedelta(days=case.day.weekday())
    asked = {"weeks": [monday.isoformat()], f"weekday_{case.day.weekday()}": case.quantity}
    preview = world.web.post(url, {**asked, "step": "preview"})
    html = preview.content.decode()
    if "form-errors" in html:
        return _page_outcome(preview)
    previewed = re.search(r'name="previewed" value="([^"]*)"', html)
    if previewed is None:  # nothing to fill: the days left out, and why
        reasons = re.findall(r'class="fill-skipped__reason">(.*?)</span>', html, flags=re.DOTALL)
        return " | ".join(unescape(reason) for reason in reasons)
    return _page_outcome(world.web.post(url, {**asked, "step": "fill", "previewed": previewed[1]}))


def _api_entry(world: World, case: Case) -> str | None:
    body = {
        "agreement": world.agreement.pk,
        "care_date": case.day.isoformat(),
        "quantity": case.quantity,
    }
    return _api_outcome(world.api.post("/api/v1/time-entries/", body, format="json"))


def _api_month(world: World, case: Case) -> str | None:
    body = {
        "agreement": world.agreement.pk,
        "month": f"{case.day:%Y-%m}",
        "entries": [{"care_date": case.day.isoformat(), "quantity": case.quantity}],
    }
    return _api_outcome(world.api.post("/api/v1/time-entries/bulk/", body, format="json"))


def _api_pattern(world: World, case: Case) -> str | None:
    body = {
        "agreement": world.agreement.pk,
        "month": f"{case.day:%Y-%m}",
        "pattern": {WEEKDAYS[case.day.weekday()]: case.quantity},
    }
    return _api_outcome(world.api.post("/api/v1/time-entries/fill/", body, format="json"))


def _import(world: World, case: Case) -> str | None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([column.dutch for column in COLUMNS])
    writer.writerow([world.agreement.pk, case.day.isoformat(), case.quantity, "", "", "", "", ""])
    try:
        with translation.override("en"):
            hours_import(actor=world.user, filename="uren.csv", content=out.getvalue().encode())
    except ImportRefused as refused:
        return " | ".join(problem.message for problem in refused.problems)
    return None


PATHS = {
    "hour grid": _grid,
    "weekly pattern page": _page_pattern,
    "API entry": _api_entry,
    "API month (bulk)": _api_month,
    "API weekly pattern (fill)": _api_pattern,
    "import": _import,
}


def _through(path, world: World, case: Case):
    """What one way in made of the case: the refusal, or the quantity stored on the day. Each
    way in starts from the same data: what it stored is rolled back."""
    with transaction.atomic():
        before = _day_quantity(world, case.day)
        refusal = PATHS[path](world, case)
        after = _day_quantity(world, case.day)
        transaction.set_rollback(True)
    if refusal is not None:
        assert after == before, f"{path} refused the day but changed it"
        return ("refused", refusal)
    return ("stored", after)


@pytest.mark.parametrize("name", list(CASES))
def test_every_way_in_takes_or_refuses_a_day_alike(world, name):
    case = CASES[name]
    outcomes = {path: _through(path, world, case) for path in PATHS}
    if case.refusal is None:
        expected = ("stored", Decimal(case.quantity))
    else:
        expected = ("refused", case.refusal)
    assert outcomes == dict.fromkeys(PATHS, expected)


def test_a_cost_outside_the_agreement_is_refused_alike(world):
    """A cost on a day the agreement does not run: the API used to take it; now the API, the
    costs page and an import refuse it, naming the day."""
    expected = "The agreement does not run on 1 Dec 2025."
    cost = {"expense_date": OUTSIDE_DAY.isoformat(), "kind": "other", "amount": "12.50"}
    api = world.api.post(
        "/api/v1/expenses/", {"agreement": world.agreement.pk, **cost}, format="json"
    )
    assert api.status_code == 400
    assert api.json()["invalid_params"] == [
        {"name": "expense_date", "code": "outside_agreement", "reason": expected}
    ]
    page = world.web.post(
        reverse("declarations:costs", args=[world.agreement.pk, OUTSIDE_DAY]),
        {**cost, "kilometres": "", "description": ""},
    )
    assert page.status_code == 200
    assert expected in page.content.decode()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([column.dutch for column in COLUMNS])
    writer.writerow(
        [world.agreement.pk, OUTSIDE_DAY.isoformat(), "", "", "overig", "", "12,50", ""]
    )
    with pytest.raises(ImportRefused) as refused, translation.override("en"):
        hours_import(actor=world.user, filename="kosten.csv", content=out.getvalue().encode())
    assert [(p.code, p.message) for p in refused.value.problems] == [
        ("outside_agreement", expected)
    ]
    assert not Expense.objects.filter(agreement=world.agreement, expense_date=OUTSIDE_DAY).exists()


def test_the_api_names_the_day_outside_the_agreement_by_its_field(world):
    entry = world.api.post(
        "/api/v1/time-entries/",
        {"agreement": world.agreement.pk, "care_date": "2025-12-01", "quantity": "4"},
        format="json",
    )
    month = world.api.post(
        "/api/v1/time-entries/bulk/",
        {
            "agreement": world.agreement.pk,
            "month": "2025-12",
            "entries": [{"care_date": "2025-12-01", "quantity": "4"}],
        },
        format="json",
    )
    assert (entry.status_code, month.status_code) == (400, 400)
    assert [(p["name"], p["code"]) for p in entry.json()["invalid_params"]] == [
        ("care_date", "outside_agreement")
    ]
    assert [(p["name"], p["code"]) for p in month.json()["invalid_params"]] == [
        ("entries[0].care_date", "outside_agreement")
    ]
    assert not TimeEntry.objects.filter(agreement=world.agreement, care_date__year=2025).exists()
