"""Dates within bounds everywhere (pgb_admin.core.periods): months and dates outside
1900-01-01 to 2099-12-31 are a 404 on pages with a month in the URL, a field error on forms, a
400 problem+json naming the field in the API, a row error in imports and exit code 2 in
commands; never a server error, and nothing outside the range is stored.

The walks read what to walk from the code itself: the URL resolver for the pages with a month
in their path, and the API's generated schema for every parameter and body field that takes a
date, a month or a year. A route or field added without a case here fails the walk."""

import io
import json
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator

from contracts.constants import AgreementType, Relation
from contracts.models import AgreementVersion, Provider
from declarations.imports.hours import hours_import
from declarations.imports.problems import ImportRefused
from declarations.models import Expense, TimeEntry
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.api.fields import MONTH_PATTERN
from pgb_admin.core.fields import SupportedDateField
from pgb_admin.core.periods import (
    FIRST_DAY,
    LAST_DAY,
    is_supported,
    parse_month,
    validate_supported_date,
)
from pgb_admin.figures.loader import FigureRowError, load_figures

from ..api.conftest import api_world, shared_api_world, token_client  # noqa: F401
from ..api.test_access_matrix import OPS, Rollback
from ..factories import AgreementVersionFactory, BudgetFactory, CareAgreementFactory
from ..figures.test_figures import MODELS as FIGURE_MODELS
from ..web.conftest import login  # noqa: F401

MONTHS = ("0001-01", "9999-12", "1899-12", "2100-01")
DATES = ("0001-01-01", "9999-12-31", "1899-12-31", "2100-01-01")
YEARS = ("1", "1899", "2100", "9999")
VALUES = {"month": MONTHS, "date": DATES, "year": YEARS}
V1 = "/api/v1"


# --- the range ---------------------------------------------------------------------------------


def test_the_range_is_whole_years_within_what_pandas_can_compute():
    import pandas as pd

    assert (date(1900, 1, 1), date(2099, 12, 31)) == (FIRST_DAY, LAST_DAY)
    assert pd.Timestamp.min.date() < FIRST_DAY
    assert pd.Timestamp.max.date() > LAST_DAY
    assert is_supported(FIRST_DAY)
    assert is_supported(LAST_DAY)
    assert not is_supported(date(1899, 12, 31))
    assert not is_supported(date(2100, 1, 1))
    assert parse_month("1900-01") == FIRST_DAY
    assert parse_month("2099-12") == date(2099, 12, 1)
    assert [parse_month(month) for month in MONTHS] == [None] * len(MONTHS)


def test_every_date_column_of_the_application_refuses_dates_out_of_range():
    """Whatever writes a row (a form, the API, an import, a service) cleans it first: the
    model field refuses, so nothing out of range is stored."""
    ours = {"accounts", "budgets", "contracts", "core", "declarations", "figures", "reports"}
    columns = [
        field
        for model in apps.get_models()
        if model._meta.app_label in ours
        for field in model._meta.get_fields()
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
    ]
    assert len(columns) >= 18
    for field in columns:
        assert isinstance(field, SupportedDateField), field
        assert validate_supported_date in field.validators, field
        for day in (date(1, 1, 1), date(9999, 12, 31)):
            with pytest.raises(ValidationError) as refused:
                field.clean(day, None)
            assert [e.code for e in refused.value.error_list] == ["out_of_range"], field


# --- pages ---------------------------------------------------------------------------------------


