"""The municipal audit report: a funder's spend over a year by scheme, product, provider and
month; the formal and informal shares; agreed tariffs against the maximum; budget not used
(it returns to the funder; not a reclaim); holders near exhaustion; and signals worth a look.
Money sums equal the counted declarations (and fixed monthly pay) to the cent. No BSN
appears anywhere in it.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Self

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from declarations.selectors.validation import load_tariffs
from pgb_admin.budgets.models import BudgetHolder, CareProduct, Funder
from pgb_admin.budgets.naming import funder_title
from pgb_admin.core.dates import format_month
from pgb_admin.figures.constants import CarerClass

from .exhaustion import Thresholds, exhaustion
from .frames import ReportData, pairs, rows
from .holders import iso, money, month_text
from .labels import grant_text
from .signals import SIGNALS, find_signals, thresholds, version_maxima


@dataclass
class MunicipalityReport:
    funder: Funder
    year: int
    data: ReportData
    thresholds: Thresholds
    grants: pd.DataFrame  # exhaustion per grant
    signals: pd.DataFrame
    tariffs: pd.DataFrame  # each version with its maximum

    @classmethod
    def build(cls, funder: Funder, data: ReportData, *, year: int, thresholds: Thresholds) -> Self:
        grants, _ = exhaustion(data, thresholds, with_months=False)
        tariffs = load_tariffs()
        return cls(
            funder=funder,
            year=year,
            data=data,
            thresholds=thresholds,
            grants=grants,
            signals=find_signals(data, year=year, tariffs=tariffs, funder_id=funder.pk),
            tariffs=version_maxima(data, tariffs),
        )

    # --- the figures -------------------------------------------------------------------

    def spend_in_year(self) -> pd.DataFrame:
        spend = self.data.spend
        return spend[spend["month"].dt.year == self.year]

    def by(self, column: str) -> pd.Series:
        """Cents spent in the year per value of ``column`` (largest first)."""
        spend = self.spend_in_year()
        if column == "scheme":
            spend = spend.merge(self.data.budgets[["budget_id", "scheme"]], on="budget_id")
        if column == "carer_class":
            classes = self.data.versions.drop_duplicates("agreement_id")[
                ["agreement_id", "carer_class"]
            ]
            spend = spend.merge(classes, on="agreement_id", how="left")
            spend["carer_class"] = spend["carer_class"].fillna(CarerClass.INFORMAL)
        return spend.groupby(column)["cents"].sum().sort_values(ascending=False)

    def by_month(self) -> pd.Series:
        spend = self.spend_in_year()
        return spend.groupby("month")["cents"].sum().sort_index()

    def underspend(self) -> pd.DataFrame:
        """Per grant: what is left unused (ended grants: budget not used, which returns to the
        funder) or, for running grants, the projected balance at the end (from the agreements)."""
        grants = self.grants.merge(self.data.budgets[["budget_id", "end"]], on="budget_id")
        ended = grants["end"] <= pd.Timestamp(self.data.reference_end)
        left = np.where(ended, grants["remaining"], grants["agreed_balance_end"])
        return grants.assign(ended=ended, left=np.maximum(left, 0).astype(np.int64))

    # --- as JSON -------------------------------------------------------------------------

    def as_dict(self) -> dict:
        names = self._names()
        spend = self.spend_in_year()
        grants = self.grants
        underspend = self.underspend()
        near = grants[grants["alert_nearly_exhausted"] | grants["alert_runs_out_early"]]
        by_provider = self.by("provider_id")
        holders_per_provider = spend.groupby("provider_id")["holder_id"].nunique()
        classes = self.by("carer_class")
        total_spend = int(spend["cents"].sum())
        tariffs = self.tariffs
        known = tariffs[tariffs["max_cents"] >= 0]
        above = known[known["rate_cents"] > known["max_cents"]]
        at = known[known["rate_cents"] == known["max_cents"]]
        return {
            "funder": {
                "code": self.funder.code,
                "name": self.funder.name,
                "title": funder_title(self.funder.name, self.funder.kind),
            },
            "year": self.year,
            "reference_month": month_text(self.data.reference),
            "totals": {
                "holders": int(self.data.budgets["holder_id"].nunique()),
                "grants": len(grants),
                "granted": money(grants["granted"].sum()),
                "used": money(grants["used"].sum()),
                "paid": money(grants["paid"].sum()),
                "validated_unpaid": money(grants["validated_unpaid"].sum()),
                "committed": money(grants["committed"].sum()),
                "remaining": money(grants["remaining"].sum()),
                "spend_in_year": money(total_spend),
            },
            "spend_by_scheme": [
                {"scheme": key, "used": money(cents)} for key, cents in pairs(self.by("scheme"))
            ],
            "spend_by_product": [
                {"product": names["products"].get(int(key), ""), "used": money(cents)}
                for key, cents in pairs(self.by("product_id"))
            ],
            "spend_by_provider": [
                {
                    "provider": int(key),
                    "name": names["providers"].get(int(key), ""),
                    "used": money(cents),
                    "holders": int(holders_per_provider.get(key, 0)),
                }
                for key, cents in pairs(by_provider)
            ],
            "spend_by_month": [
                {"month": month_text(month), "used": money(cents)}
                for month, cents in pairs(self.by_month())
            ],
            "carer_classes": [
                {
                    "carer_class": key,
                    "used": money(cents),
                    "share_pct": round(100 * cents / total_spend, 1) if total_spend else None,
                }
                for key, cents in pairs(classes)
            ],
            "tariffs": {
                "versions": len(tariffs),
                "without_maximum": int((tariffs["max_cents"] < 0).sum()),
                "at_maximum": len(at),
                "above_maximum": [
                    {
                        "version": int(row.version_id),
                        "agreement": int(row.agreement_id),
                        "holder": int(row.holder_id),
                        "holder_name": names["holders"].get(int(row.holder_id), ""),
                        "provider": int(row.provider_id),
                        "provider_name": names["providers"].get(int(row.provider_id), ""),
                        "carer_class": row.carer_class,
                        "unit": row.unit,
                        "rate": money(row.rate_cents),
                        "maximum": money(row.max_cents),
                        "source": row.source,
                    }
                    for row in rows(above)
                ],
            },
            "underspend": {
                "ended_grants": money(underspend.loc[underspend["ended"], "left"].sum()),
                "projected_for_running_grants": money(
                    underspend.loc[~underspend["ended"], "left"].sum()
                ),
                "grants": [
                    {
                        "budget": int(row.budget_id),
                        "holder": names["holders"].get(int(row.holder_id), ""),
                        "holder_id": int(row.holder_id),
                        **_grant_words(row),
                        "ended": bool(row.ended),
                        "left": money(row.left),
                    }
                    for row in rows(
                        underspend[underspend["left"] > 0]
                        .drop(columns=["end"])
                        .merge(self.data.budgets[GRANT_COLUMNS], on="budget_id")
                        .sort_values("left", ascending=False)
                    )
                ],
            },
            "near_exhaustion": [
                {
                    "budget": int(row.budget_id),
                    "holder": int(row.holder_id),
                    "name": names["holders"].get(int(row.holder_id), ""),
                    **_grant_words(row),
                    "used_pct": None if pd.isna(row.used_pct) else float(row.used_pct),
                    "run_out": iso(
                        row.agreed_run_out if not pd.isna(row.agreed_run_out) else row.trend_run_out
                    ),
                }
                for row in rows(near.merge(self.data.budgets[GRANT_COLUMNS], on="budget_id"))
            ],
            "signals": self.signal_dicts(names),
            "message": "" if len(grants) else str(NO_GRANTS),
        }

    def signal_dicts(self, names=None) -> list[dict]:
        """The signals, alarms first and then the context, each with its rule (the threshold
        filled in: the funder's own figure, else the national default), its evidence and the
        pages it concerns, named in words. A case found twice is listed once."""
        names = names or self._names()
        limits = thresholds(date(self.year, 12, 31), self.funder.pk)
        words = SignalWords.of(self.data, names)
        signals: list[dict] = []
        seen: set[str] = set()
        for row in rows(self.signals):
            key = json.dumps(
                [row.code, int(row.holder_id), int(row.provider_id), row.evidence],
                sort_keys=True,
                default=str,
            )
            if key in seen:
                continue
            seen.add(key)
            signal = SIGNALS[row.code]
            found = {
                "code": row.code,
                "level": signal.level,
                "title": str(signal.title),
                "rule": signal.rule_text(limits),
                "holder": None if row.holder_id < 0 else int(row.holder_id),
                "holder_name": names["holders"].get(int(row.holder_id), ""),
                "provider": None if row.provider_id < 0 else int(row.provider_id),
                "provider_name": names["providers"].get(int(row.provider_id), ""),
                "evidence": row.evidence,
            }
            found["links"] = words.links(found)
            signals.append(found)
        return signals

    def _names(self) -> dict[str, dict[int, str]]:
        holder_ids = set(self.data.budgets["holder_id"].tolist())
        return {
            "holders": {
                holder.pk: holder.display_name
                for holder in BudgetHolder.objects.filter(pk__in=holder_ids).only(
                    "pk", "first_name", "initials", "surname"
                )
            },
            "providers": dict(
                zip(self.data.providers["provider_id"], self.data.providers["name"], strict=True)
            ),
            "products": {product.pk: product.name for product in CareProduct.objects.all()},
        }


NO_GRANTS = _("The funder has no grants in this year.")

#: the columns of a grant that name it in words (its scheme and period) and its holder
GRANT_COLUMNS = ["budget_id", "holder_id", "scheme", "start", "end"]


def _grant_words(row) -> dict:
    return {"scheme": row.scheme, "start": iso(row.start), "end": iso(row.end)}


#: holders (or providers' holders) linked from one signal; the evidence holds all of them
MAX_LINKS = 10


@dataclass
class SignalWords:
    """What a signal's links need to name their pages in words: the names of holders and
    providers, each agreement's holder and provider, each declaration's month and each
    grant's scheme and period (all from the report's frames: no query)."""

    holders: dict[int, str]
    providers: dict[int, str]
    agreements: dict[int, tuple[int, int]]  # agreement -> (holder, provider)
    agreement_of_version: dict[int, int]
    holders_of_provider: dict[int, list[int]]
    declaration_months: dict[int, date]
    grants: dict[int, tuple[int, str, date, date]]  # budget -> (holder, scheme, start, end)

    @classmethod
    def of(cls, data: ReportData, names: dict) -> Self:
        versions = data.versions
        holders_of_provider: dict[int, list[int]] = {}
        for provider, holder in sorted(
            set(zip(versions["provider_id"].tolist(), versions["holder_id"].tolist(), strict=True))
        ):
            holders_of_provider.setdefault(provider, []).append(holder)
        declared = data.spend[data.spend["declaration_id"] >= 0].drop_duplicates("declaration_id")
        budgets = data.budgets
        return cls(
            holders=names["holders"],
            providers=names["providers"],
            agreements={
                agreement: (holder, provider)
                for agreement, holder, provider in zip(
                    versions["agreement_id"].tolist(),
                    versions["holder_id"].tolist(),
                    versions["provider_id"].tolist(),
                    strict=True,
                )
            },
            agreement_of_version=dict(
                zip(versions["version_id"].tolist(), versions["agreement_id"].tolist(), strict=True)
            ),
            holders_of_provider=holders_of_provider,
            declaration_months={
                int(pk): month.date()
                for pk, month in zip(declared["declaration_id"], declared["month"], strict=True)
            },
            grants={
                int(row.budget_id): (
                    int(row.holder_id),
                    row.scheme,
                    row.start.date(),
                    row.end.date(),
                )
                for row in rows(budgets)
            },
        )

    def holder_name(self, holder: int) -> str:
        return self.holders.get(holder) or gettext("a holder out of this report")

    def links(self, signal: dict) -> list[dict[str, str]]:
        """The pages an auditor may open for a signal, each with its kind: the holder's
        dashboard (or each holder's, for a representative of many), the providers page of the
        holder (or of each holder the provider cares for on these grants), the agreement, the
        declaration and its evidence pack, and the grant."""
        found = signal["evidence"]
        holder = signal["holder"]
        links: list[dict[str, str]] = []
        holder_ids = [holder] if holder is not None else found.get("holder_ids") or []
        for pk in holder_ids[:MAX_LINKS]:
            links.append(
                _link("holder", self.holder_name(pk), reverse("budgets:dashboard", args=[pk]))
            )
        provider_ids = found.get("provider_ids") or (
            [signal["provider"]] if signal["provider"] is not None else []
        )
        for provider in provider_ids:
            name = self.providers.get(provider, "")
            cared_for = (
                [holder] if holder is not None else self.holders_of_provider.get(provider, [])
            )
            for pk in cared_for[:MAX_LINKS]:
                label = (
                    name
                    if holder is not None
                    else gettext("%(provider)s, provider of %(holder)s")
                    % {"provider": name, "holder": self.holder_name(pk)}
                )
                links.append(_link("provider", label, reverse("contracts:providers", args=[pk])))
        agreement = found.get("agreement") or self.agreement_of_version.get(found.get("version"))
        if agreement:
            _holder, provider = self.agreements.get(agreement, (None, None))
            label = (
                gettext("Care agreement with %(provider)s")
                % {"provider": self.providers.get(provider, "")}
                if provider is not None
                else gettext("The care agreement")
            )
            links.append(
                _link("agreement", label, reverse("contracts:agreement", args=[agreement]))
            )
        declaration = found.get("declaration")
        if declaration:
            month = self.declaration_months.get(declaration)
            links.append(
                _link(
                    "declaration",
                    gettext("Declaration of %(month)s") % {"month": format_month(month)}
                    if month
                    else gettext("The declaration"),
                    reverse("declarations:detail", args=[declaration]),
                )
            )
            links.append(
                _link(
                    "evidence_pack",
                    gettext("Its evidence pack (ZIP)"),
                    reverse("reports:evidence_pack", args=[declaration]),
                )
            )
        grant = found.get("grant")
        if grant in self.grants:
            grant_holder, scheme, start, end = self.grants[grant]
            links.append(
                _link(
                    "grant",
                    grant_text(scheme, start, end),
                    reverse("budgets:grant", args=[grant_holder, grant]),
                )
            )
        return links


def _link(kind: str, label: str, url: str) -> dict[str, str]:
    return {"kind": kind, "label": label, "url": url}
