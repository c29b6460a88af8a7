"""The validation catalogue as per-row Python: the same rules as plain loops over tuples (what a
straightforward implementation without pandas or numpy would do), with dictionaries for the
joins and group sums and memoised figure and tariff lookups. Run on a sample; it returns the
number of offences per rule, compared with the engine on the same sample.

:func:`rows` turns the frames into lists of tuples with ``datetime.date`` and ``None`` (what
``values_list`` would give; not timed); :func:`run` is the timed pass.
"""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np

FRAMES = (
    "declarations", "lines", "versions", "agreements", "providers", "budgets",
    "budget_products", "entries", "provider_days", "tariffs", "figures", "indications",
    "product_hours", "sick_reports",
)  # fmt: skip
WML_FAMILY, WML_ASSIGNMENTS = date(2019, 1, 1), date(2018, 1, 1)
EMPLOYMENT_TYPES = ("employment_hourly", "employment_fixed")
CARE_SBI = ("86", "87", "88")  # health and social care: what the Zvw wants of an organisation


def rows(inp) -> dict:
    result: dict[str, Any] = {}
    for name in FRAMES:
        frame = getattr(inp, name)
        values = []
        for column in frame.columns:
            series = frame[column]
            if series.dtype.kind == "M":
                values.append(series.to_numpy("datetime64[D]").tolist())  # NaT -> None
            else:
                values.append(series.tolist())
        result[name] = list(zip(*values, strict=True))
    result["holidays"] = set(np.asarray(inp.holidays, dtype="datetime64[D]").tolist())
    result["today"] = inp.today
    return result


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


class Figures:
    """Context.figure for one date at a time, memoised."""

    def __init__(self, figures):
        self.rows = defaultdict(list)
        for kind, scheme, age_min, start, end, value in sorted(figures, key=lambda r: r[1]):
            self.rows[kind].append((scheme, age_min, start, end, value))
        self.cache = {}

    def of_band(self, kind, day, age) -> int:
        """The row of the age's own band (the highest band of the table reached), no
        fallback to a younger band; -1 where none holds."""
        reached = [a for _s, a, _f, _t, _v in self.rows[kind] if 0 <= a <= age]
        if not reached:
            return -1
        band, result = max(reached), -1
        for row_scheme, age_min, start, end, value in self.rows[kind]:
            if row_scheme or age_min != band or day < start or (end is not None and day > end):
                continue
            result = value
        return result

    def __call__(self, kind, day, age=None, scheme=None) -> int:
        key = (kind, day, age, scheme)
        if key in self.cache:
            return self.cache[key]
        result, best_age = -1, -2
        for row_scheme, age_min, start, end, value in self.rows[kind]:
            if day < start or (end is not None and day > end):
                continue
            if row_scheme and scheme != row_scheme:
                continue
            if age is not None:
                if age < age_min or age_min < best_age:
                    continue
                best_age = age_min
            result = value
        self.cache[key] = result
        return result


class Tariffs:
    """The funder's maximum for a case on a day, memoised: funder and product rows beat
    general ones; -1 when none."""

    def __init__(self, tariffs):
        self.rows = tariffs
        self.cache = {}

    def __call__(self, scheme, carer_class, unit, funder, product, day) -> int:
        key = (scheme, carer_class, unit, funder, product, day)
        if key in self.cache:
            return self.cache[key]
        best, rank = -1, -1
        for t_scheme, t_funder, t_product, t_class, t_unit, start, end, cents, _source in self.rows:
            if t_scheme != scheme or t_class != carer_class or t_unit != unit:
                continue
            if (t_funder != -1 and t_funder != funder) or (
                t_product != -1 and t_product != product
            ):
                continue
            if day < start or (end is not None and day > end):
                continue
            this = (t_funder != -1) * 2 + (t_product != -1)
            if this > rank:
                best, rank = cents, this
        self.cache[key] = best
        return best


def iban_is_valid(iban) -> bool:
    text = (iban or "").upper().replace(" ", "")
    remainder, bad = 0, False
    for character in (text[4:] + text[:4])[:34]:
        code = ord(character)
        if 48 <= code <= 57:
            remainder = (remainder * 10 + code - 48) % 97
        elif 65 <= code <= 90:
            remainder = (remainder * 100 + code - 55) % 97
        else:
            bad = True
    good_length = len(text) == 18 if text.startswith("NL") else 15 <= len(text) <= 34
    country = text[:2].isalpha() and text[2:4].isdigit()
    return remainder == 1 and not bad and good_length and country


