"""The bureau console: every holder of a bureau with the month's state, the deadlines across
them, validating and exporting many holders at once as a task, and its progress page."""

import re
from datetime import date

from django.urls import reverse

import pytest

from declarations.constants import DeclarationStatus
from declarations.models import Batch, Declaration, Finding, TimeEntry
from declarations.selectors.bureau import MonthState
from declarations.services import hours as hour_services
from declarations.views.bureau import progress_url
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.core.models import TaskRun, TaskStatus

from ..api.conftest import AUGUST, CLEAN_WEEK, OCTOBER, SEPTEMBER
from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    MandateFactory,
    ProviderFactory,
)

PERSONAS_404 = [
    "holder",
    "representative",
    "family",
    "auditor_same",
    "auditor_other",
    "expired",
    "stranger",
    "staff",
]


def _console_url(month=None, **params) -> str:
    query = {"month": f"{month:%Y-%m}"} if month else {}
    query.update(params)
    url = reverse("declarations:bureau")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _states(response) -> dict[int, str]:
    return {row.holder.pk: row.state for row in response.context["rows"]}


def _hours(bureau, holder, month, budget=None):
    """An hourly agreement for ``holder`` with the agreed 8 hours a week logged in ``month``."""
    budget = budget or BudgetFactory(holder=holder)
    provider = ProviderFactory()
    HolderProviderFactory(holder=holder, provider=provider)
    agreement = CareAgreementFactory(holder=holder, provider=provider)
    AgreementVersionFactory(agreement=agreement, budget=budget, product=budget.products.first())
    hour_services.time_entries_fill_month(
        actor=bureau, agreement_id=agreement.pk, month=month, pattern=CLEAN_WEEK
    )
    return agreement


def _more_holders(api_world, count: int, month=OCTOBER) -> list:
    """``count`` more holders of the bureau, each with hours in ``month``."""
    bureau = api_world.users["bureau"]
    holders = []
    for number in range(count):
        holder = BudgetHolderFactory(surname=f"Zorgvrager {number:02d}")
        MandateFactory(user=bureau, holder=holder, role=MandateRole.BUREAU)
        _hours(bureau, holder, month)
        holders.append(holder)
    return holders


def _post_run(client, month, action, holders=(), **extra):
    data = {"month": f"{month:%Y-%m}", "action": action, "holders": [h.pk for h in holders]}
    data.update(extra)
    return client.post(reverse("declarations:bureau_run"), data)


def _latest_run(user) -> TaskRun:
    return TaskRun.objects.filter(created_by=user).order_by("-created_at").first()


def _back_with(run: TaskRun, params: str) -> str:
    """Where a run leads: the console with the same list and the task's progress above it."""
    return f"{reverse('declarations:bureau')}?{params}&task={run.pk}#task-progress"


# --- access ------------------------------------------------------------------------------------


def test_the_console_is_for_bureaus_only(login, api_world):
    assert login("bureau").get(_console_url()).status_code == 200
    for persona in PERSONAS_404:
        assert login(persona).get(_console_url()).status_code == 404, persona


def test_the_console_asks_to_log_in(api_world, client):
    response = client.get(_console_url())
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", PERSONAS_404)
def test_only_a_bureau_can_run_anything(login, api_world, persona):
    before = TaskRun.objects.count()
    response = _post_run(login(persona), OCTOBER, "validate", [api_world.mine])
    assert response.status_code == 404
    assert TaskRun.objects.count() == before


def test_running_is_a_post(login, api_world):
    assert login("bureau").get(reverse("declarations:bureau_run")).status_code == 405


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("bureau", 200),
        ("staff", 200),
        ("holder", 404),
        ("representative", 404),
        ("family", 404),
        ("auditor_same", 404),
        ("auditor_other", 404),
        ("expired", 404),
        ("stranger", 404),
    ],
)
def test_a_task_is_shown_to_who_started_it(login, api_world, persona, status):
    run = TaskRun.objects.create(kind="validate", created_by=api_world.users["bureau"], total=3)
    assert login(persona).get(progress_url(run)).status_code == status


def test_the_task_of_another_user_is_not_found(login, api_world):
    """api_world.task was started by the holder persona (through the API)."""
    assert login("bureau").get(progress_url(api_world.task)).status_code == 404
    response = login("holder").get(progress_url(api_world.task))
    assert response.status_code == 200
    assert reverse("declarations:bureau") not in response.content.decode().split("<main")[1]


