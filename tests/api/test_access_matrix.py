"""Every API endpoint and method, as every persona: the status code each one gets.

Columns follow ``PERSONAS``: holder, representative, bureau, read-only family, auditor of the
same funder (The Hague), auditor of another funder (Assen), expired mandate, stranger, staff.
Out of scope is 404 (an id in the URL) or 400 (an id in the body, answered like an id that
does not exist); an auditor's write is 403 whatever it aims at; a read-only family member's
write is 403; a change to something frozen is 409. ``test_every_endpoint_is_in_the_matrix``
fails when a route or method is added without a row here.
"""

import json
from dataclasses import dataclass

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

import pytest

from pgb_admin.accounts.two_factor import requires_two_factor

from ..conftest import PERSONAS
from ..factories import bsn_from, iban_from
from ..two_factor import authenticator, code_now
from .conftest import token_client


@dataclass(frozen=True)
class Op:
    method: str
    name: str  # the URL name, without the "api:" namespace
    path: object  # world -> path
    expected: str  # status per persona, e.g. "200 200 200 403 403 403 404 404 200"
    body: object = None  # (world, user) -> JSON body

    @property
    def statuses(self) -> dict[str, int]:
        codes = [int(code) for code in self.expected.split()]
        assert len(codes) == len(PERSONAS), self
        return dict(zip(PERSONAS, codes, strict=True))

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}"


ALL = "200 " * 9
V1 = "/api/v1"
#                        hold rep  bur  fam  audS audO exp  str  staff
READ_MINE = "200  200  200  200  200  404  404  404  200"
READ_ACTING_ONLY = "200  200  200  404  404  404  404  404  200"
CHANGE_MINE = "200  200  200  403  403  403  404  404  200"
DELETE_MINE = "204  204  204  403  403  403  404  404  204"
CREATE_FOR_MINE = "201  201  201  403  403  403  400  400  201"
CHANGE_BY_BODY = "200  200  200  403  403  403  400  400  200"
ADD_TO_MINE = "201  201  201  403  403  403  404  404  201"
FROZEN = "409  409  409  404  403  403  404  404  409"
AUDITORS =              "404  404  404  404  200  404  404  404  200"  # fmt: skip


def _new_holder(w, user, **changes):
    # no funders: they follow from the grants (only staff set them)
    return {
        "role": "representative",
        "initials": "N.",
        "surname": "Nieuw",
        "bsn": bsn_from(55_555_555),
        "date_of_birth": "2010-04-01",
        **changes,
    }


def _new_budget(w, user):
    return {
        "holder": w.mine.pk,
        "funder": "GM0518",
        "scheme": "wmo",
        "products": ["begeleiding_individueel"],
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "amount": "9000.00",
        "decision_date": "2026-11-01",
        "decision_reference": "BESCHIKKING-2027-1",
    }


def _admission(w):
    admission, _ = w.mine.admissions.get_or_create(
        kind="hospital", valid_from="2026-10-01", defaults={"note": "matrix"}
    )
    return admission


def _new_indication(w, user):
    budget = w.mine_wmo_budget
    return {
        "product": budget.products.first().code,
        "hours": "3.00",
        "per": "week",
        "valid_from": budget.start_date.isoformat(),
    }


def _new_provider(w, user):
    return {
        "holder": w.mine.pk,
        "relation": "none",
        "kind": "person",
        "name": "Z. Nieuw",
        "date_of_birth": "1990-01-01",
        "iban": iban_from(777),
    }


def _new_agreement(w, user):
    return {
        "holder": w.mine.pk,
        "provider": w.mine_provider.pk,
        "agreement_type": "employment_hourly",
        "budget": w.mine_wmo_budget.pk,
        "product": "begeleiding_individueel",
        "valid_from": "2026-01-01",
        "rate": "19.00",
        "unit": "hour",
        "hours_per_week": "4.00",
    }


