"""No overspend under concurrency: fifty sessions validate a declaration against one grant
at the same moment, each on its own connection; the grant has room for ten. Exactly ten are
accepted, the others are refused with the grant-exceeded error, and nothing fails."""

import os
import threading
from datetime import date
from decimal import Decimal

from django.db import connection

import pytest

from declarations import services
from declarations.models import Declaration
from pgb_admin.figures.constants import RateUnit

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
    reason="row locks need PostgreSQL (CI runs this on PostgreSQL); SQLite has none",
)


def _fifty_declarations_on_one_grant(world) -> tuple[list[int], object]:
    actor = world.users["staff"]
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("0"))
    product = budget.products.first()
    ids = []
    for _ in range(SESSIONS):
        link = HolderProviderFactory(holder=world.mine)
        agreement = CareAgreementFactory(holder=world.mine, provider=link.provider)
        AgreementVersionFactory(
            agreement=agreement, budget=budget, product=product, unit=RateUnit.HOUR
        )
        services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern=HOURS
        )
        ids.append(
            services.declaration_draft(actor=actor, agreement_id=agreement.pk, month=OCTOBER).pk
        )
    each = Declaration.objects.get(pk=ids[0]).total_amount
    assert each > 0
    # room for ten declarations, not for eleven
    budget.amount = each * ROOM_FOR + each / 2
    budget.save(update_fields=["amount"])
    return ids, actor


def _validate_all_at_once(actor, ids) -> list:
    barrier = threading.Barrier(len(ids))
    outcomes = []

    def validate(pk):
        try:
            barrier.wait()
            (declaration,) = services.declaration_validate(actor=actor, declaration_ids=[pk])
            outcomes.append(declaration.status)
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=validate, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)  # committed data: every thread has its own connection
def test_fifty_sessions_at_once_never_spend_more_than_the_grant(world):
    ids, actor = _fifty_declarations_on_one_grant(world)
    for round_number in range(ROUNDS):
        Declaration.objects.filter(pk__in=ids).update(status="draft", validated_at=None)
        outcomes = _validate_all_at_once(actor, ids)
        accepted = outcomes.count("validated")
        refused = outcomes.count("draft")
        failed = [outcome for outcome in outcomes if outcome not in ("validated", "draft")]
        assert (accepted, refused, failed) == (ROOM_FOR, SESSIONS - ROOM_FOR, []), round_number
        drafts = Declaration.objects.filter(pk__in=ids, status="draft")
        assert all(
            draft.findings.filter(rule_code="budget.exceeded").exists() for draft in drafts
        ), round_number
