"""Rules on pay: the statutory minimum wage for the provider's age, per hour and for a fixed
monthly wage, with the holiday allowance where the rate must include it.

Who is owed the minimum wage (SVB, "Minimumloon en vakantiegeld"): an employee, a partner or
family member (their agreement is an assignment), and a provider on assignment who is no
entrepreneur for income tax. Not an institution, not an entrepreneur.

Holiday allowance: the SVB pays it with every payment, so a rate that includes it must be at
least the minimum wage plus the holiday allowance (the dated ``holiday_allowance_pct`` figure,
8 %). The rate of a family agreement or an assignment always includes it ("In de vergoeding zit
ook het vakantiegeld"); an employment agreement's rate only when its version says so
(``rate_includes_holiday_pay``).
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

import numpy as np
import numpy.typing as npt
import pandas as pd

from contracts.constants import AgreementType
from pgb_admin.figures.constants import FigureKind

from ..engine import Context, ages_on
from ..registry import Param, rule
from ._common import ERROR, INFO, cached, on_segments, source_of

SVB_MINIMUM_WAGE = source_of(
    "SVB, Wanneer betaalt u minimumloon en vakantiegeld "
    "(https://www.svb.nl/nl/pgb/een-zorgovereenkomst-afsluiten/wanneer-betaalt-u-minimumloon-en-"
    "vakantiegeld); SVB, Zorgovereenkomst van opdracht (https://www.svb.nl/nl/pgb/een-"
    "zorgovereenkomst-afsluiten/zorgovereenkomst-van-opdracht); Wet minimumloon en "
    "minimumvakantiebijslag, Stb. 2017, 290",
    _(
        "at least the minimum wage for employees, family members and self-employed carers who "
        "are not entrepreneurs, the latter two with the holiday allowance included in the rate"
    ),
)
# The WML holds for assignments from 2018; partners and family members of the first and second
# degree were exempt for 2018 (their agreements of 2017), so for them the check starts in 2019
# (zorghulpatlas.nl 2018-02-26; pgb.nl "Verplicht minimumloon ook voor familie en zelfstandige").
WML_ASSIGNMENTS = date(2018, 1, 1)
WML_FAMILY = date(2019, 1, 1)

WEEKS_A_YEAR, MONTHS_A_YEAR = 52, 12  # a monthly wage covers 52/12 weeks of hours_per_week


def hourly_from_monthly(
    monthly_cents: npt.ArrayLike, hours_per_week_c: npt.ArrayLike
) -> np.ndarray:
    """The hourly wage in cents that a monthly wage pays for ``hours_per_week`` (hundredths):
    monthly / (hours a week x 52/12), rounded ROUND_HALF_UP to the cent here, before it is
    compared with the minimum; -1 where the hours are unknown."""
    monthly = np.asarray(monthly_cents, dtype=np.int64)
    hours = np.asarray(hours_per_week_c, dtype=np.int64)
    # cents / (hours_c / 100 x 52 / 12) = cents x 1200 / (hours_c x 52)
    numerator = monthly * (100 * MONTHS_A_YEAR)
    denominator = np.maximum(hours, 1) * WEEKS_A_YEAR
    rounded = (2 * numerator + denominator) // (2 * denominator)
    return np.where(hours > 0, rounded, -1)


def age_bands(ctx: Context) -> np.ndarray:
    """The age bands of the minimum wage (15 to 21), from every row of the table."""
    rows = ctx.inp.figures[ctx.inp.figures["kind"] == FigureKind.MINIMUM_WAGE]
    return np.unique(rows.loc[rows["age_min"] >= 0, "age_min"].to_numpy().astype(np.int64))


def band_of(bands: np.ndarray, ages: npt.ArrayLike) -> np.ndarray:
    """The age band of each age: the highest band reached; -1 below the youngest (the WML
    sets no minimum there) or for an unknown age."""
    ages = np.asarray(ages, dtype=np.int64)
    if not len(bands):
        return np.full(len(ages), -1, dtype=np.int64)
    position = np.searchsorted(bands, ages, side="right") - 1
    return np.where(position >= 0, bands[np.maximum(position, 0)], -1)


def minimum_wage_of_band(ctx: Context, on: npt.ArrayLike, ages: npt.ArrayLike) -> np.ndarray:
    """The minimum wage (cents an hour) on each day for the age's own band; -1 where the
    table has no row of that band on that day. Unlike ``Context.figure`` a missing band does
    not fall back to a younger band's lower minimum: it is a gap (wage.minimum_unknown)."""
    days = np.asarray(on, dtype="datetime64[ns]")
    band = band_of(age_bands(ctx), ages)
    result = np.full(len(days), -1, dtype=np.int64)
    rows = ctx.inp.figures[
        (ctx.inp.figures["kind"] == FigureKind.MINIMUM_WAGE) & (ctx.inp.figures["scheme"] == "")
    ]
    for valid_from, valid_to, age_min, value_c in zip(
        rows["valid_from"].tolist(), rows["valid_to"].tolist(), rows["age_min"].tolist(),
        rows["value_c"].tolist(), strict=True,
    ):  # fmt: skip
        applies = (band == age_min) & (days >= np.datetime64(valid_from))
        if not pd.isna(valid_to):
            applies &= days <= np.datetime64(valid_to)
        result = np.where(applies, value_c, result)
    return result


