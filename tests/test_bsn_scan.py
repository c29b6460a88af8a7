"""The BSN scan (tests/bsn_scan.py) is not vacuous: a BSN planted in each channel — a response,
a downloaded file (inside an XLSX inside a ZIP), a log record, a task payload (run and
published), a URL (requested, redirected to, linked), an error report and an e-mail — is found,
in a scan of its own so the planted leaks do not fail the run. The BSN on the holder's
dashboard, for the holder, is allowed; an 11-proef number that is no BSN of the run is not a
finding; and the application's own error reports and log lines mask what the plain ones leak."""

import io
import logging
import zipfile

from django.core import mail
from django.http import HttpResponse, HttpResponseRedirect
from django.test import override_settings
from django.urls import path, reverse

import pytest
from celery import current_app
from celery.exceptions import AlwaysEagerIgnored
from kombu import Connection
from openpyxl import Workbook

from pgb_admin.core.redaction import BSNMaskingFormatter, mask_bsns

from . import bsn_scan
from .factories import BudgetHolderFactory, MandateFactory, UserFactory

PLANTED: dict[str, str] = {}


def _page(request):
    return HttpResponse(f"<p>Holder {PLANTED['bsn']}</p>")


def _link(request):
    bsn = PLANTED["bsn"]
    return HttpResponse(f'<a href="/holders/?q={bsn[:4]}.{bsn[4:6]}.{bsn[6:]}">x</a>')


def _redirect(request):
    return HttpResponseRedirect(f"/holders/{PLANTED['bsn']}/")


