"""The reports as files: XLSX with native Excel charts (openpyxl, :mod:`reports.workbook`),
CSV (UTF-8, ``;``), and PNG or SVG charts (:mod:`reports.charts`). They are written from the
reports' dicts, so every file says what the JSON says, and in the words of the page
(:mod:`reports.labels`): "Wmo 2015", not ``wmo``; months and days as dates. Text that a
spreadsheet could take for a formula is neutralised as in the exports
(:mod:`pgb_admin.core.spreadsheets`).
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from pgb_admin.core.spreadsheets import csv_bytes

from . import charts, labels
from .charts import TOP_PROVIDERS
from .workbook import Month, Share, bar_chart, line_chart, new_workbook, save, sheet

__all__ = [
    "TOP_PROVIDERS",
    "exhaustion_chart",
    "exhaustion_csv",
    "exhaustion_xlsx",
    "municipality_chart",
    "municipality_csv",
    "municipality_xlsx",
]


def _number(text):
    return None if text is None else Decimal(text)


def _month(text: str | None) -> Month | None:
    day = labels.month_of(text)
    return None if day is None else Month(day)


# --- a holder's grants -------------------------------------------------------------------


def _grant_label(grant: dict) -> str:
    return labels.grant_text(grant["scheme"], grant["start_date"], grant["end_date"])


def exhaustion_xlsx(report: dict) -> bytes:
    workbook = new_workbook()
    summary = sheet(
        workbook,
        _("Grants"),
        [_("grant"), _("scheme"), _("start"), _("end"), _("granted"), _("paid"),
         _("validated, not yet paid"), _("used"), _("committed"), _("remaining"), _("used %"),
         _("burn rate (recent months)"), _("runs out (trend)"), _("balance at end (trend)"),
         _("runs out (agreements)"), _("balance at end (agreements)"), _("alerts")],
        [
            [_grant_label(g), labels.scheme_label(g["scheme"]), labels.day_of(g["start_date"]),
             labels.day_of(g["end_date"]), _number(g["granted"]),
             _number(g["paid"]), _number(g["validated_unpaid"]), _number(g["used"]),
             _number(g["committed"]), _number(g["remaining"]), Share(g["used_pct"]),
             _number(g["burn_rate"]["recent"]),
             labels.day_of(g["projection"]["trend"]["run_out"]),
             _number(g["projection"]["trend"]["balance_at_end"]),
             labels.day_of(g["projection"]["agreed"]["run_out"]),
             _number(g["projection"]["agreed"]["balance_at_end"]),
             " ".join(alert["message"] for alert in g["alerts"])]
            for g in report["grants"]
        ],
    )  # fmt: skip
    for number, grant in enumerate(report["grants"], start=1):
        _grant_sheet(workbook, grant, number)
    if not report["grants"]:
        summary.append([report["message"]])
    return save(workbook)


def _grant_sheet(workbook, grant: dict, number: int) -> None:
    granted = _number(grant["granted"])
    months = grant["months"]
    providers = grant["by_provider"]
    ws = sheet(
        workbook,
        f"{_('Grant')} {number}",
        [_("month"), _("spent"), _("spent, cumulative"), _("projection (trend)"),
         _("projection (agreements)"), _("granted")],
        [
            [_month(m["month"]), _number(m["actual"]),
             _number(m["actual_cumulative"]) if m["elapsed"] else None,
             _number(m["trend_cumulative"]), _number(m["agreed_cumulative"]), granted]
            for m in months
        ],
    )  # fmt: skip
    if months:
        line_chart(
            ws,
            title=f"{_('Cumulative spend against the grant')} ({_grant_label(grant)})",
            min_col=3,
            max_col=6,
            rows=len(months),
            x_title=_("Month"),
            y_title=_("Spent"),
            anchor="H2",
        )
    if providers:
        top = providers[:TOP_PROVIDERS]
        by_provider = sheet(
            workbook,
            f"{_('Grant')} {number} – {_('By provider')}",
            [_("Provider"), _("Spent")],
            [[p["name"], _number(p["used"])] for p in providers],
        )
        bar_chart(
            by_provider,
            title=_("Spend by provider"),
            value_column=2,
            rows=len(top),
            x_title=_("Provider"),
            y_title=_("Spent"),
            anchor="D2",
            horizontal=True,
        )


def exhaustion_csv(report: dict) -> bytes:
    return csv_bytes(
        ["budget", "scheme", "month", "spent", "spent_cumulative", "projection_trend",
         "projection_agreements", "granted"],
        [
            [g["budget"], g["scheme"], m["month"], m["actual"],
             m["actual_cumulative"] if m["elapsed"] else "", m["trend_cumulative"],
             m["agreed_cumulative"], g["granted"]]
            for g in report["grants"]
            for m in g["months"]
        ],
    )  # fmt: skip


def exhaustion_chart(report: dict, file_format: str) -> bytes:
    return charts.exhaustion_chart(report, file_format, _grant_label)


# --- a municipality ------------------------------------------------------------------------


def municipality_xlsx(report: dict) -> bytes:
    """The report in the page's words: the same titles, column headers and labels."""
    workbook = new_workbook()
    _summary_sheet(workbook, report)
    months = report["spend_by_month"]
    ws = sheet(
        workbook,
        _("By month"),
        [labels.MONTH, labels.SPENT],
        [[_month(m["month"]), _number(m["used"])] for m in months],
    )
    if months:
        bar_chart(
            ws,
            title=_("Spend by month"),
            value_column=2,
            rows=len(months),
            x_title=labels.MONTH,
            y_title=labels.SPENT,
            anchor="D2",
            months=True,
        )
    providers = report["spend_by_provider"]
    ws = sheet(
        workbook,
        _("By provider"),
        [labels.PROVIDER, labels.SPENT, labels.HOLDERS],
        [[p["name"], _number(p["used"]), p["holders"]] for p in providers],
    )
    if providers:
        bar_chart(
            ws,
            title=_("Spend by provider"),
            value_column=2,
            rows=min(len(providers), TOP_PROVIDERS),
            x_title=labels.PROVIDER,
            y_title=labels.SPENT,
            anchor="E2",
            horizontal=True,
        )
    sheet(workbook, _("By scheme"), [labels.SCHEME, labels.SPENT],
          [[labels.scheme_label(s["scheme"]), _number(s["used"])]
           for s in report["spend_by_scheme"]])  # fmt: skip
    sheet(workbook, _("By product"), [labels.CARE_PRODUCT, labels.SPENT],
          [[p["product"], _number(p["used"])] for p in report["spend_by_product"]])  # fmt: skip
    sheet(
        workbook,
        _("Formal and informal"),
        [labels.CARE, labels.SPENT, labels.SHARE],
        [
            [labels.carer_class_label(c["carer_class"]), _number(c["used"]), Share(c["share_pct"])]
            for c in report["carer_classes"]
        ],
    )
    sheet(
        workbook,
        _("Above the maximum"),
        [labels.CARE_AGREEMENT, labels.HOLDER, labels.PROVIDER, labels.CARE, labels.UNIT,
         labels.RATE, labels.MAXIMUM, labels.SOURCE],
        [[_("Care agreement with %(provider)s") % {"provider": t.get("provider_name", "")},
          t.get("holder_name", ""), t.get("provider_name", ""),
          labels.carer_class_label(t["carer_class"]), labels.unit_label(t["unit"]),
          _number(t["rate"]), _number(t["maximum"]), t["source"]]
         for t in report["tariffs"]["above_maximum"]],
    )  # fmt: skip
    sheet(
        workbook,
        _("Budget not used (returns to the funder)"),
        [labels.HOLDER, labels.GRANT, labels.GRANT_ENDED, labels.LEFT],
        [[u["holder"], labels.grant_text(u.get("scheme"), u.get("start"), u.get("end")),
          str(labels.YES if u["ended"] else labels.NO_PROJECTED), _number(u["left"])]
         for u in report["underspend"]["grants"]],
    )  # fmt: skip
    sheet(
        workbook,
        _("Near exhaustion"),
        [labels.HOLDER, labels.GRANT, labels.USED, labels.RUNS_OUT],
        [[n["name"], labels.grant_text(n.get("scheme"), n.get("start"), n.get("end")),
          Share(n["used_pct"]), labels.day_of(n["run_out"])]
         for n in report["near_exhaustion"]],
    )  # fmt: skip
    sheet(
        workbook,
        _("Signals"),
        [labels.SIGNAL, labels.LEVEL, labels.RULE, labels.HOLDER, labels.PROVIDER,
         labels.EVIDENCE_TITLE, _("Look into")],
        [[s["title"], labels.signal_level_label(s["level"]), s["rule"],
          ", ".join(link["label"] for link in s["links"] if link.get("kind") == "holder")
          or s["holder_name"],
          s["provider_name"], labels.evidence_text(s["evidence"]),
          ", ".join(link["label"] for link in s["links"]
                    if link.get("kind") not in ("holder", "provider"))]
         for s in report["signals"]],
    )  # fmt: skip
    return save(workbook)


