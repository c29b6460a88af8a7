"""The rule catalogue: every rule fires on the data it is about, with its figures in the message
in English and in Dutch, and stays quiet when only that detail is right.

Data goes through the services (hours, costs, declarations, agreements, grants). Only what no
service can produce is written with the ORM: a grant that lost the product of an agreement, an
invalid IBAN stored before validation, a tampered amount.

The base case is a clean month: an approved hourly employment agreement with The Hague (Wmo,
informal care, maximum € 22,00) at € 18,50 an hour, 4 hours on Monday and Wednesday in March
2026 (the agreed 8 hours a week, 36 hours, € 666,00), validated on 15 April 2026, when March is
over and its deadline (9 June) has not passed. The minimum wage of the first half of 2026 and
the municipality's tariffs are in the figures table, and March 2026 has no public holiday.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import translation

import pandas as pd
import pytest
import time_machine

from contracts import services as contract_services
from contracts.constants import AgreementType, ApprovalStatus, ProviderKind, Relation
from contracts.models import CareAgreement, HolderProvider, Provider, SickReport
from declarations.constants import DeclarationStatus, ExpenseKind, Severity
from declarations.models import Declaration, DeclarationLine, Finding, TimeEntry
from declarations.selectors.validation import fixed_pay_committed, load_input
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from declarations.services.findings import validate_declarations
from declarations.validation.engine import run
from declarations.validation.registry import Param, catalogue
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import User
from pgb_admin.budgets import services as budget_services
from pgb_admin.budgets.constants import IndicationPeriod, Scheme
from pgb_admin.budgets.models import Budget, CareProduct, Funder, Indication
from pgb_admin.core.dates import week_label
from pgb_admin.figures.constants import FigureKind, FigureUnit, RateUnit
from pgb_admin.figures.models import MaxTariff, StatutoryFigure

from ..factories import BudgetHolderFactory, FunderFactory, MandateFactory, UserFactory, iban_from

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DECEMBER_2025 = date(2025, 12, 1)
FEBRUARY, MARCH, APRIL, SEPTEMBER = (date(2026, m, 1) for m in (2, 3, 4, 9))
CHECKED = date(2026, 4, 15)  # March is over, its deadline (9 June) has not passed
MON_2, MON_9, TUE_10, WED_11, THU_12 = (date(2026, 3, d) for d in (2, 9, 10, 11, 12))
QUIET_WEEK = {0: "4", 2: "4"}  # Monday and Wednesday 4 hours: the agreed 8 hours a week
VALID_IBAN = "NL91ABNA0417164300"
_numbers = count(1)


@contextmanager
def today_is(day: date):
    with time_machine.travel(datetime.combine(day, time(10), tzinfo=AMSTERDAM), tick=False):
        yield


# --- building cases through the services ------------------------------------------------------


@dataclass
class Case:
    actor: User
    budget: Budget
    provider: Provider
    agreement: CareAgreement

    @property
    def holder_id(self) -> int:
        return self.agreement.holder_id

    def fill(self, month=MARCH, pattern=None) -> None:
        hour_services.time_entries_fill_month(
            actor=self.actor,
            agreement_id=self.agreement.pk,
            month=month,
            pattern=QUIET_WEEK if pattern is None else pattern,
        )

    def add(self, day, quantity=None, start=None, end=None) -> TimeEntry:
        return hour_services.time_entry_add(
            actor=self.actor,
            agreement_id=self.agreement.pk,
            care_date=day,
            quantity=quantity,
            start_time=start,
            end_time=end,
        )

    def change(self, day, **changes) -> TimeEntry:
        """Change the one entry of a day."""
        entry = TimeEntry.objects.get(agreement=self.agreement, care_date=day)
        return hour_services.time_entry_update(actor=self.actor, entry_id=entry.pk, **changes)

    def draft(self, month=MARCH, **options) -> Declaration:
        return declaration_services.declaration_draft(
            actor=self.actor, agreement_id=self.agreement.pk, month=month, **options
        )

    def validate(self, *declarations: Declaration, on=CHECKED) -> None:
        with today_is(on):
            declaration_services.declaration_validate(
                actor=self.actor, declaration_ids=[d.pk for d in declarations]
            )
        for declaration in declarations:
            declaration.refresh_from_db()

    def declare(self, month=MARCH, on=CHECKED, **options) -> Declaration:
        """Draft and validate the month's declaration."""
        declaration = self.draft(month, **options)
        self.validate(declaration, on=on)
        return declaration


@pytest.fixture
def actor(db) -> User:
    return UserFactory(username="bureau.regels")


@pytest.fixture
def build(actor) -> Callable[..., Case]:
    """Build a holder (or reuse one), a grant, a provider and an agreement through the services.
    The defaults are the clean base case."""
    the_hague = Funder.objects.get(code="GM0518")

    def build(
        *,
        holder_id=None,
        budget=None,
        provider=None,
        funder=None,
        scheme=Scheme.WMO,
        product="begeleiding_individueel",
        amount="12000.00",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        agreement_type=AgreementType.EMPLOYMENT_HOURLY,
        rate="18.50",
        unit=RateUnit.HOUR,
        hours_per_week="8",
        holiday_pay=False,
        travel=None,
        birth=date(1985, 3, 3),
        kvk_number="",
        entrepreneur=False,
        approved=True,
        relation=Relation.NONE,
    ) -> Case:
        number = next(_numbers)
        care_product = CareProduct.objects.get(code=product)
        if holder_id is None:
            holder = BudgetHolderFactory(surname=f"Regel{number}")
            MandateFactory(
                user=actor, holder=holder, role=MandateRole.BUREAU, valid_from=date(2025, 1, 1)
            )
            holder_id = holder.pk
        if budget is None:
            budget = budget_services.budget_create(
                actor=actor,
                holder_id=holder_id,
                funder=funder or the_hague,
                scheme=scheme,
                products=[care_product],
                start_date=start,
                end_date=end,
                amount=Decimal(amount),
                decision_date=date(start.year - 1, 12, 1),
                decision_reference=f"REGELS-{number}",
            )
        if provider is None:
            provider = contract_services.provider_create(
                actor=actor,
                holder_id=holder_id,
                relation=relation,
                kind=ProviderKind.PERSON,
                name=f"Z. Zorg{number}",
                date_of_birth=birth,
                iban=iban_from(70_000 + number),
                kvk_number=kvk_number,
                is_entrepreneur=entrepreneur,
            )
        elif not HolderProvider.objects.filter(holder_id=holder_id, provider=provider).exists():
            contract_services.provider_link(
                actor=actor, holder_id=holder_id, provider_id=provider.pk, relation=Relation.NONE
            )
        agreement = contract_services.agreement_create(
            actor=actor,
            holder_id=holder_id,
            provider_id=provider.pk,
            agreement_type=agreement_type,
            budget_id=budget.pk,
            product=care_product,
            valid_from=budget.start_date,
            rate=Decimal(rate),
            unit=unit,
            hours_per_week=Decimal(hours_per_week) if hours_per_week else None,
            rate_includes_holiday_pay=holiday_pay,
            travel_allowance_per_km=Decimal(travel) if travel else None,
        )
        if approved:
            contract_services.agreement_record_approval(
                actor=actor,
                version_id=agreement.versions.get().pk,
                status=ApprovalStatus.APPROVED,
                decided_on=budget.start_date,
                evidence="PGB Portaal",
            )
        return Case(actor=actor, budget=budget, provider=provider, agreement=agreement)

    return build


