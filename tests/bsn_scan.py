"""The BSN scan: a pytest plugin (registered in tests/conftest.py) that watches the whole run.

Everything the application gives out is scanned for 9-digit numbers (also written 1234.56.782
or 123 456 782) that pass the 11-proef:

- every response of every request (the test client, DRF's client, schemathesis' WSGI calls and
  the browser tests' live server all go through ``BaseHandler.get_response``), with its URL,
  its ``Location`` header and the links in its body;
- every file: responses that are downloads (and every member of a ZIP in them, XLSX included,
  recursively), and the batch and report files the application stores;
- every log record of the application's loggers (at DEBUG) and of every other logger at its
  configured level, and for a server error the error report Django would mail;
- every Celery task payload: the message published (body and headers), the arguments a task
  runs with and the result it returns;
- every e-mail sent.

A number counts as a BSN when it is one the run stored or looked up (every value that went
through :mod:`pgb_admin.core.bsn_crypto`): other numbers can pass the 11-proef by chance
(hashes, agreement numbers, amounts in cents), one in eleven does. Where a BSN may appear:
only in the body of a response on ``FULL_BSN_VIEWS``, to a user who acts for that holder, and
where the URL names a holder only that holder's (asked of the database right away). Anywhere
else — a URL, a file, a log record, a task, an error report, an e-mail, another page — it is a
leak. The run prints one summary line and fails when there is one. A test that sends a BSN in a
URL on purpose (to see that it is not used) carries ``@pytest.mark.bsn_sent_in_url``: its
request URLs are then not counted against the application.

Under pytest-xdist each worker scans its own tests and hands what it saw (counts, the
11-proef numbers found, the BSNs it stored) to the controller, which judges them against all
the run's BSNs, as one process would, prints the summary and fails the run.
"""

import io
import json
import logging
import logging.config
import re
import threading
import time
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from stdnum.nl import bsn as stdnum_bsn

#: (view name, method) whose response body may show a full BSN to who acts for the holder
FULL_BSN_VIEWS = frozenset(
    {
        ("budgets:dashboard", "GET"),
        ("budgets:free_amount_claim", "POST"),  # a refused claim shows the dashboard again
        ("api:budget-holder-detail", "GET"),
        ("api:budget-holder-detail", "PATCH"),
        ("api:budget-holder-list", "POST"),
        ("api:budget-holder-lookup", "POST"),
    }
)
#: loggers scanned at DEBUG (whatever LOG_LEVEL says); other loggers at their own level
APPLICATION_LOGGERS = ("pgb_admin", "declarations", "reports", "contracts")
#: stored files (model label -> the field with the bytes)
STORED_FILES = {"declarations.BatchFile": "content", "reports.ReportFile": "content"}

_NUMBER = re.compile(rb"(?<!\d)(?:\d{9}|\d{4}([ .])\d{2}\1\d{3}|\d{3}([ .])\d{3}\2\d{3})(?!\d)")
_LINK = re.compile(rb"""(?:href|src|action|formaction)\s*=\s*["']([^"']*)["']""", re.I)
_JSON_LINK = re.compile(rb'"((?:https?://|/)[^"\s]*)"')
_FILE_TYPES = (
    "application/zip",
    "application/vnd.openxmlformats",
    "application/octet-stream",
    "text/csv",
    "application/pdf",
    "image/",
)
_MAX_ZIP_DEPTH = 3

#: every BSN the run stored or looked up (shared by all scans)
KNOWN_BSNS: set[str] = set()
#: seconds the scan itself took (its cost to the suite)
_SPENT = [0.0]


@contextmanager
def _timed():
    start = time.perf_counter()
    try:
        yield
    finally:
        _SPENT[0] += time.perf_counter() - start


def candidates(data: bytes | str) -> set[str]:
    """The numbers in ``data`` that pass the 11-proef, written as 9 digits."""
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    found = set()
    for match in _NUMBER.finditer(data):
        number = re.sub(rb"[ .]", b"", match.group()).decode()
        if stdnum_bsn.is_valid(number):
            found.add(number)
    return found


