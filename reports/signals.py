"""Signals worth a municipal auditor's look, each with the rule behind it and its evidence.
A signal is not a finding of fraud: it says where to look. Thresholds are dated figures
(audit signal thresholds a municipality sets), never numbers in this code. Each signal is a
vectorised check over the report frames and gives one row per case.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from contracts.constants import ProviderKind
from declarations.selectors.reporting import care_hours_per_day, counted_lines, max_tariffs
from pgb_admin.core.masking import mask_identifier
from pgb_admin.core.money import to_cents
from pgb_admin.figures.constants import CarerClass, FigureKind
from pgb_admin.figures.models import StatutoryFigure

from .frames import ReportData, rows


@dataclass(frozen=True)
class Signal:
    code: str
    title: object
    rule: object  # with %(threshold)s filled in from the dated figure


SIGNALS = {
    signal.code: signal
    for signal in (
        Signal(
            "informal_rate_at_maximum",
            _("Informal care at or above the maximum"),
            _("An informal carer's agreed rate reaches the funder's maximum for informal care."),
        ),
        Signal(
            "provider_many_holders",
            _("A provider with many holders"),
            _(
                "A private person caring for more than %(person)s holders, or an organisation "
                "for more than %(organisation)s."
            ),
        ),
        Signal(
            "provider_week_over_limit",
            _("A provider over the weekly limit across holders"),
            _("A person works more than %(hours)s hours in one week over all their holders."),
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
        ),
        Signal(
            "spend_spike",
            _("A sudden spike in a holder's spend"),
            _("A month's spend exceeds %(pct)s%% of the holder's average month before it."),
        ),
        Signal(
            "shared_iban",
            _("One IBAN for several providers"),
            _("Several providers are paid into the same bank account."),
        ),
    )
}


def _figure(kind: str, on: date):
    value = StatutoryFigure.objects.value_on(kind, on)
    return None if value is None else float(value)


def thresholds(on: date) -> dict[str, float | None]:
    return {
        "person": _figure(FigureKind.SIGNAL_HOLDERS_PER_PERSON, on),
        "organisation": _figure(FigureKind.SIGNAL_HOLDERS_PER_ORGANISATION, on),
        "hours": _figure(FigureKind.ATW_MAX_WEEK_HOURS, on),
        "pct_hours": _figure(FigureKind.SIGNAL_HOURS_ABOVE_AGREED_PCT, on),
        "pct_spike": _figure(FigureKind.SIGNAL_SPEND_SPIKE_PCT, on),
    }


def find_signals(data: ReportData, *, year: int, tariffs: pd.DataFrame) -> pd.DataFrame:
    """All signals of the year, one row per case: code, holder_id, provider_id and evidence."""
    limits = thresholds(date(year, 12, 31))
    found = [
        informal_rate_at_maximum(data, tariffs),
        provider_many_holders(data, limits),
        provider_week_over_limit(data, year, limits),
        care_after_agreement_end(data, year),
        hours_far_above_agreed(data, year, limits),
        spend_spike(data, year, limits),
        shared_iban(data),
    ]
    found = [f for f in found if not f.empty]
    if not found:
        return _rows("none", [], [], [])
    return pd.concat(found, ignore_index=True)


def _rows(code: str, holder, provider, evidence: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": [code] * len(evidence),
            "holder_id": np.asarray(holder, dtype=np.int64),
            "provider_id": np.asarray(provider, dtype=np.int64),
            "evidence": evidence,
        }
    )


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
    providers = data.providers[data.providers["iban"] != ""]
    counts = providers.groupby("iban")["provider_id"].transform("size")
    shared = providers[counts > 1].sort_values(["iban", "provider_id"])
    return _rows(
        "shared_iban",
        np.full(len(shared), -1),
        shared["provider_id"],
        [
            {"iban": mask_identifier(r.iban), "providers": int(c)}
            for r, c in zip(rows(shared), counts[shared.index], strict=True)
        ],
    )