# --- reading findings -------------------------------------------------------------------------


def findings_of(declaration: Declaration) -> list[Finding]:
    return list(declaration.findings.order_by("care_date", "rule_code", "pk"))


def loud(findings) -> set[str]:
    """The codes of the errors and warnings (not the information)."""
    return {f.rule_code for f in findings if f.severity != Severity.INFO}


def the_finding(findings, code: str, care_date: date | None) -> Finding:
    matching = [f for f in findings if f.rule_code == code and f.care_date == care_date]
    assert len(matching) == 1, [(f.rule_code, f.care_date, f.params) for f in findings]
    return matching[0]


def rendered(finding: Finding, language: str) -> str:
    """The message in a language: rendered inside the override (messages are lazy)."""
    with translation.override(language):
        text = finding.message
        # a week is written with an en dash between its days: week 11 (9 to 15 mrt)
        weeks = [week_label(finding.params[name]) for name in _week_params(finding)]
    assert text
    # every figure filled in
    assert "%(" not in text, text
    without_weeks = text
    for week in weeks:
        without_weeks = without_weeks.replace(week, "")
    assert "–" not in without_weeks, text
    return text


def _week_params(finding: Finding) -> list[str]:
    rule = catalogue()[finding.rule_code]
    return [name for name, kind in rule.params.items() if kind == Param.WEEK]


def assert_figures(finding: Finding, english, dutch) -> None:
    english_text, dutch_text = rendered(finding, "en"), rendered(finding, "nl")
    for figure in english:
        assert figure in english_text, (figure, english_text)
    for figure in dutch:
        assert figure in dutch_text, (figure, dutch_text)


# --- one scenario per rule: the trigger and the quiet variant differ in what the rule is about --


def _outside_agreement(build, trigger):
    case = build()
    case.fill()
    last_day = date(2026, 3, 29) if trigger else date(2026, 3, 31)
    contract_services.agreement_end(
        actor=case.actor, agreement_id=case.agreement.pk, end_date=last_day
    )
    return case.declare()


def _outside_budget(build, trigger):
    case = build()
    case.fill()
    budget_services.budget_update(
        actor=case.actor,
        budget_id=case.budget.pk,
        end_date=date(2026, 3, 20) if trigger else date(2026, 3, 31),
    )
    return case.declare()


def _not_approved(build, trigger):
    case = build()
    case.fill()
    version = contract_services.agreement_change(
        actor=case.actor,
        agreement_id=case.agreement.pk,
        effective_from=date(2026, 3, 16),
        reason="new rate",
        rate=Decimal("19.00"),
    )
    if not trigger:
        contract_services.agreement_record_approval(
            actor=case.actor,
            version_id=version.pk,
            status=ApprovalStatus.APPROVED,
            decided_on=date(2026, 3, 10),
            evidence="PGB Portaal",
        )
    return case.declare()


def _product_not_granted(build, trigger):
    case = build()
    case.fill()
    if trigger:
        # a revised grant without the agreement's product: budget_update refuses it, so the
        # ORM writes what an older registration could have left behind
        case.budget.products.set([CareProduct.objects.get(code="huishoudelijke_hulp")])
    return case.declare()


def _fixed_monthly_pay(build, trigger):
    if trigger:
        # € 600,00 for 8 hours a week (34,67 hours a month) is € 17,31 an hour: above the
        # minimum wage, so only the declaration itself is wrong
        case = build(
            agreement_type=AgreementType.EMPLOYMENT_FIXED, unit=RateUnit.MONTH, rate="600.00"
        )
    else:
        case = build()
    return case.declare()  # no hours: the declaration has no care days


def _month_not_over(build, trigger):
    case = build()
    case.fill()
    return case.declare(on=date(2026, 3, 31) if trigger else date(2026, 4, 1))


def _in_future(build, trigger):
    case = build()
    case.fill()
    return case.declare(on=date(2026, 3, 29) if trigger else date(2026, 3, 30))


def _late(build, trigger):
    case = build()
    case.fill()
    return case.declare(on=date(2026, 6, 10) if trigger else date(2026, 6, 9))


def _prior_year_late(build, trigger):
    case = build(
        funder=Funder.objects.get(code="ZK-HAAGLANDEN"),
        scheme=Scheme.WLZ,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
    )
    case.fill(DECEMBER_2025)
    return case.declare(DECEMBER_2025, on=date(2026, 4, 1) if trigger else date(2026, 3, 31))


def _public_holiday(build, trigger):
    case = build()
    # Mondays of April 2026 include Easter Monday (6th) and King's Day (27th)
    case.fill(APRIL, QUIET_WEEK if trigger else {1: "4", 3: "4"})
    return case.declare(APRIL, on=date(2026, 5, 15))


def _not_quarter(build, trigger):
    case = build()
    case.fill()
    case.change(MON_2, start_time=time(9), end_time=time(12, 50) if trigger else time(13))
    return case.declare()


def _not_positive(build, trigger):
    case = build()
    case.fill()
    case.change(MON_2, quantity="0" if trigger else "4")
    return case.declare()


def _day_over_24(build, trigger):
    case = build()
    case.fill()
    case.change(MON_2, start_time=time(0), end_time=time(20))
    case.add(MON_2, start=time(20), end=time(4) if trigger else time(0))  # a night shift
    return case.declare()


def _provider_day_over_24(build, trigger):
    case = build()
    case.fill()
    other_holder = build(provider=case.provider)
    other_holder.add(MON_2, quantity="21" if trigger else "20")
    return case.declare()


def _atw_day(build, trigger):
    case = build()
    case.fill()
    other_holder = build(provider=case.provider)
    other_holder.add(MON_2, quantity="9" if trigger else "8")
    return case.declare()


def _atw_week(build, trigger):
    case = build()
    case.fill()
    other_holder = build(provider=case.provider)
    for day in (10, 12, 13, 14):
        other_holder.add(date(2026, 3, day), quantity="10.5")
    other_holder.add(date(2026, 3, 15), quantity="11" if trigger else "10")
    return case.declare()


def _week_above_agreement(build, trigger):
    case = build()
    case.fill()
    case.change(MON_9, quantity="4.5" if trigger else "4")
    return case.declare()


def _four_days(build, trigger):
    case = build()
    case.fill()
    case.change(MON_9, quantity="2")
    case.add(TUE_10, quantity="2")
    if trigger:
        case.change(WED_11, quantity="2")
        case.add(THU_12, quantity="2")
    return case.declare()


