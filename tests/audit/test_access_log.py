"""The access log (NEN 7513): who read, exported, imported or changed which holder's data,
when, from where, in which role and for what purpose; append-only; holders see who looked and
log managers search it."""

from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.urls import reverse
from django.utils.html import escape

import pytest
from auditlog.context import set_actor

from declarations.services import hours as hour_services
from pgb_admin.audit.admin import AccessEventAdmin
from pgb_admin.audit.models import AccessEvent, AppendOnlyError

from ..api.conftest import AUGUST, api_world, shared_api_world, token_client  # noqa: F401
from ..web.conftest import login  # noqa: F401

V1 = "/api/v1"


def _new_rows(before: int) -> list[AccessEvent]:
    return list(AccessEvent.objects.order_by("pk")[before:])


def _log_manager(api_world):  # noqa: F811
    user = api_world.users["stranger"]
    user.user_permissions.add(Permission.objects.get(codename="view_accessevent"))
    return user


# --- what is written ---------------------------------------------------------------------------


def test_an_auditor_listing_agreements_writes_one_row_per_holder_with_the_count(api_world):  # noqa: F811
    before = AccessEvent.objects.count()
    response = token_client(api_world.users["auditor_same"]).get(f"{V1}/agreements/")
    assert response.status_code == 200
    shown = response.json()["count"]
    rows = _new_rows(before)
    assert [(r.username, r.role, r.purpose, r.action, r.what) for r in rows] == [
        ("auditor_same", "auditor", "audit", "list", "contracts.CareAgreement")
    ]
    assert rows[0].holder_pk == api_world.mine.pk
    assert rows[0].count == shown
    assert rows[0].request_id
    assert rows[0].remote_addr == "127.0.0.1"


def test_a_filtered_list_is_a_search_and_a_detail_is_a_read(api_world):  # noqa: F811
    client = token_client(api_world.users["bureau"])
    before = AccessEvent.objects.count()
    client.get(f"{V1}/declarations/", {"holder": api_world.mine.pk})
    client.get(f"{V1}/declarations/{api_world.draft.pk}/")
    rows = _new_rows(before)
    assert [(r.role, r.purpose, r.action, r.what) for r in rows] == [
        ("bureau", "on_mandate", "search", "declarations.Declaration"),
        ("bureau", "on_mandate", "read", "declarations.Declaration"),
    ]
    assert rows[1].object_pk == str(api_world.draft.pk)
    assert {r.holder_pk for r in rows} == {api_world.mine.pk}


def test_the_holder_and_a_representative_reading_their_own_data_are_not_logged(api_world):  # noqa: F811
    before = AccessEvent.objects.count()
    for persona in ("holder", "representative"):
        client = token_client(api_world.users[persona])
        assert client.get(f"{V1}/declarations/").status_code == 200
        assert client.get(f"{V1}/budget-holders/{api_world.mine.pk}/").status_code == 200
    assert AccessEvent.objects.count() == before


def test_every_change_writes_a_row_in_its_own_transaction(api_world):  # noqa: F811
    holder = api_world.users["holder"]
    before = AccessEvent.objects.count()
    response = token_client(holder).patch(
        f"{V1}/time-entries/{api_world.entry.pk}/", {"note": "changed"}, format="json"
    )
    assert response.status_code == 200, response.content
    rows = [r for r in _new_rows(before) if r.what == "declarations.TimeEntry"]
    assert [(r.username, r.role, r.action, r.holder_pk, r.object_pk) for r in rows] == [
        ("holder", "holder", "update", api_world.mine.pk, str(api_world.entry.pk))
    ]
    assert rows[0].request_id == response["X-Request-ID"]


def test_a_change_that_is_rolled_back_leaves_no_row(api_world):  # noqa: F811
    before = AccessEvent.objects.count()

    def change_then_fail():
        with transaction.atomic():
            hour_services.time_entry_update(
                actor=api_world.users["holder"], entry_id=api_world.entry.pk, note="undone"
            )
            assert AccessEvent.objects.count() > before
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert AccessEvent.objects.count() == before


def test_changes_in_bulk_write_one_row_per_holder_with_how_many(api_world):  # noqa: F811
    bureau = api_world.users["bureau"]
    before = AccessEvent.objects.count()
    with set_actor(bureau):  # as a request or a task names the user
        hour_services.time_entries_fill_month(
            actor=bureau,
            agreement_id=api_world.mine_wmo_agreement.pk,
            month=AUGUST,
            pattern={1: "2"},
            replace=True,
        )
    rows = [r for r in _new_rows(before) if r.what == "declarations.TimeEntry"]
    assert {(r.role, r.action) for r in rows} >= {("bureau", "create")}
    created = next(r for r in rows if r.action == "create")
    assert created.holder_pk == api_world.mine.pk
    assert created.count >= 4  # the Tuesdays of August


def test_a_request_id_sent_by_a_proxy_is_kept_and_a_bad_one_replaced(api_world):  # noqa: F811
    client = token_client(api_world.users["auditor_same"])
    kept = client.get(f"{V1}/agreements/", HTTP_X_REQUEST_ID="proxy-1234abcd")
    assert kept["X-Request-ID"] == "proxy-1234abcd"
    assert AccessEvent.objects.filter(request_id="proxy-1234abcd").exists()
    replaced = client.get(f"{V1}/agreements/", HTTP_X_REQUEST_ID="<script>")
    assert replaced["X-Request-ID"] != "<script>"
    assert len(replaced["X-Request-ID"]) == 32