def _difference(w):
    """A difference of the holder's Wmo agreement in October (made once per world)."""
    from reports.reconciliation.models import Difference, Overview

    overview, _ = Overview.objects.get_or_create(
        holder=w.mine,
        kind="svb_payments",
        sha256="0" * 64,
        defaults={"source": "file", "content": b"", "size": 0, "first_month": "2026-10-01",
                  "last_month": "2026-10-01", "created_by": w.users["representative"]},
    )  # fmt: skip
    difference, _ = Difference.objects.get_or_create(
        holder=w.mine,
        key=f"{w.mine_wmo_agreement.pk}:2026-10",
        defaults={"channel": "svb", "kind": "not_paid", "agreement": w.mine_wmo_agreement,
                  "month": "2026-10-01", "budget": w.mine_wmo_budget, "ours": "100.00",
                  "difference": "-100.00", "overview": overview},
    )  # fmt: skip
    return difference


def _month_of_entries(w, user):
    return {
        "agreement": w.mine_wmo_agreement.pk,
        "month": "2026-08",
        "entries": [{"care_date": "2026-08-03", "quantity": "4.00"}],
    }


OPS = [
    # reference data and the catalogue: everyone who is logged in
    Op("GET", "funder-list", lambda w: f"{V1}/funders/", ALL),
    Op("GET", "funder-detail", lambda w: f"{V1}/funders/{w.the_hague.pk}/", ALL),
    Op("GET", "care-product-list", lambda w: f"{V1}/care-products/", ALL),
    Op(
        "GET",
        "care-product-detail",
        lambda w: f"{V1}/care-products/begeleiding_individueel/",
        ALL,
    ),
    Op("GET", "rule-list", lambda w: f"{V1}/rules/", ALL),
    Op("GET", "rule-detail", lambda w: f"{V1}/rules/agreement.outside_period/", ALL),
    Op("GET", "me", lambda w: f"{V1}/me/", ALL),
    # the import takes multipart only (tests/declarations/test_import_hours.py sends files):
    # a JSON body is refused, and an auditor's write before that
    Op(
        "POST",
        "hours-import",
        lambda w: f"{V1}/imports/hours/",
        "415  415  415  415  403  403  415  415  415",
        lambda w, u: {},
    ),
    # the access log: a holder's for those who act for them, the search for log managers only
    Op(
        "GET",
        "budget-holder-access-log",
        lambda w: f"{V1}/budget-holders/{w.mine.pk}/access-log/",
        READ_ACTING_ONLY,
    ),
    Op("GET", "access-log", lambda w: f"{V1}/access-log/", "403 " * 9),
    # budget holders
    Op("GET", "budget-holder-list", lambda w: f"{V1}/budget-holders/", ALL),
    Op("GET", "budget-holder-detail", lambda w: f"{V1}/budget-holders/{w.mine.pk}/", READ_MINE),
    Op(
        "POST",
        "budget-holder-list",
        lambda w: f"{V1}/budget-holders/",
        "201  201  201  201  403  403  201  201  201",
        _new_holder,
    ),
    Op(
        "PATCH",
        "budget-holder-detail",
        lambda w: f"{V1}/budget-holders/{w.mine.pk}/",
        CHANGE_MINE,
        lambda w, u: {"first_name": "Anna-Maria"},
    ),
    Op(
        "POST",
        "budget-holder-admissions",
        lambda w: f"{V1}/budget-holders/{w.mine.pk}/admissions/",
        ADD_TO_MINE,
        lambda w, u: {"kind": "hospital", "valid_from": "2026-11-01"},
    ),
    Op(
        "POST",
        "budget-holder-admission-end",
        lambda w: f"{V1}/budget-holders/{w.mine.pk}/admissions/{_admission(w).pk}/end/",
        CHANGE_MINE,
        lambda w, u: {"valid_to": "2026-11-20"},
    ),
    # the lookup by BSN: for those who see full BSNs, among the holders whose BSN they see
    # (tests/security/test_bsn_oracles.py)
    Op(
        "POST",
        "budget-holder-lookup",
        lambda w: f"{V1}/budget-holders/lookup/",
        "200  200  200  403  403  403  403  403  403",
        lambda w, u: {"bsn": w.mine.bsn},
    ),
    # budget grants
    Op("GET", "budget-list", lambda w: f"{V1}/budgets/", ALL),
    Op("GET", "budget-detail", lambda w: f"{V1}/budgets/{w.mine_wmo_budget.pk}/", READ_MINE),
    Op("POST", "budget-list", lambda w: f"{V1}/budgets/", CREATE_FOR_MINE, _new_budget),
    Op(
        "PATCH",
        "budget-detail",
        lambda w: f"{V1}/budgets/{w.mine_wmo_budget.pk}/",
        CHANGE_MINE,
        lambda w, u: {"decision_reference": "BESCHIKKING-HERZIEN"},
    ),
    Op(
        "POST",
        "budget-indications",
        lambda w: f"{V1}/budgets/{w.mine_wmo_budget.pk}/indications/",
        ADD_TO_MINE,
        _new_indication,
    ),
    # providers
    Op("GET", "provider-list", lambda w: f"{V1}/providers/", ALL),
    Op("GET", "provider-detail", lambda w: f"{V1}/providers/{w.mine_provider.pk}/", READ_MINE),
    Op("POST", "provider-list", lambda w: f"{V1}/providers/", CREATE_FOR_MINE, _new_provider),
    Op(
        "PATCH",
        "provider-detail",
        lambda w: f"{V1}/providers/{w.mine_provider.pk}/",
        CHANGE_MINE,
        lambda w, u: {"agb_code": "12345678"},
    ),
    Op(
        "POST",
        "provider-link",
        lambda w: f"{V1}/providers/{w.mine_provider.pk}/link/",
        ADD_TO_MINE,
        lambda w, u: {"holder": w.sibling.pk, "relation": "network"},
    ),
    # care agreements
    Op("GET", "agreement-list", lambda w: f"{V1}/agreements/", ALL),
    Op(
        "GET",
        "agreement-detail",
        lambda w: f"{V1}/agreements/{w.mine_wmo_agreement.pk}/",
        READ_MINE,
    ),
    Op("POST", "agreement-list", lambda w: f"{V1}/agreements/", CREATE_FOR_MINE, _new_agreement),
    Op(
        "PATCH",
        "agreement-detail",
        lambda w: f"{V1}/agreements/{w.mine_wmo_agreement.pk}/",
        CHANGE_MINE,
        lambda w, u: {"svb_agreement_number": "ZO-1"},
    ),
    Op(
        "POST",
        "agreement-changes",
        lambda w: f"{V1}/agreements/{w.mine_wmo_agreement.pk}/changes/",
        ADD_TO_MINE,
        lambda w, u: {"effective_from": "2026-12-01", "rate": "19.50"},
    ),
    Op(
        "POST",
        "agreement-end",
        lambda w: f"{V1}/agreements/{w.mine_wmo_agreement.pk}/end/",
        CHANGE_MINE,
        lambda w, u: {"end_date": "2026-12-31"},
    ),
    Op(
        "POST",
        "agreement-approval",
        lambda w: (
            f"{V1}/agreements/{w.mine_wmo_agreement.pk}/versions/"
            f"{w.mine_wmo_agreement.versions.get().pk}/approval/"
        ),
        CHANGE_MINE,
        lambda w, u: {"status": "approved", "decided_on": "2026-01-05", "evidence": "PGB Portaal"},
    ),
    # hours
    Op("GET", "time-entry-list", lambda w: f"{V1}/time-entries/", ALL),
    Op("GET", "time-entry-detail", lambda w: f"{V1}/time-entries/{w.entry.pk}/", READ_MINE),
    Op(
        "POST",
        "time-entry-list",
        lambda w: f"{V1}/time-entries/",
        CREATE_FOR_MINE,
        lambda w, u: {
            "agreement": w.mine_wmo_agreement.pk,
            "care_date": "2026-08-04",
            "quantity": "2.00",
        },
    ),
    Op(
        "PATCH",
        "time-entry-detail",
        lambda w: f"{V1}/time-entries/{w.entry.pk}/",
        CHANGE_MINE,
        lambda w, u: {"quantity": "3.00"},
    ),
    Op("DELETE", "time-entry-detail", lambda w: f"{V1}/time-entries/{w.entry.pk}/", DELETE_MINE),
    Op(
        "POST",
        "time-entry-bulk",
        lambda w: f"{V1}/time-entries/bulk/",
        CHANGE_BY_BODY,
        _month_of_entries,
    ),
    Op(
        "POST",
        "time-entry-fill",
        lambda w: f"{V1}/time-entries/fill/",
        CHANGE_BY_BODY,
        lambda w, u: {
            "agreement": w.mine_wmo_agreement.pk,
            "month": "2026-08",
            "pattern": {"monday": "4.00", "thursday": "4.00"},
            "replace": True,
        },
    ),
    # costs
    Op("GET", "expense-list", lambda w: f"{V1}/expenses/", ALL),
    Op("GET", "expense-detail", lambda w: f"{V1}/expenses/{w.expense.pk}/", READ_MINE),
    Op(
        "POST",
        "expense-list",
        lambda w: f"{V1}/expenses/",
        CREATE_FOR_MINE,
        lambda w, u: {
            "agreement": w.mine_wmo_agreement.pk,
            "expense_date": "2026-08-07",
            "kind": "other",
            "amount": "4.20",
        },
    ),
    Op(
        "PATCH",
        "expense-detail",
        lambda w: f"{V1}/expenses/{w.expense.pk}/",
        CHANGE_MINE,
        lambda w, u: {"amount": "13.00"},
    ),
    Op("DELETE", "expense-detail", lambda w: f"{V1}/expenses/{w.expense.pk}/", DELETE_MINE),
    # declarations
    Op("GET", "declaration-list", lambda w: f"{V1}/declarations/", ALL),
    Op("GET", "declaration-detail", lambda w: f"{V1}/declarations/{w.draft.pk}/", READ_MINE),
    Op(
        "POST",
        "declaration-list",
        lambda w: f"{V1}/declarations/",
        CHANGE_BY_BODY,  # the month's open declaration is drafted again: 200
        lambda w, u: {"agreement": w.mine_wmo_agreement.pk, "month": "2026-08"},
    ),
    Op("DELETE", "declaration-detail", lambda w: f"{V1}/declarations/{w.draft.pk}/", DELETE_MINE),
    Op(
        "POST",
        "declaration-validate",
        lambda w: f"{V1}/declarations/{w.draft.pk}/validate/",
        CHANGE_MINE,
    ),
    Op(
        "POST",
        "declaration-acknowledge",
        lambda w: f"{V1}/declarations/{w.draft.pk}/acknowledge/",
        CHANGE_MINE,
        lambda w, u: {"finding": w.warning.pk, "reason": "Extra zorg afgesproken."},
    ),
    Op(
        "POST",
        "declaration-submit",
        lambda w: f"{V1}/declarations/{w.exported.pk}/submit/",
        CHANGE_MINE,
    ),
    Op(
        "POST",
        "declaration-correct",
        lambda w: f"{V1}/declarations/{w.exported.pk}/correct/",
        ADD_TO_MINE,
    ),
    Op(
        "POST",
        "declaration-settle",
        lambda w: f"{V1}/declarations/{w.exported.pk}/settle/",
        CHANGE_MINE,
        lambda w, u: {"paid": True, "evidence": "PGB Portaal, bericht van 3 november 2026"},
    ),
    Op(
        "POST",
        "declaration-draft-period",
        lambda w: f"{V1}/declarations/draft-period/",
        CHANGE_BY_BODY,
        lambda w, u: {"month": "2026-08", "holder": w.mine.pk},
    ),
    Op(
        "POST",
        "declaration-validate-period",
        lambda w: f"{V1}/declarations/validate-period/",
        "202  202  202  403  403  403  400  400  202",
        lambda w, u: {"month": "2026-08", "holder": w.mine.pk},
    ),
    # SVB batches: seen by those who act for the holder, and by who exported them while they
    # act for every holder in them (tests/security/test_made_objects_and_retention.py)
    Op("GET", "batch-list", lambda w: f"{V1}/batches/", ALL),
    Op("GET", "batch-detail", lambda w: f"{V1}/batches/{w.batch.pk}/", READ_ACTING_ONLY),
    Op(
        "POST",
        "batch-list",
        lambda w: f"{V1}/batches/",
        CREATE_FOR_MINE,
        lambda w, u: {"month": "2026-10", "holder": w.mine.pk},
    ),
    Op("PATCH", "batch-detail", lambda w: f"{V1}/batches/{w.batch.pk}/", FROZEN, lambda w, u: {}),
    Op("DELETE", "batch-detail", lambda w: f"{V1}/batches/{w.batch.pk}/", FROZEN),
    Op("GET", "batch-xlsx", lambda w: f"{V1}/batches/{w.batch.pk}/xlsx/", READ_ACTING_ONLY),
    Op("GET", "batch-csv", lambda w: f"{V1}/batches/{w.batch.pk}/csv/", READ_ACTING_ONLY),
    # background tasks: only who started them, while they act for the holders it is about
    Op("GET", "task-list", lambda w: f"{V1}/tasks/", ALL),
    Op(
        "GET",
        "task-detail",
        lambda w: f"{V1}/tasks/{w.task.pk}/",
        "200  404  404  404  404  404  404  404  200",
    ),
    # reports: a holder's for who may see the holder, a municipality's for its auditors
    *(
        Op(
            "GET",
            f"holder-report-{name}",
            lambda w, path=path: f"{V1}/reports/holders/{w.mine.pk}/{path}/",
            READ_MINE,
        )
        for name, path in (
            ("exhaustion", "exhaustion"),
            ("exhaustion-xlsx", "exhaustion/xlsx"),
            ("exhaustion-csv", "exhaustion/csv"),
            ("exhaustion-png", "exhaustion/png"),
            ("exhaustion-svg", "exhaustion/svg"),
            ("year-costs", "year-costs"),
        )
    ),
    Op(
        "GET",
        "municipality-report-detail",
        lambda w: f"{V1}/reports/municipalities/GM0518/",
        AUDITORS,
    ),
    *(
        Op(
            "GET",
            f"municipality-report-{name}",
            lambda w, name=name: f"{V1}/reports/municipalities/GM0518/{name}/",
            AUDITORS,
        )
        for name in ("xlsx", "csv", "png", "svg")
    ),
    Op(
        "POST",
        "municipality-report-runs",
        lambda w: f"{V1}/reports/municipalities/GM0518/runs/",
        "404  404  404  404  202  404  404  404  202",
        lambda w, u: {"year": 2026},
    ),
    Op("GET", "report-file-detail", lambda w: f"{V1}/reports/files/{w.report_file.pk}/", AUDITORS),
    # the reconciliation with the SVB's overviews: a difference on the Wmo grant (The Hague's);
    # the upload takes multipart only (tests/reports/test_reconciliation_pages.py sends files)
    Op("GET", "difference-list", lambda w: f"{V1}/reports/differences/", ALL),
    Op(
        "GET",
        "difference-detail",
        lambda w: f"{V1}/reports/differences/{_difference(w).pk}/",
        READ_MINE,
    ),
    Op(
        "POST",
        "difference-resolve",
        lambda w: f"{V1}/reports/differences/{_difference(w).pk}/resolve/",
        CHANGE_MINE,
        lambda w, u: {"resolution": "explained", "note": "Eigen bijdrage"},
    ),
    Op(
        "POST",
        "difference-upload",
        lambda w: f"{V1}/reports/differences/upload/",
        "415  415  415  415  403  403  415  415  415",
        lambda w, u: {},
    ),
    # tokens: everyone gets and revokes their own; staff, auditors and bureaus with a code of
    # their authenticator app only (two-factor authentication)
    Op(
        "POST",
        "token",
        lambda w: f"{V1}/auth/token/",
        "201  201  400  201  400  400  201  201  400",
        lambda w, u: {"username": u.username, "password": "correct-horse-battery"},
    ),
    Op(
        "POST",
        "token",
        lambda w: f"{V1}/auth/token/",
        "201 " * 9,
        lambda w, u: {
            "username": u.username,
            "password": "correct-horse-battery",
            **({"otp_code": code_now(authenticator(u))} if requires_two_factor(u) else {}),
        },
    ),
    Op("DELETE", "token", lambda w: f"{V1}/auth/token/", "204 " * 9),
]

