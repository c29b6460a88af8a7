"""What a page of a list costs: the user's scope is resolved once per request (one query for
their mandates and audits, which the access log reuses for the roles), the holders on the page
come from the rows, the access log is one insert; and the lean serializers write exactly what
DRF's ``ModelSerializer`` writes."""

import json
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from contracts import selectors as contract_selectors
from contracts.api.serializers import AgreementSerializer, ProviderSerializer
from declarations.api.serializers import (
    DeclarationSerializer,
    ExpenseSerializer,
    TimeEntrySerializer,
)
from declarations.selectors import lists
from pgb_admin.accounts.scoping import request_scope, scopes_cached_per_request
from pgb_admin.api import lean
from pgb_admin.audit.models import AccessEvent
from pgb_admin.budgets import selectors as budget_selectors
from pgb_admin.budgets.api.serializers import BudgetHolderSerializer, BudgetSerializer
from pgb_admin.budgets.models import BudgetHolder
from pgb_admin.figures.models import FigureLookup

from ..factories import MandateFactory
from .conftest import token_client

# the token, the user's scope, the count, the page, the access log's insert
LIST_QUERIES = {
    "time-entries": 5,
    "expenses": 5,
    "declarations": 6,  # + the findings of the page's declarations, in one query
}


def _queries(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("persona", ["bureau", "auditor_same"])
@pytest.mark.parametrize("resource", sorted(LIST_QUERIES))
def test_a_page_of_a_list_costs_a_fixed_small_number_of_queries(api_world, persona, resource):
    client = token_client(api_world.users[persona])
    path = f"/api/v1/{resource}/?page_size=50"
    client.get(path)  # the token's first use records itself, the read rate scope is cached
    logged = AccessEvent.objects.count()
    queries = _queries(client, path)
    assert len(queries) == LIST_QUERIES[resource], "\n".join(queries)
    assert sum(sql.startswith('INSERT INTO "audit_accessevent"') for sql in queries) == 1
    assert AccessEvent.objects.count() > logged  # the read is still logged


def test_the_scope_is_resolved_once_per_request_and_forgotten_when_a_mandate_changes(
    api_world,
):
    stranger = api_world.users["stranger"]
    holder = api_world.mine
    with scopes_cached_per_request():
        assert not BudgetHolder.objects.visible_to(stranger).filter(pk=holder.pk).exists()
        scope = request_scope(stranger)
        assert scope is request_scope(stranger)  # resolved once
        MandateFactory(user=stranger, holder=holder, role="bureau", valid_from=date(2026, 1, 1))
        assert BudgetHolder.objects.visible_to(stranger).filter(pk=holder.pk).exists()
    assert request_scope(stranger) is None  # outside a request nothing is kept


def _page(queryset, size: int = 50):
    return list(queryset.order_by("pk")[:size])


@pytest.mark.parametrize("persona", ["bureau", "auditor_same", "staff"])
def test_the_lean_serializers_write_what_drf_writes(api_world, persona, monkeypatch):
    user = api_world.users[persona]
    request = Request(APIRequestFactory().get("/api/v1/"))
    request.user = user
    context = {"request": request, "figures": FigureLookup()}
    cases = [
        (TimeEntrySerializer, _page(lists.time_entry_list(user=user))),
        (ExpenseSerializer, _page(lists.expense_list(user=user))),
        (DeclarationSerializer, _page(lists.declaration_list(user=user))),
        (BudgetHolderSerializer, _page(budget_selectors.holder_list(user=user))),
        (BudgetSerializer, _page(budget_selectors.budget_list(user=user))),
        (ProviderSerializer, _page(contract_selectors.provider_list(user=user))),
        (AgreementSerializer, _page(contract_selectors.agreement_list(user=user))),
    ]
    for serializer_class, rows in cases:
        assert rows, serializer_class.__name__
        lean_output = json.dumps(serializer_class(rows, many=True, context=context).data)
        with monkeypatch.context() as patch:
            patch.setattr(
                lean.LeanModelSerializer,
                "to_representation",
                serializers.ModelSerializer.to_representation,
            )
            drf_output = json.dumps(serializer_class(rows, many=True, context=context).data)
        assert lean_output == drf_output, serializer_class.__name__
