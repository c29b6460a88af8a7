"""Issue 14, finding 8: the access log records every read of holder data by someone who does
not act for the holder, providers and searches included, with the real outcome.

(a) Reads of providers (a provider has no single holder) are logged once per holder the
reader sees the provider with. (b) A page refused after it looked up its holder (a 404 for an
object on it, the holder's log for someone who may not read it, a 403 for a write) was logged
as done; it is logged refused now, and so is a holder asked for by someone out of scope.
"""

from django.test import Client
from django.urls import reverse

import pytest

from pgb_admin.audit.models import AccessEvent, Outcome

from ..api.conftest import token_client
from ..conftest import _agreement
from ..factories import HolderProviderFactory
from ..two_factor import verified_login

V1 = "/api/v1"


@pytest.fixture
def rows():
    """``rows()``: the access-log rows written since the fixture was made, oldest first."""
    start = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def _rows(**where):
        return list(AccessEvent.objects.filter(pk__gt=start, **where).order_by("pk"))

    return _rows


def _web(world, persona) -> Client:
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), world.users[persona])


# --- (a) providers --------------------------------------------------------------------------


def test_an_auditor_reading_a_provider_is_logged_against_the_holder(world, rows):
    client = token_client(world.users["auditor_same"])
    provider = world.mine_provider
    assert client.get(f"{V1}/providers/{provider.pk}/").status_code == 200
    assert client.get(f"{V1}/providers/", {"holder": world.mine.pk}).status_code == 200
    assert client.get(f"{V1}/providers/").status_code == 200
    logged = [
        (r.username, r.role, r.purpose, r.action, r.what, r.holder_pk, r.object_pk, r.count)
        for r in rows()
    ]
    mine = world.mine.pk
    assert logged == [
        (
            "auditor_same",
            "auditor",
            "audit",
            "read",
            "contracts.Provider",
            mine,
            str(provider.pk),
            1,
        ),
        ("auditor_same", "auditor", "audit", "search", "contracts.Provider", mine, "", 1),
        ("auditor_same", "auditor", "audit", "list", "contracts.Provider", mine, "", 1),
    ]
    assert {r.outcome for r in rows()} == {Outcome.OK}


def test_a_shared_provider_is_logged_for_each_holder_in_the_readers_view(world, rows):
    """``mine_provider`` also works for ``theirs`` (Assen): The Hague's auditor sees it only
    with ``mine``; staff see it with both."""
    HolderProviderFactory(holder=world.theirs, provider=world.mine_provider)
    _agreement(world.theirs, world.mine_provider, world.theirs_budget)
    path = f"{V1}/providers/{world.mine_provider.pk}/"
    token_client(world.users["auditor_same"]).get(path)
    assert [r.holder_pk for r in rows(username="auditor_same")] == [world.mine.pk]
    token_client(world.users["auditor_other"]).get(path)
    assert [r.holder_pk for r in rows(username="auditor_other")] == [world.theirs.pk]
    token_client(world.users["staff"]).get(path)
    assert sorted(r.holder_pk for r in rows(username="staff")) == sorted(
        [world.mine.pk, world.theirs.pk]
    )


def test_the_holders_own_people_reading_providers_are_not_logged(world, rows):
    for persona in ("holder", "representative"):
        client = token_client(world.users[persona])
        assert client.get(f"{V1}/providers/{world.mine_provider.pk}/").status_code == 200
        assert client.get(f"{V1}/providers/").status_code == 200
    assert rows() == []


def test_a_bureau_and_family_reading_providers_are_logged(world, rows):
    for persona in ("bureau", "family"):
        token_client(world.users[persona]).get(f"{V1}/providers/{world.mine_provider.pk}/")
    assert [(r.username, r.action, r.holder_pk) for r in rows()] == [
        ("bureau", "read", world.mine.pk),
        ("family", "read", world.mine.pk),
    ]


# --- (b) refused reads ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["family", "auditor_same"])
def test_the_holders_log_refused_to_who_may_see_the_holder_is_logged_refused(world, rows, persona):
    page = _web(world, persona).get(reverse("access_log:holder", args=[world.mine.pk]))
    assert page.status_code == 404
    api = token_client(world.users[persona]).get(f"{V1}/budget-holders/{world.mine.pk}/access-log/")
    assert api.status_code == 404
    logged = [(r.action, r.what, r.holder_pk, r.outcome) for r in rows(username=persona)]
    assert logged == [
        ("read", "page:access_log", world.mine.pk, Outcome.REFUSED),
        ("read", "audit.AccessEvent", world.mine.pk, Outcome.REFUSED),
    ]


def test_a_page_whose_object_is_out_of_scope_is_logged_refused(world, rows):
    url = reverse("contracts:agreements", args=[world.mine.pk])
    response = _web(world, "bureau").get(url, {"provider": world.theirs_provider.pk})
    assert response.status_code == 404
    assert [(r.what, r.outcome) for r in rows()] == [("page:agreements", Outcome.REFUSED)]


def test_a_write_refused_to_a_read_only_family_member_is_not_logged_as_done(world, rows):
    url = reverse("contracts:provider_new", args=[world.mine.pk])
    response = _web(world, "family").post(url, {"name": "Z. Nieuw"})
    assert response.status_code == 403
    assert [(r.what, r.outcome) for r in rows()] == [("page:provider_new", Outcome.REFUSED)]


def test_a_page_shown_is_logged_done(world, rows):
    assert (
        _web(world, "family").get(reverse("budgets:dashboard", args=[world.mine.pk])).status_code
        == 200
    )
    assert {(r.what, r.outcome) for r in rows()} >= {("page:dashboard", Outcome.OK)}
    assert Outcome.REFUSED not in {r.outcome for r in rows()}


@pytest.mark.parametrize(
    ("persona", "role"),
    [("auditor_other", "auditor"), ("expired", "other"), ("stranger", "other")],
)
def test_a_holder_out_of_scope_is_logged_refused_on_pages_and_in_the_api(
    world, rows, persona, role
):
    holder = world.mine.pk
    assert _web(world, persona).get(reverse("budgets:dashboard", args=[holder])).status_code == 404
    client = token_client(world.users[persona])
    assert client.get(f"{V1}/budget-holders/{holder}/").status_code == 404
    assert client.get(f"{V1}/reports/holders/{holder}/exhaustion/").status_code == 404
    logged = [(r.role, r.action, r.what, r.holder_pk, r.outcome) for r in rows()]
    assert logged == [
        (role, "read", "page:dashboard", holder, Outcome.REFUSED),
        (role, "read", "budgets.BudgetHolder", holder, Outcome.REFUSED),
        (role, "read", "report:exhaustion", holder, Outcome.REFUSED),
    ]


def test_no_row_where_no_holder_is_named_or_the_holder_does_not_exist(world, rows):
    client = token_client(world.users["auditor_other"])
    assert client.get(f"{V1}/agreements/{world.mine_wmo_agreement.pk}/").status_code == 404
    assert client.get(f"{V1}/providers/{world.mine_provider.pk}/").status_code == 404
    assert client.get(f"{V1}/budget-holders/999999/").status_code == 404
    page = _web(world, "auditor_other").get(reverse("budgets:dashboard", args=[999999]))
    assert page.status_code == 404
    assert rows() == []


def test_a_holder_sees_refused_attempts_on_their_log(world, rows):
    _web(world, "stranger").get(reverse("budgets:dashboard", args=[world.mine.pk]))
    page = _web(world, "holder").get(reverse("access_log:holder", args=[world.mine.pk]))
    assert page.status_code == 200
    assert "stranger" in page.content.decode()
    assert "(refused)" in page.content.decode()