def _hours_while_sick(build, trigger):
    """Monday 9 and Wednesday 11 March have hours; the carer is sick on Monday (recovered on
    Tuesday, so Wednesday counts as worked), or only on Tuesday, a day without hours."""
    case = build()
    case.fill()
    contract_services.sick_report(
        actor=case.actor, agreement_id=case.agreement.pk, sick_from=MON_9 if trigger else TUE_10
    )
    contract_services.recovery_report(
        actor=case.actor, agreement_id=case.agreement.pk, recovered_on=TUE_10 if trigger else WED_11
    )
    return case.declare()


def _day_twice(build, trigger):
    case = build()
    case.fill()
    if trigger:
        case.change(MON_9, quantity="2")
        case.add(MON_9, quantity="2")
    else:
        case.change(MON_9, start_time=time(9), end_time=time(11))
        case.add(MON_9, start=time(13), end=time(15))
    return case.declare()


def _times_overlap(build, trigger):
    case = build()
    case.fill()
    case.change(MON_9, start_time=time(9), end_time=time(11))
    if trigger:
        case.add(MON_9, start=time(10), end=time(12))
    else:
        case.add(MON_9, start=time(11), end=time(13))
    return case.declare()


def _rate_differs(build, trigger):
    case = build()
    case.fill()
    return case.declare(declared_rate="19.00" if trigger else "18.50")


def _above_maximum(build, trigger):
    case = build(rate="22.50" if trigger else "22.00")
    case.fill()
    return case.declare()


def _maximum_unknown(build, trigger):
    case = build(funder=FunderFactory() if trigger else None)  # a municipality without tariffs
    case.fill()
    return case.declare()


def _below_minimum(build, trigger):
    case = build(rate="14.70" if trigger else "14.71")
    case.fill()
    return case.declare()


def _minimum_unknown(build, trigger):
    # the minimum wage of the first half of 2026 missing from the table: a gap from 1 January
    if trigger:
        StatutoryFigure.objects.filter(
            kind=FigureKind.MINIMUM_WAGE, valid_from=date(2026, 1, 1)
        ).delete()
    case = build()
    case.fill()
    return case.declare()


def _monthly_below_minimum(build, trigger):
    # a family member's monthly amount includes the holiday allowance: at least € 14,71 x 1,08
    # = € 15,89 an hour; 36 hours a week are 156 hours a month (x 52/12)
    case = build(
        agreement_type=AgreementType.FAMILY,
        relation=Relation.PARENT,
        amount="40000.00",
        unit=RateUnit.MONTH,
        rate="2478.05" if trigger else "2478.06",  # € 15,885 an hour rounds up to € 15,89
        hours_per_week="36",
    )
    return case.declare()


def _monthly_hours_unknown(build, trigger):
    case = build(
        agreement_type=AgreementType.FAMILY,
        relation=Relation.PARENT,
        unit=RateUnit.MONTH,
        rate="2500.00",
        hours_per_week="36",
        amount="40000.00",
    )
    if trigger:
        # no service stores a family agreement without hours: an older registration could
        case.agreement.versions.update(hours_per_week=None)
    return case.declare()


def _above_indication(build, trigger):
    case = build()
    case.fill()  # 36 hours in March
    # 8 hours a week are 8 x 31/7 = 35,43 hours in March; 8,25 a week are 36,54
    Indication.objects.create(
        budget=case.budget,
        product=case.agreement.versions.get().product,
        hours=Decimal("8.00") if trigger else Decimal("8.25"),
        per=IndicationPeriod.WEEK,
        valid_from=date(2026, 1, 1),
    )
    return case.declare()


def _arithmetic(build, trigger):
    case = build()
    case.fill()
    declaration = case.draft()
    if trigger:
        DeclarationLine.objects.filter(declaration=declaration, care_date=MON_2).update(
            amount=Decimal("75.00")
        )
    # through the engine: the validation service would draft the lines again first
    validate_declarations([declaration], today=CHECKED)
    declaration.refresh_from_db()
    return declaration


def _travel_not_agreed(build, trigger):
    case = build(travel=None if trigger else "0.23")
    case.fill()
    hour_services.expense_add(
        actor=case.actor,
        agreement_id=case.agreement.pk,
        expense_date=MON_2,
        kind=ExpenseKind.TRAVEL,
        kilometres="10",
        amount="2.30",
    )
    return case.declare()


def _exceeded(build, trigger):
    # € 666,00 of wage and the SVB's 8 % holiday allowance on top: € 719,28
    case = build(amount="719.27" if trigger else "12000.00")
    case.fill()
    return case.declare()


def _second_for_month(build, trigger):
    case = build()
    case.fill()
    first = case.declare()
    with today_is(CHECKED):
        batch_services.batch_export(actor=case.actor, month=MARCH, holder_id=case.holder_id)
    if trigger:
        # the service refuses a new draft beside the exported declaration (409); the rule is
        # the backstop for one written otherwise (an older registration)
        again = Declaration.objects.create(agreement=case.agreement, month=MARCH)
        declaration_services.draft_lines([again])
    else:
        again = declaration_services.declaration_correct(actor=case.actor, declaration_id=first.pk)
    case.validate(again)
    return again


def _iban_invalid(build, trigger):
    case = build()
    case.fill()
    # the IBAN field refuses an invalid IBAN, so a bad stored one is written with the ORM
    iban = "NL91ABNA0417164301" if trigger else VALID_IBAN
    Provider.objects.filter(pk=case.provider.pk).update(iban=iban)
    return case.declare()


def _formal_without_registration(build, trigger):
    """A BIG-registered nurse without a relation gives formal care: with neither KvK number nor
    AGB code that is refused; with an AGB code it is not."""
    case = build()
    case.fill()
    Provider.objects.filter(pk=case.provider.pk).update(
        big_number="19012345601", agb_code="" if trigger else "01234567"
    )
    return case.declare()


def _zvw_formal_requirements(build, trigger):
    """Under the Zvw a KvK-registered person at the formal rate also needs an AGB code and a
    BIG registration (a person has no care SBI code of an organisation)."""
    case = build(
        funder=Funder.objects.get(code="ZV-CZ"),
        scheme=Scheme.ZVW,
        product="verpleging",
        agreement_type=AgreementType.ASSIGNMENT,
        kvk_number="12345678",
        entrepreneur=True,
        hours_per_week=None,
    )
    case.fill()
    if not trigger:
        Provider.objects.filter(pk=case.provider.pk).update(
            agb_code="01234567", big_number="19012345601"
        )
    return case.declare()


@dataclass(frozen=True)
class Scenario:
    run: Callable
    severity: str
    care_date: date | None
    params: dict[str, str]
    english: tuple[str, ...]
    dutch: tuple[str, ...]
    # errors and warnings that both variants also have (the data cannot avoid them)
    noise: frozenset[str] = frozenset()


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
# a product's names go with the finding, so that it reads in either language without a query
BEGELEIDING_NAMES = {
    "product_nl": "Individuele begeleiding",
    "product_en": "Individual support (begeleiding)",
}

