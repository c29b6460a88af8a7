"""Every write service refuses auditors and read-only family (403) and answers 404 for what the
actor cannot see, and changes nothing either way."""

from datetime import date
from decimal import Decimal

import pytest

from contracts import services as contract_services
from contracts.constants import AgreementType, ApprovalStatus, Relation
from pgb_admin.accounts.scoping import ReadOnlyAccess
from pgb_admin.audit.registry import AUDITED_MODELS
from pgb_admin.budgets import services as budget_services
from pgb_admin.budgets.constants import Scheme
from pgb_admin.core.errors import NotFound
from pgb_admin.figures.constants import RateUnit

from ..conftest import TODAY


def _writes(world):
    """name -> function(actor) performing one write on holder ``mine``."""
    product = world.mine_wmo_budget.products.get()
    version = world.mine_wmo_agreement.versions.get()
    return {
        "holder_update": lambda actor: budget_services.holder_update(
            actor=actor, holder_id=world.mine.pk, surname="Anders"
        ),
        "budget_create": lambda actor: budget_services.budget_create(
            actor=actor,
            holder_id=world.mine.pk,
            funder=world.the_hague,
            scheme=Scheme.WMO,
            products=[product],
            start_date=date(2027, 1, 1),
            end_date=date(2027, 12, 31),
            amount=Decimal("1000"),
            decision_date=date(2026, 11, 1),
            decision_reference="NIEUW-1",
        ),
        "mandate_grant": lambda actor: budget_services.mandate_grant(
            actor=actor,
            holder_id=world.mine.pk,
            user=world.users["stranger"],
            role="family_readonly",
            valid_from=TODAY,
        ),
        "provider_create": lambda actor: contract_services.provider_create(
            actor=actor,
            holder_id=world.mine.pk,
            relation=Relation.NONE,
            kind="person",
            name="N. Nieuw",
            date_of_birth=date(1990, 1, 1),
            iban="NL91ABNA0417164300",
        ),
        "provider_update": lambda actor: contract_services.provider_update(
            actor=actor, provider_id=world.mine_provider.pk, name="Anders"
        ),
        "agreement_create": lambda actor: contract_services.agreement_create(
            actor=actor,
            holder_id=world.mine.pk,
            provider_id=world.mine_provider.pk,
            agreement_type=AgreementType.EMPLOYMENT_HOURLY,
            budget_id=world.mine_wmo_budget.pk,
            product=product,
            valid_from=date(2026, 1, 1),
            rate=Decimal("18"),
            unit=RateUnit.HOUR,
            hours_per_week=Decimal("2"),
        ),
        "agreement_change": lambda actor: contract_services.agreement_change(
            actor=actor,
            agreement_id=world.mine_wmo_agreement.pk,
            effective_from=date(2026, 8, 1),
            rate=Decimal("25"),
        ),
        "agreement_end": lambda actor: contract_services.agreement_end(
            actor=actor, agreement_id=world.mine_wmo_agreement.pk, end_date=date(2026, 9, 30)
        ),
        "agreement_record_approval": lambda actor: contract_services.agreement_record_approval(
            actor=actor,
            version_id=version.pk,
            status=ApprovalStatus.REJECTED,
            decided_on=TODAY,
            evidence="PGB Portaal",
        ),
    }


WRITES = [
    "holder_update",
    "budget_create",
    "mandate_grant",
    "provider_create",
    "provider_update",
    "agreement_create",
    "agreement_change",
    "agreement_end",
    "agreement_record_approval",
]


def _snapshot():
    from django.apps import apps

    return {label: apps.get_model(label).objects.count() for label in AUDITED_MODELS}


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize(
    ("persona", "refusal"),
    [
        ("family", ReadOnlyAccess),
        ("auditor_same", ReadOnlyAccess),
        ("auditor_other", NotFound),
        ("expired", NotFound),
        ("stranger", NotFound),
    ],
)
def test_refused_writes_change_nothing(world, write, persona, refusal):
    before = _snapshot()
    world.mine.refresh_from_db()
    surname = world.mine.surname
    with pytest.raises(refusal):
        _writes(world)[write](world.users[persona])
    assert _snapshot() == before
    world.mine.refresh_from_db()
    assert world.mine.surname == surname


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("persona", ["holder", "representative", "bureau"])
def test_those_acting_for_the_holder_may_write(world, write, persona):
    _writes(world)[write](world.users[persona])


def test_only_staff_grant_acting_mandates(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        budget_services.mandate_grant(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            user=world.users["stranger"],
            role="bureau",
            valid_from=TODAY,
        )
    mandate = budget_services.mandate_grant(
        actor=world.users["staff"],
        holder_id=world.mine.pk,
        user=world.users["stranger"],
        role="bureau",
        valid_from=TODAY,
    )
    assert mandate.acts_for_holder


def test_auditors_cannot_register_holders(world):
    with pytest.raises(ReadOnlyAccess):
        budget_services.holder_create(
            actor=world.users["auditor_same"],
            role="representative",
            initials="X.",
            surname="Nieuw",
            bsn="999996708",
            date_of_birth=date(1970, 1, 1),
            funders=[world.the_hague],
        )


def test_registering_a_holder_gives_the_registrar_a_mandate(world):
    from pgb_admin.budgets.models import BudgetHolder

    newcomer = world.users["stranger"]
    holder = budget_services.holder_create(
        actor=newcomer,
        role="representative",
        representative_kind="parent",
        initials="K.",
        first_name="Kim",
        surname="Nieuw",
        bsn="9999 96 708",
        date_of_birth=date(2015, 6, 1),
    )
    assert holder.bsn == "999996708"
    assert list(BudgetHolder.objects.editable_by(newcomer)) == [holder]
