"""Issue 19, item 5: the year statement per holder and grant, as a page and as a PDF, equal to
the reports to the cent. Today is 23 November 2026 (tests/conftest.py)."""

import io
import re
import zlib
from datetime import date
from decimal import Decimal

import pytest

from contracts.constants import AgreementType
from declarations.constants import DeclarationStatus
from declarations.documents.constants import DocumentKind
from declarations.documents.services import DocumentData, document_upload
from declarations.models import Declaration
from pgb_admin.audit.models import AccessEvent
from pgb_admin.budgets.services import free_amount_claim_create
from pgb_admin.core.spreadsheets import csv_bytes
from pgb_admin.figures.constants import FigureKind, FigureUnit, RateUnit
from pgb_admin.figures.models import StatutoryFigure
from reports import selectors
from reports.pdf import local_file
from reports.reconciliation.constants import DifferenceKind, OverviewKind
from reports.reconciliation.services import overview_upload

from ..declarations.hostile_documents import pdf
from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    ProviderFactory,
)
from ..two_factor import verified_login

PAGE = "/holders/{holder}/year-statement/{year}/"


def _declare(agreement, budget, month: date, total: str, status=DeclarationStatus.PAID):
    return Declaration.objects.create(
        agreement=agreement, budget=budget, month=month, status=status, total_amount=Decimal(total)
    )


def _agreement(world, budget, agreement_type, name, **version):
    link = HolderProviderFactory(holder=world.mine, provider=ProviderFactory(name=name))
    agreement = CareAgreementFactory(
        holder=world.mine, provider=link.provider, agreement_type=agreement_type
    )
    AgreementVersionFactory(
        agreement=agreement, budget=budget, product=budget.products.first(), **version
    )
    return agreement


@pytest.fixture
def year_world(world):
    """The Wmo grant with two providers (paid, ready to declare and declared months), a monthly
    employment on a grant of its own (holiday allowance, employer costs) and a claim on the
    Wlz grant's verantwoordingsvrij bedrag."""
    wmo = world.mine_wmo_budget
    first = _agreement(world, wmo, AgreementType.ASSIGNMENT, "Zorg Eerst", unit=RateUnit.HOUR)
    second = _agreement(world, wmo, AgreementType.ASSIGNMENT, "Hulp Twee", unit=RateUnit.HOUR)
    _declare(first, wmo, date(2026, 1, 1), "400.10")
    _declare(first, wmo, date(2026, 2, 1), "380.25", DeclarationStatus.EXPORTED)
    _declare(second, wmo, date(2026, 2, 1), "120.05", DeclarationStatus.SUBMITTED)
    _declare(second, wmo, date(2026, 3, 1), "99.99", DeclarationStatus.DRAFT)  # never counts
    StatutoryFigure.objects.create(
        kind=FigureKind.EMPLOYER_COSTS_PCT,
        unit=FigureUnit.PERCENT,
        value=Decimal("10.00"),
        valid_from=date(2026, 1, 1),
        source="test figure",
    )
    employment = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("40000"))
    _agreement(
        world,
        employment,
        AgreementType.EMPLOYMENT_FIXED,
        "Werknemer Drie",
        unit=RateUnit.MONTH,
        rate=Decimal("1000.00"),
        hours_per_week=Decimal("10"),
    )
    free_amount_claim_create(
        actor=world.users["representative"],
        budget_id=world.mine_wlz_budget.pk,
        paid_on=date(2026, 3, 2),
        amount=Decimal("100.00"),
        description="postzegels",
    )
    return world


def _statement(world, user="representative", year=2026):
    return selectors.holder_year_statement(
        user=world.users[user], holder_id=world.mine.pk, year=year
    )