def _file(request):
    workbook = Workbook()
    workbook.active.append(["holder", PLANTED["bsn"]])
    sheet = io.BytesIO()
    workbook.save(sheet)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("export/holders.xlsx", sheet.getvalue())
    response = HttpResponse(archive.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="export.zip"'
    return response


def _log(request):
    logging.getLogger("pgb_admin.leak").debug("looked up holder %s", PLANTED["bsn"])
    return HttpResponse("ok")


def _task(request):
    PLANTED["task"].delay(PLANTED["bsn"])
    return HttpResponse("ok")


def _crash(request):
    number = PLANTED["bsn"]  # a BSN under a name that does not say so, in the frame only
    raise RuntimeError(f"cannot process this holder ({len(number)} digits)")


urlpatterns = [
    path("leak/page/", _page, name="leak-page"),
    path("leak/link/", _link),
    path("leak/redirect/", _redirect),
    path("leak/file/", _file),
    path("leak/log/", _log),
    path("leak/task/", _task),
    path("leak/crash/", _crash),
]


@pytest.fixture
def planted(db):
    holder = BudgetHolderFactory()  # stored, so the scan knows it as a BSN of the run
    PLANTED["bsn"] = holder.bsn
    yield holder
    PLANTED.clear()


def _leaks(scan) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in scan.leaks():
        found.setdefault(finding.channel, []).append(finding.where)
    return found


@pytest.mark.urls("tests.test_bsn_scan")
def test_a_bsn_in_a_response_a_file_a_log_record_or_a_url_is_found(client, planted):
    with bsn_scan.isolated() as scan:
        assert client.get("/leak/page/").status_code == 200
        client.get("/leak/file/")
        client.get("/leak/log/")
        client.get("/leak/redirect/")
        client.get("/leak/link/")
        client.get(f"/leak/page/?bsn={planted.bsn}")
    found = _leaks(scan)
    assert set(found) == {"response", "file", "log", "url"}
    assert len(found["response"]) == 3  # the page twice, and the page with the link
    # the BSN is deflated in the ZIP: found only in the unpacked sheet of the workbook
    assert all("> export/holders.xlsx > xl/" in where for where in found["file"])
    assert len(found["log"]) == 1
    assert "pgb_admin.leak DEBUG" in found["log"][0]
    assert sorted(where.split(" ")[0] for where in found["url"]) == ["Location", "link", "request"]
    assert planted.bsn not in "\n".join(map(str, scan.leaks()))  # the report masks them


@pytest.fixture
def leak_task():
    """A task registered for one test only (every registered task needs an idempotency case)."""

    @current_app.task(name="tests.bsn_scan.leak", shared=False)
    def leak(number: str) -> str:
        return f"done with {number}"

    PLANTED["task"] = leak
    yield leak
    current_app.tasks.unregister("tests.bsn_scan.leak")


@pytest.mark.urls("tests.test_bsn_scan")
def test_a_bsn_in_a_task_payload_is_found(client, planted, leak_task):
    with bsn_scan.isolated() as scan:
        client.get("/leak/task/")  # eager: the arguments and the result
        # published: the message (to a broker of its own, emptied again)
        with Connection("memory://") as connection:
            with pytest.warns(AlwaysEagerIgnored):
                current_app.send_task(
                    "tests.bsn_scan.leak", args=[planted.bsn], connection=connection
                )
            connection.default_channel.queue_purge("celery")
    found = _leaks(scan)
    assert sorted(where.rsplit(" ", 1)[-1] for where in found["task"]) == [
        "published",
        "result",
        "run",
    ]
    # and Celery logs what a task returned
    assert [where.split(" ")[1] for where in found["log"]] == ["celery.app.trace"]


@pytest.mark.urls("tests.test_bsn_scan")
def test_a_bsn_in_an_error_report_or_an_e_mail_is_found(planted):
    client = _client_that_answers_500()
    plain = {
        "DEFAULT_EXCEPTION_REPORTER": "django.views.debug.ExceptionReporter",
        "DEFAULT_EXCEPTION_REPORTER_FILTER": "django.views.debug.SafeExceptionReporterFilter",
    }
    with bsn_scan.isolated() as scan, override_settings(**plain):
        assert client.post("/leak/crash/", {"bsn": planted.bsn}).status_code == 500
        mail.send_mail("Uw pgb", f"BSN {planted.bsn}", "pgb@example.org", ["h@example.org"])
    assert set(_leaks(scan)) == {"error report", "e-mail"}

    # the application's reporter hides the POST field and masks the variable
    with bsn_scan.isolated() as scan:
        assert client.post("/leak/crash/", {"bsn": planted.bsn}).status_code == 500
    assert scan.counts["error report"] == 1
    assert _leaks(scan) == {}


def _client_that_answers_500():
    from django.test import Client

    return Client(raise_request_exception=False)


def test_the_bsn_on_the_holders_dashboard_is_allowed_for_the_holder_only(client, planted):
    holder_user, stranger = UserFactory(), UserFactory(is_staff=True)
    MandateFactory(user=holder_user, holder=planted, role="holder")
    dashboard = reverse("budgets:dashboard", args=[planted.pk])
    with bsn_scan.isolated() as scan:
        client.force_login(holder_user)
        page = client.get(dashboard)
    assert planted.bsn in page.content.decode()
    assert (scan.allowed, _leaks(scan)) == (1, {})

    # the same answer on the page of another holder the user acts for would be a leak
    other = BudgetHolderFactory()
    MandateFactory(user=holder_user, holder=other, role="representative")
    request = page.wsgi_request
    with bsn_scan.isolated() as scan:
        request.resolver_match.kwargs = {"holder_id": other.pk}
        scan.response(request, page)
    assert list(_leaks(scan)) == ["response"]

    # and so would the same answer to someone who does not act for the holder
    with bsn_scan.isolated() as scan:
        request.resolver_match.kwargs = {"holder_id": planted.pk}
        request.user = stranger
        scan.response(request, page)
    assert list(_leaks(scan)) == ["response"]


def test_an_11_proef_number_that_is_no_bsn_of_the_run_is_not_a_finding():
    number = "111222333"
    assert bsn_scan.candidates(f"hash {number}abc") == {number}
    assert number not in bsn_scan.KNOWN_BSNS
    with bsn_scan.isolated() as scan:
        scan.text("log", "a log line", f"order {number}")
    assert (scan.leaks(), scan.ignored()) == ([], 1)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("999996708", {"999996708"}),
        ("BSN: 9999.96.708.", {"999996708"}),
        ("bsn 999 996 708", {"999996708"}),
        ("1999996708 and 9999967080", set()),  # longer numbers are no BSN
        ("999996709", set()),  # fails the 11-proef
        ("9999.96 708", set()),  # mixed separators
    ],
)
def test_the_numbers_the_scan_looks_for(text, found):
    assert bsn_scan.candidates(text) == found


def test_log_lines_and_texts_mask_bsn_like_numbers():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "holder %s", ("999996708",), None)
    assert BSNMaskingFormatter("%(message)s").format(record) == "holder *****6708"
    assert record.getMessage() == "holder 999996708"  # the record itself is left alone
    assert mask_bsns("999996708 999996709 1999996708") == "*****6708 999996709 1999996708"
