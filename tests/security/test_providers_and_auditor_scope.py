"""Issue 14, findings 1 and 9.

Finding 1: a provider is shared by every holder it is linked to, so a change by someone who
acts for only some of them must not reach the others: it makes a copy for the actor's holders
(copy on write). Whoever may change every linked holder (or staff) changes it in place. Either
way each affected holder sees the change in their access log.

Finding 9: an auditor reaches a holder only through a grant of their own funder (not through
the holder's list of funders, which the holder's people fill in), and only the providers of
agreements on such grants; the list of funders they see is theirs.
"""

from datetime import timedelta

from django.test import Client
from django.urls import reverse

import pytest
from auditlog.context import set_actor

from contracts import services
from contracts.constants import Relation
from contracts.models import CareAgreement, HolderProvider, Provider
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.audit.models import AccessEvent, Action
from pgb_admin.budgets.constants import Scheme
from pgb_admin.budgets.models import BudgetHolder

from ..api.conftest import token_client
from ..conftest import TODAY, _agreement
from ..factories import (
    BudgetFactory,
    BudgetHolderFactory,
    HolderProviderFactory,
    MandateFactory,
    ProviderFactory,
    UserFactory,
    iban_from,
)
from ..two_factor import verified_login

V1 = "/api/v1"
NEW_IBAN = iban_from(4242)


def _share_with_theirs(world):
    """``mine_provider`` also works for ``theirs`` (Assen), under an agreement on Assen's
    grant; ``theirs`` has a holder of their own who logs in."""
    HolderProviderFactory(holder=world.theirs, provider=world.mine_provider)
    agreement = _agreement(world.theirs, world.mine_provider, world.theirs_budget)
    other_holder = UserFactory(username="other_holder")
    MandateFactory(
        user=other_holder,
        holder=world.theirs,
        role=MandateRole.HOLDER,
        valid_from=TODAY - timedelta(days=30),
    )
    return agreement, other_holder


def _provider_changes(**where):
    return AccessEvent.objects.filter(what="contracts.Provider", action=Action.UPDATE, **where)


# --- finding 1: a shared provider --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["holder", "representative", "bureau"])
def test_a_change_by_someone_acting_for_one_holder_does_not_reach_the_others(world, persona):
    theirs_agreement, _ = _share_with_theirs(world)
    original = world.mine_provider
    before = {field: getattr(original, field) for field in ("name", "iban")}

    response = token_client(world.users[persona]).patch(
        f"{V1}/providers/{original.pk}/", {"iban": NEW_IBAN, "name": "Z. Anders"}, format="json"
    )

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["id"] != original.pk  # the copy the actor works with from now on
    assert (answer["name"], answer["iban"]) == ("Z. Anders", NEW_IBAN)
    assert [link["holder"] for link in answer["holders"]] == [world.mine.pk]
    original.refresh_from_db()
    assert {field: getattr(original, field) for field in before} == before
    # the other holder keeps the original, with its link and agreement
    assert HolderProvider.objects.filter(holder=world.theirs, provider=original).exists()
    theirs_agreement.refresh_from_db()
    assert theirs_agreement.provider_id == original.pk
    # the actor's holder moved to the copy: its link and all its agreements with the provider
    copy = Provider.objects.get(pk=answer["id"])
    assert not HolderProvider.objects.filter(holder=world.mine, provider=original).exists()
    assert HolderProvider.objects.get(holder=world.mine, provider=copy).relation == Relation.NONE
    assert set(
        CareAgreement.objects.filter(holder=world.mine).values_list("provider", flat=True)
    ) == {copy.pk}


def test_the_copy_is_logged_against_the_actors_holders_only(world):
    _share_with_theirs(world)
    response = token_client(world.users["holder"]).patch(
        f"{V1}/providers/{world.mine_provider.pk}/", {"name": "Z. Anders"}, format="json"
    )
    copy_id = response.json()["id"]
    assert _provider_changes(holder_pk=world.mine.pk, object_pk=str(copy_id)).exists()
    assert not _provider_changes(holder_pk=world.theirs.pk).exists()


def test_any_field_of_a_shared_provider_is_copied_not_changed(world):
    """A date of birth decides the minimum-wage checks of every holder's hours."""
    _share_with_theirs(world)
    original = world.mine_provider
    copy = services.provider_update(
        actor=world.users["representative"],
        provider_id=original.pk,
        date_of_birth=original.date_of_birth - timedelta(days=365),
    )
    assert copy.pk != original.pk
    original.refresh_from_db()
    assert copy.date_of_birth != original.date_of_birth
    assert copy.iban == original.iban  # the rest is carried over


def test_a_change_without_a_difference_makes_no_copy(world):
    _share_with_theirs(world)
    original = world.mine_provider
    same = services.provider_update(
        actor=world.users["holder"], provider_id=original.pk, name=original.name
    )
    assert same.pk == original.pk
    assert Provider.objects.count() == 2