def _month_routes(resolver=None, prefix=""):
    """(route, URL name) of every page with ``<month:…>`` in its path."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _month_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and "<month:" in route:
            yield route, pattern.name


MONTH_PAGES = {
    "hours": "GET",
    "fill": "POST",
    "fill_undo": "POST",
    "costs": "GET",
    "agreement_template": "GET",
    "holders_template": "GET",
    "weekly_totals": "GET",
    "month": "GET",  # providers:month, a care provider's month (404 for everyone else)
}
PROVIDER_PAGES = {"month"}  # tests/web/test_provider_pages.py walks them as the provider


def _page_path(route: str, world, month: str) -> str:
    return "/" + (
        route.replace("<int:agreement_id>", str(world.mine_wmo_agreement.pk))
        .replace("<int:holder_id>", str(world.mine.pk))
        .replace("<month:month>", month)
    )


def test_every_page_with_a_month_in_its_path_is_walked():
    assert {name for _route, name in _month_routes()} == set(MONTH_PAGES)


@pytest.mark.parametrize("month", MONTHS)
def test_a_page_for_a_month_out_of_range_is_not_found(login, api_world, month):  # noqa: F811
    client = login("holder")
    for route, name in _month_routes():
        method = MONTH_PAGES[name]
        known = client.generic(method, _page_path(route, api_world, "2026-10"))
        if name not in PROVIDER_PAGES:  # a care provider's page: the holder gets a 404 anyway
            assert known.status_code != 404, name  # the page exists for a month in range
        response = client.generic(method, _page_path(route, api_world, month))
        assert response.status_code == 404, (name, month)
        # and the method the page does not take is not a server error either
        other = client.generic("POST" if method == "GET" else "GET", response.request["PATH_INFO"])
        assert other.status_code < 500, (name, month)


@pytest.mark.parametrize("month", MONTHS)
def test_pages_with_a_month_in_the_query_show_a_month_in_range(login, api_world, month):  # noqa: F811
    holder = login("holder")
    listing = holder.get(reverse("declarations:list", args=[api_world.mine.pk]), {"month": month})
    assert listing.status_code == 200
    assert listing.context["filter_form"].errors["month"]
    bureau = login("bureau").get(reverse("declarations:bureau"), {"month": month})
    assert bureau.status_code == 200
    assert is_supported(bureau.context["month"])
    run = login("bureau").post(
        reverse("declarations:bureau_run"), {"month": month, "action": "validate"}
    )
    assert run.status_code < 500


@pytest.mark.parametrize("year", YEARS)
def test_report_pages_for_a_year_out_of_range(login, api_world, year):  # noqa: F811
    auditor = login("auditor_same")
    page = auditor.get(reverse("reports:municipality", args=["GM0518"]), {"year": year})
    assert page.status_code == 200
    assert page.context["form"].errors["year"]
    for name, file_format in (("chart", "png"), ("download", "csv")):
        url = reverse(f"reports:{name}", args=["GM0518", file_format])
        assert auditor.get(url, {"year": year}).status_code == 404


@pytest.mark.parametrize("day", DATES)
def test_the_access_log_search_refuses_dates_out_of_range(login, api_world, day):  # noqa: F811
    manager = api_world.users["stranger"]
    manager.user_permissions.add(Permission.objects.get(codename="view_accessevent"))
    for name in ("since", "until"):
        page = login("stranger").get(reverse("access_log:search"), {name: day})
        assert page.status_code == 200
        assert page.context["form"].errors[name][0].startswith("Geef een datum van 1-1-1900")


def _agreement_data(world, **fields) -> dict:
    budget = world.mine_wmo_budget
    return {
        "agreement_type": AgreementType.EMPLOYMENT_HOURLY,
        "provider": world.mine_provider.pk,
        "budget": budget.pk,
        "product": budget.products.first().pk,
        "rate": "18,50",
        "unit": "hour",
        "hours_per_week": "6",
        "travel_allowance_per_km": "",
        "valid_from": "2026-12-01",
        "valid_to": "",
        "svb_agreement_number": "",
        **fields,
    }


def _provider_data(**fields) -> dict:
    return {
        "form": "new",
        "kind": "person",
        "name": "J. Jansen",
        "relation": Relation.NONE,
        "date_of_birth": "1990-04-02",
        "iban": "NL91ABNA0417164300",
        "account_holder": "",
        "agb_code": "",
        "kvk_number": "",
        "big_number": "",
        **fields,
    }


def _form_posts(world, day: str):
    """(page, data, form in the context, field) of every form on a page that takes a date."""
    agreement = reverse("contracts:agreement", args=[world.mine_wmo_agreement.pk])
    version = world.mine_wmo_agreement.versions.get()
    costs = reverse("declarations:costs", args=[world.mine_wmo_agreement.pk, date(2026, 10, 1)])
    new_agreement = reverse("contracts:agreement_new", args=[world.mine.pk])
    return [
        (new_agreement, _agreement_data(world, valid_from=day), "form", "valid_from"),
        (new_agreement, _agreement_data(world, valid_to=day), "form", "valid_to"),
        (agreement, {"action": "change", "change-effective_from": day}, "change_form",
         "effective_from"),
        (agreement, {"action": "end", "end-end_date": day}, "end_form", "end_date"),
        (agreement, {"action": "approval", "approval-version": version.pk,
                     "approval-status": "approved", "approval-decided_on": day,
                     "approval-evidence": "PGB Portaal"}, "approval_form", "decided_on"),
        (reverse("contracts:provider_new", args=[world.mine.pk]),
         _provider_data(date_of_birth=day), "form", "date_of_birth"),
        (costs, {"expense_date": day, "kind": "other", "amount": "4,20"}, "form",
         "expense_date"),
    ]  # fmt: skip


def _stored_dates() -> set:
    return {
        *TimeEntry.objects.values_list("care_date", flat=True),
        *Expense.objects.values_list("expense_date", flat=True),
        *AgreementVersion.objects.values_list("valid_from", flat=True),
        *AgreementVersion.objects.values_list("valid_to", flat=True),
        *AgreementVersion.objects.values_list("approval_date", flat=True),
        *Provider.objects.values_list("date_of_birth", flat=True),
    } - {None}


@pytest.mark.parametrize("day", DATES)
def test_forms_refuse_a_date_out_of_range_next_to_its_field(login, api_world, day):  # noqa: F811
    client = login("holder")
    for url, data, form, field in _form_posts(api_world, day):
        response = client.post(url, data)
        assert response.status_code == 200, (url, field)
        assert response.context[form].errors[field], (url, field)
    assert all(is_supported(stored) for stored in _stored_dates())


# --- the API -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A parameter or body field of an operation that takes a date, a month or a year."""

    method: str
    path: str  # as the schema writes it
    name: str  # as the schema writes it (``entries[].care_date``)
    kind: str  # date, month or year

    @property
    def reported_as(self) -> str:
        """The name ``invalid_params`` gives it."""
        return self.name.replace("[]", "[0]")