def _with_allowance(wage: np.ndarray, allowance: np.ndarray) -> np.ndarray:
    """The minimum wage plus the holiday allowance (hundredths of a percent), half up."""
    with_allowance: np.ndarray = (wage * (10_000 + np.maximum(allowance, 0)) + 5_000) // 10_000
    return with_allowance


def _owed(agreement_type: pd.Series, entrepreneur: pd.Series, on: pd.Series) -> np.ndarray:
    """Whether the provider is owed the minimum wage on ``on`` by the type of agreement."""
    kind = agreement_type.to_numpy()
    day = on.to_numpy()
    employed = np.isin(kind, [AgreementType.EMPLOYMENT_HOURLY, AgreementType.EMPLOYMENT_FIXED])
    family = (kind == AgreementType.FAMILY) & (day >= np.datetime64(WML_FAMILY))
    assignment = (
        (kind == AgreementType.ASSIGNMENT)
        & ~entrepreneur.fillna(False).astype(bool).to_numpy()
        & (day >= np.datetime64(WML_ASSIGNMENTS))
    )
    owed: np.ndarray = employed | family | assignment
    return owed


def _minimum(
    ctx: Context, frame: pd.DataFrame, on: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of ``frame`` (columns agreement_type, holiday_pay, birth_date): the minimum in
    cents an hour on ``on`` (-1 if unknown), the age, and whether the rate includes the
    holiday allowance."""
    ages = ages_on(frame["birth_date"], on)
    wage = minimum_wage_of_band(ctx, on, ages)
    allowance = ctx.figure(FigureKind.HOLIDAY_ALLOWANCE_PCT, on)
    includes = (
        frame["agreement_type"].isin([AgreementType.FAMILY, AgreementType.ASSIGNMENT]).to_numpy()
        | frame["holiday_pay"].fillna(False).astype(bool).to_numpy()
    )
    minimum = np.where(includes, _with_allowance(wage, allowance), wage)
    return np.where((wage < 0) | (ages < 0), -1, minimum), ages, includes


def _hourly(ctx: Context) -> dict[str, np.ndarray]:
    return cached(ctx, _find_hourly)


def _find_hourly(ctx: Context) -> dict[str, np.ndarray]:
    """Per segment paid by the hour: whether the minimum wage applies, the minimum on the
    segment's last day and the age."""
    s = ctx.segments
    on = s["last_date"]
    minimum, ages, _includes = _minimum(ctx, s, on)
    applies = (
        s["has_version"].to_numpy()
        & (s["version_unit"] == "hour").to_numpy()
        & _owed(s["agreement_type"], s["entrepreneur"], on)
        & (ages >= 0)
    )
    return {"applies": applies, "minimum": minimum, "ages": ages}


def monthly_versions(ctx: Context) -> pd.DataFrame:
    return cached(ctx, _find_monthly_versions)


def _find_monthly_versions(ctx: Context) -> pd.DataFrame:
    """One row per declaration in the run and version with a fixed monthly wage (employment
    with fixed pay, a family member with a monthly amount) in force in its month, checked on
    the version's last day in the month: the hourly equivalent and the minimum."""
    d = ctx.declarations[
        ["declaration_id", "agreement_id", "agreement_type", "birth_date", "entrepreneur",
         "month", "month_end"]
    ]  # fmt: skip
    versions = ctx.inp.versions[ctx.inp.versions["version_unit"] == "month"]
    rows = d.merge(versions, on="agreement_id")
    rows = rows[
        rows["agreement_type"].isin([AgreementType.EMPLOYMENT_FIXED, AgreementType.FAMILY])
        & (rows["valid_from"] <= rows["month_end"])
        & (rows["valid_to"].isna() | (rows["valid_to"] >= rows["month"]))
    ].reset_index(drop=True)
    rows["last_date"] = rows["month_end"].where(
        rows["valid_to"].isna() | (rows["valid_to"] > rows["month_end"]), rows["valid_to"]
    )
    rows["first_date"] = rows["valid_from"].where(rows["valid_from"] > rows["month"], rows["month"])
    hours = rows["hours_per_week_c"].fillna(-1).astype(np.int64)
    rows["hours_per_week_c"] = hours
    minimum, ages, _includes = _minimum(ctx, rows, rows["last_date"])
    rows["minimum"], rows["age"] = minimum, ages
    rows["hourly"] = hourly_from_monthly(rows["agreed_cents"].to_numpy(), hours.to_numpy())
    rows["applies"] = _owed(rows["agreement_type"], rows["entrepreneur"], rows["last_date"]) & (
        ages >= 0
    )
    return rows


@rule(
    code="wage.below_minimum",
    severity=ERROR,
    title=_("Pay below the minimum wage"),
    message=_(
        "The rate %(rate)s is below the statutory minimum of %(minimum)s an hour for a provider "
        "aged %(age)s on %(day)s."
    ),
    fix=_(
        "Raise the rate to at least the minimum wage with a change of the agreement (for a "
        "family member or an assignment, and a rate with holiday allowance, the minimum plus "
        "the holiday allowance)."
    ),
    source=SVB_MINIMUM_WAGE,
    valid_from=WML_ASSIGNMENTS,
    params={"rate": Param.MONEY, "minimum": Param.MONEY, "age": Param.NUMBER, "day": Param.DATE},
)
def below_minimum_wage(ctx: Context) -> pd.DataFrame:
    hourly = _hourly(ctx)
    minimum = hourly["minimum"]
    rate = ctx.segments["min_rate_cents"].to_numpy()
    mask = hourly["applies"] & (minimum >= 0) & (rate < minimum)
    return on_segments(ctx, mask, rate=rate, minimum=minimum, age=hourly["ages"], day="last_date")


@rule(
    code="wage.monthly_below_minimum",
    severity=ERROR,
    title=_("Monthly wage below the minimum wage"),
    message=_(
        "The monthly wage of %(monthly)s for %(hours)s hours a week is %(hourly)s an hour "
        "(monthly wage / (hours a week x 52/12)), below the statutory minimum of %(minimum)s "
        "an hour for a provider aged %(age)s on %(day)s."
    ),
    fix=_("Raise the monthly wage, or correct the hours a week, with a change of the agreement."),
    source=SVB_MINIMUM_WAGE,
    valid_from=WML_ASSIGNMENTS,
    params={
        "monthly": Param.MONEY,
        "hours": Param.HOURS,
        "hourly": Param.MONEY,
        "minimum": Param.MONEY,
        "age": Param.NUMBER,
        "day": Param.DATE,
    },
)
def monthly_below_minimum(ctx: Context) -> pd.DataFrame:
    rows = monthly_versions(ctx)
    hourly, minimum = rows["hourly"].to_numpy(), rows["minimum"].to_numpy()
    mask = rows["applies"].to_numpy() & (minimum >= 0) & (hourly >= 0) & (hourly < minimum)
    return _on_rows(
        rows, mask, monthly="agreed_cents", hours="hours_per_week_c", hourly="hourly",
        minimum="minimum", age="age", day="last_date",
    )  # fmt: skip


@rule(
    code="wage.monthly_hours_unknown",
    severity=INFO,
    title=_("Monthly wage not checked: no hours a week"),
    message=_(
        "The monthly wage of %(monthly)s (agreement version from %(start)s) cannot be checked "
        "against the minimum wage: the agreement states no hours a week to divide it by."
    ),
    fix=_("Register the agreed hours a week with a change of the agreement."),
    source=SVB_MINIMUM_WAGE,
    valid_from=WML_ASSIGNMENTS,
    params={"monthly": Param.MONEY, "start": Param.DATE},
)
def monthly_hours_unknown(ctx: Context) -> pd.DataFrame:
    rows = monthly_versions(ctx)
    mask = rows["applies"].to_numpy() & (rows["hours_per_week_c"].to_numpy() <= 0)
    return _on_rows(rows, mask, monthly="agreed_cents", start="valid_from")


def _on_rows(rows: pd.DataFrame, mask: np.ndarray, **params: str) -> pd.DataFrame:
    """Offences on monthly versions, dated on the version's first day in the month."""
    chosen = rows.loc[mask]
    offences = pd.DataFrame(
        {
            "declaration_id": chosen["declaration_id"].to_numpy(),
            "care_date": chosen["first_date"].to_numpy(),
            "month": chosen["month"].to_numpy(),
        }
    )
    for name, column in params.items():
        offences[name] = chosen[column].to_numpy()
    return offences


def minimum_wage_gap_start(ctx: Context, on: pd.Series, ages: np.ndarray) -> np.ndarray:
    """Where no minimum wage is known for a day and age: the first day of the gap, the day
    after the last row of the age's band ending before the day, or (before the table) the
    first day of the day's half year, when the minimum wage changes."""
    days = np.asarray(on, dtype="datetime64[ns]").astype("datetime64[D]")
    rows = ctx.inp.figures[ctx.inp.figures["kind"] == FigureKind.MINIMUM_WAGE]
    bands = band_of(age_bands(ctx), ages)
    after_last = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
    for age_min, valid_to in zip(rows["age_min"].tolist(), rows["valid_to"].tolist(), strict=True):
        if pd.isna(valid_to):
            continue
        end = np.datetime64(pd.Timestamp(valid_to).date(), "D")
        band = (bands == age_min) & (end < days)
        later = band & (np.isnat(after_last) | (after_last <= end))
        after_last = np.where(later, end + 1, after_last)
    months = days.astype("datetime64[M]")
    month_number = months.astype(np.int64) % 12
    half_year = (months - month_number % 6).astype("datetime64[D]")
    return np.where(np.isnat(after_last), half_year, after_last)


def _unknown(ctx: Context) -> pd.DataFrame:
    """Per declaration, every check of a minimum wage that found no row: the day, the age."""
    bands = age_bands(ctx)
    # the WML sets no minimum below its youngest age band (15): not a gap in the table
    youngest = int(bands[0]) if len(bands) else 0
    hourly = _hourly(ctx)
    s = ctx.segments
    segment = hourly["applies"] & (hourly["minimum"] < 0) & (hourly["ages"] >= youngest)
    rows = monthly_versions(ctx)
    monthly = rows["applies"].to_numpy() & (rows["minimum"].to_numpy() < 0)
    monthly &= rows["age"].to_numpy() >= youngest
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "declaration_id": s["declaration_id"].to_numpy()[segment],
                    "day": s["last_date"].to_numpy()[segment],
                    "age": hourly["ages"][segment],
                }
            ),
            pd.DataFrame(
                {
                    "declaration_id": rows["declaration_id"].to_numpy()[monthly],
                    "day": rows["last_date"].to_numpy()[monthly],
                    "age": rows["age"].to_numpy()[monthly],
                }
            ),
        ],
        ignore_index=True,
    )


@rule(
    code="wage.minimum_unknown",
    severity=INFO,
    title=_("Minimum wage missing"),
    message=_(
        "The minimum wage from %(start)s is missing from the figures: this declaration's pay "
        "was not checked against it. Staff must add it."
    ),
    fix=_(
        "Staff: add the minimum wage of this period (manage.py figures add --kind "
        "minimum_wage) and validate again."
    ),
    source=SVB_MINIMUM_WAGE,
    valid_from=WML_ASSIGNMENTS,
    params={"start": Param.DATE},
)
def minimum_wage_unknown(ctx: Context) -> pd.DataFrame:
    unknown = _unknown(ctx)
    unknown["start"] = minimum_wage_gap_start(ctx, unknown["day"], unknown["age"].to_numpy())
    # one finding per declaration: the earliest gap it runs into
    first = unknown.sort_values(["declaration_id", "start"]).drop_duplicates("declaration_id")
    months = ctx.declarations.set_index("declaration_id")["month"]
    return pd.DataFrame(
        {
            "declaration_id": first["declaration_id"].to_numpy(),
            "care_date": pd.NaT,
            "month": first["declaration_id"].map(months).to_numpy(),
            "start": pd.to_datetime(first["start"]).to_numpy(),
        }
    )