def test_the_statement_equals_the_reports_to_the_cent(year_world):
    world = year_world
    statement = _statement(world)
    exhaustion = selectors.holder_exhaustion_dict(
        user=world.users["representative"], holder_id=world.mine.pk, year=2026
    )
    costs = selectors.holder_year_costs(
        user=world.users["representative"], holder_id=world.mine.pk, year=2026
    )
    reported = {grant["budget"]: grant for grant in exhaustion["grants"]}
    assert {grant.budget.pk for grant in statement.grants} == set(reported)
    for grant in statement.grants:
        report = reported[grant.budget.pk]
        assert str(grant.granted) == report["granted"]
        assert str(grant.paid) == report["paid"]
        assert str(grant.declared_unpaid) == report["validated_unpaid"]
        assert str(grant.used) == report["used"]
        assert str(grant.not_used) == report["remaining"]
        # every month of the year adds up to what the grant used in it
        in_year = next(g for g in costs["grants"] if g["budget"] == grant.budget.pk)
        assert str(grant.year_total) == in_year["used_in_year"]
        for month in grant.months:
            parts = sum(month.by_provider, Decimal(0)) + month.holiday_allowance
            parts += month.employer_costs + month.free_amount
            assert parts == month.total
    for name in ("granted", "paid", "used"):
        assert str(statement.totals[name]) == exhaustion["totals"][name]
    assert str(statement.totals["not_used"]) == exhaustion["totals"]["remaining"]
    assert str(statement.totals["year_total"]) == costs["totals"]["budget_spend"]


def test_per_provider_and_month_with_the_employment_costs_apart(year_world):
    world = year_world
    grants = {grant.budget.pk: grant for grant in _statement(world).grants}
    wmo = grants[world.mine_wmo_budget.pk]
    names = [name for _pk, name, _total in wmo.providers]
    assert names == ["Zorg Eerst", "Hulp Twee"]
    assert [total for *_rest, total in wmo.providers] == [Decimal("780.35"), Decimal("120.05")]
    february = next(month for month in wmo.months if month.month == date(2026, 2, 1))
    assert february.by_provider == [Decimal("380.25"), Decimal("120.05")]
    assert [month.month.month for month in wmo.months] == [1, 2]  # the draft of March: no
    assert wmo.paid == Decimal("400.10")
    assert wmo.declared_unpaid == Decimal("500.30")
    assert not wmo.shows_employment_costs

    employment = next(g for g in grants.values() if g.shows_employment_costs)
    # € 1.000 a month January to October (the last month over): 8 % holiday allowance and
    # 10 % employer costs each month
    assert len(employment.months) == 10
    assert employment.holiday_allowance_in_year == Decimal("800.00")
    assert employment.employer_costs_in_year == Decimal("1000.00")
    assert employment.year_total == Decimal("11800.00")

    wlz = grants[world.mine_wlz_budget.pk]
    assert wlz.free_amount["claimed"] == "100.00"
    assert wlz.free_amount_in_year == Decimal("100.00")


def test_page_and_pdf_in_dutch_and_english(year_world, client):
    world = year_world
    client.force_login(world.users["representative"])
    url = PAGE.format(holder=world.mine.pk, year=2026)
    dutch = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert dutch.status_code == 200
    text = dutch.content.decode()
    assert "Jaaroverzicht 2026" in text
    assert "€\u00a0780,35" in text
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Year statement 2026" in english.content.decode()
    assert "€\u00a0780.35" in english.content.decode()

    pdf = client.get(url + "pdf/", HTTP_ACCEPT_LANGUAGE="nl")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF-")
    # the text is set in the project's own font, embedded, never a font of the machine
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([\w-]+)", _inflated(pdf.content)))
    assert fonts
    assert all(font.startswith(b"pgb-pdf-sans") for font in fonts)


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to look for its fonts."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_pdf_fetches_only_its_own_static_files_and_fonts():
    assert local_file("https://pgb-admin.invalid/pdf-fonts/DejaVuSans.ttf").is_file()
    assert local_file("https://pgb-admin.invalid/static/reports/statement.css").is_file()
    for url in (
        "https://pgb-admin.invalid/pdf-fonts/../../../../etc/passwd",
        "https://pgb-admin.invalid/pdf-fonts/cmr10.ttf",  # a font file, but not one of ours
        "https://pgb-admin.invalid/static/../../settings.py",
        "https://pgb-admin.invalid/static/reports/../../../../manage.py",
        "https://pgb-admin.invalid/settings.py",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ):
        assert local_file(url) is None, url


