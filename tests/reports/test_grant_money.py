"""Issue 16, items 4 and 5: monthly amounts of every agreement type, an employment's holiday
allowance and employer costs, the verantwoordingsvrij bedrag, the CAK exemptions, and
"budget not used" instead of "reclaim". Real database objects; today is 23 November 2026, so
October is the last month that is over."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

import pytest

from contracts.constants import AgreementType
from declarations.constants import DeclarationStatus
from declarations.models import Declaration, DeclarationLine
from pgb_admin.budgets.constants import CakExemption, Scheme
from pgb_admin.budgets.models import FreeAmountClaim
from pgb_admin.budgets.selectors import free_amount_allowed
from pgb_admin.budgets.services import free_amount_claim_create
from pgb_admin.figures.constants import FigureKind, FigureUnit, RateUnit
from pgb_admin.figures.models import StatutoryFigure
from reports import selectors

from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
)


def _monthly(world, agreement_type, rate="2000.00", **version):
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("40000"))
    link = HolderProviderFactory(holder=world.mine)
    agreement = CareAgreementFactory(
        holder=world.mine, provider=link.provider, agreement_type=agreement_type
    )
    AgreementVersionFactory(
        agreement=agreement,
        budget=budget,
        product=budget.products.first(),
        unit=RateUnit.MONTH,
        rate=Decimal(rate),
        hours_per_week=Decimal("20"),
        **version,
    )
    return budget


def _grant(world, budget):
    report = selectors.holder_exhaustion(
        user=world.users["representative"], holder_id=world.mine.pk, year=2026
    ).as_dict()
    return next(g for g in report["grants"] if g["budget"] == budget.pk)


def _employer_costs(pct="10.00"):
    return StatutoryFigure.objects.create(
        kind=FigureKind.EMPLOYER_COSTS_PCT,
        unit=FigureUnit.PERCENT,
        value=Decimal(pct),
        valid_from=date(2026, 1, 1),
        source="test figure",
    )


def test_employment_of_2000_a_month_reserves_160_holiday_allowance_and_employer_costs(world):
    _employer_costs("10.00")
    budget = _monthly(world, AgreementType.EMPLOYMENT_FIXED)
    grant = _grant(world, budget)
    months = {m["month"]: m for m in grant["months"]}
    # shown apart, each month: wage, holiday allowance (8 %) and employer costs (10 %)
    assert {m["holiday_allowance"] for m in months.values()} == {"160.00"}
    assert {m["employer_costs"] for m in months.values()} == {"200.00"}
    # reserved January to May, paid out in May; nothing else is paid out in 2026
    assert months["2026-05"]["holiday_allowance_paid_out"] == "800.00"
    assert {m["holiday_allowance_paid_out"] for k, m in months.items() if k != "2026-05"} == {
        "0.00"
    }
    # the forecast (agreed) of a month ahead is the wage and both extras
    assert months["2026-11"]["agreed"] == "2360.00"
    costs = grant["employment_costs"]
    assert costs["holiday_allowance"] == {"used": "1600.00", "committed": "320.00"}
    assert costs["employer_costs"] == {"used": "2000.00", "committed": "400.00", "known": True}
    assert costs["message"] == ""
    assert grant["reserved"] == "1600.00"
    assert grant["used"] == "23600.00"  # 10 x (2,000 + 160 + 200)
    assert grant["committed"] == "4720.00"
    assert grant["projection"]["agreed"]["balance_at_end"] == "11680.00"  # 40,000 - 12 x 2,360


def test_without_an_employer_costs_figure_they_are_unknown_not_zero(world):
    budget = _monthly(world, AgreementType.EMPLOYMENT_FIXED)
    grant = _grant(world, budget)
    costs = grant["employment_costs"]
    assert costs["employer_costs"]["known"] is False
    assert costs["message"]  # "Employer costs unknown: ..." (in the user's language)
    assert costs["holiday_allowance"]["used"] == "1600.00"


def test_holiday_allowance_is_paid_out_when_the_agreement_ends_before_may(world):
    budget = _monthly(world, AgreementType.EMPLOYMENT_FIXED, valid_to=date(2026, 3, 31))
    months = {m["month"]: m for m in _grant(world, budget)["months"]}
    assert months["2026-03"]["holiday_allowance_paid_out"] == "480.00"
    assert months["2026-05"]["holiday_allowance_paid_out"] == "0.00"


def test_a_rate_that_includes_the_holiday_allowance_adds_none(world):
    budget = _monthly(world, AgreementType.EMPLOYMENT_FIXED, rate_includes_holiday_pay=True)
    assert _grant(world, budget)["employment_costs"]["holiday_allowance"]["used"] == "0.00"


def _hourly_employee(world, **version):
    """An employee at € 15,00 an hour, 10 hours a week all year, with a paid declaration of
    100 hours in March (€ 1.500,00: the wage; the SVB adds the holiday allowance)."""
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("40000"))
    link = HolderProviderFactory(holder=world.mine)
    agreement = CareAgreementFactory(
        holder=world.mine, provider=link.provider, agreement_type=AgreementType.EMPLOYMENT_HOURLY
    )
    hourly = AgreementVersionFactory(
        agreement=agreement,
        budget=budget,
        product=budget.products.first(),
        unit=RateUnit.HOUR,
        rate=Decimal("15.00"),
        hours_per_week=Decimal("10"),
        **version,
    )
    declaration = Declaration.objects.create(
        agreement=agreement,
        budget=budget,
        month=date(2026, 3, 1),
        status=DeclarationStatus.PAID,
        total_amount=Decimal("1500.00"),
        care_amount=Decimal("1500.00"),
        care_quantity=Decimal("100"),
    )
    DeclarationLine.objects.create(
        declaration=declaration,
        version=hourly,
        care_date=date(2026, 3, 2),
        quantity=Decimal("100"),
        unit=RateUnit.HOUR,
        rate=Decimal("15.00"),
        amount=Decimal("1500.00"),
    )
    return budget


def test_hourly_employee_counts_the_wage_and_8_percent_holiday_allowance_in_used(world):
    budget = _hourly_employee(world)
    grant = _grant(world, budget)
    months = {m["month"]: m for m in grant["months"]}
    # € 1.500 of wage (the declaration) and € 120 of holiday allowance, reserved in March
    assert (grant["paid"], grant["reserved"], grant["used"]) == ("1500.00", "120.00", "1620.00")
    assert months["2026-03"]["actual"] == "1620.00"
    assert months["2026-03"]["holiday_allowance"] == "120.00"
    # paid out in May; no employer-costs figure: unknown, said so, not counted as nothing
    assert months["2026-05"]["holiday_allowance_paid_out"] == "120.00"
    costs = grant["employment_costs"]
    assert costs["holiday_allowance"]["used"] == "120.00"
    assert costs["employer_costs"]["known"] is False
    assert costs["message"]
    # the help says so in the user's language: a declaration is the wage only
    with translation.override("nl"):
        assert "alleen het loon" in str(_grant(world, budget)["employment_costs"]["help"])
    # committed: 10 hours a week x € 15,00 in November (30 days) and December (31 days), and
    # 8 % of each month on top, half up per month
    assert grant["committed_agreed"] == "1307.15"  # 642.86 + 664.29
    assert costs["holiday_allowance"]["committed"] == "104.57"  # 51.43 + 53.14
    assert months["2026-11"]["agreed"] == "694.29"  # 642.86 + 51.43
    assert grant["committed"] == "1411.72"


def test_hourly_employee_whose_rate_includes_holiday_pay_adds_nothing(world):
    budget = _hourly_employee(world, rate_includes_holiday_pay=True)
    grant = _grant(world, budget)
    assert (grant["reserved"], grant["used"]) == ("0.00", "1500.00")
    assert grant["employment_costs"]["holiday_allowance"] == {"used": "0.00", "committed": "0.00"}
    assert grant["committed"] == "1307.15"


def test_hourly_employee_employer_costs_appear_only_with_a_figure(world):
    _employer_costs("10.00")
    budget = _hourly_employee(world)
    grant = _grant(world, budget)
    costs = grant["employment_costs"]
    assert costs["employer_costs"] == {"used": "150.00", "committed": "130.72", "known": True}
    assert costs["message"] == ""
    assert grant["used"] == "1770.00"  # 1,500 + 120 + 150
    assert {m["month"]: m for m in grant["months"]}["2026-03"]["employer_costs"] == "150.00"


@pytest.mark.parametrize("agreement_type", [AgreementType.FAMILY, AgreementType.INSTITUTION])
def test_a_monthly_amount_of_any_agreement_counts_every_month(world, agreement_type):
    budget = _monthly(world, agreement_type, rate="500.00")
    grant = _grant(world, budget)
    assert (grant["paid"], grant["committed_fixed"]) == ("5000.00", "1000.00")
    # not an employment: no holiday allowance, no employer costs, nothing unknown
    assert grant["employment_costs"]["holiday_allowance"]["used"] == "0.00"
    assert grant["employment_costs"]["message"] == ""


# --- the verantwoordingsvrij bedrag --------------------------------------------------------------

PCT, MIN, MAX = Decimal("1.50"), Decimal("250.00"), Decimal("1250.00")


@pytest.mark.parametrize(
    ("amount", "days", "expected"),
    [
        ("40000.00", 365, "600.00"),  # 1.5 %
        ("10000.00", 365, "250.00"),  # 150 is below the minimum
        ("100000.00", 366, "1250.00"),  # 1,500 is above the maximum; a leap year is a year
        ("2000.00", 73, "50.00"),  # a fifth of a year: 30 is below the minimum, a fifth too
        ("100000.00", 100, "342.47"),  # 1,250 x 100 / 365 = 342.4657..., half up to the cent
        ("100.00", 365, "100.00"),  # never more than the grant
    ],
)
def test_free_amount_is_a_percentage_between_a_pro_rata_minimum_and_maximum(amount, days, expected):
    assert free_amount_allowed(Decimal(amount), days, PCT, MIN, MAX) == Decimal(expected)


def test_free_amount_without_a_figure_is_unknown():
    assert free_amount_allowed(Decimal("1000"), 365, None, MIN, MAX) is None


def test_free_amount_on_the_report_with_claims_and_what_remains(world):
    wlz = world.mine_wlz_budget  # € 12,000 over 2026: 1.5 % is 180, so the minimum 250
    free_amount_claim_create(
        actor=world.users["representative"],
        budget_id=wlz.pk,
        paid_on=date(2026, 3, 2),
        amount=Decimal("100.00"),
        description="postzegels",
    )
    grant = _grant(world, wlz)
    assert grant["free_amount"] == {
        "allowed": "250.00",
        "claimed": "100.00",
        "remaining": "150.00",
        "message": "",
    }
    assert grant["paid"] == "100.00"  # money paid from the grant to the holder
    assert _grant(world, world.mine_wmo_budget)["free_amount"] is None  # no Wmo free amount


def test_a_claim_beyond_what_remains_or_outside_the_grant_is_refused(world):
    actor = world.users["representative"]
    with pytest.raises(ValidationError) as refused:
        free_amount_claim_create(
            actor=actor,
            budget_id=world.mine_wlz_budget.pk,
            paid_on=date(2027, 1, 5),
            amount=Decimal("250.01"),
        )
    assert set(refused.value.error_dict) == {"paid_on", "amount"}
    with pytest.raises(ValidationError):
        free_amount_claim_create(
            actor=actor,
            budget_id=world.mine_wmo_budget.pk,
            paid_on=date(2026, 3, 1),
            amount=Decimal("1.00"),
        )
    assert not FreeAmountClaim.objects.exists()


def test_only_those_who_may_write_record_a_claim(world):
    with pytest.raises(PermissionDenied):
        free_amount_claim_create(
            actor=world.users["family"],
            budget_id=world.mine_wlz_budget.pk,
            paid_on=date(2026, 3, 2),
            amount=Decimal("1.00"),
        )
    assert not FreeAmountClaim.objects.exists()


# --- the CAK contribution ------------------------------------------------------------------------


def _costs(world, holder):
    return selectors.holder_year_costs(user=world.users["staff"], holder_id=holder.pk, year=2026)


def test_cak_contribution_is_charged_from_the_month_after_a_wmo_grant_starts(world):
    body = _costs(world, world.theirs)  # a Wmo grant only, an adult
    assert [m["eigen_bijdrage"] for m in body["months"][:2]] == ["0.00", "21.80"]
    assert body["months"][1]["exemption"] is None
    assert body["totals"]["eigen_bijdrage"] == str(Decimal("21.80") * 11)


def test_no_cak_contribution_beside_a_wlz_grant(world):
    body = _costs(world, world.mine)  # a Wmo and a Wlz grant over 2026
    february = body["months"][1]
    assert february["eigen_bijdrage"] is None
    assert february["exemption"]["code"] == CakExemption.WLZ_CONTRIBUTION
    assert body["totals"]["eigen_bijdrage"] == "0.00"


def test_no_cak_contribution_for_an_exempt_holder_or_a_child(world):
    exempt = BudgetHolderFactory(cak_exemption=CakExemption.PARTNER_BELOW_PENSION_AGE)
    BudgetFactory(holder=exempt, funder=world.the_hague, scheme=Scheme.WMO)
    body = _costs(world, exempt)
    assert body["months"][5]["exemption"]["code"] == CakExemption.PARTNER_BELOW_PENSION_AGE
    assert body["totals"]["eigen_bijdrage"] == "0.00"

    child = BudgetHolderFactory(date_of_birth=date(2008, 7, 15))  # 18 on 15 July 2026
    BudgetFactory(holder=child, funder=world.the_hague, scheme=Scheme.WMO)
    months = _costs(world, child)["months"]
    assert months[6]["exemption"]["code"] == "under_18"  # July starts before the birthday
    assert (months[7]["eigen_bijdrage"], months[7]["exemption"]) == ("21.80", None)


# --- the dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_the_free_amount_and_records_a_claim(world, client):
    from django.urls import reverse

    from ..two_factor import verified_login

    verified_login(client, world.users["representative"])
    page = client.get(reverse("budgets:dashboard", args=[world.mine.pk]))
    assert page.status_code == 200
    assert "Verantwoordingsvrij" in page.content.decode()
    url = reverse("budgets:free_amount_claim", args=[world.mine.pk, world.mine_wlz_budget.pk])
    response = client.post(url, {"paid_on": "2026-03-02", "amount": "40.00", "description": ""})
    assert response.status_code == 302
    assert FreeAmountClaim.objects.get().amount == Decimal("40.00")
    too_much = client.post(url, {"paid_on": "2026-03-02", "amount": "500.00"})
    assert too_much.status_code == 400
    assert FreeAmountClaim.objects.count() == 1


def test_a_read_only_family_member_cannot_record_a_claim(world, client):
    from django.urls import reverse

    from ..two_factor import verified_login

    verified_login(client, world.users["family"])
    url = reverse("budgets:free_amount_claim", args=[world.mine.pk, world.mine_wlz_budget.pk])
    response = client.post(url, {"paid_on": "2026-03-02", "amount": "40.00"})
    assert response.status_code == 403
    assert not FreeAmountClaim.objects.exists()
