"""List endpoints run the same number of queries whatever the page holds (no N+1)."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from declarations.models import Finding
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services

from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    MandateFactory,
)
from .conftest import token_client

LISTS = [
    "funders",
    "care-products",
    "budget-holders",
    "budgets",
    "providers",
    "agreements",
    "time-entries",
    "expenses",
    "declarations",
    "batches",
    "rules",
    "tasks",
]


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _more_of_everything(world, count: int) -> None:
    """``count`` more holders for the bureau, each with a grant, a provider, an agreement
    with two versions, a month of hours, a cost, a declaration with findings and a batch."""
    bureau = world.users["bureau"]
    for _ in range(count):
        holder = BudgetHolderFactory(funders=[world.the_hague])
        MandateFactory(user=bureau, holder=holder, role="bureau", valid_from=date(2026, 1, 1))
        budget = BudgetFactory(holder=holder, funder=world.the_hague)
        holder.admissions.create(kind="hospital", valid_from=date(2026, 3, 1))
        budget.indications.create(
            product=budget.products.first(), hours="3.00", per="week", valid_from=date(2026, 1, 1)
        )
        link = HolderProviderFactory(holder=holder)
        agreement = CareAgreementFactory(holder=holder, provider=link.provider)
        AgreementVersionFactory(
            agreement=agreement,
            budget=budget,
            product=budget.products.first(),
            valid_to=date(2026, 6, 30),
        )
        AgreementVersionFactory(
            agreement=agreement,
            budget=budget,
            product=budget.products.first(),
            valid_from=date(2026, 7, 1),
        )
        hour_services.time_entries_fill_month(
            actor=bureau, agreement_id=agreement.pk, month=date(2026, 10, 1), pattern={0: "2"}
        )
        hour_services.expense_add(
            actor=bureau,
            agreement_id=agreement.pk,
            expense_date=date(2026, 10, 2),
            kind="other",
            amount="3.00",
        )
        declaration = declaration_services.declaration_draft(
            actor=bureau, agreement_id=agreement.pk, month=date(2026, 10, 1)
        )
        Finding.objects.create(
            declaration=declaration,
            rule_code="hours.week_above_agreement",
            severity="warning",
            acknowledged_by=bureau,
        )
        declaration_services.declaration_validate(actor=bureau, declaration_ids=[declaration.pk])
    batch_services.batch_export(actor=bureau, month=date(2026, 10, 1))


@pytest.mark.parametrize("persona", ["bureau", "auditor_same"])
def test_every_list_runs_a_fixed_number_of_queries(api_world, persona):
    client = token_client(api_world.users[persona])
    client.get("/api/v1/me/")  # the token's first use records itself; later ones do not
    paths = [f"/api/v1/{resource}/?page_size=100" for resource in LISTS]
    few = {path: _queries(client, path) for path in paths}
    _more_of_everything(api_world, 5)
    many = {path: _queries(client, path) for path in paths}
    assert many == few
    assert len(client.get("/api/v1/declarations/").json()["results"]) > 1