def _schema_fields() -> set[Field]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    def kind_of(name: str, spec: dict) -> str | None:
        if spec.get("readOnly"):
            return None
        if spec.get("format") == "date":
            return "date"
        if spec.get("pattern") == MONTH_PATTERN:
            return "month"
        if name.rsplit(".", 1)[-1] == "year" and spec.get("type") == "integer":
            return "year"
        return None

    def walk(spec: dict, name: str, seen: frozenset):
        if "$ref" in spec:
            ref = spec["$ref"].rsplit("/", 1)[-1]
            if ref not in seen:
                yield from walk(components[ref], name, seen | {ref})
            return
        for key in ("allOf", "oneOf", "anyOf"):
            for part in spec.get(key, []):
                yield from walk(part, name, seen)
        if name and (kind := kind_of(name, spec)):
            yield name, kind
        for prop, sub in spec.get("properties", {}).items():
            yield from walk(sub, f"{name}.{prop}" if name else prop, seen)
        if "items" in spec:
            yield from walk(spec["items"], f"{name}[]", seen)

    found = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                kind = kind_of(parameter["name"], parameter.get("schema", {}))
                if kind:
                    found.add(Field(method.upper(), path, parameter["name"], kind))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                for name, kind in walk(body["schema"], "", frozenset()):
                    found.add(Field(method.upper(), path, name, kind))
    return found


