"""The municipal audit report: sums that equal the declarations, its sections, every signal
with its evidence, no BSN anywhere, and a log entry for every read."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest

from contracts.constants import AgreementType, ProviderKind, Relation
from contracts.models import AgreementVersion
from declarations.constants import DeclarationStatus
from declarations.models import Declaration, DeclarationLine, TimeEntry
from pgb_admin.audit.models import AccessEvent
from pgb_admin.budgets.models import Funder
from pgb_admin.figures.constants import RateUnit
from reports import files, selectors

from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    ProviderFactory,
    iban_from,
)


def _paid(agreement, budget, month: date, total: str, hours: list[tuple[int, str]] = ()):
    declaration = Declaration.objects.create(
        agreement=agreement,
        budget=budget,
        month=month,
        status=DeclarationStatus.PAID,
        total_amount=Decimal(total),
        care_quantity=sum((Decimal(q) for _, q in hours), Decimal(0)),
    )
    DeclarationLine.objects.bulk_create(
        DeclarationLine(
            declaration=declaration,
            care_date=month.replace(day=day),
            quantity=Decimal(quantity),
            unit=RateUnit.HOUR,
            rate=Decimal("18.50"),
            amount=Decimal(quantity) * Decimal("18.50"),
        )
        for day, quantity in hours
    )
    return declaration


def _holder_with_agreement(world, provider, relation=Relation.NONE, **version):
    holder = BudgetHolderFactory(funders=[world.the_hague])
    budget = BudgetFactory(holder=holder, funder=world.the_hague)
    HolderProviderFactory(holder=holder, provider=provider, relation=relation)
    agreement = CareAgreementFactory(holder=holder, provider=provider)
    AgreementVersionFactory(
        agreement=agreement, budget=budget, product=budget.products.first(), **version
    )
    return holder, budget, agreement


@pytest.fixture
def audited(world):
    """The Hague's year, with one case of every signal."""
    agreement, budget = world.mine_wmo_agreement, world.mine_wmo_budget
    for month in range(1, 10):
        _paid(agreement, budget, date(2026, month, 1), "500.00")
    _paid(agreement, budget, date(2026, 10, 1), "2000.00", hours=[(5, "30"), (12, "30")])
    AgreementVersion.objects.filter(agreement=agreement).update(rate=Decimal("22.00"))

    busy = ProviderFactory(name="V. Druk")
    holders = [_holder_with_agreement(world, busy) for _ in range(6)]
    for _holder, _budget, hourly in holders[:2]:
        for offset in range(5):  # Monday 5 October .. Friday, for two holders: 2 x 31 hours
            TimeEntry.objects.create(
                agreement=hourly,
                care_date=date(2026, 10, 5) + timedelta(days=offset),
                quantity=Decimal("6.20"),
            )
    _ended_holder, ended_budget, ended = _holder_with_agreement(
        world, ProviderFactory(name="E. Inde"), valid_to=date(2026, 6, 30)
    )
    _paid(ended, ended_budget, date(2026, 7, 1), "74.00", hours=[(6, "4")])
    shared = iban_from(424242)
    twins = [ProviderFactory(name=f"Tweeling {n}", iban=shared) for n in (1, 2)]
    for twin in twins:
        _holder_with_agreement(world, twin)
    return {"busy": busy, "ended": ended, "twins": twins}


def _report(world, persona="auditor_same", code="GM0518"):
    return selectors.municipality_report(user=world.users[persona], code=code, year=2026)


def test_spend_equals_the_declarations_to_the_cent(world, audited):
    report = _report(world).as_dict()
    counted = Declaration.objects.filter(
        budget__funder=world.the_hague, status__in=["validated", "exported", "submitted", "paid"]
    )
    total = sum(counted.values_list("total_amount", flat=True), Decimal(0))
    assert Decimal(report["totals"]["spend_in_year"]) == total == Decimal("6574.00")
    assert sum(Decimal(m["used"]) for m in report["spend_by_month"]) == total
    assert sum(Decimal(p["used"]) for p in report["spend_by_provider"]) == total
    assert sum(Decimal(s["used"]) for s in report["spend_by_scheme"]) == total
    assert sum(Decimal(c["used"]) for c in report["carer_classes"]) == total


