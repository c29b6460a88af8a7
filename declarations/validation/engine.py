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
from pandas.api.extensions import ExtensionArray, ExtensionDtype, take

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
    """ISO year x 100 + ISO week of each day, by arithmetic on day numbers (day 0,
    1970-01-01, was a Thursday): the week's Thursday decides the year."""
    day = np.asarray(days.to_numpy().astype("datetime64[D]").astype(np.int64))
    thursday = day - (day + 3) % 7 + 3
    year = thursday.astype("datetime64[D]").astype("datetime64[Y]")
    first = year.astype("datetime64[D]").astype(np.int64)
    weeks: np.ndarray = (year.astype(np.int64) + 1970) * 100 + (thursday - first) // 7 + 1
    return weeks


def ages_on(birth: "pd.Series[pd.Timestamp]", on: "pd.Series[pd.Timestamp]") -> np.ndarray:
    """Whole years of age on each date (-1 when the birth date is unknown)."""
    known = birth.notna().to_numpy()
    b = birth.fillna(pd.Timestamp("1900-01-01"))
    years = on.dt.year.to_numpy() - b.dt.year.to_numpy()
    before_birthday = (on.dt.month.to_numpy() * 100 + on.dt.day.to_numpy()) < (
        b.dt.month.to_numpy() * 100 + b.dt.day.to_numpy()
    )
    return np.where(known, years - before_birthday, -1)


def _values(series: pd.Series) -> np.ndarray | ExtensionArray:
    """The array under ``series``: numpy, or pandas' own for its extension dtypes (text)."""
    return series.array if isinstance(series.dtype, ExtensionDtype) else series.to_numpy()


def _column(
    frame: pd.DataFrame, name: str, rows: np.ndarray, fill: bool
) -> np.ndarray | ExtensionArray:
    """``frame[name]`` at the positions ``rows``; with ``fill``, -1 gives a missing value
    (an int column becomes float, a bool column object), as a left merge fills it."""
    return take(_values(frame[name]), rows, allow_fill=fill)