SCENARIOS = {
    "agreement.outside_period": Scenario(
        _outside_agreement, E, date(2026, 3, 30),
        {"day": "2026-03-30", "start": "2026-01-01", "end": "2026-03-29"},
        ("On 30 Mar 2026 no version", "starts on 1 Jan 2026 and ends 29 Mar 2026"),
        ("30-3-2026", "1-1-2026", "29-3-2026"),
    ),
    "budget.outside_period": Scenario(
        _outside_budget, E, date(2026, 3, 23),
        {"day": "2026-03-23", "start": "2026-01-01", "end": "2026-03-20"},
        ("On 23 Mar 2026", "covers 1 Jan 2026 to 20 Mar 2026"),
        ("23-3-2026", "1-1-2026", "20-3-2026"),
    ),
    "agreement.not_approved": Scenario(
        _not_approved, E, date(2026, 3, 16), {"start": "2026-03-16"},
        ("version from 16 Mar 2026 is not approved",), ("16-3-2026",),
    ),
    "budget.product_not_granted": Scenario(
        _product_not_granted, E, MON_2, {"start": "2026-01-01"},
        ("version from 1 Jan 2026",), ("1-1-2026",),
    ),
    "agreement.fixed_monthly_pay": Scenario(
        _fixed_monthly_pay, E, None, {}, ("fixed monthly pay",), (),
    ),
    "declaration.month_not_over": Scenario(
        _month_not_over, E, None, {"end": "2026-03-31"},
        ("ends on 31 Mar 2026",), ("31-3-2026",),
    ),
    "entry.in_future": Scenario(
        _in_future, E, date(2026, 3, 30), {"day": "2026-03-30"},
        ("30 Mar 2026 lies in the future",), ("30-3-2026",),
        noise=frozenset({"declaration.month_not_over"}),
    ),
    "declaration.late": Scenario(
        _late, W, None, {"deadline": "2026-06-09", "weeks": "10"},
        ("was 9 Jun 2026 (10 weeks",), ("9-6-2026", "10"),
    ),
    "declaration.prior_year_late": Scenario(
        _prior_year_late, W, None, {"year": "2025", "deadline": "2026-04-01"},
        ("Care of 2025", "before 1 Apr 2026"), ("2025", "1-4-2026"),
        noise=frozenset({"declaration.late"}),
    ),
    "calendar.public_holiday": Scenario(
        _public_holiday, I, date(2026, 4, 6), {"day": "2026-04-06"},
        ("6 Apr 2026 is a public holiday",), ("6-4-2026",),
    ),
    "hours.not_quarter": Scenario(
        _not_quarter, E, MON_2, {"day": "2026-03-02", "hours": "3.83", "step": "0.25"},
        ("3.83 hours on 2 Mar 2026", "steps of 0.25"), ("3,83", "2-3-2026", "0,25"),
    ),
    "value.not_positive": Scenario(
        _not_positive, E, MON_2, {"day": "2026-03-02", "quantity": "0.00", "rate": "18.50"},
        ("line of 2 Mar 2026 has quantity 0 at rate € 18.50",), ("2-3-2026", "€ 18,50"),
    ),
    "hours.day_over_24": Scenario(
        _day_over_24, E, MON_2, {"day": "2026-03-02", "hours": "28.00", "maximum": "24.00"},
        ("28 hours on 2 Mar 2026", "has 24 hours"), ("28", "2-3-2026", "24"),
        noise=frozenset({"atw.day_over_12", "hours.week_above_agreement"}),
    ),
    "hours.provider_day_over_24": Scenario(
        _provider_day_over_24, W, MON_2, {"day": "2026-03-02", "maximum": "24.00"},
        ("On 2 Mar 2026", "more than 24 hours"), ("2-3-2026", "24"),
        noise=frozenset({"atw.day_over_12"}),
    ),
    "atw.day_over_12": Scenario(
        _atw_day, W, MON_2, {"day": "2026-03-02", "hours": "13.00", "maximum": "12.00"},
        ("On 2 Mar 2026", "works 13 hours", "at most 12 hours"), ("2-3-2026", "13", "12"),
    ),
    "atw.week_over_60": Scenario(
        _atw_week, W, MON_9, {"week": "2026-W11", "hours": "61.00", "maximum": "60.00"},
        ("In week 11 (9 – 15 Mar) the employee", "works 61 hours", "at most 60 hours"),
        ("In week 11 (9 – 15 mrt) werkt", "61", "60"),
    ),
    "hours.week_above_agreement": Scenario(
        _week_above_agreement, W, MON_9, {"week": "2026-W11", "hours": "8.50", "agreed": "8.00"},
        ("In week 11 (9 – 15 Mar) 8.5 hours", "says 8."), ("week 11 (9 – 15 mrt)", "8,5", "8"),
    ),
    "employment.four_days_a_week": Scenario(
        _four_days, W, MON_9, {"week": "2026-W11", "days": "4"},
        ("In week 11 (9 – 15 Mar)", "works 4 days"), ("week 11 (9 – 15 mrt)", "4"),
    ),
    "employment.hours_while_sick": Scenario(
        _hours_while_sick, W, MON_9, {"day": "2026-03-09", "sick_from": "2026-03-09"},
        ("On 9 Mar 2026 hours are declared", "reported sick from 9 Mar 2026"),
        ("9-3-2026",),
    ),
    "entry.duplicate": Scenario(
        _day_twice, W, MON_9, {"day": "2026-03-09", "count": "2"},
        ("9 Mar 2026 has 2 identical entries",), ("9-3-2026", "2"),
    ),
    "entry.times_overlap": Scenario(
        _times_overlap, E, MON_9, {"day": "2026-03-09"}, ("On 9 Mar 2026",), ("9-3-2026",),
    ),
    "rate.differs_from_agreement": Scenario(
        _rate_differs, E, MON_2, {"declared": "19.00", "agreed": "18.50", "start": "2026-01-01"},
        ("rate € 19.00", "agreed rate € 18.50", "version from 1 Jan 2026"),
        ("€ 19,00", "€ 18,50", "1-1-2026"),
    ),
    "rate.above_maximum": Scenario(
        _above_maximum, E, MON_2,
        {"rate": "22.50", "maximum": "22.00", "class": "informal",
         "source": "ILLUSTRATIVE demo value"},
        ("rate € 22.50", "maximum of € 22.00", "informal care (sociaal netwerk)",
         "ILLUSTRATIVE demo value"),
        ("€ 22,50", "€ 22,00", "informele zorg (sociaal netwerk)", "ILLUSTRATIVE demo value"),
    ),
    "rate.maximum_unknown": Scenario(
        _maximum_unknown, I, MON_2,
        {"product": "begeleiding_individueel", **BEGELEIDING_NAMES, "class": "informal",
         "start": "2026-03-02", "end": "2026-03-30"},
        ("for Individual support (begeleiding), informal care (sociaal netwerk), from 2 Mar "
         "2026 to 30 Mar 2026",),
        ("Individuele begeleiding", "informele zorg (sociaal netwerk)", "2-3-2026", "30-3-2026"),
    ),
    "wage.below_minimum": Scenario(
        _below_minimum, E, MON_2,
        {"rate": "14.70", "minimum": "14.71", "age": "41", "day": "2026-03-30"},
        ("rate € 14.70", "minimum of € 14.71", "aged 41 on 30 Mar 2026"),
        ("€ 14,70", "€ 14,71", "41", "30-3-2026"),
    ),
    "wage.minimum_unknown": Scenario(
        _minimum_unknown, I, None, {"start": "2026-01-01"},
        ("minimum wage from 1 Jan 2026 is missing", "Staff must add it"),
        ("1-1-2026",),
    ),
    "wage.monthly_below_minimum": Scenario(
        _monthly_below_minimum, E, date(2026, 3, 1),
        {"monthly": "2478.05", "hours": "36.00", "hourly": "15.88", "minimum": "15.89",
         "age": "41", "day": "2026-03-31"},
        ("monthly wage of € 2,478.05 for 36 hours a week is € 15.88 an hour",
         "minimum of € 15.89", "aged 41 on 31 Mar 2026"),
        ("€ 2.478,05", "36", "€ 15,88", "€ 15,89", "41", "31-3-2026"),
        noise=frozenset({"agreement.fixed_monthly_pay"}),  # a monthly wage is not declared
    ),
    "wage.monthly_hours_unknown": Scenario(
        _monthly_hours_unknown, I, date(2026, 3, 1), {"monthly": "2500.00", "start": "2026-01-01"},
        ("monthly wage of € 2,500.00", "version from 1 Jan 2026", "no hours a week"),
        ("€ 2.500,00", "1-1-2026"),
        noise=frozenset({"agreement.fixed_monthly_pay"}),
    ),
    "hours.above_indication": Scenario(
        _above_indication, W, None,
        {"declared": "36.00", "indicated": "35.43", "product": "begeleiding_individueel",
         **BEGELEIDING_NAMES, "start": "2026-01-01", "end": "2026-12-31"},
        ("36 hours of Individual support (begeleiding)", "indicates 35.43 hours",
         "from 1 Jan 2026 to 31 Dec 2026"),
        ("36", "Individuele begeleiding", "35,43", "1-1-2026", "31-12-2026"),
    ),
    "amount.arithmetic": Scenario(
        _arithmetic, E, MON_2, {"expected": "74.00", "amount": "75.00"},
        ("should be € 74.00 but is € 75.00",), ("€ 74,00", "€ 75,00"),
    ),
    "costs.travel_not_agreed": Scenario(
        _travel_not_agreed, E, None, {"amount": "2.30"},
        ("Travel costs of € 2.30",), ("€ 2,30",),
    ),
    "budget.exceeded": Scenario(
        _exceeded, E, None, {"used": "719.28", "granted": "719.27", "over": "0.01"},
        ("€ 719.28 of the grant of € 719.27", "€ 0.01 more"), ("€ 719,28", "€ 719,27", "€ 0,01"),
    ),
    "declaration.second_for_month": Scenario(
        _second_for_month, E, None, {"other": "{first}"},
        ("Another declaration already covers",), ("al een andere declaratie",),
    ),
    "provider.iban_invalid": Scenario(
        _iban_invalid, E, None, {"iban": "**************4301"},
        ("IBAN **************4301 is not valid",), ("**************4301",),
    ),
    "provider.formal_without_registration": Scenario(
        _formal_without_registration, E, MON_2, {"start": "2026-01-01"},
        ("version from 1 Jan 2026 pays the formal rate",), ("1-1-2026",),
    ),
    "provider.zvw_formal_requirements": Scenario(
        _zvw_formal_requirements, E, MON_2, {"start": "2026-01-01"},
        ("Under the Zvw", "1 Jan 2026"), ("1-1-2026",),
    ),
}  # fmt: skip


