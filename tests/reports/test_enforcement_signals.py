"""The signals that enforcement looks for: each catches its case and leaves the legal or
normal case alone; thresholds are dated figures a municipality overrides with its own row;
auditors see a postcode masked, and evidence and links on the page and in the API."""

from datetime import date
from decimal import Decimal

from django.test import Client
from django.urls import reverse

import pytest

from contracts.constants import AgreementType, ProviderKind, Relation
from declarations.constants import DeclarationStatus
from declarations.models import Declaration, DeclarationLine
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.audit.models import AccessEvent
from pgb_admin.budgets.constants import AdmissionKind, IndicationPeriod
from pgb_admin.budgets.models import HolderAdmission, Indication
from pgb_admin.figures.constants import FigureKind, FigureUnit, RateUnit
from pgb_admin.figures.models import StatutoryFigure
from reports import selectors

from ..api.conftest import token_client
from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    MandateFactory,
    ProviderFactory,
    UserFactory,
)
from ..two_factor import verified_login


def _case(world, provider=None, relation=Relation.NONE, holder=None, **version):
    """A holder of The Hague with a grant and an agreement with ``provider``."""
    holder = holder or BudgetHolderFactory(funders=[world.the_hague])
    budget = BudgetFactory(holder=holder, funder=world.the_hague)
    provider = provider or ProviderFactory()
    HolderProviderFactory(holder=holder, provider=provider, relation=relation)
    agreement = CareAgreementFactory(
        holder=holder,
        provider=provider,
        agreement_type=version.pop("agreement_type", AgreementType.EMPLOYMENT_HOURLY),
    )
    version = AgreementVersionFactory(
        agreement=agreement, budget=budget, product=budget.products.first(), **version
    )
    return holder, budget, version


def _paid(version, month: date, hours: list[tuple[int, str]], total: str | None = None):
    amount = sum((Decimal(q) for _, q in hours), Decimal(0)) * version.rate
    declaration = Declaration.objects.create(
        agreement=version.agreement,
        budget=version.budget,
        month=month,
        status=DeclarationStatus.PAID,
        total_amount=Decimal(total) if total else amount,
        care_quantity=sum((Decimal(q) for _, q in hours), Decimal(0)),
    )
    DeclarationLine.objects.bulk_create(
        DeclarationLine(
            declaration=declaration,
            version=version,
            care_date=month.replace(day=day),
            quantity=Decimal(quantity),
            unit=RateUnit.HOUR,
            rate=version.rate,
            amount=Decimal(quantity) * version.rate,
        )
        for day, quantity in hours
    )
    return declaration


def _signals(world, code=None, persona="auditor_same"):
    report = selectors.municipality_report(user=world.users[persona], code="GM0518", year=2026)
    signals = report.as_dict()["signals"]
    return [s for s in signals if code is None or s["code"] == code]


# --- hours above the indication ------------------------------------------------------------


def _indicated(budget, hours, per=IndicationPeriod.WEEK):
    return Indication.objects.create(
        budget=budget,
        product=budget.products.first(),
        hours=Decimal(hours),
        per=per,
        valid_from=date(2026, 1, 1),
    )


def test_hours_above_the_indication_and_within_it(world):
    _holder, budget, version = _case(world)
    _indicated(budget, "4")  # March: 4 x 31 / 7 = 17.71 hours
    _paid(version, date(2026, 3, 1), [(2, "10"), (9, "10")])
    _within, budget_ok, version_ok = _case(world)
    _indicated(budget_ok, "80", IndicationPeriod.MONTH)
    _paid(version_ok, date(2026, 3, 1), [(2, "10"), (9, "10")])
    [signal] = _signals(world, "hours_above_indication")
    assert signal["holder"] == budget.holder_id
    assert signal["evidence"] == {
        "grant": budget.pk,
        "month": "2026-03",
        "declared_hours": 20.0,
        "indicated_hours": 17.71,
    }
    assert "100%" in signal["rule"]
    assert signal["level"] == "alarm"


def test_a_municipality_sets_its_own_threshold(world):
    _holder, budget, version = _case(world)
    _indicated(budget, "4")
    _paid(version, date(2026, 3, 1), [(2, "10"), (9, "10")])
    own = {
        "kind": FigureKind.SIGNAL_INDICATION_ABOVE_PCT,
        "unit": FigureUnit.PERCENT,
        "valid_from": date(2026, 1, 1),
        "source": "test",
    }
    StatutoryFigure.objects.create(funder=world.assen, value=Decimal("100"), **own)
    StatutoryFigure.objects.create(funder=world.the_hague, value=Decimal("150"), **own)
    assert _signals(world, "hours_above_indication") == []  # 20 h is below 150% of 17.71
    StatutoryFigure.objects.filter(funder=world.the_hague).update(value=Decimal("110"))
    [signal] = _signals(world, "hours_above_indication")
    assert "110%" in signal["rule"]


# --- admission and death -------------------------------------------------------------------