EXTRA_CASES = [
    # registering a holder (tests/security/test_bsn_oracles.py): a BSN registered out of the
    # user's sight is answered as a new one (a held copy for the back office); the bureau role
    # needs a bureau mandate, funders need staff; a BSN is changed by staff only
    Op(
        "POST",
        "budget-holder-list",
        lambda w: f"{V1}/budget-holders/",
        "201  201  201  201  403  403  201  201  409",
        lambda w, u: _new_holder(w, u, bsn=w.theirs.bsn),
    ),
    Op(
        "POST",
        "budget-holder-list",
        lambda w: f"{V1}/budget-holders/",
        "409  409  409  201  403  403  201  201  409",
        lambda w, u: _new_holder(w, u, bsn=w.mine.bsn),
    ),
    Op(
        "POST",
        "budget-holder-list",
        lambda w: f"{V1}/budget-holders/",
        "400  400  201  400  403  403  400  400  201",
        lambda w, u: _new_holder(w, u, role="bureau"),
    ),
    Op(
        "POST",
        "budget-holder-list",
        lambda w: f"{V1}/budget-holders/",
        "400  400  400  400  403  403  400  400  201",
        lambda w, u: _new_holder(w, u, funders=["GM0106"]),
    ),
    Op(
        "PATCH",
        "budget-holder-detail",
        lambda w: f"{V1}/budget-holders/{w.mine.pk}/",
        "400  400  400  403  403  403  404  404  200",
        lambda w, u: {"bsn": bsn_from(56_565_656)},
    ),
    Op(
        "PATCH",
        "budget-holder-detail",
        lambda w: f"{V1}/budget-holders/{w.mine.pk}/",
        "400  400  400  403  403  403  404  404  409",
        lambda w, u: {"bsn": w.theirs.bsn},
    ),
    Op(
        "POST",
        "budget-holder-lookup",
        lambda w: f"{V1}/budget-holders/lookup/",
        "404  404  404  403  403  403  403  403  403",
        lambda w, u: {"bsn": w.theirs.bsn},
    ),
    # the care office's grant and agreement of a The Hague holder: not the municipality's
    Op(
        "GET",
        "budget-detail",
        lambda w: f"{V1}/budgets/{w.mine_wlz_budget.pk}/",
        "200  200  200  200  404  404  404  404  200",
    ),
    Op(
        "GET",
        "agreement-detail",
        lambda w: f"{V1}/agreements/{w.mine_wlz_agreement.pk}/",
        "200  200  200  200  404  404  404  404  200",
    ),
    # another municipality's holder
    Op(
        "GET",
        "budget-holder-detail",
        lambda w: f"{V1}/budget-holders/{w.theirs.pk}/",
        "404  404  404  404  404  200  404  404  200",
    ),
    Op(
        "GET",
        "holder-report-exhaustion",
        lambda w: f"{V1}/reports/holders/{w.theirs.pk}/exhaustion/",
        "404  404  404  404  404  200  404  404  200",
    ),
    Op(
        "GET",
        "municipality-report-detail",
        lambda w: f"{V1}/reports/municipalities/GM0106/",
        "404  404  404  404  404  200  404  404  200",
    ),
    Op(
        "PATCH",
        "budget-holder-detail",
        lambda w: f"{V1}/budget-holders/{w.theirs.pk}/",
        "404  404  404  404  403  403  404  404  200",
        lambda w, u: {"first_name": "X"},
    ),
    # changes to a frozen declaration and its month
    Op(
        "DELETE",
        "declaration-detail",
        lambda w: f"{V1}/declarations/{w.exported.pk}/",
        "409  409  409  403  403  403  404  404  409",
    ),
    Op(
        "POST",
        "declaration-validate",
        lambda w: f"{V1}/declarations/{w.exported.pk}/validate/",
        "409  409  409  403  403  403  404  404  409",
    ),
    Op(
        "PATCH",
        "time-entry-detail",
        lambda w: (
            f"{V1}/time-entries/"
            f"{w.exported.agreement.time_entries.filter(care_date__month=9).first().pk}/"
        ),
        "409  409  409  403  403  403  404  404  409",
        lambda w, u: {"quantity": "1.00"},
    ),
]