def _fill_in(value: str, declaration: Declaration) -> str:
    """Expected text that names the first declaration of the month (known only after the run)."""
    first = Declaration.objects.filter(
        agreement_id=declaration.agreement_id, month=declaration.month
    ).order_by("pk")[0]
    return value.format(first=first.pk)


def test_every_rule_of_the_catalogue_has_a_scenario():
    assert set(SCENARIOS) == set(catalogue())
    for code, scenario in SCENARIOS.items():
        rule = catalogue()[code]
        assert scenario.severity == rule.severity, code
        assert set(scenario.params) == set(rule.params), code


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_rule_fires_with_its_figures_in_english_and_dutch(build, code):
    scenario = SCENARIOS[code]
    declaration = scenario.run(build, True)
    findings = findings_of(declaration)

    finding = the_finding(findings, code, scenario.care_date)
    assert finding.severity == scenario.severity
    assert finding.params == {k: _fill_in(v, declaration) for k, v in scenario.params.items()}
    assert_figures(
        finding,
        [_fill_in(text, declaration) for text in scenario.english],
        [_fill_in(text, declaration) for text in scenario.dutch],
    )
    assert loud(findings) - {code} == scenario.noise
    has_errors = any(f.severity == Severity.ERROR for f in findings)
    assert declaration.status == (
        DeclarationStatus.DRAFT if has_errors else DeclarationStatus.VALIDATED
    )


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_rule_stays_quiet_when_only_its_detail_is_right(build, code):
    scenario = SCENARIOS[code]
    findings = findings_of(scenario.run(build, False))
    assert code not in {f.rule_code for f in findings}
    assert loud(findings) == scenario.noise


# --- valid data -------------------------------------------------------------------------------


def test_a_clean_month_has_no_findings_at_all(build):
    case = build()
    case.fill()
    declaration = case.declare()
    assert findings_of(declaration) == []
    assert declaration.status == DeclarationStatus.VALIDATED
    assert declaration.total_amount == Decimal("666.00")  # 9 days of 4 hours at € 18,50


def test_a_clean_recent_month_is_checked_against_the_july_2026_minimum_wage(build):
    """September 2026, validated on the fixed today (23 November): over and within its deadline.
    The figures table has the minimum wage from 1 July 2026 (€ 14,99), so nothing is unknown."""
    case = build()
    case.fill(SEPTEMBER)
    declaration = case.declare(SEPTEMBER, on=date(2026, 11, 23))
    assert findings_of(declaration) == []
    assert declaration.status == DeclarationStatus.VALIDATED
    below = build(rate="14.98")
    below.fill(SEPTEMBER)
    findings = findings_of(below.declare(SEPTEMBER, on=date(2026, 11, 23)))
    assert "wage.below_minimum" in {f.rule_code for f in findings}


def test_a_night_shift_does_not_overlap_the_entries_of_another_day(build):
    """Regression: the latest end time ran on from one day into the next, so a night shift
    made two separate entries of a later day look overlapping."""
    case = build()
    case.fill()
    case.change(MON_2, start_time=time(22), end_time=time(2))
    case.change(date(2026, 3, 4), start_time=time(9), end_time=time(11))
    case.add(date(2026, 3, 4), start=time(13), end=time(15))
    declaration = case.declare()
    assert findings_of(declaration) == []


def test_a_declaration_without_care_days_is_validated(build):
    """Regression: a run without any declaration line crashed the engine."""
    case = build(travel="0.23")
    hour_services.expense_add(
        actor=case.actor,
        agreement_id=case.agreement.pk,
        expense_date=MON_2,
        kind=ExpenseKind.TRAVEL,
        kilometres="10",
    )
    declaration = case.declare()
    assert declaration.lines.count() == 0
    assert declaration.total_amount == Decimal("2.30")
    assert findings_of(declaration) == []
    assert declaration.status == DeclarationStatus.VALIDATED