def test_an_unknown_task_is_not_found(login, api_world):
    run = TaskRun(created_by=api_world.users["bureau"])  # never saved
    assert login("bureau").get(progress_url(run)).status_code == 404


# --- the month's state per holder --------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "state", "counts"),
    [
        (AUGUST, MonthState.DRAFT, {DeclarationStatus.DRAFT: 1}),
        (SEPTEMBER, MonthState.EXPORTED, {DeclarationStatus.EXPORTED: 1}),
        (OCTOBER, MonthState.VALIDATED, {DeclarationStatus.VALIDATED: 1}),
    ],
)
def test_the_state_of_each_holder_in_a_month(login, api_world, month, state, counts):
    response = login("bureau", "en").get(_console_url(month))
    assert response.status_code == 200
    assert _states(response) == {
        api_world.mine.pk: state,
        api_world.sibling.pk: MonthState.NO_HOURS,
    }
    mine = next(row for row in response.context["rows"] if row.holder == api_world.mine)
    assert dict(mine.statuses) == counts
    assert mine.agreements_with_hours == 1
    html = response.content.decode()
    assert f'data-state="{state}">{MonthState(state).label}<' in html
    assert f'data-state="no_hours">{MonthState.NO_HOURS.label}<' in html


def test_the_holders_are_sorted_by_name_and_link_to_their_pages(login, api_world):
    html = login("bureau").get(_console_url(OCTOBER)).content.decode().split("<table")[1]
    mine = reverse("budgets:dashboard", args=[api_world.mine.pk])
    sibling = reverse("budgets:dashboard", args=[api_world.sibling.pk])
    assert html.index(sibling) < html.index(mine)  # Broer before Mijn
    declarations = reverse("declarations:list", args=[api_world.mine.pk])
    assert f"{declarations}?month=2026-10" in html


def test_the_default_month_is_last_month(login, api_world):
    response = login("bureau").get(_console_url())
    assert response.context["month"] == OCTOBER


def test_hours_without_a_declaration_errors_and_warnings(login, api_world):
    client = login("bureau")
    TimeEntry.objects.create(
        agreement=api_world.mine_wlz_agreement, care_date=date(2026, 10, 6), quantity="3"
    )
    assert _states(client.get(_console_url(OCTOBER)))[api_world.mine.pk] == MonthState.NOT_DRAFTED
    Finding.objects.create(declaration=api_world.draft, rule_code="test.error", severity="error")
    assert _states(client.get(_console_url(AUGUST)))[api_world.mine.pk] == MonthState.ERRORS
    Finding.objects.filter(rule_code="test.error").delete()
    Declaration.objects.filter(pk=api_world.draft.pk).update(status=DeclarationStatus.VALIDATED)
    response = client.get(_console_url(AUGUST))
    assert _states(response)[api_world.mine.pk] == MonthState.WARNINGS  # the late warning


def test_the_table_filters_by_state(login, api_world):
    response = login("bureau").get(_console_url(OCTOBER, state="no_hours"))
    assert _states(response) == {api_world.sibling.pk: MonthState.NO_HOURS}
    response = login("bureau").get(_console_url(OCTOBER, state="nonsense"))
    assert len(response.context["rows"]) == 2


def test_deadlines_across_the_holders(login, api_world):
    response = login("bureau", "en").get(_console_url(OCTOBER))
    groups = {group.key: group for group in response.context["console"].deadlines}
    assert set(groups) == {"late-2026-08", "ends-2026-12-31"}
    ending = groups["ends-2026-12-31"]
    # two grants of one holder end on the same day: one line, both grants named
    assert (ending.kind, ending.count, ending.holders) == ("ends", 2, 1)
    assert [listed.holder for listed in ending.listed] == [api_world.mine]
    assert {g.scheme for g in ending.listed[0].grants} == {"wmo", "wlz"}
    # August is not exported and its deadline (31 August + 6 + 4 weeks) has passed
    late = groups["late-2026-08"]
    assert (late.kind, late.month, late.day, late.count) == ("late", AUGUST, date(2026, 11, 9), 1)
    assert [listed.holder for listed in late.listed] == [api_world.mine]
    html = response.content.decode()
    assert "2 grants end on 31 December 2026" in html
    assert "1 holder has not exported August 2026; the deadline was 9 November 2026" in html
    assert "<details" in html