# --- nobody changes or deletes a row -----------------------------------------------------------


@pytest.fixture
def event(api_world):  # noqa: F811
    token_client(api_world.users["auditor_same"]).get(f"{V1}/agreements/")
    return AccessEvent.objects.latest("pk")


def test_rows_cannot_be_changed_or_deleted_through_the_application(event):
    event.username = "someone else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(username="x")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.get(pk=event.pk).username == "auditor_same"


def test_the_admin_is_read_only(rf, event):
    admin = AccessEventAdmin(AccessEvent, None)
    request = rf.get("/")
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, event)
    assert not admin.has_delete_permission(request, event)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_accessevent SET username = 'x' WHERE id = %s",
        "DELETE FROM audit_accessevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_to_change_or_delete_a_row(event, sql):
    from django.db import DatabaseError

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AccessEvent.objects.filter(pk=event.pk, username="auditor_same").exists()


# --- holders see who looked ----------------------------------------------------------------------


def test_a_holder_sees_who_looked_at_their_data_on_a_page_and_through_the_api(
    api_world,  # noqa: F811
    login,  # noqa: F811
):
    token_client(api_world.users["auditor_same"]).get(f"{V1}/agreements/")
    html = login("holder", "en").get(reverse("access_log:holder", args=[api_world.mine.pk]))
    assert html.status_code == 200
    page = html.content.decode()
    # an auditor by the municipality they audit for, not by user name
    assert escape(f"Auditor of Municipality of {api_world.the_hague.name}") in page
    assert "auditor_same" not in page
    assert "municipal audit of pgb spending" in page
    rows = token_client(api_world.users["holder"]).get(
        f"{V1}/budget-holders/{api_world.mine.pk}/access-log/"
    )
    assert rows.status_code == 200
    first = next(row for row in rows.json()["results"] if row["username"] == "auditor_same")
    assert (first["role"], first["action"]) == ("auditor", "list")
    assert "remote_addr" not in first  # where another person worked from is the log manager's


@pytest.mark.parametrize("persona", ["family", "auditor_same", "auditor_other", "stranger"])
def test_only_those_who_act_for_the_holder_read_the_holders_log(api_world, login, persona):  # noqa: F811
    url = reverse("access_log:holder", args=[api_world.mine.pk])
    assert login(persona).get(url).status_code == 404
    api = f"{V1}/budget-holders/{api_world.mine.pk}/access-log/"
    assert token_client(api_world.users[persona]).get(api).status_code == 404


# --- log managers search -----------------------------------------------------------------------


def test_a_log_manager_searches_and_the_search_is_logged(api_world, login):  # noqa: F811
    token_client(api_world.users["auditor_same"]).get(f"{V1}/agreements/")
    manager = _log_manager(api_world)
    client = token_client(manager)
    found = client.get(f"{V1}/access-log/", {"username": "auditor_same", "action": "list"})
    assert found.status_code == 200
    results = found.json()["results"]
    assert results
    assert {(r["username"], r["action"]) for r in results} == {("auditor_same", "list")}
    assert results[0]["remote_addr"] == "127.0.0.1"
    search = AccessEvent.objects.latest("pk")
    assert (search.username, search.action, search.what) == (
        "stranger",
        "search",
        "audit.AccessEvent",
    )
    page = login("stranger").get(reverse("access_log:search"), {"username": "auditor_same"})
    assert page.status_code == 200
    assert "auditor_same" in page.content.decode()


def test_a_bad_search_is_a_400_with_field_errors(api_world):  # noqa: F811
    client = token_client(_log_manager(api_world))
    response = client.get(f"{V1}/access-log/", {"since": "yesterday", "action": "peek"})
    assert response.status_code == 400
    fields = {param["name"] for param in response.json()["invalid_params"]}
    assert fields == {"since", "action"}


@pytest.mark.parametrize("persona", ["holder", "auditor_same", "staff"])
def test_others_may_not_search_the_log(api_world, login, persona):  # noqa: F811
    assert login(persona).get(reverse("access_log:search")).status_code == 403
    assert token_client(api_world.users[persona]).get(f"{V1}/access-log/").status_code == 403


def test_an_import_by_a_bureau_writes_one_row_per_holder_with_the_rows(api_world):  # noqa: F811
    from declarations.imports.hours import hours_import

    agreement = api_world.mine_wmo_agreement
    csv = f"agreement,date,hours\n{agreement.pk},2026-08-04,3\n{agreement.pk},2026-08-11,3\n"
    before = AccessEvent.objects.count()
    hours_import(actor=api_world.users["bureau"], filename="uren.csv", content=csv.encode())
    imports = [r for r in _new_rows(before) if r.action == "import"]
    assert [(r.role, r.what, r.holder_pk, r.count) for r in imports] == [
        ("bureau", "import:hours", api_world.mine.pk, 2)
    ]


def test_a_bureau_downloading_an_svb_batch_is_logged_the_holder_is_not(api_world):  # noqa: F811
    batch = api_world.batch
    before = AccessEvent.objects.count()
    for persona in ("holder", "bureau"):
        response = token_client(api_world.users[persona]).get(f"{V1}/batches/{batch.pk}/csv/")
        assert response.status_code == 200
    rows = _new_rows(before)
    assert [(r.username, r.action, r.what, r.object_pk, r.holder_pk) for r in rows] == [
        ("bureau", "export", "file:svb_batch_csv", str(batch.pk), api_world.mine.pk)
    ]