# --- rules with more than one case ------------------------------------------------------------


def test_a_tampered_total_is_reported_on_the_declaration(build):
    case = build()
    case.fill()
    declaration = case.draft()
    Declaration.objects.filter(pk=declaration.pk).update(total_amount=Decimal("1666.00"))
    validate_declarations([declaration], today=CHECKED)  # the service would recalculate it
    finding = the_finding(findings_of(declaration), "amount.arithmetic", None)
    assert finding.params == {"expected": "666.00", "amount": "1666.00"}
    assert_figures(finding, ["€ 666.00", "€ 1,666.00"], ["€ 666,00", "€ 1.666,00"])
    assert [f.rule_code for f in findings_of(declaration)] == ["amount.arithmetic"]
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.DRAFT


@pytest.mark.parametrize(
    ("options", "minimum", "fires", "english", "dutch"),
    [
        # a rate that includes the holiday allowance is held to the minimum plus 8 %
        ({"rate": "15.88", "holiday_pay": True}, "15.89", True, "€ 15.89", "€ 15,89"),
        ({"rate": "15.89", "holiday_pay": True}, "15.89", False, "", ""),
        ({"rate": "15.88"}, "14.71", False, "", ""),
        # the youth minimum wage, by the age on the last day of care (Monday 30 March 2026):
        # 19 from that very day (€ 8,83), still 18 when the birthday is a day later (€ 7,36)
        ({"rate": "8.82", "birth": date(2007, 3, 30)}, "8.83", True, "aged 19", "19"),
        ({"rate": "8.83", "birth": date(2007, 3, 30)}, "8.83", False, "", ""),
        ({"rate": "8.82", "birth": date(2007, 3, 31)}, "7.36", False, "", ""),
        ({"rate": "7.35", "birth": date(2007, 3, 31)}, "7.36", True, "aged 18", "18"),
        # the minimum wage does not apply to an entrepreneur on assignment
        (
            {"rate": "12.00", "agreement_type": AgreementType.ASSIGNMENT, "entrepreneur": True},
            "",
            False,
            "",
            "",
        ),
        # a provider on assignment who is no entrepreneur: the rate includes the holiday
        # allowance, whatever the version says (SVB), so € 14,71 x 1,08 = € 15,89
        ({"rate": "15.88", "agreement_type": AgreementType.ASSIGNMENT}, "15.89", True, "", ""),
        ({"rate": "15.89", "agreement_type": AgreementType.ASSIGNMENT}, "15.89", False, "", ""),
        # so does a family member's rate
        (
            {"rate": "15.88", "agreement_type": AgreementType.FAMILY, "relation": Relation.PARENT},
            "15.89",
            True,
            "",
            "",
        ),
        (
            {"rate": "15.89", "agreement_type": AgreementType.FAMILY, "relation": Relation.PARENT},
            "15.89",
            False,
            "",
            "",
        ),
    ],
)
def test_minimum_wage_by_holiday_allowance_age_and_agreement(
    build, options, minimum, fires, english, dutch
):
    case = build(**options)
    case.fill()
    findings = findings_of(case.declare())
    found = [f for f in findings if f.rule_code == "wage.below_minimum"]
    assert bool(found) == fires
    assert "wage.minimum_unknown" not in {f.rule_code for f in findings}
    if fires:
        assert found[0].params["minimum"] == minimum
        assert found[0].params["rate"] == options["rate"]
        assert_figures(found[0], [english, f"€ {options['rate']}"], [dutch])


@pytest.mark.parametrize(
    ("rate", "fires"), [("46.50", False), ("46.51", True)], ids=["at-maximum", "above"]
)
def test_a_self_employed_carer_is_held_to_the_self_employed_maximum(build, rate, fires):
    """A person without a personal relation working on an assignment (zzp) gets The Hague's
    self-employed maximum of € 46,50 for individual support (formal € 62,00, informal
    € 22,00: three tiers, data/figures.csv)."""
    case = build(
        rate=rate,
        agreement_type=AgreementType.ASSIGNMENT,
        kvk_number="12345678",
        entrepreneur=True,
        hours_per_week=None,
    )
    case.fill()
    findings = findings_of(case.declare())
    found = [f for f in findings if f.rule_code == "rate.above_maximum"]
    assert bool(found) == fires
    if fires:
        assert found[0].params["maximum"] == "46.50"
        assert found[0].params["class"] == "self_employed"
        assert_figures(
            found[0],
            ["€ 46.51", "€ 46.50", "self-employed (zzp)"],
            ["€ 46,51", "€ 46,50", "zelfstandige (zzp)"],
        )
    assert loud(findings) == ({"rate.above_maximum"} if fires else set())


@pytest.mark.parametrize(
    ("rate", "fires"), [("62.00", False), ("62.01", True)], ids=["at-maximum", "above"]
)
def test_without_a_self_employed_row_the_formal_maximum_holds(build, rate, fires):
    """Where the funder has no self-employed row for the case, a zzp carer gets the formal
    maximum (the national Wlz and Zvw tables have formal and informal rows only)."""
    MaxTariff.objects.filter(funder__code="GM0518", carer_class="self_employed").delete()
    case = build(
        rate=rate,
        agreement_type=AgreementType.ASSIGNMENT,
        kvk_number="12345678",
        entrepreneur=True,
        hours_per_week=None,
    )
    case.fill()
    findings = findings_of(case.declare())
    found = [f for f in findings if f.rule_code == "rate.above_maximum"]
    assert bool(found) == fires
    if fires:
        assert found[0].params["maximum"] == "62.00"
        assert found[0].params["class"] == "self_employed"
    assert "rate.maximum_unknown" not in {f.rule_code for f in findings}
    assert loud(findings) == ({"rate.above_maximum"} if fires else set())


def test_a_friend_on_an_assignment_stays_informal(build):
    """The social network gives informal care, also on an assignment and registered: the
    informal maximum (€ 22,00), not the self-employed one, holds."""
    case = build(
        rate="22.01",
        agreement_type=AgreementType.ASSIGNMENT,
        kvk_number="12345678",
        entrepreneur=True,
        hours_per_week=None,
        relation=Relation.NETWORK,
    )
    case.fill()
    findings = findings_of(case.declare())
    (found,) = [f for f in findings if f.rule_code == "rate.above_maximum"]
    assert found.params["maximum"] == "22.00"
    assert found.params["class"] == "informal"


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        (VALID_IBAN, True),
        ("DE89370400440532013000", True),  # another country, another length
        ("nl91 abna 0417 1643 00", True),  # as typed: spaces and lower case
        ("NL91ABNA0417164301", False),  # check digits do not match
        ("NL91ABNA04171643001", False),  # a Dutch IBAN has 18 characters
        ("NL91ABNA041716430!", False),
        ("", False),
    ],
)
def test_iban_check(build, iban, valid):
    case = build()
    case.fill()
    Provider.objects.filter(pk=case.provider.pk).update(iban=iban)
    findings = [f for f in findings_of(case.declare()) if f.rule_code == "provider.iban_invalid"]
    assert len(findings) == (0 if valid else 1)
    if iban and not valid:
        for language in ("en", "nl"):
            text = rendered(findings[0], language)
            assert iban[-4:] in text
            assert iban not in text  # masked like everywhere else