def test_care_during_an_admission_and_none_outside_it(world):
    holder, _budget, version = _case(world)
    HolderAdmission.objects.create(
        holder=holder,
        kind=AdmissionKind.HOSPITAL,
        valid_from=date(2026, 3, 10),
        valid_to=date(2026, 3, 14),
    )
    declaration = _paid(version, date(2026, 3, 1), [(9, "4"), (12, "4"), (13, "4"), (20, "4")])
    other, _b, other_version = _case(world)
    HolderAdmission.objects.create(
        holder=other, kind=AdmissionKind.WLZ_INSTITUTION, valid_from=date(2026, 6, 1)
    )
    _paid(other_version, date(2026, 5, 1), [(29, "4")])
    [signal] = _signals(world, "care_during_admission")
    assert signal["holder"] == holder.pk
    assert signal["evidence"] == {
        "agreement": version.agreement_id,
        "declaration": declaration.pk,
        "admission": "hospital",
        "admitted_from": "2026-03-10",
        "admitted_to": "2026-03-14",
        "first_day": "2026-03-12",
        "days": 2,
    }


def test_care_after_death_and_none_before_it(world):
    holder, _budget, version = _case(world)
    holder.date_of_death = date(2026, 3, 15)
    holder.save()
    _paid(version, date(2026, 3, 1), [(10, "4"), (16, "4"), (17, "4")])
    alive_until, _b, before = _case(world)
    alive_until.date_of_death = date(2026, 4, 1)
    alive_until.save()
    _paid(before, date(2026, 3, 1), [(31, "4")])
    [signal] = _signals(world, "care_after_death")
    assert signal["holder"] == holder.pk
    assert signal["evidence"]["died"] == "2026-03-15"
    assert (signal["evidence"]["first_day_after"], signal["evidence"]["days"]) == (
        "2026-03-16",
        2,
    )


# --- representatives and bureaus -----------------------------------------------------------


def test_a_representative_who_is_also_the_provider(world):
    vera = UserFactory(username="vera", first_name="Vera", last_name="de Wit")
    holder, _b, version = _case(world, ProviderFactory(name="V. de Wit"))
    MandateFactory(user=vera, holder=holder, role=MandateRole.REPRESENTATIVE)
    karel = UserFactory(username="karel", first_name="Karel", last_name="Jansen")
    other, _b2, _v2 = _case(world, ProviderFactory(name="K. Bakker"))
    MandateFactory(user=karel, holder=other, role=MandateRole.REPRESENTATIVE)
    # paid into an account in the bureau employee's name
    bureau = UserFactory(username="bram", first_name="Bram", last_name="Bureau")
    third, _b3, v3 = _case(world, ProviderFactory(name="Zorg BV", account_holder="B. Bureau"))
    MandateFactory(user=bureau, holder=third, role=MandateRole.BUREAU)
    found = {(s["holder"], s["provider"]): s for s in _signals(world, "representative_is_provider")}
    assert set(found) == {
        (holder.pk, version.agreement.provider_id),
        (third.pk, v3.agreement.provider_id),
    }
    assert found[holder.pk, version.agreement.provider_id]["evidence"] == {
        "role": "representative",
        "representative": "Vera de Wit",
        "provider_name": "V. de Wit",
        "matched_on": "name",
    }
    assert found[third.pk, v3.agreement.provider_id]["evidence"]["matched_on"] == "account_holder"


def test_one_representative_for_many_holders(world):
    busy, calm = UserFactory(username="busy"), UserFactory(username="calm")
    holders = [_case(world)[0] for _ in range(11)]
    for holder in holders:
        MandateFactory(user=busy, holder=holder, role=MandateRole.BUREAU)
    for holder in holders[:10]:
        MandateFactory(user=calm, holder=holder, role=MandateRole.REPRESENTATIVE)
    [signal] = _signals(world, "holders_per_representative")
    assert signal["evidence"]["holders"] == 11
    assert signal["evidence"]["role"] == "bureau"
    assert signal["evidence"]["holder_ids"] == sorted(h.pk for h in holders)
    assert "10" in signal["rule"]  # the threshold, in the text of the report's language
    urls = [link["url"] for link in signal["links"]]
    assert reverse("budgets:dashboard", args=[holders[0].pk]) in urls


# --- addresses, accounts and names ---------------------------------------------------------


def test_holder_and_carer_at_one_address(world):
    holder, _b, version = _case(world, ProviderFactory(postcode="2514AB", house_number="12"))
    holder.postcode, holder.house_number = "2514 AB", "12"
    holder.save()
    few, _b2, _v2 = _case(
        world, ProviderFactory(postcode="2514AB", house_number="14"), hours_per_week=Decimal(8)
    )
    few.postcode, few.house_number = "2514AB", "14"
    few.save()
    neighbour, _b3, _v3 = _case(world, ProviderFactory(postcode="2514AB", house_number="13"))
    neighbour.postcode, neighbour.house_number = "2514AB", "11"
    neighbour.save()
    version.hours_per_week = Decimal(24)
    version.save()
    [signal] = _signals(world, "same_address")
    assert signal["holder"] == holder.pk
    assert signal["evidence"] == {"postcode": "2514 **", "hours_per_week": 24.0}


