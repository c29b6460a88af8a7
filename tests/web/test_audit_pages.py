"""The auditor workspace: the list of audited funders, a funder's report page with its charts,
signals and downloads, and the evidence pack of a declaration. Every page for every persona,
no full BSN for those who do not act for the holder, no write forms, a log entry for every
read, deterministic evidence packs and a bounded number of queries."""

import hashlib
import io
import json
import re
import zipfile
from datetime import date
from decimal import Decimal

from django.urls import reverse

import pytest

from contracts.models import AgreementVersion
from declarations.constants import DeclarationStatus
from declarations.models import BatchFile, Declaration, DeclarationLine
from declarations.services import declarations as declaration_services
from pgb_admin.audit.models import AccessEvent
from pgb_admin.figures.constants import RateUnit

from ..conftest import PERSONAS
from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    ProviderFactory,
    iban_from,
)

AUDITORS_OF_THE_HAGUE = {"auditor_same", "staff"}
SEE_MINE = {"holder", "representative", "bureau", "family", "auditor_same", "staff"}
ACT_FOR_MINE = {"holder", "representative", "bureau"}


def _status(persona: str, allowed: set[str]) -> int:
    return 200 if persona in allowed else 404


def _report_url(code="GM0518", year=2026) -> str:
    return f"{reverse('reports:municipality', args=[code])}?year={year}"


def _chart_url(file_format="png", code="GM0518", year=2026) -> str:
    return f"{reverse('reports:chart', args=[code, file_format])}?year={year}"


def _pack_url(declaration) -> str:
    return reverse("reports:evidence_pack", args=[declaration.pk])


def _access_log():
    return AccessEvent.objects.all()


# --- who gets which page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("holder", 404),
        ("representative", 404),
        ("bureau", 404),
        ("family", 404),
        ("auditor_same", 200),
        ("auditor_other", 200),
        ("expired", 404),
        ("stranger", 404),
        ("staff", 200),
    ],
)
def test_audit_home_per_persona(login, api_world, persona, status):
    response = login(persona).get(reverse("reports:audit"))
    assert response.status_code == status


