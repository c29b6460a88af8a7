"""Many holders for one bureau, made set-based: the builder behind ``manage.py loaddemo
--bureau-holders N``, the console benchmark and the browser test of 500 holders."""

from datetime import date
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from stdnum.nl import bsn as stdnum_bsn

from contracts.models import AgreementVersion, CareAgreement
from declarations.demo.bureau import BUREAU_LOGIN, bureau_holders_create
from declarations.demo.plan import LOGINS
from declarations.models import TimeEntry
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import Mandate, User
from pgb_admin.budgets.models import Budget, BudgetHolder, Funder

from ..factories import bsn_from

OCTOBER = date(2026, 10, 1)


def _bsns(start: int):
    return (bsn_from(start + n * 7) for n in range(100_000))


def _make(user, count: int, start: int = 73_000_000):
    return bureau_holders_create(
        user=user,
        count=count,
        bsns=_bsns(start),
        funders=list(Funder.objects.filter(code__in=["GM0518", "GM0106"])),
        months=[OCTOBER],
    )


def test_the_holders_come_whole_and_set_based(db):
    bureau = User.objects.create(username="a-bureau")
    with CaptureQueriesContext(connection) as ten:
        made = _make(bureau, 10)
    with CaptureQueriesContext(connection) as hundred:
        more = _make(bureau, 100, start=74_000_000)
    # a statement per table and batch (SQLite takes 999 values a statement), no save per row:
    # eight tables and the hours of 100 holders in far fewer statements than holders
    assert len(ten.captured_queries) <= 15
    assert len(hundred.captured_queries) <= 2 * len(ten.captured_queries) < 100
    holders = BudgetHolder.objects.filter(pk__in=made.holder_ids + more.holder_ids)
    assert holders.count() == 110
    assert all(stdnum_bsn.is_valid(holder.bsn) for holder in holders)
    assert Budget.objects.filter(holder__in=holders, end_date=date(2026, 12, 31)).count() == 110
    versions = AgreementVersion.objects.filter(agreement__holder__in=holders)
    assert {v.approval_status for v in versions} == {"approved"}
    assert Mandate.objects.filter(user=bureau, role=MandateRole.BUREAU).count() == 110
    # Mondays and Thursdays of October 2026: 9 days, 4 hours each
    entries = TimeEntry.objects.filter(agreement_id__in=made.agreement_ids)
    assert made.time_entries == entries.count() == 10 * 9
    assert {e.care_date.weekday() for e in entries} == {0, 3}
    assert BudgetHolder.objects.visible_to(bureau).count() == 110
    assert CareAgreement.objects.editable_by(bureau).count() == 110


def _logins():
    """The demo's logins without the rest of the demo world: enough for the command to see a
    world loaded and top the bureau up."""
    for login in LOGINS:
        User.objects.create(username=login.username)


def test_loaddemo_tops_the_bureau_up_to_the_number_asked(db, settings):
    settings.DEBUG = True
    _logins()
    out = StringIO()
    call_command("loaddemo", "--bureau-holders", "30", stdout=out)
    assert "The demo world is already loaded." in out.getvalue()
    assert "30 holders added for the bureau login" in out.getvalue()
    bureau = User.objects.get(username=BUREAU_LOGIN)
    assert BudgetHolder.objects.visible_to(bureau).count() == 30
    # the hours of last month (the month the console opens on: 23 November in the tests)
    months = {e.care_date.replace(day=1) for e in TimeEntry.objects.all()}
    assert months == {OCTOBER}
    # again: nothing to add; more: only what is missing, with BSNs no one has
    out = StringIO()
    call_command("loaddemo", "--bureau-holders", "30", stdout=out)
    assert "already acts for 30 holders" in out.getvalue()
    call_command("loaddemo", "--bureau-holders", "45", stdout=StringIO())
    assert BudgetHolder.objects.visible_to(bureau).count() == 45
    hashes = list(BudgetHolder.objects.values_list("bsn_hash", flat=True))
    assert len(hashes) == len(set(hashes)) == 45


@pytest.mark.parametrize("number", ["0", "100000"])
def test_loaddemo_refuses_a_number_out_of_range(db, settings, number):
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("loaddemo", "--bureau-holders", number, stdout=StringIO())