def test_an_account_in_another_name(world):
    holder, _b, _v = _case(world, ProviderFactory(name="J. de Boer", account_holder="P. Anders"))
    _case(world, ProviderFactory(name="J. de Boer", account_holder="J de Boer"))
    [signal] = _signals(world, "account_name_mismatch")
    assert signal["evidence"]["account_holder"] == "P. Anders"
    assert signal["evidence"]["iban"].startswith("*")
    # a provider's signal links to the providers page of the holders it cares for
    assert [link["url"] for link in signal["links"]] == [
        reverse("contracts:providers", args=[holder.pk])
    ]


def test_a_family_company_paid_a_formal_rate(world):
    holder = BudgetHolderFactory(funders=[world.the_hague], surname="Bakker")
    company = ProviderFactory(
        kind=ProviderKind.ORGANISATION,
        name="Zorg Bakker B.V.",
        kvk_number="12345678",
        date_of_birth=None,
    )
    _case(world, company, holder=holder, agreement_type=AgreementType.INSTITUTION)
    unrelated = ProviderFactory(
        kind=ProviderKind.ORGANISATION, name="Zorg BV", kvk_number="87654321", date_of_birth=None
    )
    _case(
        world,
        unrelated,
        holder=BudgetHolderFactory(funders=[world.the_hague], surname="Bakker"),
        agreement_type=AgreementType.INSTITUTION,
    )
    # a partner of that name is informal care: that is the family agreement, not a signal
    _case(
        world,
        ProviderFactory(name="J. Bakker"),
        relation=Relation.PARTNER,
        holder=BudgetHolderFactory(funders=[world.the_hague], surname="Bakker"),
        agreement_type=AgreementType.FAMILY,
    )
    [signal] = _signals(world, "family_company_formal_rate")
    assert (signal["holder"], signal["provider"]) == (holder.pk, company.pk)
    assert signal["evidence"]["matched_on"] == "surname"


# --- identical months and a carer's day ----------------------------------------------------


def test_identical_months_need_the_threshold_in_a_row(world):
    _h, _b, four = _case(world)
    for month in (2, 3, 4, 5):
        _paid(four, date(2026, month, 1), [(2, "8")])
    _h2, _b2, three = _case(world)
    for month in (2, 3, 4):
        _paid(three, date(2026, month, 1), [(2, "8")])
    _paid(three, date(2026, 5, 1), [(2, "9")])
    [signal] = _signals(world, "identical_months")
    assert signal["evidence"]["agreement"] == four.agreement_id
    assert signal["evidence"]["months"] == 4


def test_a_carer_declared_by_several_holders_for_more_than_a_day(world):
    carer = ProviderFactory(name="K. Kopie")
    _h1, _b1, first = _case(world, carer)
    _h2, _b2, second = _case(world, carer)
    _paid(first, date(2026, 3, 1), [(3, "14"), (4, "10")])
    _paid(second, date(2026, 3, 1), [(3, "12"), (4, "10")])
    [signal] = _signals(world, "carer_day_over_limit")
    assert signal["provider"] == carer.pk
    assert signal["evidence"] == {"day": "2026-03-03", "hours": 26.0, "holders": 2}


# --- what the auditor sees -----------------------------------------------------------------


@pytest.fixture
def same_address(world):
    holder, _b, version = _case(
        world,
        ProviderFactory(name="S. Samen", postcode="2514AB", house_number="1077"),
        hours_per_week=Decimal(30),
    )
    holder.postcode, holder.house_number = "2514AB", "1077"
    holder.save()
    return holder, version.agreement.provider


def test_the_page_masks_the_postcode_and_links_to_the_holder_and_provider(world, same_address):
    holder, _provider = same_address
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), world.users["auditor_same"])
    reads = AccessEvent.objects.filter(what="report:municipality_page", username="auditor_same")
    before = reads.count()
    response = client.get(reverse("reports:municipality", args=["GM0518"]) + "?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2514 **" in html
    assert "2514AB" not in html
    assert "1077" not in html
    for url in (
        reverse("budgets:dashboard", args=[holder.pk]),
        reverse("contracts:providers", args=[holder.pk]),
    ):
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200  # the auditor may open it
    assert reads.count() == before + 1  # the read is logged


def test_the_api_shows_evidence_level_and_links(world, same_address):
    holder, provider = same_address
    response = token_client(world.users["auditor_same"]).get(
        "/api/v1/reports/municipalities/GM0518/?year=2026"
    )
    assert response.status_code == 200, response.content[:300]
    [signal] = [s for s in response.json()["signals"] if s["code"] == "same_address"]
    assert signal["level"] == "alarm"
    assert signal["evidence"] == {"postcode": "2514 **", "hours_per_week": 30.0}
    assert (signal["holder"], signal["provider"]) == (holder.pk, provider.pk)
    assert {"label", "url"} <= set(signal["links"][0])
    assert "1077" not in response.content.decode()