# --- validating ---------------------------------------------------------------------------------


def test_validating_the_chosen_holders_runs_a_task(
    login, api_world, django_capture_on_commit_callbacks
):
    client = login("bureau", "en")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_run(client, AUGUST, "validate", [api_world.mine])
    run = _latest_run(api_world.users["bureau"])
    assert response.status_code == 302
    assert response["Location"] == _back_with(run, "month=2026-08")
    run.refresh_from_db()
    assert (run.kind, run.status, run.total, run.done) == ("validate", TaskStatus.DONE, 1, 1)
    assert run.result == {"declarations": 1, "validated": 1, "with_errors": 0}

    # the console again, the task's progress above the list
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Bureau console</h1>" in html
    assert 'aria-live="polite"' in html
    assert '<progress id="task-progress-bar" max="1" value="1">' in html
    assert "1 of 1 declarations validated; 0 with errors." in html
    assert "No background worker is configured, so this ran at once" in html  # eager in tests
    assert "hx-trigger" not in html  # finished: no more polling
    assert html.index('id="task-progress"') < html.index('id="id_holders"')
    assert f"{reverse('declarations:bureau')}?month=2026-08" in html
    # the draft with its late warning is validated now and waits for the warning
    assert _states(client.get(_console_url(AUGUST)))[api_world.mine.pk] == MonthState.WARNINGS


