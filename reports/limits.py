"""At most ``REPORT_RUNS_PER_USER`` reports in the making for one user at once: municipality
reports queued or running as background tasks, and report files rendered while the request
waits (the XLSX, CSV, PNG and SVG downloads). One user's reports then cannot take every web
process or worker from the others.

Tasks are counted in the database (their runs); renders in a per-user counter in the cache,
which production shares between its processes (``CACHE_URL``). Over the cap the API answers
429 (problem details) with ``Retry-After``, a page the 429 page."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from rest_framework.exceptions import APIException

from pgb_admin.core.models import TaskRun, TaskStatus

REPORT_TASK_KIND = "municipality_report"
#: how long a render stays counted when its process died before it could take it back
RENDER_COUNT_SECONDS = 10 * 60
#: what ``Retry-After`` tells a client that is over the cap
RETRY_AFTER_SECONDS = 10


class TooManyReportRuns(APIException):
    """The user has ``REPORT_RUNS_PER_USER`` reports in the making already (429)."""

    status_code = 429
    default_code = "too_many_report_runs"

    def __init__(self) -> None:
        limit = settings.REPORT_RUNS_PER_USER
        super().__init__(
            ngettext(
                "You have %(count)d report in the making. Try again when it is done.",
                "You have %(count)d reports in the making. Try again when one of them is done.",
                limit,
            )
            % {"count": limit}
        )
        self.wait = RETRY_AFTER_SECONDS  # the problem handler answers it as Retry-After


def _renders_key(user) -> str:
    return f"report-renders:{user.pk}"


def _tasks_in_the_making(user) -> int:
    """The user's report tasks queued or running. A run that made no progress for longer
    than a task may run (``CELERY_TASK_TIME_LIMIT``) lost its worker and no longer counts."""
    since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return TaskRun.objects.filter(
        created_by=user,
        kind=REPORT_TASK_KIND,
        status__in=[TaskStatus.QUEUED, TaskStatus.RUNNING],
        updated_at__gte=since,
    ).count()


def claim_report_task_slot(user) -> None:
    """Before queueing a report task, in the transaction that creates its run: refuse when
    the user has as many reports in the making as allowed. The user's row is locked, so two
    requests at once take turns (on PostgreSQL; SQLite writes one at a time anyway)."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    busy = _tasks_in_the_making(user) + cache.get(_renders_key(user), 0)
    if busy >= settings.REPORT_RUNS_PER_USER:
        raise TooManyReportRuns


@contextmanager
def report_render_slot(user) -> Iterator[None]:
    """Count a report rendered while the request waits, for as long as it takes; raise
    :class:`TooManyReportRuns` when it would be one too many."""
    key = _renders_key(user)
    cache.add(key, 0, RENDER_COUNT_SECONDS)
    try:
        renders = cache.incr(key)
    except ValueError:  # the count expired between the two calls
        cache.add(key, 1, RENDER_COUNT_SECONDS)
        renders = 1
    try:
        limit = settings.REPORT_RUNS_PER_USER
        if renders > limit or renders + _tasks_in_the_making(user) > limit:
            raise TooManyReportRuns
        yield
    finally:
        _release(key)


def _release(key: str) -> None:
    try:
        if cache.decr(key) < 0:  # the count expired and began again meanwhile
            cache.set(key, 0, RENDER_COUNT_SECONDS)
    except ValueError:  # expired: nothing to take back
        pass


def too_many_runs_page(request: HttpRequest, refused: TooManyReportRuns) -> HttpResponse:
    response = render(request, "reports/too_many_runs.html", {"detail": refused.detail}, status=429)
    response["Retry-After"] = str(refused.wait)
    return response


def limit_report_renders(view):
    """For a page view that renders a report file: over the cap, the 429 page."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            with report_render_slot(request.user):
                return view(request, *args, **kwargs)
        except TooManyReportRuns as refused:
            return too_many_runs_page(request, refused)

    return limited
