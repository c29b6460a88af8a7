"""A deterministic national month for the validation benchmark, built directly as the frames of
:class:`declarations.validation.inputs.ValidationInput` (no database).

At ``scale=1.0``: ~150,000 budget holders, ~172,000 grants, ~200,000 care agreements and about
as many declarations for October 2026 with ~1,000,000 daily lines, their time entries and the
providers' day totals, under the four laws (Wmo, Jeugdwet, Wlz, Zvw). Figures and maximum tariffs
come from ``pgb_admin/figures/data/figures.csv`` (the funder codes mapped to synthetic funder
ids); a case whose latest row ends before the month is carried forward from its last row, so
the month has a minimum wage and the Wlz/Zvw maxima. About 1-2 % of the data is wrong on
purpose (rates, quarter hours, overlaps, grants exceeded …) so every rule finds something.

    .venv/bin/python bench/generate.py --scale 0.1     # sizes and generation time
    .venv/bin/python bench/generate.py --database --scale 0.1   # into PostgreSQL, a year of care
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import setup_django
from month_arrays import SEED, as_dates, chance, day_number, ibans, month_length
from month_figures import figure_frames
from month_sample import describe, sample_input

__all__ = ["SEED", "describe", "figure_frames", "generate", "sample_input"]

MONTH = date(2026, 10, 1)
TODAY = date(2026, 11, 20)  # after the month, before its deadline (6 + 4 weeks)
LATE_MONTH = date(2026, 5, 1)  # a few late declarations (and Ascension Day, Whit Monday)
PRIOR_YEAR_MONTH = date(2025, 12, 1)  # Wlz care of the previous grant year (and Christmas)
OPEN_MONTH = date(2026, 11, 1)  # declared before the month is over

SCHEMES = np.array(["wmo", "jeugdwet", "wlz", "zvw"], dtype=object)
PRODUCTS_OF_SCHEME = [[1, 2, 3], [2, 4, 5], [5, 6, 2, 3], [6, 5]]  # in the order of SCHEMES
MUNICIPALITIES, CARE_OFFICES, INSURERS = 342, 31, 10
CARE_OFFICE_BASE, INSURER_BASE = 1001, 2001

TYPES = np.array(
    ["institution", "family", "assignment", "employment_hourly", "employment_fixed"], dtype=object
)
TYPE_SHARE = [0.30, 0.27, 0.22, 0.16, 0.05]
INSTITUTION, FAMILY, ASSIGNMENT, EMPLOYMENT_HOURLY, EMPLOYMENT_FIXED = range(5)
LINES_PER_TYPE = np.array([4.0, 9.0, 3.0, 7.0, 0.0])  # relative days of care a month
PRODUCT_CODES = np.array(["HH", "BG", "PV", "KV", "VP", "LO"], dtype=object)  # ids 1 to 6


# --- the month -------------------------------------------------------------------------------


def generate(
    scale: float = 1.0,
    *,
    seed: int = SEED,
    month: date = MONTH,
    today: date = TODAY,
    lines_target: int | None = None,
    tariff_funders: int = 0,
):
    """A :class:`ValidationInput` for a national month at ``scale`` (1.0: ~1M lines)."""
    from declarations.validation.inputs import COLUMNS, ValidationInput, public_holidays

    rng = np.random.default_rng(seed)
    holders = max(200, round(150_000 * scale))
    agreements_target = max(300, round(200_000 * scale))
    lines_target = lines_target or max(1_500, round(1_000_000 * scale))
    month_day = day_number(month)
    month_len = int(month_length(np.array([month_day]))[0])

    # holders and their grants ------------------------------------------------------------
    weights = 1 / np.arange(1, MUNICIPALITIES + 1) ** 0.9
    weights[0], weights[1] = 0, 0
    weights = weights / weights.sum() * (1 - 0.034)
    weights[0], weights[1] = 0.030, 0.004  # The Hague, Assen
    municipality = rng.choice(MUNICIPALITIES, size=holders, p=weights) + 1
    primary = rng.choice(4, size=holders, p=[0.40, 0.20, 0.28, 0.12])
    has_second = chance(rng, 0.15, holders)
    second = (primary + rng.integers(1, 4, holders)) % 4
    b_holder = np.concatenate([np.arange(holders), np.flatnonzero(has_second)])
    b_scheme = np.concatenate([primary, second[has_second]])
    n_budgets = len(b_holder)
    budget_ids = np.arange(1, n_budgets + 1, dtype=np.int64)
    b_municipality = municipality[b_holder]
    b_funder = np.select(
        [b_scheme <= 1, b_scheme == 2],
        [b_municipality, CARE_OFFICE_BASE + (b_municipality - 1) % CARE_OFFICES],
        INSURER_BASE + rng.integers(0, INSURERS, n_budgets),
    ).astype(np.int64)
    year_start, year_end = day_number(date(2026, 1, 1)), day_number(date(2026, 12, 31))
    b_start = np.full(n_budgets, year_start)
    b_end = np.full(n_budgets, year_end)
    wlz = b_scheme == 2
    b_start[wlz], b_end[wlz] = day_number(date(2024, 1, 1)), day_number(date(2027, 12, 31))
    ends_early = chance(rng, 0.01, n_budgets) & ~wlz
    b_end[ends_early] = month_day + 14
    starts_late = chance(rng, 0.005, n_budgets) & ~wlz & ~ends_early
    b_start[starts_late] = month_day + 7

    # the products of each grant: a random non-empty subset of its law's products
    product_lists = []
    for scheme, products in enumerate(PRODUCTS_OF_SCHEME):
        members = np.flatnonzero(b_scheme == scheme)
        order = rng.random((len(members), len(products))).argsort(axis=1)
        chosen = np.array(products)[order]
        keep = (
            np.arange(len(products))[None, :]
            < rng.integers(1, len(products) + 1, len(members))[:, None]
        )
        rows, columns = np.nonzero(keep)
        product_lists.append((members[rows], chosen[rows, columns]))
    bp_budget = np.concatenate([index for index, _ in product_lists])
    bp_product = np.concatenate([product for _, product in product_lists])
    order = np.lexsort((bp_product, bp_budget))
    bp_budget, bp_product = bp_budget[order], bp_product[order]
    bp_offset = np.searchsorted(bp_budget, np.arange(n_budgets))
    bp_count = np.diff(np.append(bp_offset, len(bp_budget)))

    # agreements ----------------------------------------------------------------------------
    extra = max(0, agreements_target - n_budgets)
    a_budget = np.concatenate([np.arange(n_budgets), rng.integers(0, n_budgets, extra)])
    rng.shuffle(a_budget)
    n_agreements = len(a_budget)
    agreement_ids = np.arange(1, n_agreements + 1, dtype=np.int64)
    a_type = rng.choice(5, size=n_agreements, p=TYPE_SHARE)
    a_unit = np.full(n_agreements, "hour", dtype=object)
    a_unit[a_type == EMPLOYMENT_FIXED] = "month"
    for some_type, shares in ((ASSIGNMENT, [0.85, 0.10, 0.05]), (INSTITUTION, [0.70, 0.20, 0.10])):
        members = np.flatnonzero(a_type == some_type)
        a_unit[members] = rng.choice(
            np.array(["hour", "day_part", "day"], dtype=object), size=len(members), p=shares
        )
    pick = bp_offset[a_budget] + (rng.random(n_agreements) * bp_count[a_budget]).astype(np.int64)
    a_product = bp_product[pick]
    not_granted = np.flatnonzero(chance(rng, 0.003, n_agreements))
    for index in not_granted.tolist():
        first = bp_offset[a_budget[index]]
        in_grant = set(bp_product[first : first + bp_count[a_budget[index]]].tolist())
        a_product[index] = next(p for p in range(1, 7) if p not in in_grant)

    # providers: organisations shared regionally, self-employed and employees with a few
    # holders each, a family member per family agreement
    n_org = max(20, round(3_000 * scale))
    kinds = {t: np.flatnonzero(a_type == t) for t in range(5)}
    n_zzp = max(1, round(len(kinds[ASSIGNMENT]) / 1.8))
    n_emp = max(1, round((len(kinds[EMPLOYMENT_HOURLY]) + len(kinds[EMPLOYMENT_FIXED])) / 1.3))
    a_pool_provider = np.empty(n_agreements, dtype=np.int64)
    org_weights = 1 / np.arange(1, n_org + 1) ** 0.7
    a_pool_provider[kinds[INSTITUTION]] = rng.choice(
        n_org, size=len(kinds[INSTITUTION]), p=org_weights / org_weights.sum()
    )
    a_pool_provider[kinds[ASSIGNMENT]] = n_org + rng.integers(0, n_zzp, len(kinds[ASSIGNMENT]))
    employees = np.concatenate([kinds[EMPLOYMENT_HOURLY], kinds[EMPLOYMENT_FIXED]])
    a_pool_provider[employees] = n_org + n_zzp + rng.integers(0, n_emp, len(employees))
    a_pool_provider[kinds[FAMILY]] = n_org + n_zzp + n_emp + np.arange(len(kinds[FAMILY]))
    used, a_provider_index = np.unique(a_pool_provider, return_inverse=True)
    n_providers = len(used)
    provider_ids = np.arange(1, n_providers + 1, dtype=np.int64)
    p_org = used < n_org
    p_zzp = (used >= n_org) & (used < n_org + n_zzp)
    p_emp = (used >= n_org + n_zzp) & (used < n_org + n_zzp + n_emp)
    p_kind = np.where(p_org, "organisation", "person").astype(object)
    p_entrepreneur = p_zzp & chance(rng, 0.85, n_providers)
    p_registered = p_org | (p_zzp & chance(rng, 0.90, n_providers))
    p_registered |= p_emp & chance(rng, 0.03, n_providers)
    adult = rng.integers(day_number(date(1951, 1, 1)), day_number(date(2004, 1, 1)), n_providers)
    young = rng.integers(day_number(date(2006, 6, 1)), day_number(date(2010, 6, 1)), n_providers)
    p_birth = np.where(chance(rng, 0.02, n_providers), young, adult)
    p_iban = ibans(rng, n_providers, 0.003)
    unregistered_org = p_org & chance(rng, 0.02, n_providers)
    p_kvk = (p_registered | p_org) & ~unregistered_org
    p_agb = (p_registered | p_org) & ~unregistered_org & ~chance(rng, 0.02, n_providers)
    p_big = p_registered & ~p_org & chance(rng, 0.3, n_providers)
    p_sbi = np.where(
        p_org,
        rng.choice(np.array(["8810", "87.10", "86.91", "4711"], dtype=object), n_providers,
                   p=[0.6, 0.2, 0.15, 0.05]),
        "",
    ).astype(object)  # fmt: skip

    a_relation = np.full(n_agreements, "none", dtype=object)
    a_relation[kinds[FAMILY]] = rng.choice(
        np.array(["partner", "parent", "child", "other_family"], dtype=object),
        size=len(kinds[FAMILY]),
        p=[0.3, 0.35, 0.2, 0.15],
    )
    network = np.isin(a_type, [EMPLOYMENT_HOURLY, EMPLOYMENT_FIXED]) & chance(
        rng, 0.25, n_agreements
    )
    network |= (a_type == ASSIGNMENT) & chance(rng, 0.08, n_agreements)
    a_relation[network] = "network"
    # professional rates for formal care and the self-employed (a person on an assignment
    # without a relation to the holder: contracts.carers)
    a_formal = (a_relation == "none") & (
        p_org[a_provider_index] | p_registered[a_provider_index] | (a_type == ASSIGNMENT)
    )

    # versions: one, or two when the rate changes during the month --------------------------
    start = rng.integers(day_number(date(2024, 1, 1)), month_day - 30, n_agreements)
    starts_in_month = chance(rng, 0.003, n_agreements) & (a_type != EMPLOYMENT_FIXED)
    start[starts_in_month] = month_day + rng.integers(3, 20, starts_in_month.sum())
    changes = chance(rng, 0.06, n_agreements) & ~starts_in_month
    change_day = month_day + rng.integers(4, 25, n_agreements)

    informal_hour = np.where(a_product == 1, 1600, 1600), np.where(a_product == 1, 2000, 2150)
    formal_hour = np.where(a_product == 1, 2600, 4500), np.where(a_product == 1, 3000, 6000)
    low = np.select(
        [a_unit == "hour", a_unit == "day_part", a_unit == "day"],
        [np.where(a_formal, formal_hour[0], informal_hour[0]), 5000, 15000],
        150_000,
    )
    high = np.select(
        [a_unit == "hour", a_unit == "day_part", a_unit == "day"],
        [np.where(a_formal, formal_hour[1], informal_hour[1]), 7000, 25000],
        300_000,
    )
    rate = rng.integers(low, high + 1)
    rate[chance(rng, 0.01, n_agreements)] *= 2
    pays_minimum = (a_unit == "hour") & np.isin(a_type, [FAMILY, EMPLOYMENT_HOURLY])
    rate[pays_minimum & chance(rng, 0.005, n_agreements)] = 1300
    holiday_pay = (p_kind[a_provider_index] == "person") & chance(rng, 0.6, n_agreements)
    travel = np.where(chance(rng, 0.15, n_agreements), 23, -1)
    approved = ~chance(rng, 0.005, n_agreements)

    v_agreement = np.concatenate([np.arange(n_agreements), np.flatnonzero(changes)])
    n_versions = len(v_agreement)
    version_ids = np.arange(1, n_versions + 1, dtype=np.int64) + 3_000_000
    second_version = np.arange(n_versions) >= n_agreements
    v_from = np.where(second_version, change_day[v_agreement], start[v_agreement])
    v_to = np.full(n_versions, -1, dtype=np.int64)
    v_to[np.flatnonzero(changes)] = change_day[changes] - 1
    v_rate = rate[v_agreement].copy()
    v_rate[second_version] = np.round(
        v_rate[second_version] * rng.uniform(1.02, 1.05, second_version.sum())
    ).astype(np.int64)
    v_approved = approved[v_agreement] & ~(second_version & chance(rng, 0.05, n_versions))

    # declarations ---------------------------------------------------------------------------
    declared = (a_type != EMPLOYMENT_FIXED) | chance(rng, 0.02, n_agreements)
    # of the fixed monthly wages declared (wrongly) in the run: some below the minimum wage
    # (7.21 an hour for 32 hours a week), some without hours a week (not checkable)
    declared_fixed = np.flatnonzero(declared & (a_type == EMPLOYMENT_FIXED))
    low_pay = declared_fixed[chance(rng, 0.3, len(declared_fixed))]
    no_hours = declared_fixed[chance(rng, 0.15, len(declared_fixed))]
    v_rate[np.isin(v_agreement, low_pay)] = 100_000
    d_agreement = np.flatnonzero(declared)
    n_run = len(d_agreement)
    d_month = np.full(n_run, month_day)
    other_month = rng.random(n_run)
    settled = ~starts_in_month[d_agreement] & ~changes[d_agreement]
    late = settled & (other_month < 0.003)
    prior = settled & (b_scheme[a_budget[d_agreement]] == 2) & (other_month > 0.995)
    still_open = settled & (other_month >= 0.003) & (other_month < 0.005)
    d_month[late] = day_number(LATE_MONTH)
    d_month[prior] = day_number(PRIOR_YEAR_MONTH)
    d_month[still_open] = day_number(OPEN_MONTH)
    start[d_agreement[late | prior]] = np.minimum(
        start[d_agreement[late | prior]], day_number(date(2025, 6, 1))
    )
    v_from[~second_version] = start  # the first version starts with the agreement

    # lines: distinct days of the month, more for family and employees ------------------------
    base = LINES_PER_TYPE[a_type[d_agreement]]
    lam = base * max(0.0, (lines_target / n_run - 1) / max(base.mean(), 1e-9))
    d_len = month_length(d_month)
    n_days = np.minimum(1 + rng.poisson(lam), d_len)
    keys = rng.random((n_run, 31))
    keys[np.arange(31)[None, :] >= d_len[:, None]] = 2.0
    ranks = np.empty_like(keys, dtype=np.int64)
    np.put_along_axis(ranks, keys.argsort(axis=1), np.arange(31)[None, :], axis=1)
    line_decl, line_day = np.nonzero(ranks < n_days[:, None])
    n_lines = len(line_decl)
    care_day = d_month[line_decl] + line_day
    agreement = d_agreement[line_decl]
    unit = a_unit[agreement]
    kind = a_type[agreement]
    is_hour = unit == "hour"
    low_q = np.select([kind == FAMILY, kind == EMPLOYMENT_HOURLY], [4, 8], 4)
    high_q = np.select([kind == FAMILY, kind == EMPLOYMENT_HOURLY], [32, 32], 16)
    quantity = np.select(
        [is_hour, unit == "day_part"],
        [rng.integers(low_q, high_q + 1) * 25, np.where(chance(rng, 0.2, n_lines), 200, 100)],
        100,
    ).astype(np.int64)
    quantity[is_hour & chance(rng, 0.002, n_lines)] += 10
    quantity[chance(rng, 0.0005, n_lines)] = 0
    quantity[is_hour & chance(rng, 0.0002, n_lines)] = 2500
    in_second = changes[agreement] & (care_day >= change_day[agreement])
    second_index = np.full(n_agreements, -1, dtype=np.int64)
    second_index[np.flatnonzero(changes)] = n_agreements + np.arange(changes.sum())
    version_index = np.where(in_second, second_index[agreement], agreement)
    line_version = version_ids[version_index]
    line_version[care_day < start[agreement]] = -1
    line_rate = v_rate[version_index].copy()
    wrong_rate = np.flatnonzero(chance(rng, 0.003, n_run))
    first_line = np.searchsorted(line_decl, wrong_rate)
    line_rate[first_line[first_line < n_lines]] += 100
    product = quantity * line_rate
    amount = np.sign(product) * ((np.abs(product) + 50) // 100)
    amount[chance(rng, 0.0005, n_lines)] += 1

    # the agreed hours a week: above what is declared, a few below (warnings)
    iso = pd.Series(as_dates(care_day)).dt.isocalendar()
    week = iso["year"].to_numpy(np.int64) * 100 + iso["week"].to_numpy(np.int64)
    weekly = (
        pd.DataFrame({"a": agreement, "w": week, "q": np.where(is_hour, quantity, 0)})
        .groupby(["a", "w"])["q"]
        .sum()
        .groupby(level="a")
        .max()
    )
    most = np.zeros(n_agreements, dtype=np.int64)
    most[weekly.index.to_numpy()] = weekly.to_numpy()
    agreed_week = (most + 99) // 100 * 100 + rng.choice([0, 100, 200, 400, 800], n_agreements)
    below = chance(rng, 0.03, n_agreements) & (most > 200)
    agreed_week[below] = most[below] - 100
    idle = most == 0
    agreed_week[idle] = rng.integers(4, 41, idle.sum()) * 100
    agreed_week[a_type == EMPLOYMENT_FIXED] = (
        rng.integers(16, 33, kinds[EMPLOYMENT_FIXED].size) * 100
    )
    agreed_week[(a_unit == "day_part") | (a_unit == "day")] = -1
    agreed_week[low_pay] = 3200
    agreed_week[no_hours] = -1

    # declaration amounts
    care = np.bincount(line_decl, weights=amount, minlength=n_run).astype(np.int64)
    allowance = travel[d_agreement]
    km = np.where((allowance >= 0) & chance(rng, 0.6, n_run), rng.integers(1000, 40_001, n_run), 0)
    unagreed = (allowance < 0) & chance(rng, 0.002, n_run)
    km[unagreed] = 2000
    travel_cents = np.where(km > 0, np.round(km * np.maximum(allowance, 23) / 100), 0).astype(
        np.int64
    )
    other = np.where(chance(rng, 0.03, n_run), rng.integers(500, 5001, n_run), 0)
    total = care + travel_cents + other
    total[chance(rng, 0.001, n_run)] += 1
    d_budget = budget_ids[a_budget[d_agreement]]
    d_budget[chance(rng, 0.001, n_run)] = -1
    d_ids = 10_000_000 + rng.permutation(n_run).astype(np.int64)
    corrects = np.full(n_run, -1, dtype=np.int64)

    # an exported declaration for the same agreement-month: mostly corrected by the one in the
    # run, a few declared a second time; and a few declared twice within the run
    has_earlier = np.flatnonzero(chance(rng, 0.01, n_run))
    earlier_ids = 5_000_000 + np.arange(len(has_earlier), dtype=np.int64)
    corrected = chance(rng, 0.9, len(has_earlier))
    corrects[has_earlier[corrected]] = earlier_ids[corrected]
    twice = np.flatnonzero(chance(rng, 0.001, n_run))
    twice_ids = 20_000_000 + np.arange(len(twice), dtype=np.int64)
    copies = np.flatnonzero(np.isin(line_decl, twice))
    copy_of = np.searchsorted(twice, line_decl[copies])

    declarations = pd.DataFrame(
        {
            "declaration_id": np.concatenate([d_ids, twice_ids, earlier_ids]),
            "agreement_id": agreement_ids[
                np.concatenate([d_agreement, d_agreement[twice], d_agreement[has_earlier]])
            ],
            "month": as_dates(np.concatenate([d_month, d_month[twice], d_month[has_earlier]])),
            "corrects_id": np.concatenate(
                [corrects, np.full(len(twice) + len(has_earlier), -1, dtype=np.int64)]
            ),
            "budget_id": np.concatenate([d_budget, d_budget[twice], d_budget[has_earlier]]),
            "in_run": np.concatenate(
                [np.ones(n_run + len(twice), dtype=bool), np.zeros(len(has_earlier), dtype=bool)]
            ),
        }
    )
    zeros = np.zeros(len(has_earlier), dtype=np.int64)
    for column, values in (
        ("travel_km_c", km),
        ("travel_cents", travel_cents),
        ("other_cents", other),
        ("total_cents", total),
        ("care_cents", care),
    ):
        declarations[column] = np.concatenate([values, values[twice], zeros]).astype(np.int64)

    lines = pd.DataFrame(
        {
            "declaration_id": np.concatenate([d_ids[line_decl], twice_ids[copy_of]]),
            "care_date": as_dates(np.concatenate([care_day, care_day[copies]])),
            "quantity_c": np.concatenate([quantity, quantity[copies]]),
            "unit": np.concatenate([unit, unit[copies]]),
            "rate_cents": np.concatenate([line_rate, line_rate[copies]]),
            "amount_cents": np.concatenate([amount, amount[copies]]).astype(np.int64),
            "version_id": np.concatenate([line_version, line_version[copies]]),
        }
    )

    versions = pd.DataFrame(
        {
            "version_id": version_ids,
            "agreement_id": agreement_ids[v_agreement],
            "valid_from": as_dates(v_from),
            "valid_to": as_dates(v_to),
            "budget_id": budget_ids[a_budget[v_agreement]],
            "product_id": a_product[v_agreement].astype(np.int64),
            "agreed_cents": v_rate.astype(np.int64),
            "version_unit": a_unit[v_agreement],
            "hours_per_week_c": agreed_week[v_agreement].astype(np.int64),
            "approved": v_approved,
            "holiday_pay": holiday_pay[v_agreement],
            "travel_allowance_cents": travel[v_agreement].astype(np.int64),
        }
    )
    agreements = pd.DataFrame(
        {
            "agreement_id": agreement_ids,
            "holder_id": b_holder[a_budget].astype(np.int64) + 1,
            "provider_id": provider_ids[a_provider_index],
            "agreement_type": TYPES[a_type],
            "relation": a_relation,
        }
    )
    providers = pd.DataFrame(
        {
            "provider_id": provider_ids,
            "provider_kind": p_kind,
            # day numbers before 1970 are negative: not as_dates (which takes them as unknown)
            "birth_date": np.where(
                p_org, np.datetime64("NaT"), p_birth.astype("datetime64[D]")
            ).astype("datetime64[ns]"),
            "entrepreneur": p_entrepreneur,
            "registered": p_registered,
            "iban": p_iban,
            # registered persons and organisations have a KvK number and an AGB code (a few
            # organisations neither); an organisation is in care (SBI 86-88, some written with
            # a dot), a few not; some registered persons are BIG-registered
            "has_kvk": p_kvk,
            "has_agb": p_agb,
            "has_big": p_big,
            "sbi_code": p_sbi,
        }
    )

    # grants: a year of this month's spending with some headroom; a few (nearly) used up
    monthly = np.bincount(a_budget[d_agreement], weights=total, minlength=n_budgets)
    fixed = a_type == EMPLOYMENT_FIXED
    fixed_monthly = np.bincount(a_budget[fixed], weights=rate[fixed], minlength=n_budgets)
    used_cents = np.round(monthly * 9 * rng.uniform(0.85, 1.05, n_budgets)).astype(np.int64)
    fixed_cents = np.round(fixed_monthly * 12).astype(np.int64)
    granted = np.round((monthly + fixed_monthly) * 12 * rng.uniform(1.05, 1.5, n_budgets)).astype(
        np.int64
    )
    granted = np.maximum(granted, 100_000)
    exceeded = chance(rng, 0.01, n_budgets)
    granted[exceeded] = used_cents[exceeded] + fixed_cents[exceeded] + monthly[exceeded] // 2
    nearly = chance(rng, 0.03, n_budgets) & ~exceeded
    granted[nearly] = np.round(
        (used_cents[nearly] + fixed_cents[nearly] + monthly[nearly]) / 0.93
    ).astype(np.int64)
    budgets = pd.DataFrame(
        {
            "budget_id": budget_ids,
            "funder_id": b_funder,
            "scheme": SCHEMES[b_scheme],
            "budget_start": as_dates(b_start),
            "budget_end": as_dates(b_end),
            "budget_cents": granted.astype(np.int64),
            "used_cents": used_cents,
            "fixed_cents": fixed_cents,
        }
    )
    budget_products = pd.DataFrame(
        {"budget_id": budget_ids[bp_budget], "product_id": bp_product.astype(np.int64)}
    )

    # time entries: half the agreements record times, some days in two parts ---------------
    timed = chance(rng, 0.5, n_agreements)[agreement] & (unit != "month")
    minutes = quantity * 60 // 100
    begin = np.select(
        [unit == "day", unit == "day_part"], [0, 8 * 60], rng.integers(28, 41, n_lines) * 15
    )
    duration = np.select([unit == "day", unit == "day_part"], [24 * 60, minutes * 4], minutes)
    split = timed & is_hour & chance(rng, 0.15, n_lines) & (quantity >= 100)
    first_part = np.where(split, (minutes // 2) // 15 * 15, duration)
    line_parts = [np.arange(n_lines), np.flatnonzero(split)]
    start_parts = [np.where(timed, begin, -1), (begin + first_part + 60)[split]]
    end_parts = [
        np.where(timed, (begin + first_part) % (24 * 60), -1),
        (begin + first_part + 60 + duration - first_part)[split] % (24 * 60),
    ]
    overlap = chance(rng, 0.02, len(line_parts[1]))
    start_parts[1][overlap] -= 90
    twice_entered = np.flatnonzero(chance(rng, 0.003, n_lines) & ~timed)
    line_parts.append(twice_entered)
    start_parts.append(np.full(len(twice_entered), -1))
    end_parts.append(np.full(len(twice_entered), -1))
    timed_copy = np.flatnonzero(chance(rng, 0.002, n_lines) & timed & ~split)
    line_parts.append(timed_copy)
    start_parts.append(start_parts[0][timed_copy])
    end_parts.append(end_parts[0][timed_copy])
    e_line = np.concatenate(line_parts)
    e_start, e_end = np.concatenate(start_parts), np.concatenate(end_parts)
    e_quantity = quantity[e_line]
    # a second visit on the same day with other hours: not a copy
    other_visit = np.flatnonzero(chance(rng, 0.003, n_lines) & ~timed & is_hour)
    e_line = np.append(e_line, other_visit)
    e_start = np.append(e_start, np.full(len(other_visit), -1))
    e_end = np.append(e_end, np.full(len(other_visit), -1))
    e_quantity = np.append(e_quantity, quantity[other_visit] + 100)
    e_order = np.lexsort((e_start, care_day[e_line], agreement[e_line]))
    entries = pd.DataFrame(
        {
            "agreement_id": agreement_ids[agreement[e_line[e_order]]],
            "care_date": as_dates(care_day[e_line[e_order]]),
            "start_min": e_start[e_order].astype(np.int64),
            "end_min": e_end[e_order].astype(np.int64),
            "quantity_c": e_quantity[e_order].astype(np.int64),
        }
    )

    # the hours a day of persons (not organisations, which employ many carers) over their
    # hourly agreements, a week around the month too: what load_input reads
    provider = provider_ids[a_provider_index[agreement]]
    hourly = is_hour & (p_kind[a_provider_index[agreement]] == "person")
    p_day, p_provider, p_hours = care_day[hourly], provider[hourly], quantity[hourly]
    p_holder = (b_holder[a_budget].astype(np.int64) + 1)[agreement][hourly]
    p_employed = np.isin(a_type[agreement][hourly], [EMPLOYMENT_HOURLY, EMPLOYMENT_FIXED])
    in_month = d_month[line_decl][hourly] == month_day
    around = []
    for lo, hi, shift in ((0, 7, -7), (month_len - 7, month_len, 7)):
        near = in_month & (p_day >= month_day + lo) & (p_day < month_day + hi)
        around.append((p_provider[near], p_day[near] + shift, p_hours[near], near))
    every = [slice(None), *(near for *_, near in around)]
    provider_days = (
        pd.DataFrame(
            {
                "provider_id": np.concatenate([p_provider, *(a for a, _, _, _ in around)]),
                "holder_id": np.concatenate([p_holder[part] for part in every]),
                "day": np.concatenate([p_day, *(d for _, d, _, _ in around)]),
                "hours_c": np.concatenate([p_hours, *(h for _, _, h, _ in around)]),
                "employment_c": np.concatenate(
                    [np.where(p_employed, p_hours, 0)[part] for part in every]
                ),
            }
        )
        .groupby(["provider_id", "holder_id", "day"], as_index=False)[["hours_c", "employment_c"]]
        .sum()
    )
    busy = provider_days["hours_c"].to_numpy().copy()
    count = len(busy)
    busy[chance(rng, 0.003, count)] += 500  # care outside this run
    busy[chance(rng, 0.001, count)] += 2000
    # the extra hours: mostly with other holders (id 0: outside this run), some with the same
    # holder under another agreement; mostly employed, some not (no Working Hours Act)
    extra = busy - provider_days["hours_c"].to_numpy()
    others = extra > 0
    same_holder = chance(rng, 0.4, others.sum())
    employed_extra = ~chance(rng, 0.3, others.sum())
    provider_days = pd.DataFrame(
        {
            "provider_id": np.concatenate([provider_days["provider_id"].to_numpy(np.int64)] * 2)[
                np.concatenate([np.ones(count, dtype=bool), others])
            ],
            "holder_id": np.concatenate(
                [
                    provider_days["holder_id"].to_numpy(np.int64),
                    np.where(same_holder, provider_days["holder_id"].to_numpy(np.int64)[others], 0),
                ]
            ),
            "care_date": as_dates(
                np.concatenate([provider_days["day"].to_numpy()] * 2)[
                    np.concatenate([np.ones(count, dtype=bool), others])
                ]
            ),
            "hours_c": np.concatenate(
                [provider_days["hours_c"].to_numpy(np.int64), extra[others].astype(np.int64)]
            ),
            "employment_c": np.concatenate(
                [
                    provider_days["employment_c"].to_numpy(np.int64),
                    np.where(employed_extra, extra[others], 0).astype(np.int64),
                ]
            ),
        }
    )

    indications, product_hours = _indications(
        rng, month_day, month_len, budget_ids, bp_budget, bp_product,
        budget_ids[a_budget[agreement]], a_product[agreement], quantity,
        is_hour & (line_version != -1) & (d_month[line_decl] == month_day),
    )  # fmt: skip

    # sick reports: 2 % of the employees reported sick around the month, most recovered
    # within two weeks, some still sick; one report each, so none overlap (a stream of its
    # own, so the other frames stay as they were)
    sick_rng = np.random.default_rng(seed + 7629)
    employees = agreement_ids[(a_type == EMPLOYMENT_HOURLY) | (a_type == EMPLOYMENT_FIXED)]
    sick = employees[chance(sick_rng, 0.02, len(employees))]
    sick_from = month_day - 5 + sick_rng.integers(0, month_len, len(sick))
    recovered_on = sick_from + sick_rng.integers(1, 15, len(sick))
    recovered_on[chance(sick_rng, 0.3, len(sick))] = -1  # still sick
    sick_reports = pd.DataFrame(
        {
            "agreement_id": sick.astype(np.int64),
            "sick_from": as_dates(sick_from),
            "recovered_on": as_dates(recovered_on),
        }
    )

    month_end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    figures, tariffs = figure_frames(month_end, tariff_funders, seed)
    frames = {
        "declarations": declarations,
        "lines": lines,
        "versions": versions,
        "agreements": agreements,
        "providers": providers,
        "budgets": budgets,
        "budget_products": budget_products,
        "entries": entries,
        "provider_days": provider_days,
        "tariffs": tariffs,
        "figures": figures,
    }
    for name, frame in frames.items():
        if list(frame.columns) != COLUMNS[name]:
            raise AssertionError(f"{name}: columns {list(frame.columns)} != {COLUMNS[name]}")
    return ValidationInput(
        **frames,
        holidays=public_holidays(PRIOR_YEAR_MONTH.year, month_end.year),
        today=today,
        indications=indications,
        product_hours=product_hours,
        sick_reports=sick_reports,
        products=pd.DataFrame(
            {
                "product_id": np.arange(1, 7, dtype=np.int64),
                "product_code": PRODUCT_CODES,
                "name_nl": PRODUCT_CODES,
                "name_en": PRODUCT_CODES,
            }
        ),
    )


def _indications(
    rng, month_day, month_len, budget_ids, bp_budget, bp_product, line_budget, line_product,
    quantity, counted,
):  # fmt: skip
    """The indicated hours of about half the grants' products, a week, a month or a year,
    mostly above what the month declares (a few below: hours.above_indication); some split
    in the middle of the month into an old and a new decision. And a few products' hours of
    the month declared outside the run (``product_hours``)."""
    from declarations.validation.inputs import COLUMNS

    declared = (
        pd.DataFrame(
            {
                "budget_id": line_budget[counted],
                "product_id": line_product[counted],
                "hours_c": quantity[counted],
            }
        )
        .groupby(["budget_id", "product_id"])["hours_c"]
        .sum()
    )
    n = len(bp_budget)
    budget, product = budget_ids[bp_budget], bp_product.astype(np.int64)
    in_month = (
        declared.reindex(pd.MultiIndex.from_arrays([budget, product]))
        .fillna(0)
        .to_numpy()
        .astype(np.int64)
    )
    chosen = chance(rng, 0.5, n)
    per = rng.choice(np.array(["week", "month", "year"], dtype=object), n, p=[0.5, 0.35, 0.15])
    below = chance(rng, 0.04, n)
    factor = np.where(below, rng.uniform(0.6, 0.95, n), rng.uniform(1.05, 1.6, n))
    monthly = np.where(in_month > 0, in_month * factor, rng.integers(8, 80, n) * 100)
    scale = np.select([per == "week", per == "month"], [7 / month_len, 1.0], 365 / month_len)
    whole = np.where(below, np.floor(monthly * scale / 100), np.ceil(monthly * scale / 100))
    hours = (whole * 100).astype(np.int64)  # whole hours
    year_start, year_end = day_number(date(2026, 1, 1)), day_number(date(2026, 12, 31))
    start = np.full(n, year_start)
    end = np.where(chance(rng, 0.3, n), -1, year_end)  # open-ended: NaT
    split = chosen & chance(rng, 0.1, n)
    change = month_day + rng.integers(5, 25, n)
    rows = np.concatenate([np.flatnonzero(chosen), np.flatnonzero(split)])
    second = np.arange(len(rows)) >= chosen.sum()
    first_end = np.where(split[rows] & ~second, change[rows] - 1, end[rows])
    indications = pd.DataFrame(
        {
            "budget_id": budget[rows],
            "product_id": product[rows],
            "hours_c": np.where(second, hours[rows] + 200, hours[rows]).astype(np.int64),
            "per": per[rows],
            "valid_from": as_dates(np.where(second, change[rows], start[rows])),
            "valid_to": as_dates(first_end),
        }
    )
    outside = chosen & chance(rng, 0.02, n)
    product_hours = pd.DataFrame(
        {
            "budget_id": budget[outside],
            "product_id": product[outside],
            "month": as_dates(np.full(outside.sum(), month_day)),
            "hours_c": (rng.integers(2, 30, outside.sum()) * 100).astype(np.int64),
        }
    )
    for name, frame in (("indications", indications), ("product_hours", product_hours)):
        if list(frame.columns) != COLUMNS[name]:
            raise AssertionError(f"{name}: columns {list(frame.columns)} != {COLUMNS[name]}")
    return indications, product_hours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--tariff-funders", type=int, default=0)
    parser.add_argument(
        "--database",
        nargs="?",
        const="",
        metavar="NAME",
        help="write the world with a year of care into a PostgreSQL database of its own on the "
        "server of DATABASE_URL (default name: pgb_bench_national, another scale "
        "pgb_bench_national_<scale>), replacing it (bench/national_db.py)",
    )
    args = parser.parse_args()
    if args.database is not None:
        _fill_database(args.database, args.scale, args.seed)
        return
    setup_django()
    start = time.perf_counter()
    inp = generate(args.scale, seed=args.seed, tariff_funders=args.tariff_funders)
    elapsed = time.perf_counter() - start
    for name, size in describe(inp).items():
        print(f"{name:>20}  {size:>10,}")
    memory = sum(
        getattr(inp, name).memory_usage(deep=True).sum()
        for name in ("declarations", "lines", "versions", "agreements", "providers", "budgets",
                     "budget_products", "entries", "provider_days")
    )  # fmt: skip
    print(f"generated in {elapsed:.2f} s; frames take {memory / 1024**2:,.0f} MB")


def _fill_database(name: str, scale: float, seed: int) -> None:
    import national_db

    name = name or national_db.database_name(scale)
    print(f"national world at scale {scale} into PostgreSQL database {name}")
    info = national_db.build(name, scale, seed)
    for table, rows in info["rows"].items():
        print(f"{table:>34}  {rows:>12,}")
    print(f"generated in {info['total_seconds']:.1f} s ({info['total_seconds'] / 60:.1f} min)")


if __name__ == "__main__":
    main()