# (method, schema path) -> (URL name of the operation in test_access_matrix.OPS, persona)
OPERATIONS = {
    ("GET", "/api/v1/access-log/"): ("access-log", "log_manager"),
    ("GET", "/api/v1/reports/differences/"): ("difference-list", "holder"),
    ("GET", "/api/v1/agreements/"): ("agreement-list", "holder"),
    ("POST", "/api/v1/agreements/"): ("agreement-list", "holder"),
    ("GET", "/api/v1/agreements/{id}/"): ("agreement-detail", "holder"),
    ("POST", "/api/v1/agreements/{id}/changes/"): ("agreement-changes", "holder"),
    ("POST", "/api/v1/agreements/{id}/end/"): ("agreement-end", "holder"),
    ("POST", "/api/v1/agreements/{id}/versions/{version_id}/approval/"): (
        "agreement-approval",
        "holder",
    ),
    ("GET", "/api/v1/batches/"): ("batch-list", "holder"),
    ("POST", "/api/v1/batches/"): ("batch-list", "holder"),
    ("POST", "/api/v1/budget-holders/"): ("budget-holder-list", "holder"),
    ("POST", "/api/v1/budget-holders/{id}/admissions/"): ("budget-holder-admissions", "holder"),
    ("POST", "/api/v1/budget-holders/{id}/admissions/{admission_id}/end/"): (
        "budget-holder-admission-end",
        "holder",
    ),
    ("POST", "/api/v1/budgets/{id}/indications/"): ("budget-indications", "holder"),
    ("PATCH", "/api/v1/budget-holders/{id}/"): ("budget-holder-detail", "holder"),
    ("GET", "/api/v1/budgets/"): ("budget-list", "holder"),
    ("POST", "/api/v1/budgets/"): ("budget-list", "holder"),
    ("PATCH", "/api/v1/budgets/{id}/"): ("budget-detail", "holder"),
    ("GET", "/api/v1/declarations/"): ("declaration-list", "holder"),
    ("POST", "/api/v1/declarations/"): ("declaration-list", "holder"),
    ("POST", "/api/v1/declarations/draft-period/"): ("declaration-draft-period", "holder"),
    ("POST", "/api/v1/declarations/{id}/settle/"): ("declaration-settle", "holder"),
    ("POST", "/api/v1/declarations/validate-period/"): ("declaration-validate-period", "holder"),
    ("GET", "/api/v1/expenses/"): ("expense-list", "holder"),
    ("POST", "/api/v1/expenses/"): ("expense-list", "holder"),
    ("PATCH", "/api/v1/expenses/{id}/"): ("expense-detail", "holder"),
    ("POST", "/api/v1/providers/"): ("provider-list", "holder"),
    ("PATCH", "/api/v1/providers/{id}/"): ("provider-detail", "holder"),
    ("GET", "/api/v1/time-entries/"): ("time-entry-list", "holder"),
    ("POST", "/api/v1/time-entries/"): ("time-entry-list", "holder"),
    ("PATCH", "/api/v1/time-entries/{id}/"): ("time-entry-detail", "holder"),
    ("POST", "/api/v1/time-entries/bulk/"): ("time-entry-bulk", "holder"),
    ("POST", "/api/v1/time-entries/fill/"): ("time-entry-fill", "holder"),
    **{
        ("GET", f"/api/v1/reports/holders/{{id}}/{path}/"): (f"holder-report-{name}", "holder")
        for name, path in (
            ("exhaustion", "exhaustion"),
            ("exhaustion-xlsx", "exhaustion/xlsx"),
            ("exhaustion-csv", "exhaustion/csv"),
            ("exhaustion-png", "exhaustion/png"),
            ("exhaustion-svg", "exhaustion/svg"),
            ("year-costs", "year-costs"),
        )
    },
    ("GET", "/api/v1/reports/municipalities/{code}/"): (
        "municipality-report-detail",
        "auditor_same",
    ),
    **{
        ("GET", f"/api/v1/reports/municipalities/{{code}}/{name}/"): (
            f"municipality-report-{name}",
            "auditor_same",
        )
        for name in ("xlsx", "csv", "png", "svg")
    },
    ("POST", "/api/v1/reports/municipalities/{code}/runs/"): (
        "municipality-report-runs",
        "auditor_same",
    ),
}
# The report files read ``?year=`` as their report does, but their schema does not list it:
# ``action()`` in reports/api/viewsets.py replaces the ``extend_schema`` applied before it.
UNDOCUMENTED = {
    Field("GET", path, "year", "year")
    for path in (
        *(f"/api/v1/reports/holders/{{id}}/exhaustion/{kind}/" for kind in ("xlsx", "csv")),
        *(f"/api/v1/reports/holders/{{id}}/exhaustion/{kind}/" for kind in ("png", "svg")),
        *(f"/api/v1/reports/municipalities/{{code}}/{kind}/" for kind in ("xlsx", "csv")),
        *(f"/api/v1/reports/municipalities/{{code}}/{kind}/" for kind in ("png", "svg")),
    )
}
DOCUMENTED = _schema_fields()
FIELDS = sorted(DOCUMENTED | UNDOCUMENTED, key=lambda f: (f.path, f.method, f.name))