class Rollback(Exception):
    pass


def _status_as(world, op, persona) -> int:
    """The status ``persona`` gets for ``op``; whatever the request changed is undone."""
    user = world.users[persona]
    client = token_client(user)
    body = op.body(world, user) if op.body else None
    try:
        with transaction.atomic():
            response = client.generic(
                op.method,
                op.path(world),
                data=None if body is None else json.dumps(body),
                content_type="application/json",
            )
            raise Rollback
    except Rollback:
        pass
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json", op.id
        assert response.json()["status"] == response.status_code
    return response.status_code


@pytest.mark.parametrize(
    "op", [pytest.param(op, id=f"{op.id} {index}") for index, op in enumerate(OPS + EXTRA_CASES)]
)
def test_status(api_world, op):
    statuses = {persona: _status_as(api_world, op, persona) for persona in PERSONAS}
    assert statuses == op.statuses


def _api_routes(resolver=None, prefix=""):
    """(method, URL name) of every API route, read from the URL configuration."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern, prefix + str(pattern.pattern))
        elif (
            isinstance(pattern, URLPattern)
            and (prefix + str(pattern.pattern)).startswith("api/v1/")
            and pattern.name
        ):
            callback = pattern.callback
            if pattern.name == "api-root":
                continue
            actions = getattr(callback, "actions", None)
            if actions:
                methods = actions
            else:
                view = callback.view_class
                methods = [m for m in ("get", "post", "patch", "delete") if hasattr(view, m)]
            for method in methods:
                yield method.upper(), pattern.name


def test_every_endpoint_is_in_the_matrix():
    routes = {route for route in _api_routes() if route[0] in ("GET", "POST", "PATCH", "DELETE")}
    covered = {(op.method, op.name) for op in OPS}
    assert routes - covered == set(), "add these to OPS"
    assert covered - routes == set(), "OPS names routes that do not exist"


def test_without_a_login_everything_but_the_token_is_401(api_world, client):
    for op in OPS:
        if op.name == "token":
            continue
        path = op.path(api_world)
        response = client.generic(op.method, path, content_type="application/json")
        assert response.status_code == 401, op.id
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_lists_show_only_what_is_in_scope(api_world):
    """What a list holds for the holder's auditor and for the other municipality's."""
    same = token_client(api_world.users["auditor_same"])
    other = token_client(api_world.users["auditor_other"])
    stranger = token_client(api_world.users["stranger"])

    def ids(client, resource):
        return {row["id"] for row in client.get(f"{V1}/{resource}/").json()["results"]}

    assert ids(same, "budget-holders") == {api_world.mine.pk}
    assert ids(other, "budget-holders") == {api_world.theirs.pk}
    assert ids(same, "budgets") == {api_world.mine_wmo_budget.pk}
    assert ids(same, "agreements") == {api_world.mine_wmo_agreement.pk}
    assert api_world.draft.pk in ids(same, "declarations")
    assert ids(other, "declarations") == set()
    assert ids(same, "batches") == set()
    for resource in ("budget-holders", "providers", "agreements", "time-entries", "declarations"):
        assert ids(stranger, resource) == set(), resource