def test_every_signal_with_its_evidence(world, audited):
    signals = _report(world).as_dict()["signals"]
    by_code = {}
    for signal in signals:
        by_code.setdefault(signal["code"], []).append(signal)
    assert set(by_code) == {
        "informal_rate_at_maximum",
        "provider_many_holders",
        "provider_week_over_limit",
        "care_after_agreement_end",
        "hours_far_above_agreed",
        "spend_spike",
        "shared_iban",
        "identical_months",  # 500.00 in January to September
    }
    informal = by_code["informal_rate_at_maximum"][0]
    assert informal["holder"] == world.mine.pk
    assert (informal["evidence"]["rate_cents"], informal["evidence"]["maximum_cents"]) == (
        2200,
        2200,
    )
    many = by_code["provider_many_holders"][0]
    assert (many["provider"], many["evidence"]["holders"]) == (audited["busy"].pk, 6)
    assert "5" in many["rule"]
    week = by_code["provider_week_over_limit"][0]
    assert week["evidence"] == {"week": "2026-W41", "hours": 62.0}
    after = by_code["care_after_agreement_end"][0]
    assert after["evidence"]["ended"] == "2026-06-30"
    assert after["evidence"]["first_day_after"] == "2026-07-06"
    above = by_code["hours_far_above_agreed"][0]
    assert above["evidence"]["declared_hours"] == 60.0
    spike = by_code["spend_spike"][0]
    assert spike["evidence"] == {"month": "2026-10", "spend_cents": 200000, "usual_cents": 50000}
    # one IBAN, listed once (not once per provider), naming both providers
    [shared] = by_code["shared_iban"]
    assert shared["evidence"]["provider_ids"] == sorted(t.pk for t in audited["twins"])
    assert shared["evidence"]["providers"] == 2
    assert shared["evidence"]["iban"].startswith("*")
    same = by_code["identical_months"][0]
    assert (same["evidence"]["first_month"], same["evidence"]["months"]) == ("2026-01", 9)
    # the legal situations come last, marked as context
    levels = [signal["level"] for signal in signals]
    assert levels == sorted(levels)  # "alarm" < "context"
    assert by_code["informal_rate_at_maximum"][0]["level"] == "context"
    assert by_code["provider_many_holders"][0]["level"] == "context"
    assert by_code["care_after_agreement_end"][0]["level"] == "alarm"


def test_another_municipality_shows_none_of_it(world, audited):
    report = _report(world, "auditor_other", "GM0106").as_dict()
    assert report["signals"] == []
    assert report["totals"]["spend_in_year"] == "0.00"


def test_tariffs_underspend_and_holders_near_exhaustion(world, audited):
    world.mine_wmo_budget.amount = Decimal("6000.00")
    world.mine_wmo_budget.save()
    report = _report(world).as_dict()
    assert report["tariffs"]["at_maximum"] >= 1
    assert report["tariffs"]["above_maximum"] == []
    near = {n["budget"]: n for n in report["near_exhaustion"]}
    assert near[world.mine_wmo_budget.pk]["used_pct"] == pytest.approx(108.3)
    assert Decimal(report["underspend"]["projected_for_running_grants"]) > 0
    assert report["underspend"]["ended_grants"] == "0.00"


def test_a_grant_that_ended_leaves_underspend_to_reclaim(world):
    budget = BudgetFactory(
        holder=world.mine,
        funder=world.the_hague,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 6, 30),
        amount=Decimal("3000.00"),
    )
    _paid(world.mine_wmo_agreement, budget, date(2026, 2, 1), "1000.00")
    report = _report(world).as_dict()
    assert report["underspend"]["ended_grants"] == "2000.00"


def test_no_bsn_in_any_form_of_the_report(world, audited):
    report = _report(world)
    content = report.as_dict()
    bsns = {world.mine.bsn, *(h.bsn for h in Funder.objects.get(code="GM0518").holders.all())}
    texts = [
        json.dumps(content),
        files.municipality_csv(content).decode("utf-8-sig"),
        _xlsx_text(files.municipality_xlsx(content)),
        files.municipality_chart(content, "svg").decode(),
    ]
    for text in texts:
        assert not [bsn for bsn in bsns if bsn in text]


def _xlsx_text(content: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def test_the_xlsx_holds_real_charts_and_the_png_is_an_image(world, audited):
    content = _report(world).as_dict()
    workbook = openpyxl.load_workbook(io.BytesIO(files.municipality_xlsx(content)))
    charts = {sheet.title: len(sheet._charts) for sheet in workbook.worksheets}
    assert sum(charts.values()) == 2
    png = files.municipality_chart(content, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size[0] > 400


def test_every_auditor_read_is_logged_staff_reads_too(world, audited):
    reads = AccessEvent.objects.filter(what="report:municipality")
    _report(world)
    _report(world, "staff")
    entries = list(reads.order_by("pk"))
    assert [(e.username, e.role, e.purpose) for e in entries] == [
        ("auditor_same", "auditor", "audit"),
        ("staff", "staff", "support"),
    ]
    assert entries[0].object_pk == str(world.the_hague.pk)
    assert entries[0].count > 0
    assert entries[0].holder_pk is None


def test_only_its_auditors_and_staff_get_the_report(world):
    from django.http import Http404

    for persona in ("holder", "representative", "bureau", "family", "auditor_other", "stranger"):
        with pytest.raises(Http404):
            _report(world, persona)


def test_an_organisation_with_many_holders_needs_more_to_be_a_signal(world):
    organisation = ProviderFactory(
        kind=ProviderKind.ORGANISATION, name="Zorg BV", kvk_number="12345678", date_of_birth=None
    )
    for _ in range(6):
        *_, agreement = _holder_with_agreement(world, organisation)
        agreement.agreement_type = AgreementType.INSTITUTION
        agreement.save()
    codes = {s["code"] for s in _report(world).as_dict()["signals"]}
    assert "provider_many_holders" not in codes
