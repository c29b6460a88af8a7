"""The API's test world: the persona world of tests/conftest.py plus a year's worth of
states to act on (hours in an open month, a draft with a warning, a validated month ready for
export, an exported month in a batch) and clients that log in with bearer tokens."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

import pytest
import time_machine
from rest_framework.test import APIClient

from declarations.models import Batch, Declaration, Expense, Finding, TimeEntry
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.services import api_token_issue
from pgb_admin.accounts.two_factor import two_factor_applies
from pgb_admin.core.models import TaskRun
from reports.models import ReportFile

from ..conftest import FIXED_MOMENT, build_world
from ..factories import BudgetHolderFactory, MandateFactory, ProviderAccessFactory

AUGUST, SEPTEMBER, OCTOBER = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
CLEAN_WEEK = {0: "4", 3: "4"}  # Mondays and Thursdays: the agreed 8 hours a week


@dataclass
class ApiWorld:
    base: object
    sibling: object  # a second holder the acting personas work for
    entry: TimeEntry  # August, open
    expense: Expense  # August, open
    draft: Declaration  # August, with an open warning (it is late)
    warning: Finding
    exported: Declaration  # September, in ``batch``
    ready: Declaration  # October, validated, ready for export
    batch: Batch
    task: TaskRun  # started by the holder persona
    report_file: ReportFile  # a municipal report made for the auditor of The Hague

    def __getattr__(self, name):
        return getattr(self.base, name)


def token_client(user, language: str = "en") -> APIClient:
    """A client with a bearer token of ``user``, issued as after a right two-factor code for
    an account that uses two-factor authentication (as ``verified_login`` does for a session)."""
    _, key = api_token_issue(user=user, with_two_factor=two_factor_applies(user))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def _month(actor, agreement, month) -> Declaration:
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=month, pattern=CLEAN_WEEK
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=month
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    return declaration


@pytest.fixture(scope="module")
def shared_api_world(django_db_setup, django_db_blocker):
    """The world of a test module: built once, rolled back at the end of the module. Each
    test runs in its own transaction inside it (``db``), so what a test changes is undone
    before the next one; objects a test changes in memory are its own to refresh."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(FIXED_MOMENT, tick=True),
        transaction.atomic(),
    ):
        yield build_api_world(build_world())
        transaction.set_rollback(True)


@pytest.fixture
def api_world(shared_api_world, db) -> ApiWorld:
    return shared_api_world


def build_api_world(world) -> ApiWorld:
    actor = world.users["representative"]
    agreement = world.mine_wmo_agreement
    sibling = BudgetHolderFactory(surname="Broer")
    for persona, role in (
        ("holder", MandateRole.REPRESENTATIVE),
        ("representative", MandateRole.REPRESENTATIVE),
        ("bureau", MandateRole.BUREAU),
        ("family", MandateRole.FAMILY_READONLY),
    ):
        MandateFactory(user=world.users[persona], holder=sibling, role=role)

    draft = _month(actor, agreement, AUGUST)  # validated, with a warning: it is late
    warning = draft.findings.get(rule_code="declaration.late")
    entry = TimeEntry.objects.filter(agreement=agreement, care_date__month=8).first()
    expense = hour_services.expense_add(
        actor=actor,
        agreement_id=agreement.pk,
        expense_date=date(2026, 8, 5),
        kind="other",
        amount="12.50",
    )  # and back to draft
    exported = _month(actor, agreement, SEPTEMBER)
    batch = batch_services.batch_export(actor=actor, month=SEPTEMBER, holder_id=world.mine.pk)
    exported.refresh_from_db()
    ready = _month(actor, agreement, OCTOBER)
    task = TaskRun.objects.create(kind="validate", created_by=world.users["holder"])
    task.holders.add(world.mine)  # seen by its maker while they act for the holder
    report_file = ReportFile.objects.create(
        task_run=TaskRun.objects.create(
            kind="municipality_report",
            created_by=world.users["auditor_same"],
            funder=world.the_hague,
            status="done",
        ),
        created_by=world.users["auditor_same"],
        funder=world.the_hague,
        year=2026,
        format=ReportFile.Format.CSV,
        filename="gemeenterapportage-GM0518-2026.csv",
        content=b"record;code\r\n",
        size=14,
        sha256="0" * 64,
    )
    # a care provider with access to one of the holder's agreements (issue 19): no mandate
    world.users["provider"] = ProviderAccessFactory(
        user__username="zorgverlener", agreement=agreement
    ).user
    draft.refresh_from_db()
    assert (draft.status, exported.status, ready.status) == ("draft", "exported", "validated")
    return ApiWorld(
        base=world,
        sibling=sibling,
        entry=entry,
        expense=expense,
        draft=draft,
        warning=warning,
        ready=ready,
        exported=exported,
        batch=batch,
        task=task,
        report_file=report_file,
    )