def test_whoever_acts_for_every_linked_holder_changes_it_in_place_and_all_see_it(world):
    _share_with_theirs(world)
    bureau = world.users["bureau"]
    MandateFactory(
        user=bureau,
        holder=world.theirs,
        role=MandateRole.BUREAU,
        valid_from=TODAY - timedelta(days=30),
    )
    original = world.mine_provider

    response = token_client(bureau).patch(
        f"{V1}/providers/{original.pk}/", {"iban": NEW_IBAN}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["id"] == original.pk
    original.refresh_from_db()
    assert original.iban == NEW_IBAN
    for holder in (world.mine, world.theirs):
        row = _provider_changes(holder_pk=holder.pk, object_pk=str(original.pk)).get()
        assert (row.username, row.role) == ("bureau", "bureau")


def test_the_other_holder_sees_a_change_made_in_place_on_their_log(world):
    _, other_holder = _share_with_theirs(world)
    staff = world.users["staff"]
    with set_actor(staff):  # as a request or a task names the user
        services.provider_update(actor=staff, provider_id=world.mine_provider.pk, iban=NEW_IBAN)
    world.mine_provider.refresh_from_db()
    assert world.mine_provider.iban == NEW_IBAN  # staff change it for everyone
    rows = token_client(other_holder).get(f"{V1}/budget-holders/{world.theirs.pk}/access-log/")
    assert rows.status_code == 200
    assert {
        (row["username"], row["action"], row["what"], row["object_pk"])
        for row in rows.json()["results"]
        if row["what"] == "contracts.Provider"
    } == {("staff", "update", "contracts.Provider", str(world.mine_provider.pk))}
    page = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), other_holder).get(
        reverse("access_log:holder", args=[world.theirs.pk])
    )
    assert page.status_code == 200
    assert "staff" in page.content.decode()


def test_staff_change_it_in_the_admin_for_every_holder_and_each_log_has_it(
    admin_client, world, admin_user
):
    _share_with_theirs(world)
    url = f"/admin/contracts/provider/{world.mine_provider.pk}/change/"
    page = admin_client.get(url)
    assert world.theirs.display_name in page.content.decode()  # whom a change reaches
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(iban=NEW_IBAN, date_of_birth=world.mine_provider.date_of_birth.isoformat())
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.mine_provider.refresh_from_db()
    assert world.mine_provider.iban == NEW_IBAN
    changed = _provider_changes(object_pk=str(world.mine_provider.pk))
    assert sorted(changed.values_list("holder_pk", "username", "role")) == sorted(
        [
            (world.mine.pk, admin_user.username, "staff"),
            (world.theirs.pk, admin_user.username, "staff"),
        ]
    )


def test_a_read_only_family_member_may_still_not_change_it(world):
    _share_with_theirs(world)
    response = token_client(world.users["family"]).patch(
        f"{V1}/providers/{world.mine_provider.pk}/", {"name": "Z. Anders"}, format="json"
    )
    assert response.status_code == 403
    assert Provider.objects.count() == 2


def test_a_provider_of_another_holder_cannot_be_linked(world):
    response = token_client(world.users["holder"]).post(
        f"{V1}/providers/{world.theirs_provider.pk}/link/",
        {"holder": world.mine.pk, "relation": "none"},
        format="json",
    )
    assert response.status_code == 404
    assert not HolderProvider.objects.filter(
        holder=world.mine, provider=world.theirs_provider
    ).exists()


# --- finding 9: an auditor sees their funder's grants only --------------------------------------


def _care_office_only(world):
    """A holder whose only grant is the care office's, with The Hague in their list of
    funders (which the holder's people fill in), and a provider under that grant."""
    holder = BudgetHolderFactory(surname="Zorgkantoor")
    budget = BudgetFactory(holder=holder, funder=world.care_office, scheme=Scheme.WLZ)
    holder.funders.add(world.the_hague)
    provider = ProviderFactory()
    HolderProviderFactory(holder=holder, provider=provider)
    _agreement(holder, provider, budget)
    return holder, provider


def test_an_auditor_does_not_see_a_holder_without_a_grant_of_their_funder(world):
    holder, provider = _care_office_only(world)
    auditor = world.users["auditor_same"]
    client = token_client(auditor)
    assert client.get(f"{V1}/budget-holders/{holder.pk}/").status_code == 404
    assert client.get(f"{V1}/providers/{provider.pk}/").status_code == 404
    listed = client.get(f"{V1}/budget-holders/").json()["results"]
    assert [row["id"] for row in listed] == [world.mine.pk]
    assert not BudgetHolder.objects.visible_to(auditor).filter(pk=holder.pk).exists()
    assert not HolderProvider.objects.visible_to(auditor).filter(holder=holder).exists()
    page = verified_login(Client(), auditor).get(reverse("budgets:dashboard", args=[holder.pk]))
    assert page.status_code == 404


