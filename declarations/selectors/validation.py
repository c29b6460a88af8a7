"""Reads what the validation engine checks: the frames of
:class:`~declarations.validation.inputs.ValidationInput` for a set of declarations, in a fixed
number of queries, with the dated figures, the maximum tariffs and the public holidays of the
period. The engine itself touches no database.
"""

from collections.abc import Collection, Iterable
from datetime import date, time, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum

import pandas as pd

from contracts.constants import EMPLOYMENT_TYPES, ProviderKind
from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider, SickReport
from pgb_admin.budgets.models import Budget, CareProduct, Indication
from pgb_admin.core.lookups import any_of
from pgb_admin.core.periods import month_end
from pgb_admin.figures.models import MaxTariff, StatutoryFigure

from ..grants import counted_against_grant
from ..models import Declaration, DeclarationLine, TimeEntry
from ..validation.inputs import (
    ValidationInput,
    dates,
    frame,
    public_holidays,
    sick_report_frame,
)
from .monthly_pay import fixed_pay_months, hourly_declaration_extras


def _cents(value: Decimal | int | None) -> int:
    return -1 if value is None else round(value * 100)


def _minutes(value: time | None) -> int:
    return -1 if value is None else value.hour * 60 + value.minute


def load_input(declaration_ids: Iterable[int], *, today: date) -> ValidationInput:
    """Read everything the rules need for these declarations in a fixed number of queries."""
    in_run = set(declaration_ids)
    run = list(
        Declaration.objects.filter(any_of("pk", in_run)).values_list(
            "pk", "agreement_id", "month", "corrects_id", "budget_id",
            "travel_kilometres", "travel_amount", "other_amount", "total_amount", "care_amount",
        )
    )  # fmt: skip
    agreement_ids = {row[1] for row in run}
    months = {row[2] for row in run}
    first = min(months, default=today)
    last = month_end(max(months, default=today))

    # every declaration of the same agreement-months, for the one-per-month rule
    neighbours = Declaration.objects.filter(
        any_of("agreement_id", agreement_ids), month__in=months
    ).exclude(any_of("pk", in_run))
    declarations = frame(
        "declarations",
        [
            (pk, agreement, month, corrects or -1, budget or -1, True,
             _cents(km), _cents(travel), _cents(other), _cents(total), _cents(care))
            for pk, agreement, month, corrects, budget, km, travel, other, total, care in run
        ]
        + [
            (pk, agreement, month, corrects or -1, budget or -1, False, 0, 0, 0, 0, 0)
            for pk, agreement, month, corrects, budget in neighbours.values_list(
                "pk", "agreement_id", "month", "corrects_id", "budget_id"
            )
        ],
    )  # fmt: skip
    declarations["month"] = dates(declarations["month"])

    lines = frame(
        "lines",
        [
            (d, day, _cents(q), unit, _cents(rate), _cents(amount), version or -1)
            for d, day, q, unit, rate, amount, version in DeclarationLine.objects.filter(
                any_of("declaration_id", in_run)
            ).values_list(
                "declaration_id", "care_date", "quantity", "unit", "rate", "amount", "version_id"
            )
        ],
    )
    lines["care_date"] = dates(lines["care_date"])

    version_rows = list(
        AgreementVersion.objects.filter(any_of("agreement_id", agreement_ids)).values_list(
            "pk", "agreement_id", "valid_from", "valid_to", "budget_id", "product_id", "rate",
            "unit", "hours_per_week", "approval_status", "rate_includes_holiday_pay",
            "travel_allowance_per_km",
        )
    )  # fmt: skip
    versions = frame(
        "versions",
        [
            (pk, agreement, start, end, budget, product, _cents(rate), unit, _cents(hours),
             status == "approved", holiday, _cents(travel))
            for pk, agreement, start, end, budget, product, rate, unit, hours, status, holiday,
            travel in version_rows
        ],
    )  # fmt: skip
    versions["valid_from"] = dates(versions["valid_from"])
    versions["valid_to"] = dates(versions["valid_to"])

    agreement_rows = list(
        CareAgreement.objects.filter(any_of("pk", agreement_ids)).values_list(
            "pk", "holder_id", "provider_id", "agreement_type"
        )
    )
    relations = dict(
        (((holder, provider), relation))
        for holder, provider, relation in HolderProvider.objects.filter(
            any_of("holder_id", {row[1] for row in agreement_rows})
        ).values_list("holder_id", "provider_id", "relation")
    )
    agreements = frame(
        "agreements",
        [
            (pk, holder, provider, kind, relations.get((holder, provider), "none"))
            for pk, holder, provider, kind in agreement_rows
        ],
    )
    provider_ids = set(agreements["provider_id"])
    providers = frame(
        "providers",
        [
            (pk, kind, birth, entrepreneur, bool(kvk or big), iban, bool(kvk), bool(agb),
             bool(big), sbi or "")
            for pk, kind, birth, entrepreneur, kvk, big, agb, sbi, iban in Provider.objects.filter(
                any_of("pk", provider_ids)
            ).values_list(
                "pk", "kind", "date_of_birth", "is_entrepreneur", "kvk_number", "big_number",
                "agb_code", "sbi_code", "iban",
            )
        ],
    )  # fmt: skip
    providers["birth_date"] = dates(providers["birth_date"])

    budget_ids = set(versions["budget_id"]) | (set(declarations["budget_id"]) - {-1})
    budgets = _budgets(budget_ids, in_run, declarations)
    budget_products = frame(
        "budget_products",
        Budget.products.through.objects.filter(any_of("budget_id", budget_ids)).values_list(
            "budget_id", "careproduct_id"
        ),
    )

    entries = frame(
        "entries",
        [
            (agreement, day, _minutes(start), _minutes(end), _cents(quantity))
            for agreement, day, start, end, quantity in TimeEntry.objects.filter(
                any_of("agreement_id", agreement_ids), care_date__range=(first, last)
            ).values_list("agreement_id", "care_date", "start_time", "end_time", "quantity")
        ],
    )
    entries["care_date"] = dates(entries["care_date"])

    # a person's hours a day per holder over all their hourly agreements, also with other
    # holders, and of those the hours under employment agreements (the Working Hours Act); a
    # week around the months, so weeks that straddle a month are whole. Organisations employ
    # many carers, so the day and working-hours limits do not apply to them.
    hourly = AgreementVersion.objects.filter(agreement_id=OuterRef("agreement_id"), unit="hour")
    employed = Q(agreement__agreement_type__in=EMPLOYMENT_TYPES)
    provider_days = frame(
        "provider_days",
        [
            (provider, holder, day, _cents(total), _cents(employment or 0))
            for provider, holder, day, total, employment in TimeEntry.objects.filter(
                any_of("agreement__provider_id", provider_ids),
                agreement__provider__kind=ProviderKind.PERSON,
                care_date__range=(first - timedelta(days=7), last + timedelta(days=7)),
            )
            .filter(Exists(hourly))
            .values_list("agreement__provider_id", "agreement__holder_id", "care_date")
            .annotate(total=Sum("quantity"), employment=Sum("quantity", filter=employed))
            .order_by()
        ],
    )
    provider_days["care_date"] = dates(provider_days["care_date"])

    # the sick reports of the run's agreements that cover a day of its months (one query)
    sick_reports = sick_report_frame(
        SickReport.objects.filter(any_of("agreement_id", agreement_ids), sick_from__lte=last)
        .filter(Q(recovered_on__isnull=True) | Q(recovered_on__gt=first))
        .values_list("agreement_id", "sick_from", "recovered_on")
    )

    indications, product_hours, products = _indications(
        budget_ids, set(versions["product_id"]) - {None}, months, in_run, declarations
    )

    return ValidationInput(
        declarations=declarations,
        lines=lines,
        versions=versions,
        agreements=agreements,
        providers=providers,
        budgets=budgets,
        budget_products=budget_products,
        entries=entries,
        provider_days=provider_days,
        tariffs=load_tariffs(),
        figures=load_figures(),
        holidays=public_holidays(first.year, last.year),
        today=today,
        indications=indications,
        product_hours=product_hours,
        products=products,
        sick_reports=sick_reports,
    )