def test_out_of_scope_is_404_and_an_auditor_read_is_logged(year_world, client):
    world = year_world
    url = PAGE.format(holder=world.mine.pk, year=2026)
    verified_login(client, world.users["auditor_other"])
    assert client.get(url).status_code == 404
    assert client.get(url + "pdf/").status_code == 404
    verified_login(client, world.users["auditor_same"])
    assert client.get(url).status_code == 200
    assert AccessEvent.objects.filter(
        user_pk=world.users["auditor_same"].pk,
        holder_pk=world.mine.pk,
        what="report:year_statement",
    ).exists()
    # an auditor of The Hague sees only The Hague's grants: not the care office's Wlz grant
    assert {grant.budget.funder_id for grant in _statement(world, "auditor_same").grants} == {
        world.the_hague.pk
    }
    assert client.get(PAGE.format(holder=world.mine.pk, year=1999)).status_code == 404


def test_the_svb_overview_matched_and_the_documents_are_listed(year_world, client):
    """An SVB overview: January paid as declared, February paid € 20,25 less and the second
    provider's February missing; a payment for March without a declaration here; and the
    grant's balance. The archive's decision of the
    grant (dated the year before) and an invoice of the year are listed."""
    world = year_world
    wmo = world.mine_wmo_budget
    first, second = (
        agreement
        for agreement in world.mine.agreements.order_by("pk")
        if agreement.provider.name in ("Zorg Eerst", "Hulp Twee")
    )
    header = ["Zorgovereenkomst", "Periode", "Gedeclareerd bedrag", "Betaald bedrag"]
    rows = [
        [first.pk, "2026-01", "400,10", "400,10"],
        [first.pk, "2026-02", "380,25", "360,00"],
        [second.pk, "2026-03", "", "50,00"],
    ]
    actor = world.users["representative"]
    overview_upload(
        actor=actor,
        holder_id=world.mine.pk,
        kind=OverviewKind.SVB_PAYMENTS,
        filename="betalingen.csv",
        content=csv_bytes(header, rows),
    )
    overview_upload(
        actor=actor,
        holder_id=world.mine.pk,
        kind=OverviewKind.SVB_BUDGET,
        filename="budget.csv",
        content=csv_bytes(
            ["Toekenning", "Datum", "Saldo"], [[wmo.decision_reference, "2026-11-20", "12599,65"]]
        ),
    )
    document_upload(
        actor=actor,
        holder_id=world.mine.pk,
        data=DocumentData(
            kind=DocumentKind.DECISION,
            document_date=date(2025, 12, 1),
            budget_id=wmo.pk,
            title="Beschikking Wmo",
        ),
        file=io.BytesIO(pdf(text="beschikking")),
        filename="beschikking.pdf",
    )
    document_upload(
        actor=actor,
        holder_id=world.mine.pk,
        data=DocumentData(
            kind=DocumentKind.INVOICE,
            document_date=date(2026, 2, 28),
            invoice_number="F-2026-02",
            amount=Decimal("120.05"),
            title="Hulp Twee",
        ),
        file=io.BytesIO(pdf(text="factuur")),
        filename="factuur.pdf",
    )

    match = _statement(world).matches[wmo.pk]
    outcomes = {
        outcome.kind: (outcome.count, outcome.amount, outcome.open) for outcome in match.outcomes
    }
    assert outcomes == {
        DifferenceKind.PAID_AS_DECLARED: (1, Decimal("400.10"), 0),
        DifferenceKind.PAID_DIFFERENTLY: (1, Decimal("-20.25"), 1),
        DifferenceKind.PAID_WITHOUT_DECLARATION: (1, Decimal("50.00"), 1),
        # the second provider's February, declared here, is not in the overview
        DifferenceKind.NOT_PAID: (1, Decimal("120.05"), 1),
    }
    assert match.balance_theirs == Decimal("12599.65")

    client.force_login(actor)
    page = client.get(PAGE.format(holder=world.mine.pk, year=2026), HTTP_ACCEPT_LANGUAGE="nl")
    text = page.content.decode()
    assert "Betaald zonder declaratie hier" in text or "Paid without a declaration here" in text
    assert "Beschikking Wmo" in text
    assert "F-2026-02" in text