def _summary_sheet(workbook, report: dict) -> None:
    totals = report["totals"]
    funder = report["funder"]
    sheet(
        workbook,
        _("Summary"),
        [_("Figure"), _("Value")],
        [[_("Funder"), funder.get("title") or funder["name"]],
         [_("Year"), str(report["year"])],
         [_("Spend is counted up to and including"), _month(report["reference_month"])],
         [labels.HOLDERS, totals["holders"]],
         [_("Grants"), totals["grants"]],
         [_("Granted"), _number(totals["granted"])],
         [_("Used (paid and validated)"), _number(totals["used"])],
         [_("Paid"), _number(totals["paid"])],
         [_("Validated, not yet paid"), _number(totals["validated_unpaid"])],
         [_("Committed (fixed pay and agreements)"), _number(totals["committed"])],
         [_("Remaining"), _number(totals["remaining"])],
         [_("Spend in %(year)s") % {"year": report["year"]}, _number(totals["spend_in_year"])],
         [_("Left on ended grants (returns to the funder)"),
          _number(report["underspend"]["ended_grants"])],
         [_("Projected left on running grants (from the agreements)"),
          _number(report["underspend"]["projected_for_running_grants"])],
         [_("Signals"), len(report["signals"])]],
    )  # fmt: skip


def municipality_csv(report: dict) -> bytes:
    """One row per signal, then the spend per provider: what an auditor works through."""
    signals = [
        ["signal", s["code"], s["holder"] or "", s["holder_name"], s["provider"] or "",
         s["provider_name"], "",
         "; ".join(f"{k}={v}" for k, v in {"level": s["level"], **s["evidence"]}.items())]
        for s in report["signals"]
    ]  # fmt: skip
    providers = [
        ["provider_spend", "", "", "", p["provider"], p["name"], p["used"],
         f"holders={p['holders']}"]
        for p in report["spend_by_provider"]
    ]  # fmt: skip
    return csv_bytes(
        ["record", "code", "holder", "holder_name", "provider", "provider_name", "amount",
         "evidence"],
        signals + providers,
    )  # fmt: skip


def municipality_chart(report: dict, file_format: str) -> bytes:
    return charts.municipality_chart(report, file_format)
