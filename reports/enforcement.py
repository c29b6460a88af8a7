"""The signals that enforcement looks for (see :mod:`reports.signals`): each a vectorised check
over the report frames giving one row per case, with the figures that raised it as evidence.
Sources of the patterns: "Aanpak fraude met pgb" (rijksoverheid.nl), the Den Haag pgb pilot
(2016), EenVandaag (2025). The thresholds are dated figures (:func:`reports.signals.thresholds`).
"""

import re

import numpy as np
import pandas as pd

from contracts.carers import PROFESSIONAL_CLASSES
from contracts.constants import ProviderKind
from declarations.selectors.reporting import counted_lines, declared_hours_per_day
from pgb_admin.core.masking import mask_identifier, mask_postcode
from pgb_admin.core.money import to_cents

from .frames import FIXED_PAY, ReportData, month_index, rows


def signal_rows(code: str, holder, provider, evidence: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": [code] * len(evidence),
            "holder_id": np.asarray(holder, dtype=np.int64),
            "provider_id": np.asarray(provider, dtype=np.int64),
            "evidence": evidence,
        }
    )


# --- what enforcement looks for ------------------------------------------------------------


def _name_key(name: object) -> str:
    """A name compared loosely: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(name or "").lower())


def _address_key(postcode: pd.Series, house_number: pd.Series) -> pd.Series:
    """Postcode and house number as one key ("" when either is missing)."""
    pc = postcode.fillna("").str.replace(" ", "", regex=False).str.upper()
    nr = house_number.fillna("").str.replace(" ", "", regex=False).str.upper()
    return (pc + "|" + nr).where((pc != "") & (nr != ""), "")


def _in_year(frame: pd.DataFrame, year: int) -> pd.Series:
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    return (frame["valid_from"] <= end) & (frame["valid_to"].isna() | (frame["valid_to"] >= start))


def hours_above_indication(data: ReportData, year: int, limits: dict) -> pd.DataFrame:
    """Declared hours per grant, product and month against the indicated hours of that month
    (an indication per week counts days / 7 times, per month its share of the month's days,
    per year its share of the year's days)."""
    if limits["pct_indication"] is None or data.indications.empty:
        return signal_rows("hours_above_indication", [], [], [])
    spend = data.spend[(data.spend["hours_c"] > 0) & (data.spend["month"].dt.year == year)]
    declared = spend.groupby(["budget_id", "product_id", "month"])["hours_c"].sum().reset_index()
    indications = data.indications.rename(columns={"hours_c": "indication_c"})
    merged = declared.merge(indications, on=["budget_id", "product_id"])
    if merged.empty:
        return signal_rows("hours_above_indication", [], [], [])
    month_last = merged["month"] + pd.offsets.MonthEnd(0)
    start = merged["valid_from"].where(merged["valid_from"] > merged["month"], merged["month"])
    stop = merged["valid_to"].fillna(month_last)
    stop = stop.where(stop < month_last, month_last)
    days = ((stop - start).dt.days + 1).clip(lower=0)
    month_days = merged["month"].dt.days_in_month
    year_days = np.where(merged["month"].dt.is_leap_year, 366, 365)
    per_day = np.select(
        [merged["per"] == "week", merged["per"] == "month"],
        [merged["indication_c"] / 7, merged["indication_c"] / month_days],
        merged["indication_c"] / year_days,
    )
    merged["indicated_c"] = per_day * days
    per = merged.groupby(["budget_id", "product_id", "month"]).agg(
        declared_c=("hours_c", "first"), indicated_c=("indicated_c", "sum")
    )
    per = per.reset_index().merge(data.budgets[["budget_id", "holder_id"]], on="budget_id")
    hit = per[
        (per["indicated_c"] > 0)
        & (per["declared_c"] * 100 > per["indicated_c"] * limits["pct_indication"])
    ]
    return signal_rows(
        "hours_above_indication",
        hit["holder_id"],
        np.full(len(hit), -1),
        [
            {"grant": int(r.budget_id), "month": f"{r.month:%Y-%m}",
             "declared_hours": r.declared_c / 100,
             "indicated_hours": round(r.indicated_c / 100, 2)}
            for r in rows(hit)
        ],
    )  # fmt: skip


def care_during_admission_or_after_death(data: ReportData, year: int) -> pd.DataFrame:
    """Counted care on a day the holder was admitted (hospital, Wlz institution) or after the
    holder died: one query of the declaration lines of those holders' agreements."""
    dead = data.holders.dropna(subset=["date_of_death"])
    watched = set(dead["holder_id"]) | set(data.admissions["holder_id"])
    agreements = data.versions.loc[data.versions["holder_id"].isin(watched), "agreement_id"]
    if agreements.empty:
        return signal_rows("care_during_admission", [], [], [])
    lines = pd.DataFrame(
        counted_lines(
            budget_ids=data.budgets["budget_id"].tolist(),
            agreement_ids=agreements.unique().tolist(),
            year=year,
        ),
        columns=["agreement_id", "holder_id", "provider_id", "declaration_id", "care_date"],
    )
    if lines.empty:
        return signal_rows("care_during_admission", [], [], [])
    lines["care_date"] = pd.to_datetime(lines["care_date"]).astype("datetime64[ns]")
    keys = ["agreement_id", "holder_id", "provider_id", "declaration_id"]

    during = lines.merge(data.admissions, on="holder_id")
    during = during[
        (during["care_date"] >= during["valid_from"])
        & (during["valid_to"].isna() | (during["care_date"] <= during["valid_to"]))
    ]
    admitted = (
        during.groupby([*keys, "kind", "valid_from"], dropna=False)
        .agg(first=("care_date", "min"), days=("care_date", "nunique"), to=("valid_to", "first"))
        .reset_index()
    )
    after = lines.merge(dead[["holder_id", "date_of_death"]], on="holder_id")
    after = after[after["care_date"] > after["date_of_death"]]
    died = (
        after.groupby(keys)
        .agg(
            first=("care_date", "min"),
            days=("care_date", "nunique"),
            died=("date_of_death", "first"),
        )
        .reset_index()
    )
    return pd.concat(
        [
            signal_rows(
                "care_during_admission",
                admitted["holder_id"],
                admitted["provider_id"],
                [
                    {"agreement": int(r.agreement_id), "declaration": int(r.declaration_id),
                     "admission": r.kind, "admitted_from": r.valid_from.date().isoformat(),
                     "admitted_to": None if pd.isna(r.to) else r.to.date().isoformat(),
                     "first_day": r.first.date().isoformat(), "days": int(r.days)}
                    for r in rows(admitted)
                ],
            ),
            signal_rows(
                "care_after_death",
                died["holder_id"],
                died["provider_id"],
                [
                    {"agreement": int(r.agreement_id), "declaration": int(r.declaration_id),
                     "died": r.died.date().isoformat(),
                     "first_day_after": r.first.date().isoformat(), "days": int(r.days)}
                    for r in rows(died)
                ],
            ),
        ],
        ignore_index=True,
    )  # fmt: skip


def _acting(data: ReportData, year: int) -> pd.DataFrame:
    """The representatives' and bureaus' mandates running in the year."""
    return data.mandates[_in_year(data.mandates, year)]


def representative_is_provider(data: ReportData, year: int) -> pd.DataFrame:
    """A representative or bureau whose name is that of one of the holder's providers, or of
    the holder of the provider's account: the first letter of the first name and the surname
    (a provider's name is "Initials and surname", a user's first and last name)."""
    acting = _acting(data, year)
    pairs = data.versions[["holder_id", "provider_id"]].drop_duplicates()
    joined = acting.merge(pairs, on="holder_id").merge(
        data.providers[["provider_id", "name", "account_holder"]], on="provider_id"
    )
    if joined.empty:
        return signal_rows("representative_is_provider", [], [], [])
    surname = joined["last_name"].map(_name_key)
    initial = joined["first_name"].map(lambda n: _name_key(n)[:1])
    full = (joined["first_name"] + joined["last_name"]).map(_name_key)

    def matches(column: str) -> pd.Series:
        name = joined[column].map(_name_key)
        loose = [
            bool(s) and bool(i) and n.endswith(s) and n.startswith(i)
            for n, s, i in zip(name, surname, initial, strict=True)
        ]
        return (name == full) & (name != "") | pd.Series(loose, index=joined.index)

    on_name, on_account = matches("name"), matches("account_holder")
    hit = joined[on_name | on_account].assign(
        matched=np.where(on_name[on_name | on_account], "name", "account_holder")
    )
    hit = hit.drop_duplicates(["user_id", "holder_id", "provider_id"])
    return signal_rows(
        "representative_is_provider",
        hit["holder_id"],
        hit["provider_id"],
        [
            {"role": r.role, "representative": f"{r.first_name} {r.last_name}".strip(),
             "provider_name": r.name if r.matched == "name" else r.account_holder,
             "matched_on": r.matched}
            for r in rows(hit)
        ],
    )  # fmt: skip


def holders_per_representative(data: ReportData, year: int, limits: dict) -> pd.DataFrame:
    """The holders of these grants one representative or bureau acts for."""
    if limits["representative"] is None:
        return signal_rows("holders_per_representative", [], [], [])
    acting = _acting(data, year)
    per = (
        acting.groupby("user_id")
        .agg(
            holders=("holder_id", "nunique"),
            holder_ids=("holder_id", lambda ids: sorted(set(ids))),
            role=("role", "first"),
            first_name=("first_name", "first"),
            last_name=("last_name", "first"),
        )
        .reset_index()
    )
    hit = per[per["holders"] > limits["representative"]]
    return signal_rows(
        "holders_per_representative",
        np.full(len(hit), -1),
        np.full(len(hit), -1),
        [
            {"role": r.role, "representative": f"{r.first_name} {r.last_name}".strip(),
             "holders": int(r.holders), "holder_ids": [int(h) for h in r.holder_ids]}
            for r in rows(hit)
        ],
    )  # fmt: skip


def _holder_provider_addresses(data: ReportData, year: int) -> pd.DataFrame:
    """Each agreement version running in the year with the holder's and provider's address."""
    holders = data.holders.assign(
        holder_address=_address_key(data.holders["postcode"], data.holders["house_number"])
    )[["holder_id", "holder_address", "postcode", "surname"]]
    providers = data.providers.assign(
        provider_address=_address_key(data.providers["postcode"], data.providers["house_number"])
    )[["provider_id", "provider_address", "name", "kind", "kvk_number"]]
    versions = data.versions[_in_year(data.versions, year)]
    return versions.merge(holders, on="holder_id").merge(providers, on="provider_id")


def same_address(data: ReportData, year: int, limits: dict) -> pd.DataFrame:
    if limits["same_address_hours"] is None:
        return signal_rows("same_address", [], [], [])
    v = _holder_provider_addresses(data, year)
    v = v[(v["holder_address"] != "") & (v["holder_address"] == v["provider_address"])]
    per = (
        v.groupby(["holder_id", "provider_id"])
        .agg(hours_c=("hours_per_week_c", "max"), postcode=("postcode", "first"))
        .reset_index()
    )
    hit = per[per["hours_c"] > limits["same_address_hours"] * 100]
    return signal_rows(
        "same_address",
        hit["holder_id"],
        hit["provider_id"],
        [
            {"postcode": mask_postcode(r.postcode), "hours_per_week": r.hours_c / 100}
            for r in rows(hit)
        ],
    )


def account_name_mismatch(data: ReportData) -> pd.DataFrame:
    providers = data.providers
    other = providers["account_holder"].map(_name_key)
    hit = providers[(other != "") & (other != providers["name"].map(_name_key))]
    return signal_rows(
        "account_name_mismatch",
        np.full(len(hit), -1),
        hit["provider_id"],
        [{"account_holder": r.account_holder, "iban": mask_identifier(r.iban)} for r in rows(hit)],
    )


def identical_months(data: ReportData, year: int, limits: dict) -> pd.DataFrame:
    """Runs of consecutive months in which an agreement's declarations (not fixed monthly
    pay, which is the same by nature) have the same total and hours, ending in the year."""
    if limits["identical_months"] is None:
        return signal_rows("identical_months", [], [], [])
    declared = data.spend[(data.spend["declaration_id"] >= 0) & (data.spend["status"] != FIXED_PAY)]
    fixed = data.versions.loc[data.versions["unit"] == "month", "agreement_id"]
    declared = declared[~declared["agreement_id"].isin(fixed)]
    monthly = (
        declared.groupby(["agreement_id", "holder_id", "provider_id", "month"])
        .agg(cents=("cents", "sum"), hours_c=("hours_c", "sum"))
        .reset_index()
        .sort_values(["agreement_id", "month"], kind="stable")
    )
    if monthly.empty:
        return signal_rows("identical_months", [], [], [])
    index = month_index(monthly["month"])
    same = (
        (monthly["agreement_id"] == monthly["agreement_id"].shift())
        & (index - index.shift() == 1)
        & (monthly["cents"] == monthly["cents"].shift())
        & (monthly["hours_c"] == monthly["hours_c"].shift())
    )
    run = (~same).cumsum()
    runs = (
        monthly.assign(run=run)
        .groupby("run")
        .agg(
            agreement_id=("agreement_id", "first"),
            holder_id=("holder_id", "first"),
            provider_id=("provider_id", "first"),
            first=("month", "min"),
            last=("month", "max"),
            months=("month", "size"),
            cents=("cents", "first"),
            hours_c=("hours_c", "first"),
        )
    )
    hit = runs[(runs["months"] >= limits["identical_months"]) & (runs["last"].dt.year == year)]
    return signal_rows(
        "identical_months",
        hit["holder_id"],
        hit["provider_id"],
        [
            {"agreement": int(r.agreement_id), "first_month": f"{r.first:%Y-%m}",
             "last_month": f"{r.last:%Y-%m}", "months": int(r.months),
             "amount_cents": int(r.cents), "declared_hours": r.hours_c / 100}
            for r in rows(hit)
        ],
    )  # fmt: skip


def family_company_formal_rate(data: ReportData, year: int) -> pd.DataFrame:
    """Formal care (no family relation registered) from a company or professional whose name
    holds the holder's surname, or who lives at the holder's address."""
    v = _holder_provider_addresses(data, year)
    v = v[v["carer_class"].isin(PROFESSIONAL_CLASSES)]  # formal and self-employed rates
    if v.empty:
        return signal_rows("family_company_formal_rate", [], [], [])
    surname = v["surname"].map(_name_key)
    name = v["name"].map(lambda n: " " + re.sub(r"[^0-9a-z]+", " ", str(n).lower()) + " ")
    spaced = v["surname"].map(lambda n: " " + re.sub(r"[^0-9a-z]+", " ", str(n).lower()) + " ")
    by_name = pd.Series(
        [len(s) >= 3 and sp in n for s, sp, n in zip(surname, spaced, name, strict=True)],
        index=v.index,
    )
    by_address = (v["holder_address"] != "") & (v["holder_address"] == v["provider_address"])
    hit = v[by_name | by_address].assign(
        matched=np.where(by_name[by_name | by_address], "surname", "address")
    )
    hit = hit.sort_values("valid_from").drop_duplicates("agreement_id", keep="last")
    return signal_rows(
        "family_company_formal_rate",
        hit["holder_id"],
        hit["provider_id"],
        [
            {"agreement": int(r.agreement_id), "provider_name": r.name,
             "matched_on": r.matched, "rate_cents": int(r.rate_cents), "unit": r.unit}
            for r in rows(hit)
        ],
    )  # fmt: skip


def declared_days(data: ReportData, year: int) -> pd.DataFrame:
    """(provider, holder, day, hundredths of hours) declared on the grants in the year."""
    return pd.DataFrame(
        [
            (provider, holder, day, to_cents(hours))
            for provider, holder, day, hours in declared_hours_per_day(
                budget_ids=data.budgets["budget_id"].tolist(), year=year
            )
        ],
        columns=["provider_id", "holder_id", "care_date", "hours_c"],
    )


def carer_day_over_limit(data: ReportData, days: pd.DataFrame, limits: dict) -> pd.DataFrame:
    """A person declared by two or more holders for more hours on a day than the threshold
    (an organisation has many carers: not counted)."""
    if limits["day_hours"] is None or days.empty:
        return signal_rows("carer_day_over_limit", [], [], [])
    persons = data.providers.loc[data.providers["kind"] == ProviderKind.PERSON, "provider_id"]
    days = days[days["provider_id"].isin(persons)]
    per = (
        days.groupby(["provider_id", "care_date"])
        .agg(hours_c=("hours_c", "sum"), holders=("holder_id", "nunique"))
        .reset_index()
    )
    hit = per[(per["holders"] > 1) & (per["hours_c"] > limits["day_hours"] * 100)]
    return signal_rows(
        "carer_day_over_limit",
        np.full(len(hit), -1),
        hit["provider_id"],
        [
            {"day": pd.Timestamp(r.care_date).date().isoformat(), "hours": r.hours_c / 100,
             "holders": int(r.holders)}
            for r in rows(hit)
        ],
    )  # fmt: skip