# --- the grant ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("february_validated", "exceeded"), [(True, True), (False, False)], ids=["validated", "draft"]
)
def test_budget_exceeded_counts_validated_declarations_of_other_months(
    build, february_validated, exceeded
):
    case = build(amount="1200.00")
    # each with the 8 % holiday allowance the SVB adds to an hourly employee's wage
    case.fill(FEBRUARY)  # 8 days of 4 hours: € 592,00 + € 47,36
    case.fill(MARCH)  # € 666,00 + € 53,28
    february = case.draft(FEBRUARY)
    if february_validated:
        case.validate(february)
        assert february.status == DeclarationStatus.VALIDATED
    march = case.declare(MARCH)
    found = [f for f in findings_of(march) if f.rule_code == "budget.exceeded"]
    assert bool(found) == exceeded
    if exceeded:
        assert found[0].params == {"used": "1358.64", "granted": "1200.00", "over": "158.64"}
        assert_figures(
            found[0], ["€ 1,358.64", "€ 1,200.00", "€ 158.64"], ["€ 1.358,64", "€ 1.200,00"]
        )
        assert march.status == DeclarationStatus.DRAFT


@pytest.mark.parametrize(
    ("monthly_wage", "code", "params", "english", "dutch"),
    [
        (None, None, None, None, None),
        # 12 months: € 1.200,00 + € 666,00 (+ 8 % holiday allowance: € 719,28) = 96 % of
        # € 2.000,00: no finding (nearly used up is an alert on the holder's dashboard, not a
        # finding on the declaration)
        ("100.00", None, None, None, None),
        (
            "120.00",  # 12 months: € 1.440,00 + € 719,28
            "budget.exceeded",
            {"used": "2159.28", "granted": "2000.00", "over": "159.28"},
            ["€ 2,159.28", "€ 2,000.00", "€ 159.28"],
            ["€ 2.159,28", "€ 2.000,00", "€ 159,28"],
        ),
    ],
    ids=["no-fixed-pay", "nearly-exhausted", "exceeded"],
)
def test_budget_counts_fixed_monthly_pay_committed_on_the_grant(
    build, monthly_wage, code, params, english, dutch
):
    case = build(amount="2000.00")
    case.fill()
    if monthly_wage:
        build(
            holder_id=case.holder_id,
            budget=case.budget,
            agreement_type=AgreementType.EMPLOYMENT_FIXED,
            unit=RateUnit.MONTH,
            rate=monthly_wage,
            hours_per_week="4",
            holiday_pay=True,  # the wage alone (the allowance: tests/reports/test_grant_money)
        )
    findings = findings_of(case.declare())
    budget_findings = [f for f in findings if f.rule_code.startswith("budget.")]
    if code is None:
        assert budget_findings == []
    else:
        assert [(f.rule_code, f.params) for f in budget_findings] == [(code, params)]
        assert_figures(budget_findings[0], english, dutch)


def test_fixed_monthly_pay_is_committed_pro_rata_for_a_partial_month(build):
    case = build()  # an hourly agreement: not committed
    fixed = build(
        holder_id=case.holder_id,
        budget=case.budget,
        agreement_type=AgreementType.EMPLOYMENT_FIXED,
        unit=RateUnit.MONTH,
        rate="120.00",
        hours_per_week="4",
        holiday_pay=True,  # the wage alone (the allowance: tests/reports/test_grant_money)
    )
    contract_services.agreement_end(
        actor=case.actor, agreement_id=fixed.agreement.pk, end_date=date(2026, 3, 15)
    )
    # January and February whole, 15 of the 31 days of March: 12000 * 15 / 31 = 5806.45 cents
    assert fixed_pay_committed([case.budget.pk]) == {case.budget.pk: 12_000 + 12_000 + 5_806}


@pytest.mark.parametrize(
    ("granted", "codes", "percent"),
    [
        # € 666,00 of wage and 8 % holiday allowance: € 719,28 of the grant
        ("799.21", [], None),  # 89.99 %
        ("799.20", [], None),  # the dashboard's threshold: no finding on the declaration
        ("719.28", [], None),  # used up, not exceeded
        ("719.27", ["budget.exceeded"], None),
    ],
)
def test_budget_nearly_exhausted_from_the_threshold(build, granted, codes, percent):
    case = build(amount=granted)
    case.fill()
    findings = findings_of(case.declare())
    budget_findings = [f for f in findings if f.rule_code.startswith("budget.")]
    assert [f.rule_code for f in budget_findings] == codes
    if percent:
        assert budget_findings[0].params["percent"] == percent
        assert_figures(budget_findings[0], [f"({percent}%)"], [f"{percent}%"])


@pytest.mark.parametrize(
    ("holiday_pay", "employer_costs", "used"),
    [
        (False, None, "719.28"),  # € 666,00 of wage + 8 % holiday allowance tips € 700 over
        (True, None, None),  # the rate includes it: € 666,00 fits
        (True, "10.00", "732.60"),  # employer costs only with a figure: + € 66,60
        (False, "10.00", "785.88"),  # both
    ],
)
def test_budget_exceeded_counts_an_hourly_employees_holiday_allowance_and_employer_costs(
    build, holiday_pay, employer_costs, used
):
    if employer_costs:
        StatutoryFigure.objects.create(
            kind=FigureKind.EMPLOYER_COSTS_PCT,
            unit=FigureUnit.PERCENT,
            value=Decimal(employer_costs),
            valid_from=date(2026, 1, 1),
            source="test figure",
        )
    case = build(amount="700.00", holiday_pay=holiday_pay)
    case.fill()
    found = [f for f in findings_of(case.declare()) if f.rule_code == "budget.exceeded"]
    assert [f.params["used"] for f in found] == ([used] if used else [])


# --- one declaration and many take the same path ----------------------------------------------

BUDGET_RULES = {"budget.exceeded"}


def _records(findings: pd.DataFrame) -> set[tuple]:
    return {
        (
            row.declaration_id,
            row.rule_code,
            row.severity,
            None if pd.isna(row.care_date) else pd.Timestamp(row.care_date).date(),
            tuple(sorted(row.params.items())),
        )
        for row in findings.itertuples(index=False)
    }


def _stored(declarations) -> set[tuple]:
    return {
        (f.declaration_id, f.rule_code, f.severity, f.care_date, tuple(sorted(f.params.items())))
        for f in Finding.objects.filter(declaration__in=declarations)
    }