def test_every_api_field_that_takes_a_date_a_month_or_a_year_is_walked():
    assert len(DOCUMENTED) >= 40
    assert {(f.method, f.path) for f in FIELDS} == set(OPERATIONS)
    assert not DOCUMENTED & UNDOCUMENTED, "documented now: remove from UNDOCUMENTED"


def _op(method: str, name: str):
    return next(op for op in OPS if (op.method, op.name) == (method, name))


def _with(body: dict, name: str, value) -> dict:
    """``body`` with ``name`` (``entries[0].care_date``) set to ``value``."""
    body = json.loads(json.dumps(body))
    target = body
    parts = name.replace("[0]", ".0").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    target[parts[-1]] = value
    return body


def _user(world, persona: str):
    if persona == "log_manager":
        user = world.users["stranger"]
        user.user_permissions.add(Permission.objects.get(codename="view_accessevent"))
        return user
    return world.users[persona]


def _send(world, field: Field, value: str):
    """The operation with ``field`` set to ``value``, as its persona; undone afterwards."""
    name, persona = OPERATIONS[(field.method, field.path)]
    op = _op(field.method, name)
    user = _user(world, persona)
    client = token_client(user)
    path, body = op.path(world), op.body(world, user) if op.body else None
    in_query = field.method == "GET"
    if in_query:
        path += ("&" if "?" in path else "?") + f"{field.name}={value}"
    else:
        typed = int(value) if field.kind == "year" else value
        body = _with(body or {}, field.reported_as, typed)
    try:
        with transaction.atomic():
            response = client.generic(
                field.method,
                path,
                data=None if body is None else json.dumps(body),
                content_type="application/json",
            )
            raise Rollback
    except Rollback:
        pass
    return response


@pytest.mark.parametrize(
    "field", [pytest.param(f, id=f"{f.method} {f.path} {f.name}") for f in FIELDS]
)
def test_the_api_refuses_a_value_out_of_range_with_a_400_naming_the_field(api_world, field):  # noqa: F811
    for value in VALUES[field.kind]:
        response = _send(api_world, field, value)
        assert response.status_code == 400, (value, response.content[:300])
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        named = [p for p in problem["invalid_params"] if p["name"] == field.reported_as]
        assert named, (value, problem)
        if field.kind != "year":
            assert named[0]["code"] == "out_of_range", (value, problem)
            assert "1 Jan 1900" in named[0]["reason"] or "January 1900" in named[0]["reason"]


def test_nothing_out_of_range_is_stored_through_the_api(api_world):  # noqa: F811
    assert all(is_supported(stored) for stored in _stored_dates())


