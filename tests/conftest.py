"""Shared fixtures: a fixed 'today', hypothesis profiles and the persona world that every
access test walks (NetBox's constrained-permission idea, healthchecks' alice/bob/charlie)."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

import pytest
import time_machine
from hypothesis import HealthCheck, settings

from contracts.constants import AgreementType, Relation
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import User
from pgb_admin.budgets.constants import FunderKind, Scheme
from pgb_admin.budgets.models import Funder

from .factories import (
    AgreementVersionFactory,
    AuditorScopeFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    MandateFactory,
    ProviderFactory,
    UserFactory,
)

# Database tests reuse the function's transaction across examples; each example sets all the
# state it reads, so the function-scoped-fixture check does not apply.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("ci")

# The BSN scan watches every response, file, log record and task payload of the run; the
# contract fuzz's tally counts its requests. Plugins, so that they add up pytest-xdist's workers.
pytest_plugins = ["tests.bsn_scan", "tests.api.fuzz_tally"]

TODAY = date(2026, 11, 23)


FIXED_MOMENT = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture(autouse=True)
def _fixed_today():
    """Tests run on 23 November 2026 (Amsterdam), whatever the machine's clock says."""
    with time_machine.travel(FIXED_MOMENT, tick=True):
        yield


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin client, with the session verified by an authenticator app (staff
    need two-factor authentication for every page, the admin's too)."""
    from django.test import Client

    from .two_factor import verified_login

    return verified_login(Client(), admin_user)


@dataclass
class World:
    """Two municipalities and a care office; holder ``mine`` (The Hague, with a Wmo and a Wlz
    grant) and holder ``theirs`` (Assen); and one user per persona."""

    the_hague: Funder
    assen: Funder
    care_office: Funder
    mine: object
    theirs: object
    mine_wmo_budget: object
    mine_wlz_budget: object
    theirs_budget: object
    mine_provider: object
    theirs_provider: object
    mine_link: object
    mine_wmo_agreement: object
    mine_wlz_agreement: object
    theirs_agreement: object
    users: dict[str, User]


PERSONAS = (
    "holder",
    "representative",
    "bureau",
    "family",
    "auditor_same",
    "auditor_other",
    "expired",
    "stranger",
    "staff",
)


def _holder_with_grants(funders, schemes, surname):
    holder = BudgetHolderFactory(surname=surname)
    budgets = [
        BudgetFactory(holder=holder, funder=funder, scheme=scheme)
        for funder, scheme in zip(funders, schemes, strict=True)
    ]
    return holder, budgets


def _agreement(holder, provider, budget, agreement_type=AgreementType.EMPLOYMENT_HOURLY):
    agreement = CareAgreementFactory(
        holder=holder, provider=provider, agreement_type=agreement_type
    )
    AgreementVersionFactory(agreement=agreement, budget=budget, product=budget.products.first())
    return agreement


# Rows the migrations add; a flush after a test with committed data (transaction=True) keeps
# these two, because post_migrate makes them again.
REMADE_AFTER_FLUSH = {"contenttypes.contenttype", "auth.permission"}


@pytest.fixture(scope="session", autouse=True)
def reference_data(django_db_setup, django_db_blocker) -> str:
    """The rows the migrations add (funders, figures, products), as the test database holds
    them before any test, to put back after a test that committed data flushed them. (Django's
    serialized rollback keeps them on a connection object that browser tests replace.)"""
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
            # no collected test uses the database, so pytest-django made no test database:
            # this would read the real one (db.sqlite3 of `make run`)
            return "[]"
        rows = json.loads(connection.creation.serialize_db_to_string())
    return json.dumps([row for row in rows if row["model"] not in REMADE_AFTER_FLUSH])


def restore_reference_data(reference_data: str) -> None:
    if not Funder.objects.exists():
        connection.creation.deserialize_db_from_string(reference_data)


@pytest.fixture
def world(db, reference_data) -> World:
    restore_reference_data(reference_data)
    return build_world()


def build_world() -> World:
    the_hague = Funder.objects.get(code="GM0518")
    assen = Funder.objects.get(code="GM0106")
    care_office = Funder.objects.get(code="ZK-HAAGLANDEN")
    assert care_office.kind == FunderKind.CARE_OFFICE

    mine, (mine_wmo, mine_wlz) = _holder_with_grants(
        [the_hague, care_office], [Scheme.WMO, Scheme.WLZ], "Mijn"
    )
    theirs, (theirs_budget,) = _holder_with_grants([assen], [Scheme.WMO], "Ander")
    mine_provider, theirs_provider = ProviderFactory(), ProviderFactory()
    mine_link = HolderProviderFactory(holder=mine, provider=mine_provider, relation=Relation.NONE)
    HolderProviderFactory(holder=theirs, provider=theirs_provider, relation=Relation.NONE)

    users = {name: UserFactory(username=name) for name in PERSONAS}
    users["staff"].is_staff = True
    users["staff"].save()
    start = TODAY - timedelta(days=200)
    for name, role in (
        ("holder", MandateRole.HOLDER),
        ("representative", MandateRole.REPRESENTATIVE),
        ("bureau", MandateRole.BUREAU),
        ("family", MandateRole.FAMILY_READONLY),
    ):
        MandateFactory(user=users[name], holder=mine, role=role, valid_from=start)
    MandateFactory(
        user=users["expired"],
        holder=mine,
        role=MandateRole.REPRESENTATIVE,
        valid_from=start,
        valid_to=TODAY - timedelta(days=1),
    )
    AuditorScopeFactory(user=users["auditor_same"], funder=the_hague, valid_from=start)
    AuditorScopeFactory(user=users["auditor_other"], funder=assen, valid_from=start)

    return World(
        the_hague=the_hague,
        assen=assen,
        care_office=care_office,
        mine=mine,
        theirs=theirs,
        mine_wmo_budget=mine_wmo,
        mine_wlz_budget=mine_wlz,
        theirs_budget=theirs_budget,
        mine_provider=mine_provider,
        theirs_provider=theirs_provider,
        mine_link=mine_link,
        mine_wmo_agreement=_agreement(mine, mine_provider, mine_wmo),
        mine_wlz_agreement=_agreement(mine, mine_provider, mine_wlz),
        theirs_agreement=_agreement(theirs, theirs_provider, theirs_budget),
        users=users,
    )
