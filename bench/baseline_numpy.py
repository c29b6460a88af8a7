"""The validation catalogue as a bare numpy pass: the same predicates over the same columns,
written directly on arrays (joins by ``searchsorted``, group sums by ``reduceat`` and sorted
runs, the grant's running total by ``cumsum``), no pandas. It returns the number of offences
per rule, which must equal the engine's findings per rule on the same data: the benchmark's
denominator and an independent check of the engine's results.

:func:`columns` takes the arrays out of the frames (not timed: the engine receives the same
frames); :func:`run` is the timed pass.
"""

from typing import Any

import numpy as np

NAT = np.iinfo(np.int64).min  # NaT as int64 day or nanosecond numbers
MINUTES_A_DAY = 24 * 60

#: the "no value" of np.where on text columns (numpy's stubs take a plain None for np.where's
#: one-argument form)
NO_VALUE = np.array(None)


def columns(inp) -> dict:
    """Every column of every frame as a numpy array; dates as int64 day numbers (NaT stays
    the int64 minimum), text as object arrays."""
    result: dict[str, Any] = {}
    for name in (
        "declarations", "lines", "versions", "agreements", "providers", "budgets",
        "budget_products", "entries", "provider_days", "tariffs", "figures", "indications",
        "product_hours",
    ):  # fmt: skip
        frame = getattr(inp, name)
        result[name] = {column: frame[column].to_numpy() for column in frame.columns}
    result["holidays"] = np.asarray(inp.holidays, dtype="datetime64[D]").astype(np.int64)
    result["today"] = int(np.datetime64(inp.today, "D").astype(np.int64))
    sick = inp.sick_reports
    result["sick_reports"] = {column: sick[column].to_numpy() for column in sick.columns}
    return result


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[D]").astype(np.int64)


def _index(ids: np.ndarray, keys: np.ndarray):
    """Position in ``ids`` of each key and whether it is there (ids are unique)."""
    if len(ids) == 0:
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    position = np.minimum(np.searchsorted(ordered, keys), len(ids) - 1)
    return order[position], ordered[position] == keys


def _codes(values: np.ndarray, vocabulary, other: int = 0) -> np.ndarray:
    """Small text vocabularies as integer codes (``other`` for anything else)."""
    codes = np.full(len(values), other, dtype=np.int64)
    for code, word in enumerate(vocabulary, start=1):
        codes[values == word] = code
    return codes


def _sums_at(table: tuple, values: np.ndarray, query: tuple) -> np.ndarray:
    """The sum of ``values`` over the rows of ``table`` (a tuple of int64 key columns) with
    each key of ``query`` (the same columns); 0 where none. The columns are packed into one
    int64 key (mixed radix over their ranges)."""
    if not len(values) or not len(query[0]):
        return np.zeros(len(query[0]), dtype=np.int64)
    packed_table = np.zeros(len(values), dtype=np.int64)
    packed_query = np.zeros(len(query[0]), dtype=np.int64)
    room = 1
    for left, right in zip(table, query, strict=True):
        low = min(left.min(), right.min())
        size = int(max(left.max(), right.max()) - low + 1)
        room *= size
        if room >= 2**62:
            raise OverflowError("keys too wide to pack")
        packed_table = packed_table * size + (left - low)
        packed_query = packed_query * size + (right - low)
    order = np.argsort(packed_table, kind="stable")
    ordered = packed_table[order]
    starts = _runs(ordered)
    keys, sums = ordered[starts], np.add.reduceat(values[order], starts)
    slot = np.minimum(np.searchsorted(keys, packed_query), len(keys) - 1)
    return np.where(keys[slot] == packed_query, sums[slot], 0)


def _runs(*keys: np.ndarray) -> np.ndarray:
    size = len(keys[0])
    change = np.zeros(size, dtype=bool)
    if size:
        change[0] = True
        for key in keys:
            change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def _month_end(days: np.ndarray) -> np.ndarray:
    month = days.astype("datetime64[D]").astype("datetime64[M]")
    return (month + 1).astype("datetime64[D]").astype(np.int64) - 1


def _ymd(days: np.ndarray):
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def iso_week(days: np.ndarray) -> np.ndarray:
    """ISO year * 100 + ISO week of day numbers (day 0, 1970-01-01, was a Thursday)."""
    weekday = (days + 3) % 7  # Monday 0
    thursday = days - weekday + 3
    year = thursday.astype("datetime64[D]").astype("datetime64[Y]")
    first = year.astype("datetime64[D]").astype(np.int64)
    return (year.astype(np.int64) + 1970) * 100 + (thursday - first) // 7 + 1


