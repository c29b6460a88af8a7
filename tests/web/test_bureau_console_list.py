"""The bureau console at scale: search (by name or SVB client number, never by BSN), filters,
sorting and pages in GET parameters kept across pages, the deadlines grouped by day, "all holders
shown" following the search, and a constant number of queries at 20 and 200 holders."""

import itertools
from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from declarations.demo.bureau import bureau_holders_create
from declarations.models import Declaration, Finding
from declarations.selectors.bureau import MonthState
from declarations.selectors.bureau_deadlines import DEADLINE_NAMES
from declarations.selectors.bureau_list import PAGE_SIZE, looks_like_bsn
from pgb_admin.audit.models import AccessEvent
from pgb_admin.budgets.models import BudgetHolder
from pgb_admin.core.models import TaskRun

from ..api.conftest import OCTOBER
from ..factories import bsn_from

CONSOLE = reverse("declarations:bureau")
#: BSNs of the holders made here, apart from the factories' (tests/factories.py)
_numbers = itertools.count()


def _bsns():
    while True:
        yield bsn_from(71_234_000 + next(_numbers) * 7)


def _holders(api_world, count: int, month=OCTOBER) -> list[int]:
    """``count`` more holders of the bureau persona, set-based, with hours in ``month``."""
    made = bureau_holders_create(
        user=api_world.users["bureau"],
        count=count,
        bsns=_bsns(),
        funders=[api_world.the_hague],
        months=[month],
        seed=count,
    )
    return made.holder_ids


def _rename(pk: int, first_name: str, surname: str) -> None:
    BudgetHolder.objects.filter(pk=pk).update(first_name=first_name, surname=surname)


def _get(client, **params):
    params.setdefault("month", "2026-10")
    return client.get(CONSOLE, params)


def _names(response) -> list[str]:
    return [row.holder.display_name for row in response.context["rows"]]


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url.replace("&amp;", "&")).query)


def _run(client, action: str, **params):
    data = {"month": "2026-10", "action": action, **params}
    return client.post(reverse("declarations:bureau_run"), data)


# --- search ------------------------------------------------------------------------------------


def test_a_holder_is_found_by_name_in_any_order_without_accents(login, api_world):
    first, second, *_ = _holders(api_world, 5)
    _rename(first, "Özlem", "van der Berg")
    _rename(second, "Bert", "Bergman")
    client = login("bureau")
    assert _names(_get(client, q="ozlem berg")) == ["Özlem van der Berg"]
    assert _names(_get(client, q="BERG")) == ["Özlem van der Berg", "Bert Bergman"]
    assert _names(_get(client, q="nobody")) == []
    assert "No holder matches the search and filters." in (
        _get(login("bureau", "en"), q="nobody").content.decode()
    )


def test_a_holder_is_found_by_svb_client_number(login, api_world):
    holder = BudgetHolder.objects.get(pk=_holders(api_world, 3)[1])
    client = login("bureau")
    assert _names(_get(client, q=holder.svb_client_number)) == [holder.display_name]
    assert holder in [
        r.holder for r in _get(client, q=holder.svb_client_number[:6]).context["rows"]
    ]
    assert _names(_get(client, q="12")) == []  # too few digits to mean anything