def test_one_declaration_and_many_give_the_same_findings(build):
    # a: more hours than agreed in a week; b: the same provider for another holder, over 12
    # hours on a day with a; c: another provider with an invalid IBAN, a rate above the maximum
    # and hours not in quarters
    a = build()
    a.fill()
    a.change(MON_9, quantity="4.5")
    b = build(provider=a.provider)
    b.fill()
    b.change(MON_2, quantity="9")
    c = build(rate="22.50")
    c.fill()
    c.change(MON_2, start_time=time(9), end_time=time(12, 50))
    Provider.objects.filter(pk=c.provider.pk).update(iban="NL91ABNA0417164301")
    declarations = [case.draft() for case in (a, b, c)]
    ids = [d.pk for d in declarations]

    together = _records(run(load_input(ids, today=CHECKED)))
    alone = set().union(*(_records(run(load_input([pk], today=CHECKED))) for pk in ids))
    assert together == alone
    assert {(record[0], record[1]) for record in together if record[2] != Severity.INFO} == {
        (ids[0], "hours.week_above_agreement"),
        (ids[0], "atw.day_over_12"),
        (ids[1], "atw.day_over_12"),
        (ids[1], "hours.week_above_agreement"),
        (ids[2], "provider.iban_invalid"),
        (ids[2], "rate.above_maximum"),
        (ids[2], "hours.not_quarter"),
    }

    # and through the validation service, which stores them
    a.validate(*declarations)
    stored_together = _stored(declarations)
    for case, declaration in zip((a, b, c), declarations, strict=True):
        case.validate(declaration)
    assert _stored(declarations) == stored_together == together


def test_a_run_counts_the_earlier_months_of_the_same_grant(build):
    """The budget rules are cumulative on purpose: a run with February and March of one grant
    counts February's declaration when checking March, also when both are still drafts."""
    case = build(amount="1200.00")
    case.fill(FEBRUARY)  # € 592,00 + 8 % holiday allowance: € 639,36
    case.fill(MARCH)
    # € 675,25 (+ 8 %: € 729,27) and a warning that is not about the grant
    case.change(MON_9, quantity="4.5")
    february, march = case.draft(FEBRUARY), case.draft(MARCH)

    together = _records(run(load_input([march.pk, february.pk], today=CHECKED)))
    alone = _records(run(load_input([february.pk], today=CHECKED))) | _records(
        run(load_input([march.pk], today=CHECKED))
    )
    assert {r for r in together if r[1] not in BUDGET_RULES} == {
        r for r in alone if r[1] not in BUDGET_RULES
    }
    assert ("hours.week_above_agreement", MON_9) in {(r[1], r[3]) for r in together}
    assert not [r for r in alone if r[1] in BUDGET_RULES]
    assert [r for r in together if r[1] in BUDGET_RULES] == [
        (
            march.pk,
            "budget.exceeded",
            Severity.ERROR,
            None,
            (("granted", "1200.00"), ("over", "168.63"), ("used", "1368.63")),
        )
    ]


# --- acknowledging warnings ---------------------------------------------------------------------

REASON = "Extra uren afgesproken met de gemeente"


def test_an_acknowledged_warning_stays_acknowledged_while_its_figures_stay(build):
    case = build()
    case.fill()
    case.change(MON_9, quantity="4.5")
    declaration = case.declare()
    assert declaration.status == DeclarationStatus.VALIDATED  # a warning does not block
    warning = the_finding(findings_of(declaration), "hours.week_above_agreement", MON_9)
    assert warning.is_open

    with pytest.raises(ValidationError) as error:
        declaration_services.finding_acknowledge(
            actor=case.actor, finding_id=warning.pk, reason="ok"
        )
    assert error.value.error_dict["reason"][0].code == "reason_required"
    acknowledged = declaration_services.finding_acknowledge(
        actor=case.actor, finding_id=warning.pk, reason=REASON
    )

    case.validate(declaration)  # nothing changed
    again = the_finding(findings_of(declaration), "hours.week_above_agreement", MON_9)
    assert again.pk != warning.pk  # found anew
    assert again.params == warning.params
    assert again.acknowledged_at == acknowledged.acknowledged_at
    assert again.acknowledged_by == case.actor
    assert again.acknowledgement_reason == REASON
    assert not again.is_open
    assert declaration.status == DeclarationStatus.VALIDATED

    case.change(MON_9, quantity="5")  # other figures: a new warning, to be acknowledged anew
    case.validate(declaration)
    changed = the_finding(findings_of(declaration), "hours.week_above_agreement", MON_9)
    assert changed.params["hours"] == "9.00"
    assert changed.acknowledged_at is None
    assert changed.is_open


@pytest.mark.parametrize("code", ["rate.differs_from_agreement", "calendar.public_holiday"])
def test_only_a_warning_can_be_acknowledged(build, code):
    scenario = SCENARIOS[code]
    declaration = scenario.run(build, True)
    finding = the_finding(findings_of(declaration), code, scenario.care_date)
    with pytest.raises(ValidationError) as error:
        declaration_services.finding_acknowledge(
            actor=UserFactory(username="bureau.regels"), finding_id=finding.pk, reason=REASON
        )
    assert error.value.error_dict["finding"][0].code == "not_a_warning"
    finding.refresh_from_db()
    assert finding.acknowledged_at is None
    assert finding.acknowledgement_reason == ""
    if finding.severity == Severity.ERROR:
        assert finding.is_open
        declaration.refresh_from_db()
        assert declaration.status == DeclarationStatus.DRAFT


# --- hours while reported sick ------------------------------------------------------------


def test_hours_while_sick_flags_the_sick_days_only(build):
    """Sick from Monday 2 March, recovered on Monday 9: the hours of 2 and 4 March are flagged,
    those from the day of recovery on are not; a report still open flags to the month's end."""
    case = build()
    case.fill()
    contract_services.sick_report(actor=case.actor, agreement_id=case.agreement.pk, sick_from=MON_2)
    contract_services.recovery_report(
        actor=case.actor, agreement_id=case.agreement.pk, recovered_on=MON_9
    )
    contract_services.sick_report(
        actor=case.actor, agreement_id=case.agreement.pk, sick_from=date(2026, 3, 25)
    )
    findings = findings_of(case.declare())
    flagged = [f.care_date for f in findings if f.rule_code == "employment.hours_while_sick"]
    assert flagged == [MON_2, date(2026, 3, 4), date(2026, 3, 25), date(2026, 3, 30)]
    assert {f.params["sick_from"] for f in findings if f.care_date == date(2026, 3, 30)} >= {
        "2026-03-25"
    }


def test_hours_while_sick_leaves_other_agreements_alone(build):
    """A sick report on a family agreement (as the admin could register it) is no employer's
    continued pay; another carer's hours are not touched by this carer's sickness."""
    family = build(agreement_type=AgreementType.FAMILY, relation=Relation.PARENT, rate="20.00")
    family.fill()
    SickReport.objects.create(agreement=family.agreement, sick_from=MON_2)
    employee = build()
    employee.fill()
    contract_services.sick_report(
        actor=employee.actor, agreement_id=employee.agreement.pk, sick_from=MON_2
    )
    colleague = build(holder_id=employee.holder_id, budget=employee.budget)
    colleague.fill()
    codes = {f.rule_code for case in (family, colleague) for f in findings_of(case.declare())}
    assert "employment.hours_while_sick" not in codes
    assert "employment.hours_while_sick" in {f.rule_code for f in findings_of(employee.declare())}