@dataclass
class Finding:
    channel: str
    where: str
    bsn: str
    test: str

    def __str__(self) -> str:
        # the report of a leak must not leak it again (a URL may hold it)
        text = f"{self.channel}: {self.bsn} in {self.where} (test {self.test})"
        b = self.bsn
        for form in (
            b,
            f"{b[:4]}.{b[4:6]}.{b[6:]}",
            f"{b[:4]} {b[4:6]} {b[6:]}",
            f"{b[:3]}.{b[3:6]}.{b[6:]}",
            f"{b[:3]} {b[3:6]} {b[6:]}",
        ):
            text = text.replace(form, "*****" + b[-4:])
        return text


@dataclass
class Scan:
    counts: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)  # 11-proef numbers, not yet judged
    allowed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what is scanned ------------------------------------------------------------------

    def text(self, channel: str, where: str, data) -> None:
        with self.lock:
            self.counts[channel] += 1
        for number in candidates(data):
            self._found(Finding(channel, where, number, _current_test()))

    def response(self, request, response) -> None:
        url = request.get_full_path()
        what = f"{request.method} {url} ({response.status_code})"
        if not _marked("bsn_sent_in_url"):
            self.text("url", f"request {what}", url)
        if response.has_header("Location"):
            self.text("url", f"Location of {what}", response["Location"])
        if getattr(response, "is_async", False):
            return
        if response.streaming:
            response.streaming_content = self._tee(request, response, what)
        else:
            self._body(request, response, what, response.content)

    def _tee(self, request, response, what):
        chunks = []
        for chunk in response.streaming_content:
            chunks.append(chunk if isinstance(chunk, bytes) else str(chunk).encode())
            yield chunk
        with _timed():
            self._body(request, response, what, b"".join(chunks))

    def _body(self, request, response, what: str, body: bytes) -> None:
        if _is_file(response):
            self.file(f"download {what}", body)
            return
        pattern = _JSON_LINK if "json" in response.get("Content-Type", "") else _LINK
        for link in pattern.findall(body):
            self.text("url", f"link in {what}", link)
        with self.lock:
            self.counts["response"] += 1
        found = candidates(body)
        if not found:
            return
        match = getattr(request, "resolver_match", None)
        view = getattr(match, "view_name", None)
        named = getattr(match, "kwargs", {})
        holder_pk = named.get("holder_id", named.get("pk"))
        method = "GET" if request.method == "HEAD" else request.method
        user = request.__dict__.get("user")
        for number in found:
            if (view, method) in FULL_BSN_VIEWS and _acts_for_holder(user, number, holder_pk):
                with self.lock:
                    self.allowed += 1
            else:
                self._found(Finding("response", what, number, _current_test()))

    def file(self, where: str, content: bytes, depth: int = 0) -> None:
        self.text("file", where, content)
        if depth >= _MAX_ZIP_DEPTH or not content.startswith(b"PK\x03\x04"):
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            members = [(info.filename, archive.read(info)) for info in archive.infolist()]
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            return
        for name, member in members:
            self.file(f"{where} > {name}", member, depth + 1)

    def log_record(self, record: logging.LogRecord, formatter: logging.Formatter) -> None:
        where = f"log {record.name} {record.levelname} {record.pathname}:{record.lineno}"
        self.text("log", where, _formatted(record, formatter))
        request = getattr(record, "request", None)
        if record.exc_info and request is not None and hasattr(request, "META"):
            self.text("error report", f"error report of {where}", _error_report(record, request))

    def task(self, where: str, *payload) -> None:
        self.text("task", where, json.dumps(payload, default=repr, sort_keys=True))

    def outbox(self) -> None:
        from django.core import mail

        outbox = getattr(mail, "outbox", None) or []
        for message in outbox:
            parts = [message.subject, message.body, *[str(a) for a in message.attachments]]
            parts += [content for content, _ in getattr(message, "alternatives", [])]
            self.text("e-mail", f"e-mail {message.subject!r}", "\n".join(map(str, parts)))
        del outbox[:]  # each message once

    # --- judging ---------------------------------------------------------------------------

    def _found(self, finding: Finding) -> None:
        with self.lock:
            self.findings.append(finding)

    def leaks(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.bsn in KNOWN_BSNS]

    def ignored(self) -> int:
        """11-proef numbers that are no BSN of this run (ids, hashes, amounts by chance)."""
        return len({f.bsn for f in self.findings if f.bsn not in KNOWN_BSNS})

    def summary(self) -> str:
        c = self.counts
        leaks = self.leaks()
        return (
            f"BSN scan: {c['response']} responses, {c['file']} files, {c['log']} log records, "
            f"{c['task']} task payloads, {c['url']} urls scanned "
            f"(and {c['error report']} error reports, {c['e-mail']} e-mails); "
            f"{len(leaks)} found where not allowed "
            f"({len(KNOWN_BSNS)} BSNs of the run; {self.allowed} shown where allowed; "
            f"{self.ignored()} other 11-proef numbers ignored; the scan took {_SPENT[0]:.1f} s)"
        )


