"""The validation engine: joins the declaration lines with agreement versions, grants,
providers, tariffs and figures into frames, runs every rule of the catalogue on them
vectorised (no per-line Python) and turns what the rules return into findings.

One declaration and a national month take the same path: :func:`run` on a
:class:`~declarations.validation.inputs.ValidationInput`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from contracts.carers import carer_class

from .inputs import ValidationInput
from .registry import Param, Rule, catalogue

FINDING_COLUMNS = ["declaration_id", "rule_code", "severity", "care_date", "params"]


@dataclass
class Context:
    """What the rules read. ``lines`` has one row per declaration line (sorted by declaration
    and day); ``segments`` one row per run of lines under one agreement version in one
    declaration; ``weeks`` one row per declaration and ISO week; ``declarations`` one row per
    declaration in the run."""

    inp: ValidationInput
    today: pd.Timestamp
    lines: pd.DataFrame
    segments: pd.DataFrame
    weeks: pd.DataFrame
    declarations: pd.DataFrame
    # what several rules derive from the frames, computed once per run (see rules._cached)
    cache: dict[Callable[["Context"], object], object] = field(default_factory=dict, repr=False)

    def figure(
        self,
        kind: str,
        on: npt.ArrayLike,
        *,
        ages: npt.ArrayLike | None = None,
        schemes: npt.ArrayLike | None = None,
    ) -> np.ndarray:
        """The dated figure ``kind`` (in hundredths) for each date in ``on``; for ages, the
        highest age band reached; -1 where no row holds."""
        days = np.asarray(on, dtype="datetime64[ns]")
        result = np.full(len(days), -1, dtype=np.int64)
        best_age = np.full(len(days), -2, dtype=np.int64)
        rows = self.inp.figures[self.inp.figures["kind"] == kind].sort_values("scheme")
        # general rows first, so a scheme's own row overrides them
        for valid_from, valid_to, scheme, age_min, value_c in zip(
            *(rows[column].tolist() for column in _FIGURE_ROW), strict=True
        ):
            applies = days >= np.datetime64(valid_from)
            if not pd.isna(valid_to):
                applies &= days <= np.datetime64(valid_to)
            if scheme:
                applies &= np.asarray(schemes) == scheme
            if ages is not None:
                applies &= np.asarray(ages) >= age_min
                applies &= age_min >= best_age
                best_age = np.where(applies, age_min, best_age)
            result = np.where(applies, value_c, result)
        return result


_FIGURE_ROW = ("valid_from", "valid_to", "scheme", "age_min", "value_c")


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal consecutive ``keys`` (the arrays are sorted)."""
    change = np.zeros(len(keys[0]), dtype=bool)
    if len(change):
        change[0] = True
        for key in keys:
            change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def iso_week(days: "pd.Series[pd.Timestamp]") -> np.ndarray:
    calendar = days.dt.isocalendar()
    return (calendar["year"].astype(np.int64) * 100 + calendar["week"].astype(np.int64)).to_numpy()


def ages_on(birth: "pd.Series[pd.Timestamp]", on: "pd.Series[pd.Timestamp]") -> np.ndarray:
    """Whole years of age on each date (-1 when the birth date is unknown)."""
    known = birth.notna().to_numpy()
    b = birth.fillna(pd.Timestamp("1900-01-01"))
    years = on.dt.year.to_numpy() - b.dt.year.to_numpy()
    before_birthday = (on.dt.month.to_numpy() * 100 + on.dt.day.to_numpy()) < (
        b.dt.month.to_numpy() * 100 + b.dt.day.to_numpy()
    )
    return np.where(known, years - before_birthday, -1)


def prepare(inp: ValidationInput) -> Context:
    declarations = inp.declarations[inp.declarations["in_run"]]
    declarations = declarations.merge(inp.agreements, on="agreement_id", how="left").merge(
        inp.providers, on="provider_id", how="left"
    )
    # formal, self-employed or informal: contracts.carers decides it for the whole project
    declarations["carer_class"] = carer_class(
        declarations["relation"],
        declarations["provider_kind"],
        declarations["registered"],
        declarations["agreement_type"],
    )
    declarations["month_end"] = declarations["month"] + pd.offsets.MonthEnd(0)

    lines = inp.lines.merge(
        declarations[
            ["declaration_id", "agreement_id", "holder_id", "provider_id", "agreement_type"]
        ],
        on="declaration_id",
    )
    order = np.lexsort((lines["care_date"].to_numpy(), lines["declaration_id"].to_numpy()))
    lines = lines.take(order).reset_index(drop=True)
    lines["is_hour"] = (lines["unit"] == "hour").to_numpy()
    lines["week"] = iso_week(lines["care_date"])

    segments = _segments(lines, inp, declarations)
    weeks = _weeks(lines, segments)
    return Context(
        inp=inp,
        today=pd.Timestamp(inp.today),
        lines=lines,
        segments=segments,
        weeks=weeks,
        declarations=declarations,
    )


