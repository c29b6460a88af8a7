"""Signals worth a municipal auditor's look, each with the rule behind it and its evidence.
A signal is not a finding of fraud: it says where to look. Thresholds are dated figures
(audit signal thresholds; a funder's own row wins over the national default), never numbers
in this code. Each signal is a vectorised check over the report frames and gives one row per
case.

Two levels: an *alarm* is a pattern that enforcement looks for ("Aanpak fraude met pgb",
rijksoverheid.nl; the Den Haag pgb pilot, 2016; EenVandaag, 2025): hours above the indication,
a representative who is also the provider, one representative for many holders, holder and
carer at one address, an account in another name, identical declarations month after month,
care during an admission or after death, a family company paid a formal rate, a carer declared
for more than a day holds. *Context* is a legal situation worth knowing when reading the alarms
(an informal rate at the maximum, an organisation or carer with many holders); it is listed
after them.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from contracts.constants import ProviderKind
from declarations.selectors.reporting import (
    care_hours_per_day,
    counted_lines,
    max_tariffs,
)
from pgb_admin.core.masking import mask_identifier
from pgb_admin.core.money import to_cents
from pgb_admin.figures.constants import CarerClass, FigureKind
from pgb_admin.figures.models import StatutoryFigure

from .enforcement import (
    account_name_mismatch,
    care_during_admission_or_after_death,
    carer_day_over_limit,
    declared_days,
    family_company_formal_rate,
    holders_per_representative,
    hours_above_indication,
    identical_months,
    representative_is_provider,
    same_address,
)
from .enforcement import signal_rows as _rows
from .frames import ReportData, rows

ALARM, CONTEXT = "alarm", "context"


@dataclass(frozen=True)
class Signal:
    code: str
    title: object
    rule: object  # with %(placeholder)s filled in from the dated figures
    level: str = ALARM
    # placeholder of the rule -> key of :func:`thresholds`
    params: dict[str, str] = field(default_factory=dict)

    def rule_text(self, limits: dict[str, float | None]) -> str:
        return str(self.rule) % {name: number(limits.get(key)) for name, key in self.params.items()}


def number(value) -> str:
    return "–" if value is None else f"{value:g}"


SIGNALS = {
    signal.code: signal
    for signal in (
        # --- alarms: what enforcement looks for ----------------------------------------------
        Signal(
            "hours_above_indication",
            _("Declared hours above the indicated hours"),
            _(
                "In a month, the hours declared on a grant for a care product exceed %(pct)s%% "
                "of the hours the grant decision indicates for it."
            ),
            params={"pct": "pct_indication"},
        ),
        Signal(
            "care_during_admission",
            _("Care during an admission"),
            _("A counted declaration holds care at home on a day the holder was admitted."),
        ),
        Signal(
            "care_after_death",
            _("Care after the holder's death"),
            _("A counted declaration holds care on a day after the holder died."),
        ),
        Signal(
            "representative_is_provider",
            _("A representative or bureau who is also the provider"),
            _(
                "Someone acting for the holder (representative or pgb bureau) has the name of "
                "one of the holder's providers or of the holder of its bank account."
            ),
        ),
        Signal(
            "holders_per_representative",
            _("A representative or bureau for many holders"),
            _("One representative or pgb bureau acts for more than %(count)s holders."),
            params={"count": "representative"},
        ),
        Signal(
            "same_address",
            _("Holder and carer at one address"),
            _(
                "The holder and the carer live at the same postcode and house number, with "
                "more than %(hours)s agreed hours a week."
            ),
            params={"hours": "same_address_hours"},
        ),
        Signal(
            "account_name_mismatch",
            _("A bank account in another name"),
            _("The provider is paid into an account in the name of someone else."),
        ),
        Signal(
            "identical_months",
            _("Identical declarations month after month"),
            _(
                "An agreement's declarations have the same amount and hours in %(months)s or "
                "more months in a row."
            ),
            params={"months": "identical_months"},
        ),
        Signal(
            "family_company_formal_rate",
            _("A family company paid a formal rate"),
            _(
                "A provider paid as formal care (a company or registered professional without "
                "a family relation) carries the holder's surname or lives at the holder's "
                "address."
            ),
        ),
        Signal(
            "carer_day_over_limit",
            _("A carer declared for more hours on a day than it holds"),
            _("A carer is declared by several holders for more than %(hours)s hours on one day."),
            params={"hours": "day_hours"},
        ),
        Signal(
            "provider_week_over_limit",
            _("A provider over the weekly limit across holders"),
            _("A person works more than %(hours)s hours in one week over all their holders."),
            params={"hours": "hours"},
        ),
        Signal(
            "care_after_agreement_end",
            _("Care after the agreement ended"),
            _("A counted declaration holds care on a day after the agreement's last day."),
        ),
        Signal(
            "hours_far_above_agreed",
            _("Declared hours far above the agreed hours"),
            _("In a month, the declared hours exceed %(pct)s%% of the agreed hours."),
            params={"pct": "pct_hours"},
        ),
        Signal(
            "spend_spike",
            _("A sudden spike in a holder's spend"),
            _("A month's spend exceeds %(pct)s%% of the holder's average month before it."),
            params={"pct": "pct_spike"},
        ),
        Signal(
            "shared_iban",
            _("One IBAN for several providers"),
            _("Several providers are paid into the same bank account."),
        ),
        # --- context: legal situations, listed after the alarms -------------------------------
        Signal(
            "informal_rate_at_maximum",
            _("Informal care at or above the maximum"),
            _("An informal carer's agreed rate reaches the funder's maximum for informal care."),
            level=CONTEXT,
        ),
        Signal(
            "provider_many_holders",
            _("A provider with many holders"),
            _(
                "A private person caring for more than %(person)s holders, or an organisation "
                "for more than %(organisation)s."
            ),
            level=CONTEXT,
            params={"person": "person", "organisation": "organisation"},
        ),
    )
}
#: the signals in the order they are listed: alarms first, each level in the order above
ORDER = {
    code: (signal.level != ALARM, place) for place, (code, signal) in enumerate(SIGNALS.items())
}

#: key of :func:`thresholds` -> the dated figure it reads
THRESHOLD_KINDS = {
    "person": FigureKind.SIGNAL_HOLDERS_PER_PERSON,
    "organisation": FigureKind.SIGNAL_HOLDERS_PER_ORGANISATION,
    "hours": FigureKind.ATW_MAX_WEEK_HOURS,
    "pct_hours": FigureKind.SIGNAL_HOURS_ABOVE_AGREED_PCT,
    "pct_spike": FigureKind.SIGNAL_SPEND_SPIKE_PCT,
    "pct_indication": FigureKind.SIGNAL_INDICATION_ABOVE_PCT,
    "representative": FigureKind.SIGNAL_HOLDERS_PER_REPRESENTATIVE,
    "identical_months": FigureKind.SIGNAL_IDENTICAL_MONTHS,
    "same_address_hours": FigureKind.SIGNAL_SAME_ADDRESS_WEEK_HOURS,
    "day_hours": FigureKind.SIGNAL_PROVIDER_DAY_HOURS,
}


def thresholds(on: date, funder_id: int | None = None) -> dict[str, float | None]:
    """The signals' thresholds valid on ``on``: the funder's own row before the national one,
    as :meth:`StatutoryFigureQuerySet.row_on` picks it, read in one query."""
    candidates = (
        StatutoryFigure.objects.valid_on(on)
        .filter(kind__in=THRESHOLD_KINDS.values(), scheme="")
        .filter(Q(funder_id=funder_id) | Q(funder__isnull=True))
        .values_list("kind", "funder_id", "age_min", "value")
    )
    best: dict[str, tuple[tuple[bool, int], float]] = {}
    for kind, funder, age_min, value in candidates:
        rank = (funder is not None, -1 if age_min is None else age_min)
        if kind not in best or rank > best[kind][0]:
            best[kind] = (rank, float(value))
    return {key: best[kind][1] if kind in best else None for key, kind in THRESHOLD_KINDS.items()}


def find_signals(
    data: ReportData, *, year: int, tariffs: pd.DataFrame, funder_id: int | None = None
) -> pd.DataFrame:
    """All signals of the year, one row per case: code, level, holder_id, provider_id and
    evidence; the alarms first."""
    limits = thresholds(date(year, 12, 31), funder_id)
    day_hours = declared_days(data, year)
    found = [
        hours_above_indication(data, year, limits),
        care_during_admission_or_after_death(data, year),
        representative_is_provider(data, year),
        holders_per_representative(data, year, limits),
        same_address(data, year, limits),
        account_name_mismatch(data),
        identical_months(data, year, limits),
        family_company_formal_rate(data, year),
        carer_day_over_limit(data, day_hours, limits),
        provider_week_over_limit(data, year, limits),
        care_after_agreement_end(data, year),
        hours_far_above_agreed(data, year, limits),
        spend_spike(data, year, limits),
        shared_iban(data),
        informal_rate_at_maximum(data, tariffs),
        provider_many_holders(data, limits),
    ]
    found = [f for f in found if not f.empty]
    if not found:
        return _rows("none", [], [], []).assign(level=pd.Series(dtype=object))
    signals = pd.concat(found, ignore_index=True)
    order = signals["code"].map(ORDER)
    signals = signals.iloc[sorted(range(len(signals)), key=lambda i: order.iloc[i])]
    signals = signals.reset_index(drop=True)
    return signals.assign(level=signals["code"].map(lambda code: SIGNALS[code].level))


def informal_rate_at_maximum(data: ReportData, tariffs: pd.DataFrame) -> pd.DataFrame:
    v = version_maxima(data, tariffs)
    hit = v[(v["carer_class"] == CarerClass.INFORMAL) & (v["max_cents"] >= 0)]
    hit = hit[hit["rate_cents"] >= hit["max_cents"]]
    return _rows(
        "informal_rate_at_maximum",
        hit["holder_id"],
        hit["provider_id"],
        [
            {"version": int(r.version_id), "rate_cents": int(r.rate_cents),
             "maximum_cents": int(r.max_cents), "source": r.source}
            for r in rows(hit)
        ],
    )  # fmt: skip


def version_maxima(data: ReportData, tariffs: pd.DataFrame) -> pd.DataFrame:
    """Each agreement version with the maximum tariff valid when it starts (-1: unknown)."""
    v = data.versions.merge(
        data.budgets[["budget_id", "funder_id", "scheme"]], on="budget_id", how="left"
    )
    cases = pd.DataFrame(
        {
            "scheme": v["scheme"],
            "carer_class": v["carer_class"],
            "unit": v["unit"],
            "funder_id": v["funder_id"],
            "product_id": v["product_id"],
            "on": v["valid_from"],
        }
    )
    best, source = max_tariffs(tariffs, cases)
    return v.assign(max_cents=best, source=source)


def provider_many_holders(data: ReportData, limits: dict) -> pd.DataFrame:
    if limits["person"] is None or limits["organisation"] is None:
        return _rows("provider_many_holders", [], [], [])
    pairs = data.versions[["provider_id", "holder_id"]].drop_duplicates()
    counts = pairs.groupby("provider_id").size().rename("holders").reset_index()
    counts = counts.merge(data.providers[["provider_id", "kind"]], on="provider_id")
    limit = np.where(
        counts["kind"] == ProviderKind.ORGANISATION, limits["organisation"], limits["person"]
    )
    hit = counts[counts["holders"] > limit]
    return _rows(
        "provider_many_holders",
        np.full(len(hit), -1),
        hit["provider_id"],
        [{"holders": int(r.holders), "kind": r.kind} for r in rows(hit)],
    )


def provider_week_over_limit(data: ReportData, year: int, limits: dict) -> pd.DataFrame:
    """Hours per ISO week of each person over their agreements on these grants."""
    if limits["hours"] is None:
        return _rows("provider_week_over_limit", [], [], [])
    persons = data.providers.loc[data.providers["kind"] == ProviderKind.PERSON, "provider_id"]
    agreements = data.versions.loc[
        data.versions["provider_id"].isin(persons) & (data.versions["unit"] == "hour"),
        "agreement_id",
    ].unique()
    days = pd.DataFrame(
        [
            (provider, day, to_cents(hours))
            for provider, day, hours in care_hours_per_day(
                agreement_ids=agreements.tolist(), year=year
            )
        ],
        columns=["provider_id", "care_date", "hours_c"],
    )
    if days.empty:
        return _rows("provider_week_over_limit", [], [], [])
    iso = pd.to_datetime(days["care_date"]).dt.isocalendar()
    days["week"] = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    weeks = days.groupby(["provider_id", "week"])["hours_c"].sum().reset_index()
    hit = weeks[weeks["hours_c"] > limits["hours"] * 100]
    return _rows(
        "provider_week_over_limit",
        np.full(len(hit), -1),
        hit["provider_id"],
        [{"week": r.week, "hours": r.hours_c / 100} for r in rows(hit)],
    )


def care_after_agreement_end(data: ReportData, year: int) -> pd.DataFrame:
    per_agreement = data.versions.groupby("agreement_id")["valid_to"]
    open_ended = data.versions["valid_to"].isna().groupby(data.versions["agreement_id"]).any()
    ended = per_agreement.max()[~open_ended].dropna()
    if ended.empty:
        return _rows("care_after_agreement_end", [], [], [])
    budget_ids = data.budgets["budget_id"].tolist()
    lines = pd.DataFrame(
        counted_lines(budget_ids=budget_ids, agreement_ids=ended.index.tolist(), year=year),
        columns=["agreement_id", "holder_id", "provider_id", "declaration_id", "care_date"],
    )
    if lines.empty:
        return _rows("care_after_agreement_end", [], [], [])
    lines["care_date"] = pd.to_datetime(lines["care_date"])
    lines["end"] = lines["agreement_id"].map(ended)
    late = lines[lines["care_date"] > lines["end"]]
    per = late.groupby(["agreement_id", "holder_id", "provider_id", "declaration_id"]).agg(
        first=("care_date", "min"), days=("care_date", "size"), end=("end", "first")
    )
    per = per.reset_index()
    return _rows(
        "care_after_agreement_end",
        per["holder_id"],
        per["provider_id"],
        [
            {"agreement": int(r.agreement_id), "declaration": int(r.declaration_id),
             "ended": r.end.date().isoformat(), "first_day_after": r.first.date().isoformat(),
             "days": int(r.days)}
            for r in rows(per)
        ],
    )  # fmt: skip


def hours_far_above_agreed(data: ReportData, year: int, limits: dict) -> pd.DataFrame:
    if limits["pct_hours"] is None:
        return _rows("hours_far_above_agreed", [], [], [])
    spend = data.spend[(data.spend["hours_c"] > 0) & (data.spend["month"].dt.year == year)]
    declared = spend.groupby(["agreement_id", "holder_id", "provider_id", "month"])["hours_c"].sum()
    declared = declared.reset_index()
    v = data.versions[data.versions["hours_per_week_c"] > 0]
    merged = declared.merge(
        v[["agreement_id", "valid_from", "valid_to", "hours_per_week_c"]], on="agreement_id"
    )
    month_end = merged["month"] + pd.offsets.MonthEnd(0)
    start = merged["valid_from"].where(merged["valid_from"] > merged["month"], merged["month"])
    stop = merged["valid_to"].fillna(month_end)
    stop = stop.where(stop < month_end, month_end)
    days = ((stop - start).dt.days + 1).clip(lower=0)
    merged["agreed_c"] = merged["hours_per_week_c"] * days / 7
    agreed = merged.groupby(["agreement_id", "holder_id", "provider_id", "month"]).agg(
        declared_c=("hours_c", "first"), agreed_c=("agreed_c", "sum")
    )
    agreed = agreed.reset_index()
    hit = agreed[
        (agreed["agreed_c"] > 0)
        & (agreed["declared_c"] * 100 > agreed["agreed_c"] * limits["pct_hours"])
    ]
    return _rows(
        "hours_far_above_agreed",
        hit["holder_id"],
        hit["provider_id"],
        [
            {"agreement": int(r.agreement_id), "month": f"{r.month:%Y-%m}",
             "declared_hours": r.declared_c / 100, "agreed_hours": round(r.agreed_c / 100, 2)}
            for r in rows(hit)
        ],
    )  # fmt: skip


def spend_spike(data: ReportData, year: int, limits: dict) -> pd.DataFrame:
    """A month whose spend exceeds the threshold share of the holder's average month before
    it (over at least two earlier months with spend)."""
    if limits["pct_spike"] is None:
        return _rows("spend_spike", [], [], [])
    monthly = (
        data.spend.groupby(["holder_id", "month"])["cents"]
        .sum()
        .reset_index()
        .sort_values(["holder_id", "month"], kind="stable")
    )
    per = monthly.groupby("holder_id")["cents"]
    before_sum = per.cumsum() - monthly["cents"]
    before_n = per.cumcount()
    usual = before_sum / before_n.where(before_n >= 2)
    hit = monthly[
        (monthly["month"].dt.year == year) & (monthly["cents"] * 100 > usual * limits["pct_spike"])
    ]
    usual = usual[hit.index]
    return _rows(
        "spend_spike",
        hit["holder_id"],
        np.full(len(hit), -1),
        [
            {"month": f"{r.month:%Y-%m}", "spend_cents": int(r.cents), "usual_cents": int(u)}
            for r, u in zip(rows(hit), usual, strict=True)
        ],
    )


def shared_iban(data: ReportData) -> pd.DataFrame:
    """One row per IBAN paid to several providers (not one per provider: the same account
    was listed once for each of them)."""
    providers = data.providers[data.providers["iban"] != ""]
    counts = providers.groupby("iban")["provider_id"].transform("size")
    shared = providers[counts > 1].sort_values(["iban", "provider_id"])
    per_iban = shared.groupby("iban", sort=True)["provider_id"].agg(list)
    return _rows(
        "shared_iban",
        np.full(len(per_iban), -1),
        [ids[0] for ids in per_iban],
        [
            {"iban": mask_identifier(str(iban)), "providers": len(ids),
             "provider_ids": [int(pk) for pk in ids]}
            for iban, ids in per_iban.items()
        ],
    )  # fmt: skip