def _join(
    left: pd.DataFrame, right: pd.DataFrame, key: str, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """``left.merge(right, on=key, how="left")`` for a ``right`` with one row per key, by
    position: ``rows`` (or the key's lookup) says which row of ``right`` each row of ``left``
    takes, -1 for none. Columns, order and dtypes as the merge gives them."""
    if rows is None:
        rows = pd.Index(right[key]).get_indexer(left[key])
    fill = bool((rows < 0).any())
    columns = {name: _values(left[name]) for name in left.columns}
    for name in right.columns:
        if name != key:
            columns[name] = _column(right, name, rows, fill)
    return pd.DataFrame(columns)


def prepare(inp: ValidationInput) -> Context:
    declarations = inp.declarations[inp.declarations["in_run"]].reset_index(drop=True)
    declarations = _join(declarations, inp.agreements, "agreement_id")
    declarations = _join(declarations, inp.providers, "provider_id")
    # formal, self-employed or informal: contracts.carers decides it for the whole project
    declarations["carer_class"] = carer_class(
        declarations["relation"],
        declarations["provider_kind"],
        declarations["registered"],
        declarations["agreement_type"],
    )
    declarations["month_end"] = declarations["month"] + pd.offsets.MonthEnd(0)

    # the lines of the declarations in the run, by declaration and day; each line's
    # declaration row (the lines' join with the declarations, once)
    of_line = pd.Index(declarations["declaration_id"]).get_indexer(inp.lines["declaration_id"])
    in_run = np.flatnonzero(of_line >= 0)
    kept = in_run[
        _by_declaration_and_day(
            inp.lines["declaration_id"].to_numpy()[in_run],
            inp.lines["care_date"].to_numpy()[in_run],
        )
    ]
    lines = _join(
        inp.lines.take(kept).reset_index(drop=True),
        declarations[
            ["declaration_id", "agreement_id", "holder_id", "provider_id", "agreement_type"]
        ],
        "declaration_id",
        rows=of_line[kept],
    )
    lines["is_hour"] = lines["unit"].to_numpy(dtype=object) == "hour"
    lines["week"] = iso_week(lines["care_date"])

    segments = _segments(lines, inp, declarations, of_line[kept])
    weeks = _weeks(lines, segments)
    return Context(
        inp=inp,
        today=pd.Timestamp(inp.today),
        lines=lines,
        segments=segments,
        weeks=weeks,
        declarations=declarations,
    )


_DAY = np.timedelta64(1, "D")


def _by_declaration_and_day(declaration: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The stable order of the lines by declaration and day: one argsort of a combined
    integer key where the days are whole and the key fits (several times faster than
    ``np.lexsort`` over the two columns), else ``np.lexsort``."""
    days = day.astype("datetime64[ns]")
    if len(days) and not np.isnat(days).any():
        number = days.astype("datetime64[D]")
        first, last = number.min(), number.max()
        span = int((last - first) // _DAY) + 1
        low, high = int(declaration.min()), int(declaration.max())
        if (number == days).all() and (high - low + 1) * span < 2**62:
            key = (declaration.astype(np.int64) - low) * span + (number - first) // _DAY
            if (key[1:] >= key[:-1]).all():  # read in that order already
                return np.arange(len(key))
            order: np.ndarray = np.argsort(key, kind="stable")
            return order
    return np.lexsort((day, declaration))


_DECLARATION_OF_SEGMENT = [
    "declaration_id", "agreement_id", "provider_id", "agreement_type", "carer_class",
    "birth_date", "entrepreneur", "iban", "month", "provider_kind", "has_kvk", "has_agb",
    "has_big", "sbi_code",
]  # fmt: skip


def _segments(
    lines: pd.DataFrame,
    inp: ValidationInput,
    declarations: pd.DataFrame,
    declaration_of_line: np.ndarray,
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
    segments = _join(
        segments,
        declarations[_DECLARATION_OF_SEGMENT],
        "declaration_id",
        rows=declaration_of_line[starts],
    )
    segments = _join(segments, inp.versions.drop(columns=["agreement_id"]), "version_id")
    segments = _join(segments, inp.budgets, "budget_id")
    granted = pd.MultiIndex.from_arrays(
        [inp.budget_products["budget_id"], inp.budget_products["product_id"]]
    )
    pairs = pd.MultiIndex.from_arrays([segments["budget_id"], segments["product_id"]])
    segments["product_in_budget"] = pairs.isin(granted)
    segments["has_version"] = segments["version_id"] != -1
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
    # segments and weeks both run in the lines' order: by declaration
    seg_decl = segments["declaration_id"].to_numpy()
    firsts = run_starts(seg_decl)
    per_week = np.searchsorted(seg_decl[firsts], weeks["declaration_id"].to_numpy())
    agreed = segments["hours_per_week_c"].to_numpy()
    weeks["agreed_hours_c"] = (
        np.maximum.reduceat(agreed, firsts)[per_week] if len(firsts) else agreed[:0]
    )
    weeks["agreement_type"] = _column(segments, "agreement_type", firsts[per_week], False)
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
    return pd.DataFrame(
        {
            "declaration_id": offences["declaration_id"].to_numpy(),
            "rule_code": rule.code,
            "severity": rule.severity,
            "care_date": offences["care_date"].to_numpy(),
            "params": _params(rule, offences) if rule.params else [{}] * len(offences),
        }
    )


def _params(rule: Rule, offences: pd.DataFrame) -> list[dict[str, object]]:
    """Each offence's figures as a dict of JSON-safe text, the one place where the engine
    builds a Python object per finding. Offences often share their figures (a notice per
    agreement version repeats the product and the month): the text and the dict are made
    once per distinct combination, and each finding gets its own copy of that dict."""
    names = list(rule.params)
    distinct, which = _distinct_rows(offences, names)
    figures = offences.iloc[distinct]
    columns = [_as_text(rule.params[name], figures[name]).tolist() for name in names]
    records = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    if len(records) == len(offences):
        return records
    return [records[index].copy() for index in which.tolist()]


def _distinct_rows(frame: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the first row of each distinct combination of ``names`` in ``frame``
    and, per row, which of those it is (missing values are equal to each other)."""
    key = np.zeros(len(frame), dtype=np.int64)
    for name in names:
        codes, uniques = pd.factorize(frame[name])
        if (len(uniques) + 1) * (int(key.max(initial=0)) + 1) >= 2**62:
            key, _uniques = pd.factorize(key)  # keep the combined key small
        key = key * (len(uniques) + 1) + codes + 1
    which, _firsts = pd.factorize(key)
    _values, distinct = np.unique(which, return_index=True)
    return distinct, which.astype(np.int64)


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
