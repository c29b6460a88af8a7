"""The reconciliation pages: upload (problems by row, nothing stored), the hand entry, the
work list (a bureau's across its holders, filtered, a page at a time, in a fixed number of
queries), resolving one difference; out of scope 404, read-only 403, auditor reads logged."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import pytest

from pgb_admin.audit.models import AccessEvent
from pgb_admin.core.spreadsheets import csv_bytes
from reports.reconciliation.constants import OverviewKind, Resolution
from reports.reconciliation.models import Difference, Overview

from ..conftest import _agreement
from ..factories import BudgetHolderFactory, MandateFactory, ProviderFactory
from ..two_factor import verified_login
from .test_reconciliation import NOV, OCT, PAYMENT_HEADER, _declare, case, payments_file, upload

__all__ = ["case"]  # the fixture


def login(w, persona: str) -> Client:
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="nl"), w.users[persona])


def test_upload_page_stores_the_overview_and_shows_the_work_list(case):
    w = case
    client = login(w, "representative")
    assert client.get(reverse("reports:overview_upload")).status_code == 200
    response = client.post(
        reverse("reports:overview_upload"),
        {
            "holder": w.mine.pk,
            "kind": OverviewKind.SVB_PAYMENTS,
            "file": SimpleUploadedFile("overzicht.csv", payments_file(w)),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Overview.objects.count() == 1
    assert len(response.context["page"].object_list) == 4  # open ones; the balance not uploaded

    again = client.post(
        reverse("reports:overview_upload"),
        {
            "holder": w.mine.pk,
            "kind": OverviewKind.SVB_PAYMENTS,
            "file": SimpleUploadedFile("zelfde.csv", payments_file(w)),
        },
        follow=True,
    )
    assert Overview.objects.count() == 1
    assert len(again.context["page"].object_list) == 4


def test_upload_page_lists_every_problem_and_stores_nothing(case):
    w = case
    content = csv_bytes(
        PAYMENT_HEADER,
        [[w.theirs_agreement.pk, "", "2026-13", "", "x", "", ""]],
    )
    response = login(w, "representative").post(
        reverse("reports:overview_upload"),
        {"holder": w.mine.pk, "kind": "svb_payments", "file": SimpleUploadedFile("o.csv", content)},
    )
    assert response.status_code == 200
    problems = {(p.row, p.column) for p in response.context["problems"]}
    assert problems == {(2, "Zorgovereenkomst"), (2, "Periode"), (2, "Betaald bedrag")}
    assert not Overview.objects.exists()


def test_hand_entry_page(case):
    w = case
    client = login(w, "bureau")
    url = reverse("reports:overview_enter", args=["svb_payments"])
    assert client.get(url).status_code == 200
    data = {
        "holder": w.mine.pk,
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-0-agreement": "ZO-12345",
        "rows-0-period": "2026-10",
        "rows-0-paid": "120.00",
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert Difference.objects.get(key=f"{w.third.pk}:2026-10").theirs == Decimal("120.00")
    client.post(url, data)
    assert Overview.objects.count() == 1
    assert client.get(reverse("reports:overview_enter", args=["nonsense"])).status_code == 404


def test_resolving_on_the_page_and_who_may(case):
    w = case
    upload(w, payments_file(w))
    difference = Difference.objects.differing().order_by("pk").first()
    url = reverse("reports:difference", args=[difference.pk])
    post = {"resolution": Resolution.EXPLAINED, "note": "Eigen bijdrage"}

    for persona in ("stranger", "auditor_other", "expired"):
        assert login(w, persona).get(url).status_code == 404
    for persona in ("family", "auditor_same"):
        client = login(w, persona)
        if persona == "auditor_same" and difference.budget.funder != w.the_hague:
            continue
        assert client.get(url).status_code == 200
        assert client.post(url, post).status_code == 403
    # who acts for no holder may upload nothing
    for persona in ("auditor_same", "family", "stranger"):
        client = login(w, persona)
        assert client.get(reverse("reports:overview_upload")).status_code == 403
        enter = reverse("reports:overview_enter", args=["svb_budget"])
        assert client.get(enter).status_code == 403

    response = login(w, "representative").post(url, {"resolution": "explained", "note": ""})
    assert response.status_code == 200  # the note is needed
    difference.refresh_from_db()
    assert difference.resolution == Resolution.OPEN
    response = login(w, "representative").post(url, post)
    assert response.status_code == 302
    difference.refresh_from_db()
    assert (difference.resolution, difference.resolution_note) == ("explained", "Eigen bijdrage")


def test_auditor_reads_of_the_work_list_are_logged(case):
    w = case
    upload(w, payments_file(w))
    response = login(w, "auditor_same").get(reverse("reports:differences"), {"resolution": ""})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2  # the Wmo grant's only
    assert AccessEvent.objects.filter(
        username="auditor_same", what="page:differences", holder_pk=w.mine.pk
    ).exists()
    difference = response.context["page"].object_list[0]
    login(w, "auditor_same").get(reverse("reports:difference", args=[difference.pk]))
    assert AccessEvent.objects.filter(username="auditor_same", what="page:difference").exists()


def _more_holders(w, count: int) -> None:
    """``count`` more holders of the bureau, each with an October declared and an overview
    that paid less."""
    for _ in range(count):
        holder = BudgetHolderFactory()
        MandateFactory(
            user=w.users["bureau"], holder=holder, role="bureau", valid_from=date(2026, 1, 1)
        )
        from ..factories import BudgetFactory

        budget = BudgetFactory(holder=holder, funder=w.the_hague)
        agreement = _agreement(holder, ProviderFactory(), budget)
        _declare(agreement, OCT, "100.00")
        _declare(agreement, NOV, "100.00")
        upload(
            w,
            csv_bytes(["Zorgovereenkomst", "Periode", "Betaald bedrag"],
                      [[agreement.pk, "2026-10", "90,00"], [agreement.pk, "2026-11", "0"]]),
            user="bureau",
            holder=holder,
        )  # fmt: skip


@pytest.mark.parametrize("persona", ["bureau", "auditor_same"])
def test_the_work_list_takes_the_same_queries_for_more_holders(
    case, persona, django_assert_max_num_queries
):
    w = case
    upload(w, payments_file(w))
    _more_holders(w, 2)
    client = login(w, persona)
    url = reverse("reports:differences")
    client.get(url)  # warm up
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"resolution": ""})
    small = len(response.context["page"].object_list)
    _more_holders(w, 6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"resolution": ""})
    assert len(response.context["page"].object_list) > small
    assert len(many) == len(few)
    # filters and pages
    response = client.get(url, {"resolution": "", "kind": "not_paid", "holder": w.mine.pk})
    kinds = {d.kind for d in response.context["page"].object_list}
    assert kinds <= {"not_paid"}
    if persona == "bureau":
        _more_holders(w, 10)
        response = client.get(url, {"resolution": "", "page": 2})
        assert response.status_code == 200
        assert response.context["page"].number == 2


def test_the_api_uploads_lists_and_resolves(case):
    w = case
    client = login(w, "representative")
    url = "/api/v1/reports/differences/"
    response = client.post(
        url + "upload/",
        {"holder": w.mine.pk, "kind": "svb_payments",
         "file": SimpleUploadedFile("o.csv", payments_file(w))},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["created"] is True
    again = client.post(
        url + "upload/",
        {"holder": w.mine.pk, "kind": "svb_payments",
         "file": SimpleUploadedFile("o.csv", payments_file(w))},
    )  # fmt: skip
    assert again.status_code == 200
    assert again.json() == {**response.json(), "created": False, "changed": 0}

    bad = client.post(
        url + "upload/",
        {"holder": w.mine.pk, "kind": "svb_payments",
         "file": SimpleUploadedFile("o.csv", csv_bytes(PAYMENT_HEADER, [["x", "", "2026-10"]]))},
    )  # fmt: skip
    assert bad.status_code == 400
    assert [p["name"] for p in bad.json()["invalid_params"]] == ["Zorgovereenkomst:2"]

    listed = client.get(url, {"kind": "not_paid"}).json()
    assert listed["count"] == 2
    first = listed["results"][0]["id"]
    resolved = client.post(
        f"{url}{first}/resolve/", {"resolution": "to_ask"}, content_type="application/json"
    )
    assert resolved.status_code == 200
    assert Difference.objects.get(pk=first).resolution == "to_ask"
    assert (
        login(w, "family").post(f"{url}{first}/resolve/", {"resolution": "open"}).status_code == 403
    )
    assert login(w, "stranger").get(f"{url}{first}/").status_code == 404
