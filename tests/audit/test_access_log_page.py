"""The access log's pages: paged (50 a page), filtered by period and kind of reader (and, for
the log manager, by a holder's name), auditors shown by the municipality they audit for, a
short card per entry on a phone, and queries that do not grow with the entries."""

import re
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pgb_admin.audit.models import AccessEvent, Action, Purpose, Role

from ..api.conftest import api_world, shared_api_world  # noqa: F401
from ..two_factor import verified_login
from ..web.conftest import login  # noqa: F401


def _events(world, count: int, *, role=Role.AUDITOR, days_ago: int = 0, what="page:dashboard"):
    user = world.users["auditor_same" if role == Role.AUDITOR else "bureau"]
    at = timezone.now() - timedelta(days=days_ago)
    AccessEvent.objects.bulk_create(
        AccessEvent(
            at=at - timedelta(seconds=number),
            user_pk=user.pk,
            username=user.username,
            role=role,
            holder_pk=world.mine.pk,
            purpose=Purpose.AUDIT if role == Role.AUDITOR else Purpose.ON_MANDATE,
            action=Action.READ,
            what=what,
        )
        for number in range(count)
    )


def _log_url(world, **query) -> str:
    url = reverse("access_log:holder", args=[world.mine.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.count("<tr>")


def test_fifty_entries_a_page_with_pages_to_go_to(api_world, login):  # noqa: F811
    before = AccessEvent.objects.for_holder(api_world.mine.pk).count()
    _events(api_world, 120)
    holder = login("holder")
    first = holder.get(_log_url(api_world)).content.decode()
    assert _rows(first) == 50
    assert "utrecht-pagination" in first
    total = before + 120
    last_page = (total + 49) // 50
    last = holder.get(_log_url(api_world, page=last_page)).content.decode()
    assert _rows(last) == total - 50 * (last_page - 1)


def test_an_auditor_is_shown_by_the_municipality_not_the_user_name(api_world, login):  # noqa: F811
    _events(api_world, 3)
    html = login("holder").get(_log_url(api_world)).content.decode()
    assert escape(f"Controleur van Gemeente {api_world.the_hague.name}") in html
    assert "auditor_same" not in html


def test_filtered_by_kind_of_reader_and_period(api_world, login):  # noqa: F811
    _events(api_world, 4, role=Role.AUDITOR, days_ago=40)
    _events(api_world, 3, role=Role.BUREAU, days_ago=2)
    holder = login("holder")
    auditors = holder.get(_log_url(api_world, role="auditor")).content.decode()
    assert "Controleur van Gemeente" in auditors
    assert "(pgb-bureau)" not in auditors
    today = timezone.localdate()
    recent = holder.get(
        _log_url(api_world, since=today - timedelta(days=7), until=today)
    ).content.decode()
    assert "Controleur van Gemeente" not in recent
    assert _rows(recent) >= 3
    assert "Alles tonen" in recent  # the way back to everything
    wrong = holder.get(_log_url(api_world, since=today, until=today - timedelta(days=1)))
    assert wrong.status_code == 200
    assert "Het einde ligt vóór het begin." in wrong.content.decode()


def test_a_short_card_per_entry_on_a_phone_not_a_stacked_table(api_world, login):  # noqa: F811
    _events(api_world, 2)
    html = login("holder").get(_log_url(api_world)).content.decode()
    assert 'class="pgb-log"' in html
    assert 'class="stack"' not in html.split("pgb-log", 1)[1]
    assert "css/audit.css" in html
    # a moment in words, not 12/06/2026 12:08 a.m.
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{4}", html)
    assert "a.m." not in html


def test_queries_do_not_grow_with_the_entries(api_world, login, django_assert_max_num_queries):  # noqa: F811
    holder = login("holder")
    _events(api_world, 5)
    _events(api_world, 5, role=Role.BUREAU)
    with django_assert_max_num_queries(60) as few:
        holder.get(_log_url(api_world))
    _events(api_world, 90)
    _events(api_world, 90, role=Role.BUREAU)
    with django_assert_max_num_queries(len(few.captured_queries)):
        holder.get(_log_url(api_world))


def _log_manager(world):
    user = world.users["stranger"]
    user.user_permissions.add(Permission.objects.get(codename="view_accessevent"))
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="nl"), user)


def test_the_log_manager_finds_a_holder_by_name_in_constant_queries(
    api_world,  # noqa: F811
    django_assert_max_num_queries,
):
    _events(api_world, 3)
    manager = _log_manager(api_world)
    url = reverse("access_log:search")
    with django_assert_max_num_queries(60) as few:
        found = manager.get(url, {"holder_name": api_world.mine.surname[:3]}).content.decode()
    assert escape(api_world.mine.display_name) in found
    assert escape(f"Controleur van Gemeente {api_world.the_hague.name}") in found
    assert "auditor_same" in found  # the log manager also sees the user name
    _events(api_world, 150)
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager.get(url, {"holder_name": api_world.mine.surname[:3]})
    nobody = manager.get(url, {"holder_name": "Niemand-zo-genaamd"}).content.decode()
    assert "0 regels gevonden" in nobody