def _indications(
    budget_ids: Collection[int],
    product_ids: Collection[int],
    months: Collection[date],
    in_run: Collection[int],
    declarations: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The indicated hours of the grants (one query), the hours of their products declared in
    the same months outside the run and counted against the grant (one query) and the codes
    of the products (one query)."""
    indications = frame(
        "indications",
        [
            (budget, product, _cents(hours), per, start, end)
            for budget, product, hours, per, start, end in Indication.objects.filter(
                any_of("budget_id", budget_ids)
            ).values_list("budget_id", "product_id", "hours", "per", "valid_from", "valid_to")
        ],
    )
    indications["valid_from"] = dates(indications["valid_from"])
    indications["valid_to"] = dates(indications["valid_to"])
    corrected_in_run = set(declarations.loc[declarations["in_run"], "corrects_id"]) - {-1}
    with_indication = set(indications["budget_id"])
    outside = (
        counted_against_grant(
            Declaration.objects.filter(any_of("budget_id", with_indication), month__in=months)
        )
        .exclude(any_of("pk", in_run))
        .exclude(any_of("pk", corrected_in_run))
    )
    product_hours = frame(
        "product_hours",
        [
            (budget, product, month, _cents(total))
            for budget, product, month, total in DeclarationLine.objects.filter(
                declaration__in=outside, unit="hour", version__isnull=False
            )
            .values_list("declaration__budget_id", "version__product_id", "declaration__month")
            .annotate(total=Sum("quantity"))
            .order_by()
        ]
        if with_indication
        else [],
    )
    product_hours["month"] = dates(product_hours["month"])
    products = frame(
        "products",
        CareProduct.objects.filter(any_of("pk", product_ids)).values_list(
            "pk", "code", "name_nl", "name_en"
        ),
    )
    return indications, product_hours, products


def _budgets(
    budget_ids: Collection[int], in_run: Collection[int], declarations: pd.DataFrame
) -> pd.DataFrame:
    """Each grant with what is spent outside this run (declarations that are validated or
    further, not replaced by a correction, with the holiday allowance and employer costs the
    SVB adds to an hourly employment's) and the fixed monthly pay committed on it."""
    corrected_in_run = set(declarations.loc[declarations["in_run"], "corrects_id"]) - {-1}
    outside = (
        counted_against_grant(Declaration.objects.filter(any_of("budget_id", budget_ids)))
        .exclude(any_of("pk", in_run))
        .exclude(any_of("pk", corrected_in_run))
    )
    # read once and summed here: the extras below are of the same declarations, and a list
    # of ids lets PostgreSQL find their lines by index (most runs have none outside)
    spent: dict[int, int] = {}
    outside_ids = []
    for pk, budget, total in outside.values_list("pk", "budget_id", "total_amount"):
        outside_ids.append(pk)
        spent[budget] = spent.get(budget, 0) + _cents(total)
    extras = hourly_declaration_extras(Declaration.objects.filter(any_of("pk", outside_ids)))
    sums = extras.groupby("budget_id")["cents"].sum()
    for budget, cents in zip(sums.index.tolist(), sums.tolist(), strict=True):
        spent[budget] = spent.get(budget, 0) + int(cents)
    fixed = fixed_pay_committed(budget_ids)
    return frame(
        "budgets",
        [
            (pk, funder, scheme, pd.Timestamp(start), pd.Timestamp(end), _cents(amount),
             spent.get(pk, 0), fixed.get(pk, 0))
            for pk, funder, scheme, start, end, amount in Budget.objects.filter(
                any_of("pk", budget_ids)
            ).values_list("pk", "funder_id", "scheme", "start_date", "end_date", "amount")
        ],
    )  # fmt: skip


def fixed_pay_committed(budget_ids: Iterable[int]) -> dict[int, int]:
    """Cents of fixed monthly pay (paid by the SVB without declarations) committed on each
    grant over its whole period."""
    committed: dict[int, int] = {}
    for month in fixed_pay_months(budget_ids):
        committed[month.budget_id] = committed.get(month.budget_id, 0) + month.cents
    return committed


def load_tariffs() -> pd.DataFrame:
    tariffs = frame(
        "tariffs",
        [
            (scheme, funder or -1, product or -1, carer_class, unit, start, end, _cents(amount),
             source)
            for scheme, funder, product, carer_class, unit, start, end, amount, source
            in MaxTariff.objects.values_list(
                "scheme", "funder_id", "product_id", "carer_class", "unit", "valid_from",
                "valid_to", "amount", "source",
            )
        ],
    )  # fmt: skip
    tariffs["valid_from"] = dates(tariffs["valid_from"])
    tariffs["valid_to"] = dates(tariffs["valid_to"])
    return tariffs


def load_figures() -> pd.DataFrame:
    figures = frame(
        "figures",
        [
            (kind, scheme, -1 if age is None else age, start, end, _cents(value))
            for kind, scheme, age, start, end, value in StatutoryFigure.objects.values_list(
                "kind", "scheme", "age_min", "valid_from", "valid_to", "value"
            )
        ],
    )
    figures["valid_from"] = dates(figures["valid_from"])
    figures["valid_to"] = dates(figures["valid_to"])
    return figures