@pytest.mark.parametrize("persona", PERSONAS)
def test_municipality_report_per_persona(login, api_world, persona):
    response = login(persona).get(_report_url())
    assert response.status_code == _status(persona, AUDITORS_OF_THE_HAGUE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_chart_per_persona(login, api_world, persona):
    response = login(persona).get(_chart_url())
    assert response.status_code == _status(persona, AUDITORS_OF_THE_HAGUE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_report_download_per_persona(login, api_world, persona):
    url = reverse("reports:download", args=["GM0518", "xlsx"])
    response = login(persona).get(url)
    assert response.status_code == _status(persona, AUDITORS_OF_THE_HAGUE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_pack_per_persona(login, api_world, persona):
    response = login(persona).get(_pack_url(api_world.exported))
    assert response.status_code == _status(persona, SEE_MINE)


def test_another_municipalitys_report_is_404_for_an_auditor(login, api_world):
    auditor = login("auditor_same")
    assert auditor.get(_report_url("GM0106")).status_code == 404
    assert auditor.get(_chart_url(code="GM0106")).status_code == 404
    assert auditor.get(reverse("reports:download", args=["GM0106", "csv"])).status_code == 404
    assert auditor.get(reverse("reports:evidence_pack", args=[10**9])).status_code == 404
    assert login("auditor_other").get(_report_url("GM0106")).status_code == 200


def test_the_code_is_not_case_sensitive(login, api_world):
    assert login("auditor_same").get(_report_url("gm0518")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:audit"),
        reverse("reports:municipality", args=["GM0518"]),
        reverse("reports:chart", args=["GM0518", "png"]),
        reverse("reports:download", args=["GM0518", "csv"]),
    ],
)
def test_nothing_is_written_a_post_is_405(login, api_world, url):
    assert login("auditor_same").post(url).status_code == 405
    assert login("staff").post(url).status_code == 405


def test_a_post_to_the_evidence_pack_is_405(login, api_world):
    assert login("holder").post(_pack_url(api_world.exported)).status_code == 405


# --- the list of funders ----------------------------------------------------------------------


def test_one_audited_funder_is_still_a_list_with_one_link(login, api_world):
    html = login("auditor_same").get(reverse("reports:audit")).content.decode()
    links = re.findall(r'href="(/audit/[^"/]+/)\?year=2026"', html)
    assert links == [reverse("reports:municipality", args=["GM0518"])]
    assert "GM0106" not in html


def test_staff_see_every_funder(login, api_world):
    staff = login("staff")
    html = staff.get(reverse("reports:audit")).content.decode()
    assert html.count("<h1") == 1
    for code in ("GM0518", "GM0106", "ZK-HAAGLANDEN"):
        assert reverse("reports:municipality", args=[code]) in html
    assert staff.get(_report_url("ZK-HAAGLANDEN")).status_code == 200


# --- the report page --------------------------------------------------------------------------


def _post_forms(html: str) -> list[str]:
    """The action of every form that posts."""
    return re.findall(r'<form[^>]*action="([^"]*)"[^>]*method="post"', html) + re.findall(
        r'<form[^>]*method="post"[^>]*action="([^"]*)"', html
    )


def test_the_report_page_shows_its_sections_and_no_bsn(login, api_world):
    response = login("auditor_same").get(_report_url())
    html = response.content.decode()
    assert api_world.mine.bsn not in html
    assert api_world.mine.masked_bsn not in html  # holders by id and name only
    assert html.count("<h1") == 1
    for anchor in (
        "totals", "signals", "charts", "spend-by-month", "spend-by-provider", "spend-by-scheme",
        "spend-by-product", "carer-classes", "tariffs", "underspend", "near-exhaustion",
    ):  # fmt: skip
        assert f'id="{anchor}"' in html, anchor
    content = response.context["report"]
    # the declarations and the 8 % holiday allowance the SVB pays an employee on top
    assert content["totals"]["spend_in_year"] == "1358.64"
    assert "1.258,00" in html  # Dutch amounts
    assert _chart_url() in html.replace("&amp;", "&")
    assert re.search(r'<img src="[^"]+" alt="[^"]{20,}"', html)
    assert reverse("reports:download", args=["GM0518", "xlsx"]) in html
    assert reverse("budgets:dashboard", args=[api_world.mine.pk]) in html  # underspend row


def test_the_auditors_page_has_no_write_forms(login, api_world):
    html = login("auditor_same").get(_report_url()).content.decode()
    assert sorted(_post_forms(html)) == sorted([reverse("set_language"), reverse("logout")])
    assert html.lower().count('method="post"') == 2
    assert 'method="get"' in html
    assert "style=" not in html
    assert "<script>" not in html.replace(" ", "")
    assert 'class="stack"' in html
    assert "<th scope=" in html


def test_a_year_with_nothing_and_a_wrong_year(login, api_world):
    auditor = login("auditor_same", "en")
    html = auditor.get(_report_url(year=2020)).content.decode()
    assert "The funder has no grants in this year." in html
    wrong = auditor.get(f"{reverse('reports:municipality', args=['GM0518'])}?year=abc")
    assert wrong.status_code == 200
    assert wrong.context["year"] == 2026
    assert 'aria-invalid="true"' in wrong.content.decode()
    assert (
        auditor.get(f"{reverse('reports:chart', args=['GM0518', 'png'])}?year=1").status_code == 404
    )


def test_the_page_in_english(login, api_world):
    html = login("auditor_same", "en").get(_report_url()).content.decode()
    assert 'lang="en"' in html
    assert "Audit report 2026 of" in html
    assert "Spend by month" in html
    assert "€\u00a01,258.00" in html
    assert api_world.mine.bsn not in html


def test_the_list_in_english(login, api_world):
    html = login("auditor_same", "en").get(reverse("reports:audit")).content.decode()
    assert "Report 2026 of" in html


# --- signals and drill-down ------------------------------------------------------------------


def _holder_with_agreement(world, provider, **version):
    holder = BudgetHolderFactory(funders=[world.the_hague])
    budget = BudgetFactory(holder=holder, funder=world.the_hague)
    HolderProviderFactory(holder=holder, provider=provider)
    agreement = CareAgreementFactory(holder=holder, provider=provider)
    AgreementVersionFactory(
        agreement=agreement, budget=budget, product=budget.products.first(), **version
    )
    return holder, budget, agreement


def _paid(agreement, budget, month: date, total: str, days=()):
    declaration = Declaration.objects.create(
        agreement=agreement,
        budget=budget,
        month=month,
        status=DeclarationStatus.PAID,
        total_amount=Decimal(total),
    )
    DeclarationLine.objects.bulk_create(
        DeclarationLine(
            declaration=declaration,
            care_date=month.replace(day=day),
            quantity=Decimal(4),
            unit=RateUnit.HOUR,
            rate=Decimal("18.50"),
            amount=Decimal("74.00"),
        )
        for day in days
    )
    return declaration


@pytest.fixture
def signals(api_world):
    """Care after an agreement ended, and two providers paid into one IBAN."""
    holder, budget, ended = _holder_with_agreement(
        api_world, ProviderFactory(name="E. Inde"), valid_to=date(2026, 6, 30)
    )
    late = _paid(ended, budget, date(2026, 7, 1), "74.00", days=[6])
    shared = iban_from(424242)
    for n in (1, 2):
        _holder_with_agreement(api_world, ProviderFactory(name=f"Tweeling {n}", iban=shared))
    return {"holder": holder, "agreement": ended, "declaration": late}


def test_signals_show_rule_and_evidence_and_link_to_what_they_concern(login, api_world, signals):
    response = login("auditor_same", "en").get(_report_url())
    html = response.content.decode()
    codes = {signal["code"] for signal in response.context["signals"]}
    assert {"care_after_agreement_end", "shared_iban"} <= codes
    assert "Care after the agreement ended" in html
    assert "A counted declaration holds care on a day after the agreement" in html
    assert "First day of care after the end: 6 July 2026" in html
    for url in (
        reverse("budgets:dashboard", args=[signals["holder"].pk]),
        reverse("contracts:agreement", args=[signals["agreement"].pk]),
        reverse("declarations:detail", args=[signals["declaration"].pk]),
        reverse("reports:evidence_pack", args=[signals["declaration"].pk]),
    ):
        assert f'href="{url}"' in html, url
    assert iban_from(424242) not in html  # the shared IBAN is masked
    assert signals["holder"].bsn not in html


def test_the_auditor_can_follow_a_signal_to_the_holder(login, api_world, signals):
    auditor = login("auditor_same")
    dashboard = reverse("budgets:dashboard", args=[signals["holder"].pk])
    assert auditor.get(dashboard).status_code == 200
    assert auditor.get(_pack_url(signals["declaration"])).status_code == 200


# --- the chart and the files -----------------------------------------------------------------


def test_the_chart_is_an_image(login, api_world):
    auditor = login("auditor_same")
    png = auditor.get(_chart_url())
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = auditor.get(_chart_url("svg"))
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert auditor.get(_chart_url("gif")).status_code == 404
    assert auditor.get(reverse("reports:download", args=["GM0518", "pdf"])).status_code == 404


def test_the_downloads_are_what_they_say(login, api_world):
    auditor = login("auditor_same")
    xlsx = auditor.get(reverse("reports:download", args=["GM0518", "xlsx"]) + "?year=2026")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="gemeenterapportage-GM0518-2026.xlsx"' in xlsx["Content-Disposition"]
    assert xlsx.content.startswith(b"PK")
    csv = auditor.get(reverse("reports:download", args=["GM0518", "csv"]))
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.content.decode("utf-8-sig").startswith("record;code;holder")


# --- the access log -------------------------------------------------------------------------


def test_every_read_is_logged(login, api_world):
    auditor = login("auditor_same")
    before = _access_log().count()
    auditor.get(_report_url())
    auditor.get(_chart_url())
    auditor.get(reverse("reports:download", args=["GM0518", "xlsx"]))
    auditor.get(_pack_url(api_world.exported))
    login("staff").get(_report_url())
    login("holder").get(_pack_url(api_world.exported))
    entries = list(_access_log().order_by("pk")[before:])
    logged = [(e.username, e.what, e.role, e.action) for e in entries]
    assert logged == [
        ("auditor_same", "report:municipality_page", "auditor", "read"),
        ("auditor_same", "report:municipality_chart:png", "auditor", "read"),
        ("auditor_same", "report:municipality_file:xlsx", "auditor", "read"),
        ("auditor_same", "evidence_pack", "auditor", "export"),
        ("staff", "report:municipality_page", "staff", "read"),
    ]  # the holder's own download is theirs: not an access by someone else
    assert entries[3].object_pk == str(api_world.exported.pk)
    assert entries[3].holder_pk == api_world.mine.pk
    assert entries[0].holder_pk is None  # the municipal report: totals, no single holder
    assert all(e.remote_addr and e.request_id and e.purpose for e in entries)


def test_a_refused_read_is_not_logged(login, api_world):
    before = _access_log().count()
    login("auditor_other").get(_report_url())
    login("auditor_other").get(_pack_url(api_world.exported))
    assert _access_log().count() == before


# --- the evidence pack ------------------------------------------------------------------------


def _pack(client, declaration) -> tuple[bytes, zipfile.ZipFile]:
    response = client.get(_pack_url(declaration))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return response.content, zipfile.ZipFile(io.BytesIO(response.content))


def _read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def test_the_evidence_pack_holds_everything_with_its_sha256(login, api_world):
    _content, archive = _pack(login("auditor_same"), api_world.exported)
    assert archive.testzip() is None
    names = archive.namelist()
    manifest = _read_json(archive, "manifest.json")
    assert [f["name"] for f in manifest["files"]] + ["manifest.json"] == names
    for entry in manifest["files"]:
        data = archive.read(entry["name"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["size"]
    for name in (
        "declaration.json", "agreement_versions.json", "time_entries.csv", "expenses.csv",
        "declaration_lines.csv", "findings.json", "batch.json",
    ):  # fmt: skip
        assert name in names

    declaration = _read_json(archive, "declaration.json")
    exported = api_world.exported
    assert declaration["declaration"]["id"] == exported.pk
    assert declaration["declaration"]["month"] == "2026-09"
    assert declaration["totals"]["total_amount"] == str(exported.total_amount)
    assert Decimal(declaration["totals"]["lines_amount"]) == exported.care_amount
    assert declaration["holder"]["bsn"] == api_world.mine.masked_bsn
    lines = archive.read("declaration_lines.csv").decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + exported.lines.count()
    entries = archive.read("time_entries.csv").decode("utf-8-sig").splitlines()
    assert len(entries) > 1
    assert all(line.startswith("2026-09-") for line in entries[1:])
    versions = _read_json(archive, "agreement_versions.json")
    assert [v["id"] for v in versions] == list(
        AgreementVersion.objects.filter(agreement=exported.agreement).values_list("pk", flat=True)
    )

    batch = _read_json(archive, "batch.json")
    assert batch["id"] == api_world.batch.pk
    assert batch["files_included"] is True
    for stored in BatchFile.objects.filter(batch=api_world.batch):
        member = archive.read(f"batch/{stored.filename}")
        assert hashlib.sha256(member).hexdigest() == stored.sha256
        assert {"filename": stored.filename, "sha256": stored.sha256} in [
            {"filename": f["filename"], "sha256": f["sha256"]} for f in batch["files"]
        ]


def test_two_downloads_give_identical_bytes(login, api_world):
    auditor = login("auditor_same")
    first, _archive = _pack(auditor, api_world.exported)
    second, archive = _pack(auditor, api_world.exported)
    assert first == second
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    assert (
        _pack(login("holder"), api_world.exported)[0]
        == _pack(login("bureau"), api_world.exported)[0]
    )


def test_no_full_bsn_in_the_pack_for_anyone(login, api_world):
    """A pack is passed on, and checking a declaration does not need the BSN: masked even for
    who acts for the holder."""
    bsn = api_world.mine.bsn.encode()
    for persona in ("auditor_same", "family", "staff", "representative"):
        _content, archive = _pack(login(persona), api_world.exported)
        for name in archive.namelist():
            assert bsn not in archive.read(name), (persona, name)
        holder = _read_json(archive, "declaration.json")["holder"]
        assert (holder["bsn"], holder["bsn_masked"]) == (api_world.mine.masked_bsn, True)


def test_a_batch_with_declarations_the_user_may_not_see_is_named_not_included(login, api_world):
    Declaration.objects.create(
        agreement=api_world.theirs_agreement,
        budget=api_world.theirs_budget,
        month=date(2026, 9, 1),
        status=DeclarationStatus.EXPORTED,
        batch=api_world.batch,
    )
    stored = {f.filename: f.sha256 for f in BatchFile.objects.filter(batch=api_world.batch)}
    for persona in ("auditor_same", "holder"):
        _content, archive = _pack(login(persona), api_world.exported)
        batch = _read_json(archive, "batch.json")
        assert batch["files_included"] is False
        assert {f["filename"]: f["sha256"] for f in batch["files"]} == stored
        assert not [name for name in archive.namelist() if name.startswith("batch/")]
    _content, archive = _pack(login("staff"), api_world.exported)
    assert _read_json(archive, "batch.json")["files_included"] is True


def test_the_pack_holds_the_findings_with_their_acknowledgement(login, api_world):
    warning = declaration_services.finding_acknowledge(
        actor=api_world.users["representative"],
        finding_id=api_world.warning.pk,
        reason="Late: the carer was ill.",
    )
    _, archive = _pack(login("auditor_same", "en"), api_world.draft)
    assert "batch.json" not in archive.namelist()  # a draft is in no batch
    findings = _read_json(archive, "findings.json")
    finding = next(f for f in findings if f["rule"] == warning.rule_code)
    assert finding["severity"] == "warning"
    assert finding["message"]
    assert finding["acknowledged_by"] == "representative"
    assert finding["acknowledgement_reason"] == "Late: the carer was ill."
    assert finding["acknowledged_at"].startswith("2026-11-23T")


# --- queries ---------------------------------------------------------------------------------


def test_the_report_page_queries_do_not_grow_with_the_holders(
    login, api_world, django_assert_max_num_queries
):
    auditor = login("auditor_same")
    auditor.get(_report_url())  # warm the caches (content types, figures)
    # 47 whatever the number of holders; among them the dated figures and agreement ends of
    # employees' holiday allowance and employer costs (a query per figure period, not per row)
    with django_assert_max_num_queries(47) as few:
        assert auditor.get(_report_url()).status_code == 200
    for n in range(8):
        _holder, budget, agreement = _holder_with_agreement(
            api_world, ProviderFactory(name=f"Zorg {n}")
        )
        _paid(agreement, budget, date(2026, 3, 1), "74.00", days=[2])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = auditor.get(_report_url())
    assert response.context["report"]["totals"]["holders"] == 9