@pytest.mark.parametrize("day", DATES)
def test_an_import_refuses_a_date_out_of_range_as_a_row_error(api_world, day):  # noqa: F811
    agreement = api_world.mine_wmo_agreement
    content = (
        "Zorgovereenkomst;Datum;Aantal\r\n"
        f"{agreement.pk};2026-07-06;4\r\n"
        f"{agreement.pk};{day};4\r\n"
    ).encode()
    with pytest.raises(ImportRefused) as refused:
        hours_import(actor=api_world.users["representative"], filename="u.csv", content=content)
    [problem] = refused.value.problems
    assert (problem.row, problem.code, problem.value) == (3, "out_of_range", day)
    # all rows or none: the day in range is not imported either
    assert not TimeEntry.objects.filter(agreement=agreement, care_date=date(2026, 7, 6)).exists()
    upload = io.BytesIO(content)
    upload.name = "u.csv"
    response = token_client(api_world.users["representative"]).post(
        f"{V1}/imports/hours/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert [p["code"] for p in response.json()["invalid_params"]] == ["out_of_range"]


@pytest.mark.parametrize("day", DATES)
def test_the_figures_table_refuses_a_date_out_of_range_as_a_row_error(api_world, day):  # noqa: F811
    rows = [
        {"kind": "minimum_wage", "unit": "hour", "age_min": "21", "amount": "15.00",
         "valid_from": "2027-01-01", "source": "x", "verified": "true"},
        {"kind": "minimum_wage", "unit": "hour", "age_min": "21", "amount": "15.00",
         "valid_from": day, "source": "x", "verified": "true"},
    ]  # fmt: skip
    with pytest.raises(FigureRowError) as refused:
        load_figures(rows, **FIGURE_MODELS)
    assert refused.value.messages == [
        f"line 3: valid_from '{day}' lies outside 1900-01-01 to 2099-12-31"
    ]


# --- commands ------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", MONTHS)
def test_commands_given_a_month_out_of_range_exit_with_2(api_world, tmp_path, month):  # noqa: F811
    for command, *arguments in (
        ("validate_declarations", "--period", month),
        ("export_svb_batch", "--period", month, "--out", str(tmp_path)),
    ):
        with pytest.raises(CommandError) as error:
            call_command(command, *arguments)
        assert error.value.returncode == 2, command
        assert "1900-01 to 2099-12" in str(error.value)


@pytest.mark.parametrize("year", YEARS)
def test_the_report_command_given_a_year_out_of_range_exits_with_2(api_world, tmp_path, year):  # noqa: F811
    with pytest.raises(CommandError) as error:
        call_command(
            "report", "municipality", "--funder", "GM0518", "--year", year, "--out", str(tmp_path)
        )
    assert error.value.returncode == 2


@pytest.mark.parametrize("day", DATES)
def test_the_import_command_refuses_a_date_out_of_range(api_world, tmp_path, day, capsys):  # noqa: F811
    path = tmp_path / "uren.csv"
    path.write_text(f"Zorgovereenkomst;Datum;Aantal\n{api_world.mine_wmo_agreement.pk};{day};4\n")
    with pytest.raises(CommandError) as error:
        call_command("import_hours", str(path), "--format", "json")
    assert error.value.returncode == 1  # refused, as every row error (2 is for bad arguments)
    [problem] = json.loads(capsys.readouterr().out)
    assert (problem["row"], problem["code"]) == (2, "out_of_range")


# --- the edges of the range are served -----------------------------------------------------------

EDGE_MONTHS = ("1900-01", "2099-12")


@pytest.mark.parametrize("month", EDGE_MONTHS)
def test_the_first_and_last_month_are_served_without_a_server_error(login, api_world, month):  # noqa: F811
    client = login("holder")
    for route, name in _month_routes():
        response = client.generic(MONTH_PAGES[name], _page_path(route, api_world, month))
        assert response.status_code < 500, (name, month)
    fields = [f for f in FIELDS if f.kind == "month"]
    for field in fields:
        assert _send(api_world, field, month).status_code < 500, (field, month)
    for field in [f for f in FIELDS if f.kind == "date"]:
        for day in ("1900-01-01", "2099-12-31"):
            assert _send(api_world, field, day).status_code < 500, (field, day)


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(1900, 1, 1), date(1900, 1, 31)), (date(2099, 12, 1), date(2099, 12, 31))],
)
def test_a_month_at_either_edge_is_filled_drafted_and_validated(api_world, start, end):  # noqa: F811
    """The engine computes with the first and the last month (deadlines fall after the range)."""
    holder = api_world.mine
    budget = BudgetFactory(holder=holder, funder=api_world.the_hague, start_date=start,
                           end_date=end, decision_date=start)  # fmt: skip
    agreement = CareAgreementFactory(holder=holder, provider=api_world.mine_provider)
    AgreementVersionFactory(agreement=agreement, budget=budget, product=budget.products.first(),
                            valid_from=start, valid_to=end)  # fmt: skip
    staff = api_world.users["staff"]
    with time_machine.travel(date(2100, 3, 1) if start.year == 2099 else date(1900, 3, 1)):
        hour_services.time_entries_fill_month(
            actor=staff, agreement_id=agreement.pk, month=start, pattern={0: "4", 3: "4"}
        )
        declaration = declaration_services.declaration_draft(
            actor=staff, agreement_id=agreement.pk, month=start
        )
        declaration_services.declaration_validate(actor=staff, declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    assert declaration.lines.count() == TimeEntry.objects.filter(agreement=agreement).count() > 0
    assert declaration.status in ("validated", "draft")
