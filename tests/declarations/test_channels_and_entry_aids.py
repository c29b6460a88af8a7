"""Issue 16, channels: a declaration goes through the SVB (typed into the PGB Portaal from the
entry aid) or, for a Zvw pgb, to the insurer; an export per channel; the printable pages; the
user's own record of declared, paid and rejected on the declaration's page; and no claim
anywhere that the SVB or the Portaal takes a file."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import openpyxl
import pytest

from contracts.constants import AgreementType
from declarations.constants import DeclarationStatus
from declarations.models import Batch, Declaration
from declarations.selectors.batches import channel_q, with_channel
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.budgets.constants import Channel, FunderKind, Scheme
from tests.conftest import _agreement
from tests.factories import BudgetFactory, FunderFactory
from tests.two_factor import verified_login

OCTOBER = date(2026, 10, 1)
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def actor(world):
    return world.users["representative"]


def _web(user, language="en") -> Client:
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE=language), user)


def _insurer():
    return FunderFactory(code="ZV-TEST", name="Zorgverzekeraar Test", kind=FunderKind.INSURER)


def _zvw_agreement(world, *, svb_payroll=False, agreement_type=AgreementType.EMPLOYMENT_HOURLY):
    budget = BudgetFactory(
        holder=world.mine, funder=_insurer(), scheme=Scheme.ZVW, svb_payroll=svb_payroll
    )
    return _agreement(world.mine, world.mine_provider, budget, agreement_type)


def _validated(actor, agreement, month=OCTOBER):
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=month, pattern={0: "4", 3: "4"}
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=month
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    return declaration


def _declaration(agreement):
    return Declaration.objects.create(
        agreement=agreement, month=OCTOBER, budget=agreement.versions.first().budget
    )


def _channel(declaration) -> str:
    return with_channel(Declaration.objects.filter(pk=declaration.pk)).get().channel


# --- the rule -------------------------------------------------------------------------------


def test_the_channel_goes_by_the_funder_and_the_svb_payroll_of_a_zvw_grant(world):
    wmo = _declaration(world.mine_wmo_agreement)
    wlz = _declaration(world.mine_wlz_agreement)
    zvw = _declaration(_zvw_agreement(world))
    payroll_employee = _declaration(_zvw_agreement(world, svb_payroll=True))
    payroll_self_employed = _declaration(
        _zvw_agreement(world, svb_payroll=True, agreement_type=AgreementType.ASSIGNMENT)
    )
    expected = {
        wmo.pk: Channel.SVB,
        wlz.pk: Channel.SVB,
        zvw.pk: Channel.INSURER,
        payroll_employee.pk: Channel.SVB,
        payroll_self_employed.pk: Channel.INSURER,
    }
    assert {d.pk: _channel(d) for d in (wmo, wlz, zvw, payroll_employee,
                                        payroll_self_employed)} == expected  # fmt: skip
    # channel_q splits the declarations in two, the same way
    for channel in Channel:
        assert set(Declaration.objects.filter(channel_q(channel)).values_list("pk", flat=True)) == {
            pk for pk, c in expected.items() if c == channel
        }
    # a funder set to declare otherwise than its kind
    world.the_hague.channel = Channel.INSURER
    world.the_hague.save()
    assert world.the_hague.declares_through == Channel.INSURER
    assert _channel(wmo) == Channel.INSURER


# --- exports by channel ---------------------------------------------------------------------


def test_a_month_export_makes_one_export_per_channel_and_no_zvw_in_the_entry_aid(world, actor):
    wmo = _validated(actor, world.mine_wmo_agreement)
    zvw = _validated(actor, _zvw_agreement(world))
    assert (wmo.status, zvw.status) == (DeclarationStatus.VALIDATED,) * 2
    batches = batch_services.month_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    assert [b.channel for b in batches] == [Channel.SVB, Channel.INSURER]
    svb, insurer = batches
    assert list(svb.declarations.values_list("pk", flat=True)) == [wmo.pk]
    assert list(insurer.declarations.values_list("pk", flat=True)) == [zvw.pk]
    assert {f.filename for f in svb.files.all()} == {
        f"invulhulp-pgb-portaal-2026-10-{svb.pk}.xlsx",
        f"invulhulp-pgb-portaal-2026-10-{svb.pk}.csv",
    }
    assert all(f.filename.startswith("declaratie-zorgverzekeraar-") for f in insurer.files.all())


def test_an_svb_export_never_takes_an_insurer_declaration(world, actor):
    zvw = _validated(actor, _zvw_agreement(world))
    with pytest.raises(batch_services.NothingToExport):
        batch_services.batch_export(actor=actor, month=OCTOBER, channel=Channel.SVB)
    zvw.refresh_from_db()
    assert zvw.status == DeclarationStatus.VALIDATED
    assert zvw.batch is None
    (batch,) = batch_services.month_export(actor=actor, month=OCTOBER)
    assert batch.channel == Channel.INSURER
    assert not Declaration.objects.filter(
        batch__channel=Channel.SVB, pk__in=Declaration.objects.filter(channel_q(Channel.INSURER))
    ).exists()


def test_the_insurer_declaration_lists_the_care_per_day_with_agb_code_and_invoice(world, actor):
    world.mine_provider.agb_code = "12345678"
    world.mine_provider.save()
    zvw = _validated(actor, _zvw_agreement(world))
    Declaration.objects.filter(pk=zvw.pk).update(invoice_number="F-2026-117")
    with translation.override("en"):  # the files are written in the exporter's language
        (batch,) = batch_services.month_export(actor=actor, month=OCTOBER)
    sheet = openpyxl.load_workbook(
        io.BytesIO(bytes(batch.files.get(format="xlsx").content))
    ).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("Declaration", "Period", "Budget holder", "Care provider",
                           "AGB code", "Invoice number", "Date")  # fmt: skip
    days = [r for r in rows[1:] if r[6] is not None]
    assert len(days) == zvw.lines.count() == 9
    assert {(r[4], r[5]) for r in days} == {("12345678", "F-2026-117")}
    total = next(r for r in rows if r[9] == "Declaration total")
    assert total[10] == zvw.total_amount


def _page(client, batch):
    response = client.get(reverse("declarations:export_page", args=[batch.pk]))
    return response.status_code, response.content.decode()


def test_the_entry_aid_is_a_page_per_agreement_in_the_portaals_order(world, actor):
    wmo = _validated(actor, world.mine_wmo_agreement)
    wlz = _validated(actor, world.mine_wlz_agreement)
    Declaration.objects.filter(pk=wmo.pk).update(travel_amount="9.20", travel_kilometres="40",
                                                 total_amount=wmo.total_amount + 9)  # fmt: skip
    (batch,) = batch_services.month_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    status, html = _page(_web(actor), batch)
    assert status == 200
    assert "declarations/print.css" in html
    assert html.count('class="agreement"') == 2  # a page each
    css = (ROOT / "declarations/static/declarations/print.css").read_text()
    assert "page-break-after: always" in css
    first = html.index(world.mine_wmo_agreement.svb_agreement_number or "Period")
    # provider and agreement, period, the weeks, travel costs, total: the Portaal's order
    section = html[html.index('class="agreement"') :]
    order = [section.index(text) for text in ("Care provider", "Period", "Week amount",
                                              "Total")]  # fmt: skip
    assert order == sorted(order)
    assert first >= 0
    # ISO weeks of October 2026: 40 to 44
    weeks = re.findall(r'<tr><th scope="row">(\d+)</th>', section)
    assert sorted(set(weeks)) == ["40", "41", "42", "43", "44"]
    # the figures of the unchanged declaration add up; those of the changed one do not
    assert html.count("Figures checked") == 1
    assert "the total is" in html
    assert wlz.pk


def test_the_printable_page_is_for_who_may_see_the_export_only(world, actor):
    _validated(actor, world.mine_wmo_agreement)
    (batch,) = batch_services.month_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    for persona, expected in (("holder", 200), ("stranger", 404), ("auditor_other", 404)):
        assert _page(_web(world.users[persona]), batch)[0] == expected, persona


def test_the_holders_export_page_makes_both_exports_and_links_their_pages(world, actor):
    _validated(actor, world.mine_wmo_agreement)
    world.mine_provider.agb_code = "12345678"
    world.mine_provider.save()
    _validated(actor, _zvw_agreement(world))
    client = _web(actor)
    url = reverse("declarations:batches", args=[world.mine.pk])
    response = client.post(url, {"month": "2026-10"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    batches = list(Batch.objects.order_by("pk"))
    assert [b.channel for b in batches] == [Channel.SVB, Channel.INSURER]
    for batch in batches:
        assert reverse("declarations:export_page", args=[batch.pk]) in html
    status, insurer_html = _page(client, batches[1])
    assert status == 200
    assert "AGB code" in insurer_html


def test_the_api_exports_every_channel_or_the_one_asked_for(world, actor):
    from tests.api.conftest import token_client

    _validated(actor, world.mine_wmo_agreement)
    zvw = _validated(actor, _zvw_agreement(world))
    api = token_client(actor)
    response = api.post(
        "/api/v1/batches/", {"month": "2026-10", "channel": "insurer"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["channel"] == "insurer"
    assert response.json()["declarations"] == [zvw.pk]
    response = api.post("/api/v1/batches/", {"month": "2026-10"}, format="json")
    assert response.status_code == 201
    assert response.json()["channel"] == "svb"
    assert "Link" not in response  # the insurer's was made already
    listed = api.get("/api/v1/batches/", {"channel": "insurer"}).json()
    assert [b["channel"] for b in listed["results"]] == ["insurer"]


# --- the user's own record ------------------------------------------------------------------


def _exported(world, actor):
    declaration = _validated(actor, world.mine_wmo_agreement)
    batch_services.month_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.EXPORTED
    return declaration


def _record(world, persona, declaration, **data):
    form = {f"record-{key}": value for key, value in data.items()}
    return _web(world.users[persona]).post(
        reverse("declarations:record", args=[declaration.pk]), form
    )


def test_declared_paid_and_rejected_are_recorded_on_the_declaration_page(world, actor):
    declaration = _exported(world, actor)
    client = _web(actor)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert reverse("declarations:record", args=[declaration.pk]) in page

    response = _record(world, "representative", declaration, outcome="submitted", on="2026-11-03")
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.SUBMITTED
    assert timezone.localtime(declaration.submitted_at).date() == date(2026, 11, 3)

    # paid needs evidence, like the API's settle
    response = _record(world, "representative", declaration, outcome="paid", on="2026-11-10")
    assert response.status_code == 400
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.SUBMITTED
    response = _record(world, "representative", declaration, outcome="paid", on="2026-11-10",
                       evidence="PGB Portaal, betaaloverzicht 10-11-2026")  # fmt: skip
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.PAID
    assert declaration.settled_evidence == "PGB Portaal, betaaloverzicht 10-11-2026"
    assert declaration.settled_recorded_by == actor
    assert declaration.settled_recorded_role
    assert timezone.localtime(declaration.settled_at).date() == date(2026, 11, 10)
    # nothing left to record: no form, and a post is refused
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert reverse("declarations:record", args=[declaration.pk]) not in page
    assert _record(world, "representative", declaration, outcome="paid").status_code == 404
    assert "Paid (your record)" in page


def test_a_rejection_needs_its_reason_and_no_date_in_the_future(world, actor):
    declaration = _exported(world, actor)
    evidence = "Brief SVB 12-11-2026"
    response = _record(world, "representative", declaration, outcome="rejected",
                       on="2026-11-12", evidence=evidence)  # fmt: skip
    assert response.status_code == 400
    assert "reason for the rejection" in response.content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = _record(
        world, "representative", declaration, outcome="rejected", on=tomorrow.isoformat(),
        evidence=evidence, rejection_reason="x",
    )  # fmt: skip
    assert response.status_code == 400
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.EXPORTED
    response = _record(world, "representative", declaration, outcome="rejected",
                       on="2026-11-12", evidence=evidence,
                       rejection_reason="Uren buiten de zorgovereenkomst")  # fmt: skip
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.REJECTED
    assert declaration.rejection_reason == "Uren buiten de zorgovereenkomst"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("family", 403), ("auditor_same", 403), ("stranger", 404), ("auditor_other", 404)],
)
def test_only_who_may_write_records_and_others_outside_get_a_404(world, actor, persona, status):
    declaration = _exported(world, actor)
    response = _record(world, persona, declaration, outcome="submitted", on="2026-11-03")
    assert response.status_code == status
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.EXPORTED


# --- no claim that the SVB or the Portaal takes a file ----------------------------------------

CLAIMS = [
    re.compile(r"SVB[- ]?batch", re.IGNORECASE),
    re.compile(
        r"(SVB|Portaal|portal)[^.\n]{0,80}\b(accepts?|accepteert|aanlever\w*|uploads?)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(accepts?|accepteert|aanlever\w*)\b[^.\n]{0,80}(SVB|Portaal)", re.IGNORECASE),
    re.compile(r"batch[^.\n]{0,40}(to|naar|for|voor) the SVB", re.IGNORECASE),
]


def _claims(text: str, where: str) -> list[str]:
    found = []
    for line in text.splitlines():
        found += [f"{where}: {line.strip()[:120]}" for claim in CLAIMS if claim.search(line)]
    return found


def test_no_page_file_or_translation_claims_the_svb_takes_a_file(world, actor):
    sources = [ROOT / "README.md", ROOT / "pgb_admin/locale/nl/LC_MESSAGES/django.po"]
    sources += sorted(ROOT.glob("*/templates/**/*.html"))
    sources += sorted(ROOT.glob("pgb_admin/templates/**/*.html"))
    sources += [ROOT / "declarations/management/commands/export_svb_batch.py",
                ROOT / "declarations/api/viewsets.py", ROOT / "declarations/exports.py",
                ROOT / "declarations/views/bureau.py"]  # fmt: skip
    found = [c for path in sources for c in _claims(path.read_text(), str(path.relative_to(ROOT)))]

    _validated(actor, world.mine_wmo_agreement)
    declaration = _validated(actor, _zvw_agreement(world))
    batches = batch_services.month_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    pages = [
        (actor, reverse("declarations:batches", args=[world.mine.pk])),
        (actor, reverse("declarations:detail", args=[declaration.pk])),
        (actor, reverse("declarations:weekly_totals", args=[world.mine.pk, OCTOBER])),
        (world.users["bureau"], reverse("declarations:bureau")),
        *[(actor, reverse("declarations:export_page", args=[b.pk])) for b in batches],
    ]
    for language in ("en", "nl"):
        for user, url in pages:
            response = _web(user, language).get(url)
            assert response.status_code == 200, url
            found += _claims(response.content.decode(), f"{language} {url}")
        with translation.override(language):
            found += _claims(
                render_to_string("declarations/entry_aid.html", {"pages": []}), "entry aid"
            )
    assert found == []