def _is_file(response) -> bool:
    disposition = response.get("Content-Disposition", "")
    content_type = response.get("Content-Type", "")
    return "attachment" in disposition or content_type.startswith(_FILE_TYPES)


def _formatted(record: logging.LogRecord, formatter: logging.Formatter) -> str:
    try:
        text = formatter.format(record)
    except Exception as error:  # a broken record must not hide the others
        text = f"{record.msg!r} {record.args!r} ({error!r})"
    return f"{text} {record.args!r}"


def _error_report(record: logging.LogRecord, request) -> str:
    """What Django's AdminEmailHandler would send for this record (and DEBUG would show)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    reporter_class = import_string(settings.DEFAULT_EXCEPTION_REPORTER)
    reporter = reporter_class(request, *record.exc_info, is_email=True)
    # the text of the e-mail, and the page with each frame's variables (DEBUG, or HTML mail)
    return reporter.get_traceback_text() + reporter.get_traceback_html()


def _acts_for_holder(user, bsn: str, holder_pk) -> bool:
    """The BSN is of the holder the URL names (if it names one), and the user acts for them.
    Asked at once (a test may roll its request back), in a savepoint and not counted by the
    test's query counters."""
    from django.db import DatabaseError, transaction

    from pgb_admin.budgets.models import BudgetHolder

    if user is None or bsn not in KNOWN_BSNS:
        return False
    with _uncounted():
        try:
            with transaction.atomic():
                holders = BudgetHolder.objects.with_bsn(bsn)
                if holder_pk is not None:
                    holders = holders.filter(pk=holder_pk)
                return holders.with_full_bsn_for(user).exists()
        except DatabaseError:
            return False


@contextmanager
def _uncounted():
    """No query in here is logged where CaptureQueriesContext (django_assert_num_queries)
    counts them."""
    from django.db import connections

    opened = connections.all(initialized_only=True)
    saved = [connection.force_debug_cursor for connection in opened]
    for connection in opened:
        connection.force_debug_cursor = False
    try:
        yield
    finally:
        for connection, value in zip(opened, saved, strict=True):
            connection.force_debug_cursor = value


# --- the current scan and test ------------------------------------------------------------

_SESSION = Scan()
_state = threading.local()
_current = {"scan": _SESSION, "item": None}


def current() -> Scan:
    return _current["scan"]


@contextmanager
def isolated():
    """A scan of its own for a test of the scan: what it plants does not fail the run."""
    scan = Scan()
    previous, _current["scan"] = _current["scan"], scan
    try:
        yield scan
    finally:
        scan.outbox()
        _current["scan"] = previous


def _current_test() -> str:
    item = _current["item"]
    return item.nodeid if item is not None else "(outside a test)"


def _marked(name: str) -> bool:
    item = _current["item"]
    return item is not None and item.get_closest_marker(name) is not None


# --- the hooks into Django, logging and Celery --------------------------------------------