@pytest.mark.bsn_sent_in_url
def test_a_bsn_is_never_searched_nor_repeated(login, api_world):
    holder = BudgetHolder.objects.get(pk=_holders(api_world, 3)[0])
    assert looks_like_bsn(holder.bsn)
    assert looks_like_bsn(f"{holder.bsn[:4]}.{holder.bsn[4:6]}.{holder.bsn[6:]}")
    assert looks_like_bsn(holder.bsn[1:]) == (holder.bsn[0] == "0")  # a legacy 8-digit BSN
    client = login("bureau", "en")
    refused = client.get(CONSOLE, {"month": "2026-10", "q": holder.bsn})
    # not searched, and no page at an address that holds it
    assert refused.status_code == 302
    assert refused["Location"] == f"{CONSOLE}?month=2026-10&refused=bsn"
    response = client.get(refused["Location"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "That looks like a BSN" in html
    assert 'aria-invalid="true"' in html
    assert holder.bsn not in html  # not in the field, not in a link
    assert response.context["query"].q == ""
    assert len(response.context["rows"]) == 5  # nothing was searched: every holder


# --- filters, order and pages ------------------------------------------------------------------


def test_sixty_holders_come_in_two_pages_and_the_choices_stay(login, api_world):
    _holders(api_world, 58)  # and the persona's own two: 60
    client = login("bureau", "en")
    first = _get(client)
    html = first.content.decode()
    assert len(first.context["rows"]) == PAGE_SIZE
    assert "1–50 of 60 holders" in html
    assert 'aria-label="Pages"' in html
    second = _get(client, page="2", sort="-name", state="not_drafted")
    assert [r.state for r in second.context["rows"]] == [MonthState.NOT_DRAFTED] * 8
    html = second.content.decode()
    assert "51–58 of 58 holders" in html
    assert "(of 60 in all)" in html
    # the links of the pagination keep the search, filter and order
    previous = second.context["previous_page_url"]
    assert _params(previous) == {"month": ["2026-10"], "state": ["not_drafted"], "sort": ["-name"]}
    assert f'href="{previous.replace("&", "&amp;")}"' in html
    # the month's links keep them too, but start at the first page
    assert _params(second.context["next_month_url"]) == {
        "month": ["2026-11"],
        "state": ["not_drafted"],
        "sort": ["-name"],
    }
    # the run form carries them, so "all shown" means the same holders
    assert '<input type="hidden" name="state" value="not_drafted">' in html
    assert '<input type="hidden" name="sort" value="-name">' in html
    # a page out of range is the last one, nonsense the first
    assert _get(client, page="99").context["listing"].page.number == 2
    assert _get(client, page="x").context["listing"].page.number == 1


def test_sorting_by_name_state_grant_end_and_declared_share(login, api_world):
    ids = _holders(api_world, 4)
    _rename(ids[0], "Aad", "Aalders")
    _rename(ids[1], "Zeno", "Zwart")
    client = login("bureau")
    by_name = _names(_get(client))
    assert by_name[0] == "Aad Aalders"
    assert by_name[-1] == "Zeno Zwart"
    assert _names(_get(client, sort="-name")) == by_name[::-1]
    states = [r.state for r in _get(client, sort="state").context["rows"]]
    order = list(MonthState)
    assert states == sorted(states, key=lambda s: order.index(s))
    assert states == [MonthState.NOT_DRAFTED] * 4 + [MonthState.VALIDATED, MonthState.NO_HOURS]
    # the persona's sibling has no grant in October: last, whichever way round
    for sort in ("ends", "-ends", "declared", "-declared"):
        assert _get(client, sort=sort).context["rows"][-1].holder == api_world.sibling, sort
    shares = [r.declared_share for r in _get(client, sort="-declared").context["rows"]][:-1]
    assert shares == sorted(shares, reverse=True)
    # nonsense sorts by name
    assert _names(_get(client, sort="bsn")) == by_name


def test_the_state_filter_counts_within_the_search(login, api_world):
    ids = _holders(api_world, 3)
    _rename(ids[0], "Kees", "Uniek")
    response = _get(login("bureau"), q="uniek")
    assert response.context["listing"].state_counts == [
        (MonthState.NOT_DRAFTED, MonthState.NOT_DRAFTED.label, 1)
    ]


# --- deadlines ---------------------------------------------------------------------------------


def test_repeated_deadlines_are_one_line_with_the_holders_folded(login, api_world):
    _holders(api_world, 25)
    response = _get(login("bureau", "en"))
    groups = {g.key: g for g in response.context["console"].deadlines}
    ending = groups["ends-2026-12-31"]
    assert ending.count == 27  # the persona's two grants and one each of the 25
    assert ending.holders == 26
    assert len(ending.listed) == DEADLINE_NAMES
    html = response.content.decode()
    assert html.count("grants end on 31 December 2026") == 1
    assert "27 grants end on 31 December 2026" in html
    assert "and 16 other holders" in html
    assert "Show these 26 holders in the list" in html
    # the group's link narrows the list to its holders
    narrowed = _get(login("bureau", "en"), deadline="ends-2026-12-31")
    assert len(narrowed.context["listing"].matching) == 26
    assert api_world.sibling not in [r.holder for r in narrowed.context["listing"].matching]
    assert "Only the holders with a grant that ends on 31 December 2026." in (
        narrowed.content.decode()
    )
    # a group that is gone narrows nothing
    assert len(_get(login("bureau"), deadline="ends-2020-01-01").context["listing"].matching) == 27


# --- all holders shown -------------------------------------------------------------------------


def test_validating_all_holders_shown_follows_the_search(
    login, api_world, django_capture_on_commit_callbacks
):
    ids = _holders(api_world, 6)
    _rename(ids[0], "Mila", "Zoekers")
    _rename(ids[1], "Milan", "Zoekers")
    client = login("bureau")
    with django_capture_on_commit_callbacks(execute=True):
        response = _run(client, "validate_all", q="zoekers", sort="-name")
    run = TaskRun.objects.filter(created_by=api_world.users["bureau"]).latest("created_at")
    run.refresh_from_db()
    assert run.result["declarations"] == 2
    drafted = set(
        Declaration.objects.filter(month=OCTOBER).values_list("agreement__holder_id", flat=True)
    )
    assert set(ids[:2]) <= drafted
    assert not drafted & set(ids[2:])
    # back to the same list, with the task's progress above it
    location = response["Location"]
    assert _params(location) == {
        "month": ["2026-10"],
        "q": ["zoekers"],
        "sort": ["-name"],
        "task": [str(run.pk)],
    }
    page = client.get(location)
    assert _names(page) == ["Milan Zoekers", "Mila Zoekers"]
    assert page.context["progress"]["finished"]


def test_the_progress_in_the_console_polls_with_the_list(login, api_world):
    run = TaskRun.objects.create(
        kind="validate", created_by=api_world.users["bureau"], status="running", total=500, done=100
    )
    client = login("bureau", "en")
    page = client.get(CONSOLE, {"month": "2026-10", "q": "vries", "task": str(run.pk)})
    html = page.content.decode()
    poll = page.context["progress"]["url"]
    assert _params(poll) == {"embedded": ["1"], "month": ["2026-10"], "q": ["vries"]}
    assert f'hx-get="{poll.replace("&", "&amp;")}"' in html
    assert '<progress id="task-progress-bar" max="500" value="100">' in html
    fragment = client.get(poll, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="task-progress"')
    assert "Back to the bureau console" not in fragment
    refresh = f"{CONSOLE}?month=2026-10&amp;q=vries&amp;task={run.pk}#task-progress"
    assert refresh in fragment
    # a task of someone else (or none) is no progress to show
    other = TaskRun.objects.create(kind="validate", created_by=api_world.users["holder"])
    assert client.get(CONSOLE, {"task": str(other.pk)}).context["progress"] is None
    assert client.get(CONSOLE, {"task": "nonsense"}).context["progress"] is None


# --- queries -----------------------------------------------------------------------------------


def _console_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = _get(client, **params)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_console_queries_the_same_at_20_and_200_holders(
    login, api_world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    ids = _holders(api_world, 18)  # 20 in all
    client = login("bureau")
    with django_capture_on_commit_callbacks(execute=True):
        _run(client, "validate", holders=ids[:5])
    Finding.objects.create(
        declaration=Declaration.objects.filter(agreement__holder_id=ids[0]).first(),
        rule_code="test.error",
        severity="error",
    )
    _get(client)  # the session's first page
    twenty = _console_queries(client)
    assert _get(client).context["listing"].total == 20

    more = _holders(api_world, 180)  # 200 in all
    with django_capture_on_commit_callbacks(execute=True):
        _run(client, "validate", holders=more[:50])
    events = AccessEvent.objects.count()
    with django_assert_max_num_queries(twenty):
        response = _get(client)
    assert response.context["listing"].total == 200
    assert len(response.context["rows"]) == PAGE_SIZE
    # the page logs the holders it shows (this page of the list and the deadlines' names)
    logged = AccessEvent.objects.count() - events
    assert PAGE_SIZE <= logged <= PAGE_SIZE + 2 * DEADLINE_NAMES
    for params in (
        {"page": "3", "sort": "state"},
        {"q": "de", "sort": "-declared"},
        {"state": "validated", "deadline": "ends-2026-12-31"},
    ):
        with django_assert_max_num_queries(twenty):
            _get(client, **params)
