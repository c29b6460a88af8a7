"""A sample of a generated month as ``load_input`` would read it, and the sizes of a month."""

import numpy as np
import pandas as pd
from month_arrays import SEED


def sample_input(inp, lines: int = 20_000, seed: int = SEED):
    """What ``load_input`` would read for a random set of the run's declarations holding about
    ``lines`` lines: those declarations (in the run), the other declarations of the same
    agreement-months (not in the run), and the agreements, versions, providers, grants,
    entries and provider days they concern."""
    from declarations.validation.inputs import ValidationInput

    rng = np.random.default_rng(seed + 1)
    every = inp.declarations
    run_ids = every.loc[every["in_run"], "declaration_id"].to_numpy()
    run_ids = run_ids[rng.permutation(len(run_ids))]
    per_declaration = inp.lines.groupby("declaration_id").size()
    counts = per_declaration.reindex(run_ids).fillna(0).to_numpy()
    chosen = run_ids[: int(np.searchsorted(np.cumsum(counts), lines)) + 1]
    in_sample = every["declaration_id"].isin(chosen).to_numpy()
    months = every.loc[in_sample, ["agreement_id", "month"]].drop_duplicates()
    neighbours = every[~in_sample].merge(months, on=["agreement_id", "month"])
    declarations = pd.concat(
        [every[in_sample].assign(in_run=True), neighbours.assign(in_run=False)],
        ignore_index=True,
    )
    agreement_ids = declarations["agreement_id"].unique()
    versions = inp.versions[inp.versions["agreement_id"].isin(agreement_ids)]
    agreements = inp.agreements[inp.agreements["agreement_id"].isin(agreement_ids)]
    provider_ids = agreements["provider_id"].unique()
    budget_ids = np.union1d(versions["budget_id"], declarations["budget_id"])
    first = declarations["month"].min()
    last = declarations["month"].max() + pd.offsets.MonthEnd(0)
    entries = inp.entries[
        inp.entries["agreement_id"].isin(agreement_ids)
        & inp.entries["care_date"].between(first, last)
    ]
    days = inp.provider_days
    provider_days = days[
        days["provider_id"].isin(provider_ids)
        & days["care_date"].between(first - pd.Timedelta(days=7), last + pd.Timedelta(days=7))
    ]
    return ValidationInput(
        declarations=declarations,
        lines=inp.lines[inp.lines["declaration_id"].isin(chosen)].reset_index(drop=True),
        versions=versions.reset_index(drop=True),
        agreements=agreements.reset_index(drop=True),
        providers=inp.providers[inp.providers["provider_id"].isin(provider_ids)].reset_index(
            drop=True
        ),
        budgets=inp.budgets[inp.budgets["budget_id"].isin(budget_ids)].reset_index(drop=True),
        budget_products=inp.budget_products[
            inp.budget_products["budget_id"].isin(budget_ids)
        ].reset_index(drop=True),
        entries=entries.reset_index(drop=True),
        provider_days=provider_days.reset_index(drop=True),
        tariffs=inp.tariffs,
        figures=inp.figures,
        holidays=inp.holidays,
        today=inp.today,
        indications=inp.indications[inp.indications["budget_id"].isin(budget_ids)].reset_index(
            drop=True
        ),
        product_hours=inp.product_hours[
            inp.product_hours["budget_id"].isin(budget_ids)
        ].reset_index(drop=True),
        products=inp.products,
        sick_reports=inp.sick_reports[
            inp.sick_reports["agreement_id"].isin(agreement_ids)
        ].reset_index(drop=True),
    )


def describe(inp) -> dict[str, int]:
    sizes = {
        name: len(getattr(inp, name))
        for name in (
            "declarations", "lines", "versions", "agreements", "providers", "budgets",
            "budget_products", "entries", "provider_days", "tariffs", "figures", "indications",
            "product_hours",
        )
    }  # fmt: skip
    sizes["declarations_in_run"] = int(inp.declarations["in_run"].sum())
    sizes["holders"] = int(inp.agreements["holder_id"].nunique())
    return sizes