WML_FAMILY = int(np.datetime64("2019-01-01", "D").astype(np.int64))
WML_ASSIGNMENTS = int(np.datetime64("2018-01-01", "D").astype(np.int64))


def _owed(types: np.ndarray, entrepreneur: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Owed the minimum wage (type codes: 1 employment_fixed, 2 employment_hourly, 3 family,
    4 assignment): employees, family from 2019, non-entrepreneurs on assignment from 2018."""
    return (
        (types == 1)
        | (types == 2)
        | ((types == 3) & (on >= WML_FAMILY))
        | ((types == 4) & ~entrepreneur & (on >= WML_ASSIGNMENTS))
    )


def _ages(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    known = birth != NAT
    by, bm, bd = _ymd(np.where(known, birth, 0))
    oy, om, od = _ymd(on)
    return np.where(known, oy - by - ((om * 100 + od) < (bm * 100 + bd)), -1)


def _minimum_wage(figure, on: np.ndarray, ages: np.ndarray, includes: np.ndarray) -> np.ndarray:
    """The minimum an hour in cents (with the holiday allowance where the rate includes it);
    -1 when unknown."""
    wage = figure.of_band("minimum_wage", on, ages)
    allowance = figure("holiday_allowance_pct", on)
    with_allowance = (wage * (10_000 + np.maximum(allowance, 0)) + 5_000) // 10_000
    minimum = np.where(includes, with_allowance, wage)
    return np.where((wage < 0) | (ages < 0), -1, minimum)


class Figures:
    """Dated figures by kind, as Context.figure: general rows first, a scheme's own row
    overrides them; with ages, the highest age band reached."""

    def __init__(self, figures: dict):
        self.kind = figures["kind"]
        self.scheme = figures["scheme"]
        self.age = figures["age_min"]
        self.start = _days(figures["valid_from"])
        self.end = _days(figures["valid_to"])
        self.value = figures["value_c"]

    def of_band(self, kind, on, ages) -> np.ndarray:
        """The row of the age's own band (the highest band of the table reached), no
        fallback to a younger band; -1 where none holds."""
        of_kind = np.flatnonzero(self.kind == kind)
        bands = np.unique(self.age[of_kind])
        bands = bands[bands >= 0]
        result = np.full(len(on), -1, dtype=np.int64)
        if not len(bands):
            return result
        position = np.searchsorted(bands, ages, side="right") - 1
        band = np.where(position >= 0, bands[np.maximum(position, 0)], -1)
        for row in of_kind.tolist():
            if self.scheme[row]:
                continue
            applies = (band == self.age[row]) & (on >= self.start[row])
            if self.end[row] != NAT:
                applies &= on <= self.end[row]
            result = np.where(applies, self.value[row], result)
        return result

    def __call__(self, kind, on, *, ages=None, schemes=None) -> np.ndarray:
        result = np.full(len(on), -1, dtype=np.int64)
        best_age = np.full(len(on), -2, dtype=np.int64)
        rows = np.flatnonzero(self.kind == kind)
        rows = rows[np.argsort(self.scheme[rows].astype(str), kind="stable")]
        for row in rows.tolist():
            applies = on >= self.start[row]
            if self.end[row] != NAT:
                applies &= on <= self.end[row]
            if self.scheme[row]:
                applies &= schemes == self.scheme[row]
            if ages is not None:
                applies &= (ages >= self.age[row]) & (self.age[row] >= best_age)
                best_age = np.where(applies, self.age[row], best_age)
            result = np.where(applies, self.value[row], result)
        return result


def _iban_valid(ibans: np.ndarray) -> np.ndarray:
    """ISO 13616 mod-97 (an NL IBAN has 18 characters)."""
    text = np.where(ibans == None, "", ibans).astype(str)  # noqa: E711  (missing: invalid)
    text = np.strings.replace(np.strings.upper(text), " ", "")
    length = np.strings.str_len(text)
    head = np.strings.slice(text, 0, 4).astype("U4").view(np.uint32).reshape(len(text), 4)
    rearranged = np.strings.add(np.strings.slice(text, 4, None), np.strings.slice(text, 0, 4))
    codes = rearranged.astype("U34").view(np.uint32).reshape(len(text), 34).T.astype(np.int64)
    digit = (codes >= 48) & (codes <= 57)  # one row per character position
    letter = (codes >= 65) & (codes <= 90)
    bad = ~(digit | letter | (codes == 0)).all(axis=0)
    factor = np.where(digit, 10, np.where(letter, 100, 1))
    value = np.where(digit, codes - 48, np.where(letter, codes - 55, 0))
    remainder = np.zeros(len(text), dtype=np.int64)
    for position in range(34):
        remainder = (remainder * factor[position] + value[position]) % 97
    dutch = (head[:, 0] == ord("N")) & (head[:, 1] == ord("L"))
    good_length = np.where(dutch, length == 18, (length >= 15) & (length <= 34))
    is_letter = (head >= 65) & (head <= 90) | (head >= 97) & (head <= 122)
    is_digit = (head >= 48) & (head <= 57)
    country = is_letter[:, 0] & is_letter[:, 1] & is_digit[:, 2] & is_digit[:, 3]
    return (remainder == 1) & ~bad & good_length & country


def _above_indication(c, l_decl, l_day, l_quantity, counted, l_budget, l_product) -> int:
    """Declarations in the run with hour lines of a grant's product in a month whose hours (with
    those declared outside the run) exceed the indicated hours of that month: each indication
    row pro rata by its days in the month (a week: days / 7; a month: days / days of the
    month; a year: days / days of the year), rounded half up, summed."""
    IN, PH = c["indications"], c["product_hours"]
    if not len(IN["budget_id"]) or not counted.any():
        return 0
    decl, budget, product = l_decl[counted], l_budget[counted], l_product[counted]
    month = l_day[counted].astype("datetime64[D]").astype("datetime64[M]")
    month_day = month.astype("datetime64[D]").astype(np.int64)
    # the distinct grant-product-months and their hours
    order = np.lexsort((month_day, product, budget))
    b, p, m, q, dd = (
        budget[order],
        product[order],
        month_day[order],
        l_quantity[counted][order],
        decl[order],
    )
    starts = _runs(b, p, m)
    k_budget, k_product, k_month = b[starts], p[starts], m[starts]
    k_hours = np.add.reduceat(q, starts) + _sums_at(
        (PH["budget_id"], PH["product_id"], _days(PH["month"])), PH["hours_c"],
        (k_budget, k_product, k_month),
    )  # fmt: skip
    k_end = _month_end(k_month)
    k_month_len = k_end - k_month + 1
    k_year = k_month.astype("datetime64[D]").astype("datetime64[Y]")
    k_year_len = ((k_year + 1).astype("datetime64[D]") - k_year.astype("datetime64[D]")).astype(
        np.int64
    )
    # each key with each indication row of its grant and product
    packed_key = k_budget * 100 + k_product  # products are small ids
    packed_ind = IN["budget_id"] * 100 + IN["product_id"]
    key_order = np.argsort(packed_key, kind="stable")
    first = np.searchsorted(packed_key[key_order], packed_ind, "left")
    many = np.searchsorted(packed_key[key_order], packed_ind, "right") - first
    pair_ind = np.repeat(np.arange(len(packed_ind)), many)
    pair_key = key_order[
        np.repeat(first, many) + np.arange(len(pair_ind)) - np.repeat(np.cumsum(many) - many, many)
    ]
    i_from, i_to = _days(IN["valid_from"])[pair_ind], _days(IN["valid_to"])[pair_ind]
    start = np.maximum(i_from, k_month[pair_key])
    end = np.where((i_to != NAT) & (i_to < k_end[pair_key]), i_to, k_end[pair_key])
    days = np.maximum(end - start + 1, 0)
    per = IN["per"][pair_ind]
    period = np.where(
        per == "week", 7, np.where(per == "month", k_month_len[pair_key], k_year_len[pair_key])
    )
    indicated = (2 * IN["hours_c"][pair_ind] * days + period) // (2 * period)
    holds = days > 0
    k_indicated = np.zeros(len(starts), dtype=np.int64)
    np.add.at(k_indicated, pair_key[holds], indicated[holds])
    k_has = np.zeros(len(starts), dtype=bool)
    k_has[pair_key[holds]] = True
    over = k_has & (k_hours > k_indicated)
    # one finding per declaration with hours of an exceeded grant-product-month
    key_of_line = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(b))))
    hits = over[key_of_line]
    return len(np.unique(dd[hits] * len(starts) + key_of_line[hits]))


def run(c: dict) -> dict[str, int]:
    count: dict[str, int] = {}
    today = c["today"]
    figure = Figures(c["figures"])

    # the declarations of the run with their agreement and provider ------------------------
    D = c["declarations"]
    run_mask = D["in_run"]
    d_id = D["declaration_id"][run_mask]
    d_agreement = D["agreement_id"][run_mask]
    d_month = _days(D["month"][run_mask])
    d_corrects = D["corrects_id"][run_mask]
    d_budget = D["budget_id"][run_mask]
    n_decl = len(d_id)
    A = c["agreements"]
    ai, af = _index(A["agreement_id"], d_agreement)
    d_provider = np.where(af, A["provider_id"][ai], -1)
    d_holder = np.where(af, A["holder_id"][ai], -1)
    d_type = np.where(af, A["agreement_type"][ai], NO_VALUE)
    d_relation = np.where(af, A["relation"][ai], NO_VALUE)
    P = c["providers"]
    pi, pf = _index(P["provider_id"], d_provider)
    d_org = pf & (P["provider_kind"][pi] == "organisation")
    d_registered = pf & P["registered"][pi]
    d_entrepreneur = pf & P["entrepreneur"][pi]
    d_birth = np.where(pf, _days(P["birth_date"])[pi], NAT)
    # formal, self-employed (a person on an assignment) or informal (contracts.carers);
    # d_formal: both professional classes, which need a registration
    d_self_employed = (d_relation == "none") & ~d_org & (d_type == "assignment")
    d_formal = d_self_employed | ((d_relation == "none") & (d_org | d_registered))
    d_class = np.where(d_self_employed, "self_employed", np.where(d_formal, "formal", "informal"))
    d_kvk = pf & (P["has_kvk"][pi] == True)  # noqa: E712  (None: not registered)
    d_agb = pf & (P["has_agb"][pi] == True)  # noqa: E712
    d_big = pf & (P["has_big"][pi] == True)  # noqa: E712
    sbi = np.where(pf, P["sbi_code"][pi], NO_VALUE)
    sbi = np.strings.replace(np.where(sbi == None, "", sbi).astype(str), ".", "")  # noqa: E711
    d_care_sbi = d_org & np.isin(np.strings.slice(sbi, 0, 2), ["86", "87", "88"])
    d_month_end = _month_end(d_month)
    d_type_code = _codes(d_type, ["employment_fixed", "employment_hourly", "family", "assignment"])

    # the lines of the run, by declaration and day -------------------------------------------
    L = c["lines"]
    l_day = _days(L["care_date"])
    origin = l_day.min() if len(l_day) else 0
    order = np.argsort(L["declaration_id"] * 100_000 + (l_day - origin), kind="stable")
    li, lf = _index(d_id, L["declaration_id"][order])  # sorted keys: a cache-friendly search
    keep = order[lf]
    l_decl = li[lf]  # position of the declaration in the run
    l_day = l_day[keep]
    l_quantity = L["quantity_c"][keep]
    l_rate = L["rate_cents"][keep]
    l_amount = L["amount_cents"][keep]
    l_version = L["version_id"][keep]
    l_hour = L["unit"][keep] == "hour"
    n_lines = len(keep)

    # segments: runs of lines under one version in one declaration ----------------------------
    s_start = _runs(l_decl, l_version)
    s_length = np.diff(np.append(s_start, n_lines))
    s_last_line = s_start + s_length - 1
    s_decl = l_decl[s_start]
    s_version = l_version[s_start]
    s_last = l_day[s_last_line]
    s_min_rate = np.minimum.reduceat(l_rate, s_start) if n_lines else l_rate[:0]
    s_max_rate = np.maximum.reduceat(l_rate, s_start) if n_lines else l_rate[:0]
    V = c["versions"]
    vi, vf = _index(V["version_id"], s_version)
    s_has_version = s_version != -1
    s_budget = np.where(vf, V["budget_id"][vi], -1)
    s_product = np.where(vf, V["product_id"][vi], -1)
    s_agreed = np.where(vf, V["agreed_cents"][vi], -1)
    s_unit = np.where(vf, V["version_unit"][vi], NO_VALUE)
    s_weekly = np.where(vf, V["hours_per_week_c"][vi], -1)
    s_approved = vf & V["approved"][vi]
    s_holiday_pay = vf & V["holiday_pay"][vi]
    s_valid_from = np.where(vf, _days(V["valid_from"])[vi], NAT)
    B = c["budgets"]
    bi, bf = _index(B["budget_id"], s_budget)
    s_scheme = np.where(bf, B["scheme"][bi], NO_VALUE)
    s_funder = np.where(bf, B["funder_id"][bi], -1)
    s_budget_start = np.where(bf, _days(B["budget_start"])[bi], NAT)
    s_budget_end = np.where(bf, _days(B["budget_end"])[bi], NAT)
    BP = c["budget_products"]
    granted = np.sort(BP["budget_id"] * 1_000_000 + BP["product_id"])
    wanted = s_budget * 1_000_000 + s_product
    slot = np.minimum(np.searchsorted(granted, wanted), max(len(granted) - 1, 0))
    s_product_granted = (granted[slot] == wanted) if len(granted) else np.zeros(len(wanted), bool)

    def per_line(values):
        return np.repeat(values, s_length)

    # the agreement and the grant
    count["agreement.outside_period"] = int((l_version == -1).sum())
    start, end = per_line(s_budget_start), per_line(s_budget_end)
    outside = ((l_day < start) & (start != NAT)) | ((l_day > end) & (end != NAT))
    count["budget.outside_period"] = int((per_line(s_has_version) & outside).sum())
    count["agreement.not_approved"] = int((s_has_version & ~s_approved).sum())
    count["budget.product_not_granted"] = int(
        (s_has_version & (s_budget != -1) & ~s_product_granted).sum()
    )

    # the calendar
    count["declaration.month_not_over"] = int((d_month_end >= today).sum())
    count["entry.in_future"] = int((l_day > today).sum())
    weeks = (
        figure("declaration_deadline_provider_weeks", d_month_end)
        + figure("declaration_deadline_holder_weeks", d_month_end)
    ) // 100
    count["declaration.late"] = int(((weeks > 0) & (today > d_month_end + weeks * 7)).sum())
    first_segment = _runs(s_decl)  # segments are in declaration order
    d_scheme = np.full(n_decl, None, dtype=object)
    d_scheme[s_decl[first_segment]] = s_scheme[first_segment]
    next_year = (d_month.astype("datetime64[D]").astype("datetime64[Y]") + 1).astype(
        "datetime64[M]"
    )
    next_year_day = next_year.astype("datetime64[D]").astype(np.int64)
    months = figure("prior_year_deadline_months", next_year_day, schemes=d_scheme) // 100
    deadline = (next_year + np.clip(months, 0, 11)).astype("datetime64[D]").astype(np.int64)
    count["declaration.prior_year_late"] = int(((months > 0) & (today >= deadline)).sum())
    count["calendar.public_holiday"] = int(np.isin(l_day, c["holidays"]).sum())

    # hours
    step = figure("hours_increment", l_day)
    count["hours.not_quarter"] = int(
        (l_hour & (step > 0) & (l_quantity % np.maximum(step, 1) != 0)).sum()
    )
    count["value.not_positive"] = int(((l_quantity <= 0) | (l_rate <= 0)).sum())
    day_max = figure("max_hours_per_day", l_day)
    # the provider's hours a day: for the line's holder, over all holders, under employment
    PD = c["provider_days"]
    pd_day = _days(PD["care_date"])
    pd_provider, pd_holder = PD["provider_id"], PD["holder_id"]
    l_provider, l_holder = d_provider[l_decl], d_holder[l_decl]
    holder_c = _sums_at(
        (pd_provider, pd_holder, pd_day), PD["hours_c"], (l_provider, l_holder, l_day)
    )
    total = _sums_at((pd_provider, pd_day), PD["hours_c"], (l_provider, l_day))
    employment_total = _sums_at((pd_provider, pd_day), PD["employment_c"], (l_provider, l_day))
    own = np.maximum(l_quantity, holder_c)
    count["hours.day_over_24"] = int((l_hour & (day_max > 0) & (own > day_max)).sum())
    count["hours.provider_day_over_24"] = int(
        (l_hour & (day_max > 0) & (total > day_max) & (own <= day_max)).sum()
    )
    employment = (d_type_code == 1) | (d_type_code == 2)
    majority = figure("age_of_majority", l_day) // 100
    shift_max = figure("atw_max_shift_hours", l_day, ages=majority)
    count["atw.day_over_12"] = int(
        (employment[l_decl] & l_hour & (shift_max > 0) & (employment_total > shift_max)).sum()
    )

    # weeks: runs of lines of one declaration in one ISO week
    l_week = iso_week(l_day)
    w_start = _runs(l_decl, l_week)
    w_decl, w_week, w_first = l_decl[w_start], l_week[w_start], l_day[w_start]
    w_hours = (
        np.add.reduceat(np.where(l_hour, l_quantity, 0), w_start) if n_lines else l_quantity[:0]
    )
    w_days = np.diff(np.append(w_start, n_lines))
    w_provider = d_provider[w_decl]
    week_total = _sums_at((pd_provider, iso_week(pd_day)), PD["employment_c"], (w_provider, w_week))
    week_max = figure("atw_max_week_hours", w_first, ages=figure("age_of_majority", w_first) // 100)
    count["atw.week_over_60"] = int(
        (employment[w_decl] & (week_max > 0) & (week_total > week_max) & (w_hours > 0)).sum()
    )
    d_agreed = np.full(n_decl, -1, dtype=np.int64)
    np.maximum.at(d_agreed, s_decl, s_weekly)
    w_agreed = d_agreed[w_decl]
    count["hours.week_above_agreement"] = int(((w_agreed > 0) & (w_hours > w_agreed)).sum())
    count["employment.four_days_a_week"] = int((employment[w_decl] & (w_days >= 4)).sum())

    count["hours.above_indication"] = _above_indication(
        c, l_decl, l_day, l_quantity, l_hour & per_line(vf & (s_budget >= 0)),
        per_line(s_budget), per_line(s_product),
    )  # fmt: skip

    # time entries of the run's agreement-months (an agreement-month may be declared twice)
    E = c["entries"]
    e_day = _days(E["care_date"])
    e_month = e_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    d_month_index = d_month.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    run_key = d_agreement * 10_000 + d_month_index
    run_order = np.argsort(run_key, kind="stable")
    run_sorted = run_key[run_order]
    entry_key = E["agreement_id"] * 10_000 + e_month
    left = np.searchsorted(run_sorted, entry_key, "left")
    matches = np.searchsorted(run_sorted, entry_key, "right") - left
    entry = np.repeat(np.arange(len(entry_key)), matches)
    offset = np.arange(len(entry)) - np.repeat(np.cumsum(matches) - matches, matches)
    e_decl = run_order[np.repeat(left, matches) + offset]
    e_day, e_begin, e_finish = e_day[entry], E["start_min"][entry], E["end_min"][entry]
    e_quantity = E["quantity_c"][entry]
    if len(entry):
        group_key = d_id[e_decl] * 100_000 + (e_day - e_day.min())
        # exact copies: the same declaration, day, quantity and start and end time
        c_order = np.lexsort((e_finish, e_begin, e_quantity, group_key))
        same = (
            (group_key[c_order][1:] == group_key[c_order][:-1])
            & (e_quantity[c_order][1:] == e_quantity[c_order][:-1])
            & (e_begin[c_order][1:] == e_begin[c_order][:-1])
            & (e_finish[c_order][1:] == e_finish[c_order][:-1])
        )
        count["entry.duplicate"] = len(np.unique(group_key[c_order][1:][same]))
        timed = np.flatnonzero(e_begin >= 0)
        t_key = group_key[timed]
        t_order = np.lexsort((e_begin[timed], t_key))
        t_key, t_begin, t_finish = t_key[t_order], e_begin[timed][t_order], e_finish[timed][t_order]
        t_finish = np.where(t_finish <= t_begin, t_finish + MINUTES_A_DAY, t_finish)
        # a running latest end within each day: days are offset so no maximum carries over
        t_group = np.cumsum(np.append(True, t_key[1:] != t_key[:-1])) - 1
        shift = t_group * (3 * MINUTES_A_DAY)
        latest = np.maximum.accumulate(t_finish + shift)
        overlaps = (t_key[1:] == t_key[:-1]) & (t_begin[1:] + shift[1:] < latest[:-1])
        count["entry.times_overlap"] = len(np.unique(t_key[1:][overlaps]))
    else:
        count["entry.duplicate"] = count["entry.times_overlap"] = 0

    # rates and pay
    count["rate.differs_from_agreement"] = int(
        (s_has_version & ((s_min_rate != s_agreed) | (s_max_rate != s_agreed))).sum()
    )
    T = c["tariffs"]
    classes = ["formal", "informal", "self_employed"]
    t_case = (
        _codes(T["scheme"], ["wmo", "jeugdwet", "wlz", "zvw"], -1000) * 100
        + _codes(T["carer_class"], classes, -1000) * 10
        + _codes(T["unit"], ["hour", "day_part", "day", "month"], -1000)
    )
    t_from, t_to = _days(T["valid_from"]), _days(T["valid_to"])

    def maxima(s_class):
        s_case = (
            _codes(s_scheme, ["wmo", "jeugdwet", "wlz", "zvw"]) * 100
            + _codes(s_class, classes) * 10
            + _codes(s_unit, ["hour", "day_part", "day", "month"])
        )
        maximum = np.full(len(s_case), -1, dtype=np.int64)
        rank = np.full(len(s_case), -1, dtype=np.int64)
        for t in range(len(t_case)):
            funder, product = T["funder_id"][t], T["product_id"][t]
            applies = (s_case == t_case[t]) & (s_last >= t_from[t])
            if t_to[t] != NAT:
                applies &= s_last <= t_to[t]
            if funder != -1:
                applies &= s_funder == funder
            if product != -1:
                applies &= s_product == product
            better = applies & (((funder != -1) * 2 + (product != -1)) > rank)
            maximum[better] = T["max_cents"][t]
            rank[better] = (funder != -1) * 2 + (product != -1)
        return maximum

    s_class = d_class[s_decl]
    maximum = maxima(s_class)
    # a self-employed carer without a self-employed row gets the formal one
    fallback = (s_class == "self_employed") & (maximum < 0)
    maximum = np.where(fallback, maxima(np.where(fallback, "formal", s_class)), maximum)
    count["rate.above_maximum"] = int((s_has_version & (maximum >= 0) & (s_agreed > maximum)).sum())
    unknown = s_has_version & (maximum < 0)
    count["rate.maximum_unknown"] = len(
        np.unique(s_decl[unknown] * 10_000_000_000 + s_version[unknown])
    )  # once per declaration and agreement version

    # formal care needs a KvK number or AGB code; under the Zvw an AGB code and a care
    # organisation (SBI 86/87/88) or a BIG registration
    s_formal = s_has_version & d_formal[s_decl]
    count["provider.formal_without_registration"] = int((s_formal & ~(d_kvk | d_agb)[s_decl]).sum())
    zvw_ok = d_agb & (d_care_sbi | d_big)
    count["provider.zvw_formal_requirements"] = int(
        (s_formal & (s_scheme == "zvw") & ~zvw_ok[s_decl]).sum()
    )

    s_type = d_type_code[s_decl]
    applies = s_has_version & (s_unit == "hour") & _owed(s_type, d_entrepreneur[s_decl], s_last)
    ages = _ages(d_birth[s_decl], s_last)
    includes = (s_type == 3) | (s_type == 4) | s_holiday_pay
    minimum = _minimum_wage(figure, s_last, ages, includes)
    applies &= ages >= 0
    count["wage.below_minimum"] = int((applies & (minimum >= 0) & (s_min_rate < minimum)).sum())
    F = c["figures"]
    bands = F["age_min"][(F["kind"] == "minimum_wage") & (F["age_min"] >= 0)]
    youngest = int(bands.min()) if len(bands) else 0
    wage_unknown = np.zeros(n_decl, dtype=bool)
    wage_unknown[s_decl[applies & (minimum < 0) & (ages >= youngest)]] = True
    del s_valid_from

    # money
    product = l_quantity * l_rate
    expected = np.sign(product) * ((np.abs(product) + 50) // 100)
    care = np.zeros(n_decl, dtype=np.int64)
    np.add.at(care, l_decl, l_amount)
    travel = D["travel_cents"][run_mask]
    expected_total = care + travel + D["other_cents"][run_mask]
    count["amount.arithmetic"] = int((expected != l_amount).sum()) + int(
        (expected_total != D["total_cents"][run_mask]).sum()
    )
    v_agreement = V["agreement_id"]
    v_order = np.argsort(v_agreement, kind="stable")
    v_sorted = v_agreement[v_order]
    first = np.searchsorted(v_sorted, d_agreement, "left")
    many = np.searchsorted(v_sorted, d_agreement, "right") - first
    pair_decl = np.repeat(np.arange(n_decl), many)
    pair_version = v_order[
        np.repeat(first, many) + np.arange(len(pair_decl)) - np.repeat(np.cumsum(many) - many, many)
    ]
    v_from, v_to = _days(V["valid_from"]), _days(V["valid_to"])
    month_start = d_month_end[pair_decl] - _ymd(d_month_end[pair_decl])[2] + 1
    holds = (v_from[pair_version] <= d_month_end[pair_decl]) & (
        (v_to[pair_version] == NAT) | (v_to[pair_version] >= month_start)
    )
    agreed = np.zeros(n_decl, dtype=bool)
    agreed[pair_decl[holds & (V["travel_allowance_cents"][pair_version] >= 0)]] = True

    # a declaration of a month with a monthly rate in force (or fixed employment) is not paid
    month_rate = np.zeros(n_decl, dtype=bool)
    month_rate[pair_decl[holds & (V["version_unit"][pair_version] == "month")]] = True
    count["agreement.fixed_monthly_pay"] = int(((d_type_code == 1) | month_rate).sum())

    # fixed monthly pay (employment, a family member's monthly amount) in force in the month
    monthly = holds & (V["version_unit"][pair_version] == "month")
    monthly &= np.isin(d_type_code[pair_decl], [1, 3])
    md, mv = pair_decl[monthly], pair_version[monthly]
    m_last = np.where((v_to[mv] == NAT) | (v_to[mv] > d_month_end[md]), d_month_end[md], v_to[mv])
    m_type = d_type_code[md]
    m_ages = _ages(d_birth[md], m_last)
    m_minimum = _minimum_wage(figure, m_last, m_ages, (m_type == 3) | V["holiday_pay"][mv])
    m_applies = _owed(m_type, d_entrepreneur[md], m_last) & (m_ages >= 0)
    m_hours = V["hours_per_week_c"][mv]
    numerator, denominator = V["agreed_cents"][mv] * 1200, np.maximum(m_hours, 1) * 52
    m_hourly = np.where(m_hours > 0, (2 * numerator + denominator) // (2 * denominator), -1)
    count["wage.monthly_below_minimum"] = int(
        (m_applies & (m_minimum >= 0) & (m_hourly >= 0) & (m_hourly < m_minimum)).sum()
    )
    count["wage.monthly_hours_unknown"] = int((m_applies & (m_hours <= 0)).sum())
    wage_unknown[md[m_applies & (m_minimum < 0) & (m_ages >= youngest)]] = True
    count["wage.minimum_unknown"] = int(wage_unknown.sum())  # once per declaration
    has_travel = (travel > 0) | (D["travel_km_c"][run_mask] > 0)
    count["costs.travel_not_agreed"] = int((has_travel & ~agreed).sum())

    use = np.flatnonzero(d_budget != -1)
    ui, uf = _index(B["budget_id"], d_budget[use])
    use, ui = use[uf], ui[uf]
    use_order = np.lexsort((d_id[use], d_month[use], d_budget[use]))
    use, ui = use[use_order], ui[use_order]
    # an hourly employment's declaration counts with the holiday allowance (of the hour lines
    # under a version without it in the rate) and the employer costs, each half up
    l_employed_hour = l_hour & per_line(vf) & (d_type_code[l_decl] == 2)
    d_wage = np.zeros(n_decl, dtype=np.int64)
    np.add.at(d_wage, l_decl, np.where(l_employed_hour, l_amount, 0))
    d_holiday_wage = np.zeros(n_decl, dtype=np.int64)
    np.add.at(
        d_holiday_wage, l_decl, np.where(l_employed_hour & ~per_line(s_holiday_pay), l_amount, 0)
    )
    u_schemes = B["scheme"][ui]
    extras = np.zeros(len(use), dtype=np.int64)
    for kind, wage in (
        ("holiday_allowance_pct", d_holiday_wage[use]),
        ("employer_costs_pct", d_wage[use]),
    ):
        pct = figure(kind, d_month[use], schemes=u_schemes)
        part = np.sign(wage) * ((np.abs(wage) * np.maximum(pct, 0) + 5_000) // 10_000)
        extras += np.where(pct >= 0, part, 0)
    totals = D["total_cents"][run_mask][use] + extras
    running = np.cumsum(totals)
    u_start = _runs(d_budget[use])
    before = np.repeat(running[u_start] - totals[u_start], np.diff(np.append(u_start, len(use))))
    used = B["used_cents"][ui] + B["fixed_cents"][ui] + running - before
    granted = B["budget_cents"][ui]
    count["budget.exceeded"] = int((used > granted).sum())

    # the declaration itself
    every_key = D["agreement_id"] * 10_000 + _days(D["month"]).astype("datetime64[D]").astype(
        "datetime64[M]"
    ).astype(np.int64)
    every_order = np.lexsort((D["declaration_id"], every_key))
    every_sorted = every_key[every_order]
    group_first = _runs(every_sorted)
    first_ids = D["declaration_id"][every_order][group_first]
    slot = np.searchsorted(every_sorted[group_first], run_key)
    count["declaration.second_for_month"] = int(
        ((d_id != first_ids[slot]) & (d_corrects == -1)).sum()
    )
    valid = _iban_valid(P["iban"])  # once per provider
    count["provider.iban_invalid"] = int((~np.where(pf, valid[pi], False)).sum())
    count["employment.hours_while_sick"] = _hours_while_sick(
        c["sick_reports"], d_agreement[l_decl], d_type[l_decl], l_day, l_quantity
    )
    return count


def _hours_while_sick(
    reports: dict, l_agreement: np.ndarray, l_type: np.ndarray, l_day: np.ndarray, l_quantity
) -> int:
    """Lines with hours on an employment agreement inside a sick report: the report of the
    agreement that started last on or before the day (an agreement's reports do not overlap)
    and is not recovered by then."""
    if not len(reports["agreement_id"]) or not len(l_day):
        return 0
    span = 1 << 20  # day numbers from 1970 stay below this until the year 4840
    r_key = reports["agreement_id"].astype(np.int64) * span + _days(reports["sick_from"])
    order = np.argsort(r_key, kind="stable")
    r_key = r_key[order]
    r_agreement = reports["agreement_id"].astype(np.int64)[order]
    r_end = _days(reports["recovered_on"])[order]
    l_key = l_agreement.astype(np.int64) * span + l_day
    slot = np.searchsorted(r_key, l_key, side="right") - 1
    found = slot >= 0
    slot = np.maximum(slot, 0)
    inside = (
        found & (r_agreement[slot] == l_agreement) & ((r_end[slot] == NAT) | (l_day < r_end[slot]))
    )
    employed = np.isin(l_type, ["employment_hourly", "employment_fixed"])
    return int((inside & employed & (l_quantity > 0)).sum())
