"""No overspend under concurrency: fifty API sessions validate a declaration against one grant
at the same moment, each with its own token and its own database connection; the grant has
room for ten. Exactly ten are accepted (200, validated), the others are refused with a 409
``budget_exceeded`` and stay drafts with the finding that says why, nothing answers 5xx, and
the grant's declared total is that of the ten, within the grant. Repeated OVERSPEND_ROUNDS
times (20 by default)."""

import os
import threading
import time
from collections import Counter
from datetime import date
from decimal import Decimal

from django.db import connection

import pytest

from declarations.models import Declaration
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.budgets.models import Budget
from pgb_admin.figures.constants import RateUnit

from ..api.conftest import token_client
from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    CareAgreementFactory,
    HolderProviderFactory,
)

OCTOBER = date(2026, 10, 1)
SESSIONS = 50
ROOM_FOR = 10
ROUNDS = int(os.environ.get("OVERSPEND_ROUNDS", "20"))
HOURS = {0: "4", 3: "4"}  # 8 hours a week, as agreed

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "needs PostgreSQL's row locks (CI runs it on PostgreSQL): SQLite has none and lets only "
        "one connection write at a time, so fifty sessions would not race at all"
    ),
)


def _fifty_declarations_on_one_grant(world):
    actor = world.users["representative"]
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("0"))
    product = budget.products.first()
    ids = []
    for _ in range(SESSIONS):
        link = HolderProviderFactory(holder=world.mine)
        agreement = CareAgreementFactory(holder=world.mine, provider=link.provider)
        # the rate includes the holiday allowance: each declaration costs the grant its total
        AgreementVersionFactory(
            agreement=agreement,
            budget=budget,
            product=product,
            unit=RateUnit.HOUR,
            rate_includes_holiday_pay=True,
        )
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern=HOURS
        )
        ids.append(
            declaration_services.declaration_draft(
                actor=actor, agreement_id=agreement.pk, month=OCTOBER
            ).pk
        )
    each = Declaration.objects.get(pk=ids[0]).total_amount
    assert each > 0
    assert set(Declaration.objects.filter(pk__in=ids).values_list("total_amount", flat=True)) == {
        each
    }
    # room for ten declarations, not for eleven
    Budget.objects.filter(pk=budget.pk).update(amount=each * ROOM_FOR + each / 2)
    return actor, budget, ids


def _validate_all_at_once(clients, ids) -> list[tuple[int, int, str]]:
    """Each session posts its validation when all fifty are ready: (declaration, HTTP status,
    problem code or declaration status)."""
    barrier = threading.Barrier(len(ids))
    outcomes = []

    def validate(client, pk):
        try:
            barrier.wait()
            response = client.post(f"/api/v1/declarations/{pk}/validate/")
            body = response.json()
            outcomes.append((pk, response.status_code, body.get("code") or body.get("status")))
        except Exception as error:  # a failure to count, as a 5xx
            outcomes.append((pk, 599, repr(error)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=validate, args=(client, pk))
        for client, pk in zip(clients, ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)  # committed data: every thread has its own connection
def test_fifty_sessions_at_once_never_spend_more_than_the_grant(world, capsys):
    actor, budget, ids = _fifty_declarations_on_one_grant(world)
    clients = [token_client(actor) for _ in ids]
    totals = Counter()
    started = time.monotonic()
    for round_number in range(ROUNDS):
        Declaration.objects.filter(pk__in=ids).update(status="draft", validated_at=None)
        Budget.objects.filter(pk=budget.pk).update(declared=0)

        outcomes = _validate_all_at_once(clients, ids)
        answers = Counter((status, code) for _pk, status, code in outcomes)
        totals.update(
            "5xx" if status >= 500 else {200: "accepted", 409: "refused"}.get(status, str(status))
            for _pk, status, _code in outcomes
        )
        assert answers == {
            (200, "validated"): ROOM_FOR,
            (409, "budget_exceeded"): SESSIONS - ROOM_FOR,
        }, (round_number, outcomes)

        validated = Declaration.objects.filter(pk__in=ids, status="validated")
        refused = {pk for pk, status, _code in outcomes if status == 409}
        assert set(validated.values_list("pk", flat=True)) == set(ids) - refused, round_number
        drafts = Declaration.objects.filter(pk__in=refused, status="draft")
        assert drafts.count() == len(refused), round_number
        assert (
            set(drafts.filter(findings__rule_code="budget.exceeded").values_list("pk", flat=True))
            == refused
        ), round_number
        grant = Budget.objects.get(pk=budget.pk)
        assert grant.declared == sum(d.total_amount for d in validated), round_number
        assert grant.declared <= grant.amount, round_number

    with capsys.disabled():
        print(
            f"\nno overspend: {ROUNDS} rounds of {SESSIONS} sessions on a grant with room for "
            f"{ROOM_FOR}: accepted {totals['accepted']}, refused {totals['refused']}, 5xx "
            f"{totals['5xx']} in {time.monotonic() - started:.1f} s"
        )