def owes_minimum(agreement_type, entrepreneur, day) -> bool:
    """Employees always; family members from 2019, assignments of non-entrepreneurs from
    2018 (wage.py)."""
    if agreement_type in EMPLOYMENT_TYPES:
        return True
    if agreement_type == "family":
        return day >= WML_FAMILY
    return agreement_type == "assignment" and not entrepreneur and day >= WML_ASSIGNMENTS


def _age(birth, day) -> int:
    if birth is None:
        return -1
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def run(r: dict) -> dict[str, int]:
    count: dict[str, int] = defaultdict(int)
    today = r["today"]
    holidays = r["holidays"]
    figure = Figures(r["figures"])
    tariff = Tariffs(r["tariffs"])
    ibans: dict = {}

    agreements = {row[0]: row for row in r["agreements"]}
    providers = {row[0]: row for row in r["providers"]}
    versions = {row[0]: row for row in r["versions"]}
    versions_of = defaultdict(list)
    for row in r["versions"]:
        versions_of[row[1]].append(row)
    budgets = {row[0]: row for row in r["budgets"]}
    granted = set(r["budget_products"])
    # a person's hours a day: per holder, over all holders, and under employment agreements
    holder_day: dict = defaultdict(int)
    provider_day: dict = defaultdict(int)
    employment_day: dict = defaultdict(int)
    employment_week: dict = defaultdict(int)
    for provider_id, holder_id, day, hours, employment in r["provider_days"]:
        holder_day[provider_id, holder_id, day] += hours
        provider_day[provider_id, day] += hours
        employment_day[provider_id, day] += employment
        year, week, _ = day.isocalendar()
        employment_week[provider_id, year * 100 + week] += employment
    first_of: dict = {}
    for row in r["declarations"]:
        key = (row[1], row[2])
        if key not in first_of or row[0] < first_of[key]:
            first_of[key] = row[0]
    lines_of = defaultdict(list)
    for line in r["lines"]:
        lines_of[line[0]].append(line)
    budget_use = []
    run_of_month = defaultdict(list)
    product_month: dict = defaultdict(int)  # hours per grant, product and month in the run
    with_product_month = set()  # (declaration, grant, product, month)
    # the WML sets no minimum below its youngest age band: no gap in the table
    bands = [row[2] for row in r["figures"] if row[0] == "minimum_wage" and row[2] >= 0]
    youngest = min(bands, default=0)

    def minimum_wage(agreement_type, holiday_pay, day, age) -> int:
        """The minimum an hour; with the holiday allowance for family and assignments, and
        for an employee whose rate includes it; -1 when unknown."""
        wage = figure.of_band("minimum_wage", day, age)
        if wage < 0:
            return -1
        if agreement_type in ("family", "assignment") or holiday_pay:
            allowance = figure("holiday_allowance_pct", day)
            return (wage * (10_000 + max(allowance, 0)) + 5_000) // 10_000
        return wage

    for (
        declaration_id, agreement_id, month, corrects_id, budget_id, in_run, km, travel, other,
        total, _care,
    ) in r["declarations"]:  # fmt: skip
        if not in_run:
            continue
        agreement = agreements.get(agreement_id)
        _a, holder_id, provider_id, agreement_type, relation = agreement or (None,) * 5
        provider = providers.get(provider_id)
        (_p, kind, birth, entrepreneur, registered, iban, kvk, agb, big, sbi) = (
            provider or (None,) * 10
        )
        # formal, self-employed (a person on an assignment) or informal (contracts.carers);
        # both professional classes need a registration, a self-employed carer falls back to
        # the formal maximum where the funder has no self-employed row
        self_employed = (
            relation == "none" and kind != "organisation" and agreement_type == "assignment"
        )
        formal = self_employed or (
            relation == "none" and (kind == "organisation" or bool(registered))
        )
        employed = agreement_type in EMPLOYMENT_TYPES
        care_sbi = kind == "organisation" and (sbi or "").replace(".", "")[:2] in CARE_SBI
        zvw_ok = bool(agb) and (care_sbi or bool(big))
        carer_class = "self_employed" if self_employed else "formal" if formal else "informal"
        month_end = _month_end(month)
        run_of_month[agreement_id, month].append(declaration_id)

        # the declaration
        if agreement_type == "employment_fixed" or any(
            v[7] == "month" and v[2] <= month_end and (v[3] is None or v[3] >= month)
            for v in versions_of.get(agreement_id, ())
        ):
            count["agreement.fixed_monthly_pay"] += 1
        if month_end >= today:
            count["declaration.month_not_over"] += 1
        weeks = (
            figure("declaration_deadline_provider_weeks", month_end)
            + figure("declaration_deadline_holder_weeks", month_end)
        ) // 100
        if weeks > 0 and today > month_end + timedelta(days=7 * weeks):
            count["declaration.late"] += 1
        if first_of[agreement_id, month] != declaration_id and corrects_id == -1:
            count["declaration.second_for_month"] += 1
        if iban not in ibans:
            ibans[iban] = iban_is_valid(iban)
        if not ibans[iban]:
            count["provider.iban_invalid"] += 1
        if travel > 0 or km > 0:
            month_start = month_end.replace(day=1)
            travel_agreed = any(
                v[2] <= month_end and (v[3] is None or v[3] >= month_start) and v[11] >= 0
                for v in versions_of.get(agreement_id, ())
            )
            if not travel_agreed:
                count["costs.travel_not_agreed"] += 1
        if budget_id != -1 and budget_id in budgets:
            budget_use.append((budget_id, month, declaration_id, total))

        # the lines: segments (runs under one version) and ISO weeks
        segments, weeks_of = [], []
        segment = week = None
        care = 0
        for _d, day, quantity, unit, rate, amount, version_id in sorted(
            lines_of.get(declaration_id, ()), key=lambda line: line[1]
        ):
            care += amount
            is_hour = unit == "hour"
            if segment is None or segment[0] != version_id:
                version = versions.get(version_id)
                budget = budgets.get(version[4]) if version else None
                segment = [version_id, day, day, rate, rate, version, budget]
                segments.append(segment)
            else:
                segment[2] = day
                segment[3] = min(segment[3], rate)
                segment[4] = max(segment[4], rate)
            budget = segment[6]
            version = segment[5]
            if is_hour and version is not None and version[4] >= 0:
                grant_month = (version[4], version[5], day.replace(day=1))
                product_month[grant_month] += quantity
                with_product_month.add((declaration_id, *grant_month))
            if version_id == -1:
                count["agreement.outside_period"] += 1
            elif budget is not None and (
                (budget[3] is not None and day < budget[3])
                or (budget[4] is not None and day > budget[4])
            ):
                count["budget.outside_period"] += 1
            if day > today:
                count["entry.in_future"] += 1
            if day in holidays:
                count["calendar.public_holiday"] += 1
            if is_hour:
                step = figure("hours_increment", day)
                if step > 0 and quantity % max(step, 1) != 0:
                    count["hours.not_quarter"] += 1
            if quantity <= 0 or rate <= 0:
                count["value.not_positive"] += 1
            if is_hour:
                maximum = figure("max_hours_per_day", day)
                own = max(quantity, holder_day.get((provider_id, holder_id, day), 0))
                if maximum > 0 and own > maximum:
                    count["hours.day_over_24"] += 1
                if maximum > 0 and provider_day.get((provider_id, day), 0) > maximum >= own:
                    count["hours.provider_day_over_24"] += 1
                if employed:
                    adult = figure("age_of_majority", day) // 100
                    shift = figure("atw_max_shift_hours", day, age=adult)
                    if shift > 0 and employment_day.get((provider_id, day), 0) > shift:
                        count["atw.day_over_12"] += 1
            product = quantity * rate
            expected = (abs(product) + 50) // 100 * (1 if product > 0 else -1 if product else 0)
            if expected != amount:
                count["amount.arithmetic"] += 1
            year, number, _ = day.isocalendar()
            if week is None or week[0] != year * 100 + number:
                week = [year * 100 + number, day, 0, 0]
                weeks_of.append(week)
            week[2] += quantity if is_hour else 0
            week[3] += 1
        if care + travel + other != total:
            count["amount.arithmetic"] += 1

        agreed_hours = -1
        wage_unknown = False
        unknown_versions = set()
        for version_id, _first, last, low, high, version, budget in segments:
            has_version = version_id != -1
            agreed_hours = max(agreed_hours, version[8] if version else -1)
            if not has_version:
                continue
            budget_ref = version[4] if version else -1
            if not (version and version[9]):
                count["agreement.not_approved"] += 1
            if budget_ref != -1 and (version is None or (budget_ref, version[5]) not in granted):
                count["budget.product_not_granted"] += 1
            agreed = version[6] if version else -1
            if low != agreed or high != agreed:
                count["rate.differs_from_agreement"] += 1
            scheme = budget[2] if budget else None
            maximum = tariff(
                scheme, carer_class, version[7] if version else None,
                budget[1] if budget else -1, version[5] if version else -1, last,
            )  # fmt: skip
            if maximum < 0 and self_employed:
                maximum = tariff(
                    scheme, "formal", version[7] if version else None,
                    budget[1] if budget else -1, version[5] if version else -1, last,
                )  # fmt: skip
            if maximum < 0:
                unknown_versions.add(version_id)  # once per declaration and version
            elif agreed > maximum:
                count["rate.above_maximum"] += 1
            if formal and not (kvk or agb):
                count["provider.formal_without_registration"] += 1
            if formal and scheme == "zvw" and not zvw_ok:
                count["provider.zvw_formal_requirements"] += 1
            age = _age(birth, last)
            applies = (
                version is not None
                and version[7] == "hour"
                and owes_minimum(agreement_type, entrepreneur, last)
            )
            if applies and age >= 0:
                minimum = minimum_wage(agreement_type, version[10], last, age)
                if minimum < 0:
                    if age >= youngest:
                        wage_unknown = True
                elif low < minimum:
                    count["wage.below_minimum"] += 1

        # fixed monthly pay (employment, a family member's monthly amount) in force in the month
        if agreement_type in ("employment_fixed", "family"):
            for v in versions_of.get(agreement_id, ()):
                if v[7] != "month" or v[2] > month_end or (v[3] is not None and v[3] < month):
                    continue
                last = month_end if v[3] is None or v[3] > month_end else v[3]
                age = _age(birth, last)
                if not owes_minimum(agreement_type, entrepreneur, last) or age < 0:
                    continue
                hours, monthly = v[8], v[6]
                if hours <= 0:
                    count["wage.monthly_hours_unknown"] += 1
                minimum = minimum_wage(agreement_type, v[10], last, age)
                if minimum < 0:
                    if age >= youngest:
                        wage_unknown = True
                    continue
                if hours > 0:
                    numerator, denominator = monthly * 1200, hours * 52
                    hourly = (2 * numerator + denominator) // (2 * denominator)
                    if hourly < minimum:
                        count["wage.monthly_below_minimum"] += 1
        if wage_unknown:
            count["wage.minimum_unknown"] += 1  # once per declaration
        count["rate.maximum_unknown"] += len(unknown_versions)

        first_budget = segments[0][6] if segments else None
        scheme = first_budget[2] if first_budget else None
        next_year = date(month.year + 1, 1, 1)
        months = figure("prior_year_deadline_months", next_year, scheme=scheme) // 100
        if months > 0 and today >= date(month.year + 1, 1 + min(max(months, 0), 11), 1):
            count["declaration.prior_year_late"] += 1
        for number, first, hours, days in weeks_of:
            if hours > 0 and employed:
                adult = figure("age_of_majority", first) // 100
                maximum = figure("atw_max_week_hours", first, age=adult)
                if maximum > 0 and employment_week.get((provider_id, number), 0) > maximum:
                    count["atw.week_over_60"] += 1
            if agreed_hours > 0 and hours > agreed_hours:
                count["hours.week_above_agreement"] += 1
            if agreement_type in EMPLOYMENT_TYPES and days >= 4:
                count["employment.four_days_a_week"] += 1

    # an hourly employment's declaration counts with the holiday allowance (of the hour lines
    # under a version without it in the rate) and the employer costs, each half up
    hourly_employment = {
        row[0] for row in r["declarations"]
        if row[5] and (agreements.get(row[1]) or (None,) * 4)[3] == "employment_hourly"
    }  # fmt: skip
    wages: dict = defaultdict(lambda: [0, 0])
    for declaration_id, _day, _q, unit, _rate, amount, version_id in r["lines"]:
        if declaration_id in hourly_employment and unit == "hour" and version_id in versions:
            wages[declaration_id][0] += amount
            if not versions[version_id][10]:
                wages[declaration_id][1] += amount

    def percent_of(cents, pct):
        if pct < 0:
            return 0
        part = (abs(cents) * pct + 5_000) // 10_000
        return part if cents >= 0 else -part

    # the grant: a running total per grant over the run's declarations
    running: dict = {}
    for budget_id, month, declaration_id, total in sorted(budget_use, key=lambda u: u[:3]):
        _b, _f, scheme, _start, _end, granted_cents, used_cents, fixed_cents = budgets[budget_id]
        wage, holiday_wage = wages.get(declaration_id, (0, 0))
        total += percent_of(holiday_wage, figure("holiday_allowance_pct", month, scheme=scheme))
        total += percent_of(wage, figure("employer_costs_pct", month, scheme=scheme))
        running[budget_id] = running.get(budget_id, 0) + total
        used = used_cents + fixed_cents + running[budget_id]
        if used > granted_cents:
            count["budget.exceeded"] += 1

    # the hours of a grant's product in a month against the indicated hours
    for budget_id, product_id, month, hours in r["product_hours"]:
        if (budget_id, product_id, month) in product_month:
            product_month[budget_id, product_id, month] += hours
    indications = defaultdict(list)
    for budget_id, product_id, hours, per, start, end in r["indications"]:
        indications[budget_id, product_id].append((hours, per, start, end))
    over = set()
    for (budget_id, product_id, month), hours in product_month.items():
        month_end = _month_end(month)
        indicated, holds = 0, False
        for indication_c, per, start, end in indications.get((budget_id, product_id), ()):
            first = max(start, month)
            last = month_end if end is None or end >= month_end else end
            days = (last - first).days + 1
            if days <= 0:
                continue
            holds = True
            if per == "week":
                period = 7
            elif per == "month":
                period = month_end.day
            else:
                period = (date(month.year + 1, 1, 1) - date(month.year, 1, 1)).days
            indicated += (2 * indication_c * days + period) // (2 * period)
        if holds and hours > indicated:
            over.add((budget_id, product_id, month))
    count["hours.above_indication"] = sum(
        1 for declared in with_product_month if declared[1:] in over
    )

    # time entries by declaration and day
    days = defaultdict(list)
    for agreement_id, day, start, end, quantity in r["entries"]:
        for declaration_id in run_of_month.get((agreement_id, day.replace(day=1)), ()):
            days[declaration_id, day].append((start, end, quantity))
    for entries in days.values():
        if len(set(entries)) < len(entries):  # an exact copy: same quantity, start and end
            count["entry.duplicate"] += 1
        latest = None
        for start, end, _q in sorted((e for e in entries if e[0] >= 0), key=lambda e: e[0]):
            if latest is not None and start < latest:
                count["entry.times_overlap"] += 1
                break
            finish = end + 24 * 60 if end <= start else end
            latest = finish if latest is None else max(latest, finish)

    # hours on an employment agreement on a day its carer is reported sick (sick_from up to
    # the day before recovered_on; None: still sick)
    sick_of = defaultdict(list)
    for agreement_id, sick_from, recovered_on in r["sick_reports"]:
        sick_of[agreement_id].append((sick_from, recovered_on))
    for declaration_id, agreement_id, *_rest, in_run in (row[:6] for row in r["declarations"]):
        agreement = agreements.get(agreement_id)
        if not in_run or agreement_id not in sick_of or agreement is None:
            continue
        if agreement[3] not in EMPLOYMENT_TYPES:
            continue
        for line in lines_of.get(declaration_id, ()):
            day, quantity = line[1], line[2]
            if quantity > 0 and any(
                start <= day and (end is None or day < end) for start, end in sick_of[agreement_id]
            ):
                count["employment.hours_while_sick"] += 1
    return dict(count)