def test_an_auditor_sees_only_the_providers_of_their_funders_grants(world):
    """``mine`` has a provider that works only under the care office's grant."""
    wlz_only = ProviderFactory()
    HolderProviderFactory(holder=world.mine, provider=wlz_only)
    _agreement(world.mine, wlz_only, world.mine_wlz_budget)
    client = token_client(world.users["auditor_same"])
    assert client.get(f"{V1}/providers/{wlz_only.pk}/").status_code == 404
    listed = client.get(f"{V1}/providers/", {"holder": world.mine.pk}).json()["results"]
    assert [row["id"] for row in listed] == [world.mine_provider.pk]
    # those who act for the holder see both
    mine = token_client(world.users["holder"]).get(f"{V1}/providers/", {"holder": world.mine.pk})
    assert {row["id"] for row in mine.json()["results"]} == {world.mine_provider.pk, wlz_only.pk}


def test_an_auditor_sees_only_their_own_funder_in_the_holders_funders(world):
    path = f"{V1}/budget-holders/{world.mine.pk}/"
    audited = token_client(world.users["auditor_same"]).get(path).json()
    assert audited["funders"] == ["GM0518"]
    listed = token_client(world.users["auditor_same"]).get(f"{V1}/budget-holders/").json()
    assert [row["funders"] for row in listed["results"]] == [["GM0518"]]
    for persona in ("holder", "family", "staff"):
        shown = token_client(world.users[persona]).get(path).json()
        assert sorted(shown["funders"]) == ["GM0518", "ZK-HAAGLANDEN"], persona


def test_an_auditor_does_not_see_a_providers_work_outside_their_funders_grants(world):
    """``mine_provider`` is also registered with a second Hague holder, without an agreement
    on a grant of The Hague: the auditor sees that holder, and the provider (through
    ``mine``), but not that the provider works for that holder."""
    second = BudgetHolderFactory(surname="Tweede")
    BudgetFactory(holder=second, funder=world.the_hague, scheme=Scheme.WMO)
    HolderProviderFactory(holder=second, provider=world.mine_provider)
    auditor = world.users["auditor_same"]
    client = token_client(auditor)
    assert client.get(f"{V1}/budget-holders/{second.pk}/").status_code == 200
    assert client.get(f"{V1}/providers/", {"holder": second.pk}).json()["results"] == []
    shown = client.get(f"{V1}/providers/{world.mine_provider.pk}/").json()
    assert [link["holder"] for link in shown["holders"]] == [world.mine.pk]
    page = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), auditor).get(
        reverse("contracts:providers", args=[second.pk])
    )
    assert page.status_code == 200
    assert world.mine_provider.name not in page.content.decode()


def test_an_auditor_cannot_find_out_another_funder_by_filtering(world):
    path = f"{V1}/budget-holders/"
    audited = token_client(world.users["auditor_same"])
    assert audited.get(path, {"funder": "ZK-HAAGLANDEN"}).json()["results"] == []
    assert [row["id"] for row in audited.get(path, {"funder": "GM0518"}).json()["results"]] == [
        world.mine.pk
    ]
    holder = token_client(world.users["holder"])
    found = holder.get(path, {"funder": "ZK-HAAGLANDEN"}).json()["results"]
    assert [row["id"] for row in found] == [world.mine.pk]


def test_an_auditor_sees_a_declaration_only_when_it_is_paid_from_their_funders_grant(world):
    """One agreement used two funders' grants (The Hague's Wmo, then the care office's Wlz):
    each declaration is paid from one of them, and only that funder's auditor sees it."""
    from declarations.models import Declaration, Finding

    agreement = world.mine_wmo_agreement
    month = TODAY.replace(day=1)
    on_wmo = Declaration.objects.create(
        agreement=agreement, month=month, budget=world.mine_wmo_budget
    )
    on_wlz = Declaration.objects.create(
        agreement=agreement,
        month=(month - timedelta(days=1)).replace(day=1),
        budget=world.mine_wlz_budget,
    )
    without_grant = Declaration.objects.create(
        agreement=agreement, month=(month - timedelta(days=40)).replace(day=1)
    )
    for declaration in (on_wmo, on_wlz):
        Finding.objects.create(
            declaration=declaration, rule_code="budget.exceeded", severity="error", params={}
        )
    auditor = world.users["auditor_same"]

    seen = set(Declaration.objects.visible_to(auditor).values_list("pk", flat=True))
    assert seen == {on_wmo.pk, without_grant.pk}
    findings = Finding.objects.visible_to(auditor).values_list("declaration_id", flat=True)
    assert set(findings) == {on_wmo.pk}
    client = token_client(auditor)
    assert client.get(f"{V1}/declarations/{on_wlz.pk}/").status_code == 404
    assert client.get(f"{V1}/declarations/{on_wmo.pk}/").status_code == 200
    # those who act for the holder see all three
    holder = world.users["holder"]
    assert Declaration.objects.visible_to(holder).filter(agreement=agreement).count() == 3