def test_validating_drafts_months_that_have_only_hours(
    login, api_world, django_capture_on_commit_callbacks
):
    TimeEntry.objects.create(
        agreement=api_world.mine_wlz_agreement, care_date=date(2026, 10, 6), quantity="3"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _post_run(login("bureau"), OCTOBER, "validate", [api_world.mine])
    run = _latest_run(api_world.users["bureau"])
    run.refresh_from_db()
    assert run.result["declarations"] == 2
    assert Declaration.objects.filter(agreement=api_world.mine_wlz_agreement).count() == 1


def test_no_holder_chosen_is_a_clear_error_and_starts_nothing(login, api_world):
    runs, declarations = TaskRun.objects.count(), Declaration.objects.count()
    response = _post_run(login("bureau", "en"), OCTOBER, "validate")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Choose at least one holder" in html
    assert html.index('role="alert"') < html.index('id="id_holders"')  # on top, not below
    # the page is shown at the run URL: its links still lead to the console
    assert f'href="{reverse("declarations:bureau")}?month=2026-09"' in html
    assert (TaskRun.objects.count(), Declaration.objects.count()) == (runs, declarations)


def test_nothing_to_validate_starts_nothing(login, api_world):
    runs = TaskRun.objects.count()
    response = _post_run(login("bureau", "en"), OCTOBER, "validate", [api_world.sibling])
    assert response.status_code == 200
    assert "nothing to validate" in response.content.decode()
    assert TaskRun.objects.count() == runs


def test_a_holder_of_someone_else_cannot_be_chosen(login, api_world):
    runs = TaskRun.objects.count()
    response = _post_run(login("bureau"), OCTOBER, "validate", [api_world.theirs])
    assert response.status_code == 200
    assert response.context["form"].errors["holders"]
    assert 'href="#id_holders"' in response.content.decode()
    assert TaskRun.objects.count() == runs


def test_a_bureau_of_twenty_holders_validates_them_at_once(
    login, api_world, django_capture_on_commit_callbacks
):
    bureau = api_world.users["bureau"]
    _hours(bureau, api_world.sibling, OCTOBER, budget=BudgetFactory(holder=api_world.sibling))
    holders = [api_world.mine, api_world.sibling, *_more_holders(api_world, 18)]
    client = login("bureau")
    before = _states(client.get(_console_url(OCTOBER)))
    assert len(before) == 20
    assert list(before.values()).count(MonthState.NOT_DRAFTED) == 19

    with django_capture_on_commit_callbacks(execute=True):
        response = _post_run(client, OCTOBER, "validate_all")
    run = _latest_run(bureau)
    assert response["Location"] == _back_with(run, "month=2026-10")
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == (TaskStatus.DONE, 20, 20)
    assert run.result == {"declarations": 20, "validated": 20, "with_errors": 0}
    october = Declaration.objects.filter(month=OCTOBER, agreement__holder__in=holders)
    assert october.count() == 20
    assert set(october.values_list("status", flat=True)) == {DeclarationStatus.VALIDATED}
    after = _states(client.get(_console_url(OCTOBER)))
    assert set(after.values()) == {MonthState.VALIDATED}
    assert "20 van 20" in client.get(response["Location"]).content.decode()


def test_validating_some_of_many_holders_leaves_the_others_alone(
    login, api_world, django_capture_on_commit_callbacks
):
    first, second, third = _more_holders(api_world, 3)
    with django_capture_on_commit_callbacks(execute=True):
        _post_run(login("bureau"), OCTOBER, "validate", [first, second])
    run = _latest_run(api_world.users["bureau"])
    run.refresh_from_db()
    assert run.result["validated"] == 2
    assert not Declaration.objects.filter(agreement__holder=third).exists()


def test_the_all_holders_button_follows_the_state_filter(
    login, api_world, django_capture_on_commit_callbacks
):
    first, second = _more_holders(api_world, 2)
    with django_capture_on_commit_callbacks(execute=True):
        _post_run(login("bureau"), OCTOBER, "validate_all", state="not_drafted")
    run = _latest_run(api_world.users["bureau"])
    run.refresh_from_db()
    assert run.result["declarations"] == 2  # not mine, whose October is validated already
    assert Declaration.objects.filter(agreement__holder__in=[first, second]).count() == 2


# --- exporting ----------------------------------------------------------------------------------


def test_exporting_october_makes_a_batch(login, api_world, django_capture_on_commit_callbacks):
    client = login("bureau", "en")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_run(client, OCTOBER, "export", [api_world.mine, api_world.sibling])
    run = _latest_run(api_world.users["bureau"])
    assert response["Location"] == _back_with(run, "month=2026-10")
    run.refresh_from_db()
    assert (run.kind, run.status) == ("export", TaskStatus.DONE)
    batch = Batch.objects.get(pk=run.result["batch_id"])
    assert (batch.period, batch.holder) == (OCTOBER, api_world.mine)
    assert list(batch.declarations.all()) == [api_world.ready]

    page = client.get(response["Location"])
    html = page.content.decode()
    assert reverse("declarations:download", args=[batch.pk, "xlsx"]) in html
    assert reverse("declarations:download", args=[batch.pk, "csv"]) in html
    assert "1 chosen holder has nothing ready for export" in html  # the sibling
    assert _states(client.get(_console_url(OCTOBER)))[api_world.mine.pk] == MonthState.EXPORTED

    # the same form sent again exports nothing twice and starts nothing
    runs = TaskRun.objects.count()
    again = _post_run(client, OCTOBER, "export", [api_world.mine])
    assert again.status_code == 200
    assert "Nothing of the chosen holders can be exported in 10-2026" in again.content.decode()
    assert TaskRun.objects.count() == runs
    assert Batch.objects.filter(period=OCTOBER).count() == 1


def test_a_double_submit_never_exports_a_declaration_twice(
    login, api_world, django_capture_on_commit_callbacks
):
    """Two submits before the first task ran: the second export finds nothing left."""
    client = login("bureau", "en")
    with django_capture_on_commit_callbacks(execute=True):
        first = _post_run(client, OCTOBER, "export", [api_world.mine])
        second = _post_run(client, OCTOBER, "export", [api_world.mine])
    assert first.status_code == second.status_code == 302
    assert Batch.objects.filter(period=OCTOBER).count() == 1
    assert Declaration.objects.get(pk=api_world.ready.pk).batch is not None
    failed = client.get(second["Location"]).content.decode()
    assert "Nothing in 10-2026 can be exported" in failed


def test_exporting_some_of_many_holders_makes_a_batch_each(
    login, api_world, django_capture_on_commit_callbacks
):
    bureau = api_world.users["bureau"]
    first, second, third = _more_holders(api_world, 3)
    client = login("bureau", "en")
    with django_capture_on_commit_callbacks(execute=True):
        _post_run(client, OCTOBER, "validate_all")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_run(client, OCTOBER, "export", [first, second])
    batches = Batch.objects.filter(period=OCTOBER, created_by=bureau)
    assert {batch.holder for batch in batches} == {first, second}
    html = client.get(response["Location"]).content.decode()
    for batch in batches:
        assert reverse("declarations:download", args=[batch.pk, "xlsx"]) in html
        assert batch.holder.display_name in html
    assert '<progress id="task-progress-bar" max="2" value="2">' in html

    # all holders: what is left of the month goes into one batch
    with django_capture_on_commit_callbacks(execute=True):
        _post_run(client, OCTOBER, "export_all")
    last = Batch.objects.filter(period=OCTOBER).order_by("-pk").first()
    assert last.holder is None
    assert {d.agreement.holder for d in last.declarations.all()} == {api_world.mine, third}


# --- the progress page --------------------------------------------------------------------------


def test_a_running_task_is_polled_and_htmx_gets_the_fragment(login, api_world):
    run = TaskRun.objects.create(
        kind="validate",
        created_by=api_world.users["bureau"],
        status=TaskStatus.RUNNING,
        total=40,
        done=10,
    )
    client = login("bureau", "en")
    fragment = client.get(progress_url(run), HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "HX-Request" in fragment["Vary"]
    assert html.lstrip().startswith('<section id="task-progress"')
    assert "<html" not in html
    assert "<h1" not in html
    assert f'hx-get="{progress_url(run)}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'hx-swap="outerHTML"' in html
    assert '<progress id="task-progress-bar" max="40" value="10">10 of 40 done (25%)' in html
    assert "Running" in html
    # without htmx: the whole page, and a link to refresh it
    page = client.get(progress_url(run)).content.decode()
    assert page.count("<h1") == 1
    assert 'aria-live="polite"' in page
    assert f'<a href="{progress_url(run)}">' in page
    assert "<script>" not in page
    assert "style=" not in page


def test_a_failed_task_says_why(login, api_world):
    run = TaskRun.objects.create(
        kind="export",
        created_by=api_world.users["bureau"],
        status=TaskStatus.FAILED,
        total=1,
        error="Nothing in 11-2026 can be exported.",
    )
    html = login("bureau", "en").get(progress_url(run)).content.decode()
    assert "Failed" in html
    assert "Nothing in 11-2026 can be exported." in html
    assert "hx-trigger" not in html


# --- the page itself ----------------------------------------------------------------------------


def test_the_console_in_english_and_dutch(login, api_world):
    english = login("bureau", "en").get(_console_url(OCTOBER)).content.decode()
    assert '<html lang="en"' in english
    assert "<h1>Bureau console</h1>" in english
    assert "Holders in October 2026" in english
    assert "Deadlines" in english
    assert "1 holder has not exported August 2026" in english
    assert "Validate the selected holders" in english
    dutch = login("bureau").get(_console_url(OCTOBER)).content.decode()
    assert '<html lang="nl"' in dutch
    assert "oktober 2026" in dutch


def test_the_console_is_accessible_markup(login, api_world):
    html = login("bureau", "en").get(_console_url(OCTOBER)).content.decode()
    assert html.count("<h1") == 1
    assert '<table class="utrecht-table stack bureau-table"' in html
    assert '<th scope="col" class="utrecht-table__header-cell">' in html
    assert '<th scope="row" class="utrecht-table__header-cell bureau-table__name">' in html
    for pk in (api_world.mine.pk, api_world.sibling.pk):
        assert f'id="holder-{pk}"' in html
        assert f'<label for="holder-{pk}">' in html
    assert re.search(r'<td class="utrecht-table__cell" data-label="Declarations">', html)
    assert '<th scope="col" class="utrecht-table__header-cell" aria-sort="ascending">' in html
    assert '<label class="utrecht-form-label" for="console-month">' in html
    assert '<label class="utrecht-form-label" for="console-q">' in html
    assert 'name="action" value="validate_all"' in html  # all holders without JavaScript
    assert "<script>" not in html
    assert "style=" not in html


def test_the_console_does_not_query_per_holder(
    login, api_world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = login("bureau")
    with django_assert_max_num_queries(40) as two:
        client.get(_console_url(OCTOBER))
    baseline = len(two.captured_queries)
    holders = _more_holders(api_world, 9) + _more_holders(api_world, 9, month=AUGUST)
    with django_capture_on_commit_callbacks(execute=True):
        _post_run(client, OCTOBER, "validate", holders[:5])
    Finding.objects.create(
        declaration=Declaration.objects.filter(agreement__holder=holders[0]).first(),
        rule_code="test.error",
        severity="error",
    )
    with django_assert_max_num_queries(baseline):
        response = client.get(_console_url(OCTOBER))
    assert len(response.context["rows"]) == 20
    with django_assert_max_num_queries(baseline):
        client.get(_console_url(AUGUST))