class _Handler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.formatter_ = logging.Formatter("%(levelname)s %(name)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(_state, "busy", False):  # a record logged while scanning one
            return
        _state.busy = True
        try:
            with _timed():
                current().log_record(record, self.formatter_)
        finally:
            _state.busy = False


def _install() -> None:
    from django.core.handlers.base import BaseHandler
    from django.db.models.signals import post_save

    from celery import signals as celery_signals

    from pgb_admin.core import bsn_crypto

    original_get_response = BaseHandler.get_response

    def get_response(self, request):
        response = original_get_response(self, request)
        with _timed():
            current().response(request, response)
        return response

    BaseHandler.get_response = get_response

    for name in ("encrypt", "hash_bsn", "lookup_hashes"):
        setattr(bsn_crypto, name, _remembering(getattr(bsn_crypto, name)))

    _watch_logging()
    # django.setup() (again, e.g. by get_wsgi_application) replaces the root's handlers
    original_dict_config = logging.config.dictConfig

    def dict_config(config):
        original_dict_config(config)
        _watch_logging()

    logging.config.dictConfig = dict_config

    celery_signals.before_task_publish.connect(_published, weak=False)
    celery_signals.task_prerun.connect(_prerun, weak=False)
    celery_signals.task_postrun.connect(_postrun, weak=False)
    post_save.connect(_stored, weak=False, dispatch_uid="bsn-scan-stored-files")


_HANDLER = _Handler()


def _watch_logging() -> None:
    root = logging.getLogger()
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    for name in APPLICATION_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)


def _remembering(function):
    def remember(bsn, *args, **kwargs):
        if bsn:
            KNOWN_BSNS.add(str(bsn))
        return function(bsn, *args, **kwargs)

    remember.__wrapped__ = function
    return remember


def _published(sender=None, body=None, headers=None, **kwargs):
    with _timed():
        current().task(f"task {sender} published", body, headers)


def _prerun(sender=None, task_id=None, args=None, kwargs=None, **extra):
    with _timed():
        current().task(f"task {getattr(sender, 'name', sender)} run", args, kwargs)


def _postrun(sender=None, retval=None, **kwargs):
    with _timed():
        current().task(f"task {getattr(sender, 'name', sender)} result", retval)


def _stored(sender, instance, **kwargs):
    name = STORED_FILES.get(sender._meta.label)
    if name is not None:
        content = bytes(getattr(instance, name) or b"")
        with _timed():
            current().file(f"stored {sender._meta.label} {instance.pk}", content)


# --- pytest -------------------------------------------------------------------------------


def pytest_configure(config):
    _install()  # the marker bsn_sent_in_url is registered in pyproject.toml


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _current["item"] = item
    _watch_logging()
    yield
    _current["item"] = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # the e-mails of the test (pytest-django empties the outbox before the next one)
    with _timed():
        _SESSION.outbox()
    yield


def pytest_sessionfinish(session, exitstatus):
    if _is_xdist_worker(session.config):
        session.config.workeroutput["bsn_scan"] = _part()
        return
    if _SESSION.leaks() and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller of an xdist run takes in what a worker scanned."""
    part = getattr(node, "workeroutput", {}).get("bsn_scan")
    if part is not None:
        _merge(part)


def _is_xdist_worker(config) -> bool:
    return hasattr(config, "workeroutput")


def _part() -> dict:
    """What this worker scanned, in the types execnet sends."""
    return {
        "counts": dict(_SESSION.counts),
        "findings": [[f.channel, f.where, f.bsn, f.test] for f in _SESSION.findings],
        "allowed": _SESSION.allowed,
        "known": sorted(KNOWN_BSNS),
        "spent": _SPENT[0],
    }


def _merge(part: dict) -> None:
    _SESSION.counts.update(part["counts"])
    _SESSION.findings.extend(Finding(*finding) for finding in part["findings"])
    _SESSION.allowed += part["allowed"]
    KNOWN_BSNS.update(part["known"])
    _SPENT[0] += part["spent"]


def pytest_terminal_summary(terminalreporter):
    if _is_xdist_worker(terminalreporter.config):
        return
    leaks = _SESSION.leaks()
    if leaks:
        terminalreporter.section("BSN found where it may not be", red=True)
        for finding in leaks[:200]:
            terminalreporter.write_line(str(finding))
    terminalreporter.write_line(_SESSION.summary(), red=bool(leaks), green=not leaks)