def _segments(
    lines: pd.DataFrame, inp: ValidationInput, declarations: pd.DataFrame
) -> pd.DataFrame:
    decl = lines["declaration_id"].to_numpy()
    version = lines["version_id"].to_numpy()
    starts = run_starts(decl, version)
    # a run without lines (fixed monthly pay, costs only) has no segments
    ends = np.append(starts[1:], len(lines)) - 1 if len(starts) else starts
    rate = lines["rate_cents"].to_numpy()
    segments = pd.DataFrame(
        {
            "declaration_id": decl[starts],
            "version_id": version[starts],
            "first_date": lines["care_date"].to_numpy()[starts],
            "last_date": lines["care_date"].to_numpy()[ends],
            "days": ends - starts + 1,
            "min_rate_cents": np.minimum.reduceat(rate, starts) if len(starts) else rate[:0],
            "max_rate_cents": np.maximum.reduceat(rate, starts) if len(starts) else rate[:0],
        }
    )
    segments = segments.merge(
        declarations[
            [
                "declaration_id", "agreement_id", "provider_id", "agreement_type", "carer_class",
                "birth_date", "entrepreneur", "iban", "month", "provider_kind", "has_kvk",
                "has_agb", "has_big", "sbi_code",
            ]
        ],
        on="declaration_id",
        how="left",
    )  # fmt: skip
    segments = segments.merge(
        inp.versions.drop(columns=["agreement_id"]), on="version_id", how="left"
    ).merge(inp.budgets, on="budget_id", how="left")
    in_budget = inp.budget_products.assign(product_in_budget=True)
    segments = segments.merge(in_budget, on=["budget_id", "product_id"], how="left")
    segments["has_version"] = segments["version_id"] != -1
    segments["product_in_budget"] = segments["product_in_budget"].fillna(False).astype(bool)
    for column in ("agreed_cents", "hours_per_week_c", "travel_allowance_cents", "budget_id"):
        segments[column] = segments[column].fillna(-1).astype(np.int64)
    for column in ("approved", "holiday_pay"):
        segments[column] = segments[column].fillna(False).astype(bool)
    return segments


def _weeks(lines: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    decl = lines["declaration_id"].to_numpy()
    week = lines["week"].to_numpy()
    starts = run_starts(decl, week)
    hours = np.where(lines["is_hour"].to_numpy(), lines["quantity_c"].to_numpy(), 0)
    weeks = pd.DataFrame(
        {
            "declaration_id": decl[starts],
            "week": week[starts],
            "first_date": lines["care_date"].to_numpy()[starts],
            "hours_c": np.add.reduceat(hours, starts) if len(starts) else hours[:0],
            "days": np.diff(np.append(starts, len(lines))),
        }
    )
    agreed = segments.groupby("declaration_id")["hours_per_week_c"].max()
    weeks["agreed_hours_c"] = weeks["declaration_id"].map(agreed).fillna(-1).astype(np.int64)
    kinds = segments.drop_duplicates("declaration_id").set_index("declaration_id")
    weeks["agreement_type"] = weeks["declaration_id"].map(kinds["agreement_type"])
    return weeks


def run(inp: ValidationInput, rules: dict[str, Rule] | None = None) -> pd.DataFrame:
    """All findings for the declarations in the run, one row each (see FINDING_COLUMNS)."""
    context = prepare(inp)
    found = []
    for rule in (rules or catalogue()).values():
        offences = rule.check(context)
        if offences is None or offences.empty:
            continue
        found.append(_findings(rule, offences))
    if not found:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    return pd.concat(found, ignore_index=True)


def _findings(rule: Rule, offences: pd.DataFrame) -> pd.DataFrame:
    if "care_date" not in offences:
        # pandas-stubs: assign() takes any scalar, pd.NaT included
        offences = offences.assign(care_date=pd.NaT)  # type: ignore[arg-type]
    when = offences["care_date"].fillna(offences.get("month", offences["care_date"]))
    if when.notna().any():
        applies = when.isna() | (when >= pd.Timestamp(rule.valid_from))
        if rule.valid_to is not None:
            applies &= when.isna() | (when <= pd.Timestamp(rule.valid_to))
        offences = offences[applies.to_numpy()]
    params = pd.DataFrame(
        {name: _as_text(kind, offences[name]) for name, kind in rule.params.items()},
        index=offences.index,
    )
    return pd.DataFrame(
        {
            "declaration_id": offences["declaration_id"].to_numpy(),
            "rule_code": rule.code,
            "severity": rule.severity,
            "care_date": offences["care_date"].to_numpy(),
            "params": _records(params) if rule.params else [{}] * len(offences),
        }
    )


def _records(params: pd.DataFrame) -> list[dict[str, object]]:
    """``params.to_dict("records")``, built from whole columns (several times faster)."""
    names = list(params.columns)
    columns = [params[name].tolist() for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


# two-digit cents, hundredths and ISO week numbers
_TWO_DIGITS = np.array([f"{number:02d}" for number in range(100)], dtype=object)


def _as_text(kind: str, values: pd.Series) -> pd.Series:
    """Figures as JSON-safe text: cents and hundredths as decimals, dates as ISO dates."""
    if kind in (Param.MONEY, Param.HOURS):
        numbers = values.astype(np.int64)
        sign = pd.Series(np.where(numbers < 0, "-", ""), index=values.index, dtype=str)
        magnitude = numbers.abs()
        whole = (magnitude // 100).astype(str)
        fraction = pd.Series(_TWO_DIGITS[(magnitude % 100).to_numpy()], index=values.index)
        return sign + whole + "." + fraction
    if kind in (Param.DATE, Param.END_DATE):
        days = pd.to_datetime(values).to_numpy().astype("datetime64[D]")
        text = pd.Series(np.datetime_as_string(days), index=values.index, dtype=str)
        # NaN for no date, as strftime gives; an open end is ''
        return text.where(~np.isnat(days), "" if kind == Param.END_DATE else np.nan)
    if kind == Param.WEEK:
        numbers = values.astype(np.int64)
        weeks = pd.Series(_TWO_DIGITS[(numbers % 100).to_numpy()], index=values.index)
        return (numbers // 100).astype(str) + "-W" + weeks
    return values.astype(str)
