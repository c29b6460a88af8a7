"""Every change is in the change log with its actor; BSN and IBAN only masked."""

from datetime import date

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry

from contracts.services import provider_update
from declarations.demo.plan import demo_iban
from pgb_admin.budgets.services import holder_update


def test_a_changed_bsn_is_logged_masked_with_the_actor(world):
    actor = world.users["staff"]  # the back office changes a BSN
    old_bsn = world.mine.bsn
    with set_actor(actor):
        holder_update(actor=actor, holder_id=world.mine.pk, bsn="999996708")
    entry = LogEntry.objects.get_for_object(world.mine).latest("timestamp")
    assert entry.actor == actor
    assert entry.action == LogEntry.Action.UPDATE
    old, new = entry.changes_dict["bsn"]
    assert (old, new) == ("*****" + old_bsn[-4:], "*****6708")
    assert old_bsn not in str(entry.changes) + entry.object_repr
    assert "999996708" not in str(entry.changes) + entry.object_repr
    # neither the stored token nor the keyed hash: the change log holds the masked BSN only
    assert "bsn_hash" not in entry.changes_dict
    assert "gAAAAA" not in str(entry.changes)


def test_a_changed_iban_is_logged_masked(world):
    actor = world.users["holder"]
    new_iban = demo_iban(424242)
    with set_actor(actor):
        provider_update(actor=actor, provider_id=world.mine_provider.pk, iban=new_iban)
    entry = LogEntry.objects.get_for_object(world.mine_provider).latest("timestamp")
    assert entry.changes_dict["iban"][1] == "*" * 14 + new_iban[-4:]
    assert new_iban not in str(entry.changes)


def test_no_log_entry_holds_a_full_bsn(world):
    bsns = {world.mine.bsn, world.theirs.bsn}
    logged = " ".join(
        str(changes) + repr
        for changes, repr in LogEntry.objects.values_list("changes", "object_repr")
    )
    assert LogEntry.objects.count() > 0
    assert not any(bsn in logged for bsn in bsns)


def test_requests_log_the_logged_in_user_as_actor(admin_client, world, admin_user):
    url = f"/admin/budgets/budgetholder/{world.mine.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        surname="Gewijzigd",
        date_of_birth=date(1980, 5, 17).isoformat(),
        funders=[f.pk for f in world.mine.funders.all()],
    )
    for inline in page.context["inline_admin_formsets"]:  # grants and admissions: none added
        prefix = inline.formset.prefix
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = LogEntry.objects.get_for_object(world.mine).latest("timestamp")
    assert entry.actor == admin_user
    assert entry.changes_dict["surname"][1] == "Gewijzigd"


@pytest.mark.parametrize(
    "label", ["budgets.BudgetHolder", "contracts.Provider", "contracts.AgreementVersion"]
)
def test_domain_models_are_registered(label):
    from django.apps import apps

    from auditlog.registry import auditlog

    assert auditlog.contains(apps.get_model(label))
