"""The reports as files: XLSX with native Excel charts (openpyxl), CSV (UTF-8, ``;``), and
PNG or SVG charts (matplotlib, Agg backend: no display needed). They are written from the
reports' dicts, so every file says what the JSON says. Text that a spreadsheet could take for
a formula is neutralised as in the exports (:mod:`pgb_admin.core.spreadsheets`).
"""

import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from pgb_admin.core.spreadsheets import BOLD, MONEY_FORMAT, csv_bytes, sheet_value

TOP_PROVIDERS = 20  # providers drawn in the charts; the tables hold all of them


def _number(text):
    return None if text is None else Decimal(text)


def _float(text) -> float:
    return 0.0 if text is None else float(text)


def _sheet(
    workbook: Workbook, title: str, header: list[str], rows: Iterable[Iterable[object]]
) -> Worksheet:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append([sheet_value(value) for value in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
    return sheet


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _chart_bytes(figure: Figure, file_format: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=file_format, bbox_inches="tight", metadata=_metadata(file_format))
    pyplot.close(figure)
    return buffer.getvalue()


def _metadata(file_format: str) -> dict:
    # no creation date or software version in the file: the same report gives the same bytes
    return {"Date": None} if file_format == "svg" else {"Software": None}


# --- a holder's grants -------------------------------------------------------------------


def _grant_label(grant: dict) -> str:
    return f"{grant['scheme'].upper()} {grant['start_date']} – {grant['end_date']}"


def exhaustion_xlsx(report: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet it starts with
    summary = _sheet(
        workbook,
        _("Grants"),
        [_("grant"), _("scheme"), _("start"), _("end"), _("granted"), _("paid"),
         _("validated, not yet paid"), _("used"), _("committed"), _("remaining"), _("used %"),
         _("burn rate (recent months)"), _("runs out (trend)"), _("balance at end (trend)"),
         _("runs out (agreements)"), _("balance at end (agreements)"), _("alerts")],
        [
            [g["budget"], g["scheme"], g["start_date"], g["end_date"], _number(g["granted"]),
             _number(g["paid"]), _number(g["validated_unpaid"]), _number(g["used"]),
             _number(g["committed"]), _number(g["remaining"]), g["used_pct"],
             _number(g["burn_rate"]["recent"]), g["projection"]["trend"]["run_out"],
             _number(g["projection"]["trend"]["balance_at_end"]),
             g["projection"]["agreed"]["run_out"],
             _number(g["projection"]["agreed"]["balance_at_end"]),
             " ".join(alert["message"] for alert in g["alerts"])]
            for g in report["grants"]
        ],
    )  # fmt: skip
    for grant in report["grants"]:
        _grant_sheet(workbook, grant)
    if not report["grants"]:
        summary.append([report["message"]])
    return _save(workbook)


def _grant_sheet(workbook: Workbook, grant: dict) -> None:
    granted = _number(grant["granted"])
    months = grant["months"]
    sheet = _sheet(
        workbook,
        f"{_('Grant')} {grant['budget']}",
        [_("month"), _("spent"), _("spent, cumulative"), _("projection (trend)"),
         _("projection (agreements)"), _("granted")],
        [
            [m["month"], _number(m["actual"]),
             _number(m["actual_cumulative"]) if m["elapsed"] else None,
             _number(m["trend_cumulative"]), _number(m["agreed_cumulative"]), granted]
            for m in months
        ],
    )  # fmt: skip
    if months:
        chart = LineChart()
        chart.title = f"{_('Cumulative spend against the grant')} ({_grant_label(grant)})"
        chart.y_axis.title = "€"
        chart.height, chart.width = 9, 18
        data = Reference(sheet, min_col=3, max_col=6, min_row=1, max_row=len(months) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(months) + 1))
        sheet.add_chart(chart, "H2")
    providers = grant["by_provider"]
    if providers:
        start = len(months) + 4
        sheet.cell(row=start, column=1, value=_("provider")).font = BOLD
        sheet.cell(row=start, column=2, value=_("spent")).font = BOLD
        for offset, provider in enumerate(providers, start=1):
            sheet.cell(row=start + offset, column=1, value=sheet_value(provider["name"]))
            cell = sheet.cell(row=start + offset, column=2, value=_number(provider["used"]))
            cell.number_format = MONEY_FORMAT
        bars = BarChart()
        bars.title = _("Spend by provider")
        bars.height, bars.width = 7, 18
        last = start + min(len(providers), TOP_PROVIDERS)
        bars.add_data(
            Reference(sheet, min_col=2, min_row=start, max_row=last), titles_from_data=True
        )
        bars.set_categories(Reference(sheet, min_col=1, min_row=start + 1, max_row=last))
        sheet.add_chart(bars, "H22")


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
    grants = report["grants"] or [None]
    figure, axes = pyplot.subplots(len(grants), 1, figsize=(8, 3.2 * len(grants)), squeeze=False)
    for axis, grant in zip(axes[:, 0], grants, strict=True):
        if grant is None:
            axis.text(0.5, 0.5, report["message"], ha="center", va="center")
            axis.set_axis_off()
            continue
        months = grant["months"]
        x = list(range(len(months)))
        elapsed = sum(1 for m in months if m["elapsed"])
        axis.plot(
            x[:elapsed],
            [_float(m["actual_cumulative"]) for m in months[:elapsed]],
            label=_("spent"),
            linewidth=2,
        )
        # the projections start where the spend so far ends
        ahead = slice(max(elapsed - 1, 0), len(months))
        for name, style, label in (
            ("trend", "--", _("projection (trend)")),
            ("agreed", ":", _("projection (agreements)")),
        ):
            axis.plot(
                x[ahead],
                [_float(m[f"{name}_cumulative"]) for m in months[ahead]],
                linestyle=style,
                label=label,
            )
        axis.axhline(_float(grant["granted"]), color="black", linewidth=1, label=_("granted"))
        axis.set_xticks(x, [m["month"] for m in months], rotation=45, fontsize=7)
        axis.set_title(_grant_label(grant), fontsize=9)
        axis.set_ylabel("€")
        axis.set_ylim(bottom=0)
        axis.legend(fontsize=7)
    figure.suptitle(f"{report['holder']['name']}: {_('cumulative spend against the grant')}")
    figure.tight_layout()
    return _chart_bytes(figure, file_format)


# --- a municipality ------------------------------------------------------------------------


def municipality_xlsx(report: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet it starts with
    totals = report["totals"]
    _sheet(
        workbook,
        _("Summary"),
        [_("figure"), _("value")],
        [[_("funder"), f"{report['funder']['name']} ({report['funder']['code']})"],
         [_("year"), report["year"]], [_("holders"), totals["holders"]],
         [_("grants"), totals["grants"]], [_("granted"), _number(totals["granted"])],
         [_("used"), _number(totals["used"])], [_("paid"), _number(totals["paid"])],
         [_("validated, not yet paid"), _number(totals["validated_unpaid"])],
         [_("committed"), _number(totals["committed"])],
         [_("remaining"), _number(totals["remaining"])],
         [_("budget not used on ended grants (returns to the funder)"),
          _number(report["underspend"]["ended_grants"])],
         [_("budget projected not to be used on running grants (returns to the funder)"),
          _number(report["underspend"]["projected_for_running_grants"])],
         [_("signals"), len(report["signals"])]],
    )  # fmt: skip
    months = report["spend_by_month"]
    sheet = _sheet(
        workbook,
        _("By month"),
        [_("month"), _("spent")],
        [[m["month"], _number(m["used"])] for m in months],
    )
    if months:
        chart = BarChart()
        chart.title = _("Spend by month")
        chart.add_data(
            Reference(sheet, min_col=2, min_row=1, max_row=len(months) + 1), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(months) + 1))
        sheet.add_chart(chart, "D2")
    providers = report["spend_by_provider"]
    sheet = _sheet(
        workbook,
        _("By provider"),
        [_("provider"), _("spent"), _("holders")],
        [[p["name"], _number(p["used"]), p["holders"]] for p in providers],
    )
    if providers:
        bars = BarChart()
        bars.type = "bar"
        bars.title = _("Spend by provider")
        last = min(len(providers), TOP_PROVIDERS) + 1
        bars.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        bars.height, bars.width = 12, 18
        sheet.add_chart(bars, "E2")
    _sheet(workbook, _("By scheme"), [_("scheme"), _("spent")],
           [[s["scheme"], _number(s["used"])] for s in report["spend_by_scheme"]])  # fmt: skip
    _sheet(workbook, _("By product"), [_("product"), _("spent")],
           [[p["product"], _number(p["used"])] for p in report["spend_by_product"]])  # fmt: skip
    _sheet(
        workbook,
        _("Formal and informal"),
        [_("care"), _("spent"), _("share %")],
        [[c["carer_class"], _number(c["used"]), c["share_pct"]] for c in report["carer_classes"]],
    )
    _sheet(
        workbook,
        _("Above the maximum"),
        [_("version"), _("agreement"), _("holder"), _("provider"), _("care"), _("unit"),
         _("rate"), _("maximum"), _("source")],
        [[t["version"], t["agreement"], t["holder"], t["provider"], t["carer_class"], t["unit"],
          _number(t["rate"]), _number(t["maximum"]), t["source"]]
         for t in report["tariffs"]["above_maximum"]],
    )  # fmt: skip
    _sheet(
        workbook,
        _("Budget not used (returns to the funder)"),
        [_("grant"), _("holder"), _("ended"), _("left")],
        [[u["budget"], u["holder"], u["ended"], _number(u["left"])]
         for u in report["underspend"]["grants"]],
    )  # fmt: skip
    _sheet(
        workbook,
        _("Near exhaustion"),
        [_("grant"), _("holder"), _("used %"), _("runs out")],
        [[n["budget"], n["name"], n["used_pct"], n["run_out"]] for n in report["near_exhaustion"]],
    )
    _sheet(
        workbook,
        _("Signals"),
        [_("signal"), _("level"), _("rule"), _("holder id"), _("holder"), _("provider id"),
         _("provider"), _("evidence")],
        [[s["title"], _("alarm") if s["level"] == "alarm" else _("context"), s["rule"],
          s["holder"] or "", s["holder_name"], s["provider"] or "", s["provider_name"],
          ", ".join(f"{key}: {value}" for key, value in s["evidence"].items())]
         for s in report["signals"]],
    )  # fmt: skip
    return _save(workbook)


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
    figure, (by_month, by_provider) = pyplot.subplots(2, 1, figsize=(8, 8))
    months = report["spend_by_month"]
    x = list(range(len(months)))
    by_month.bar(x, [_float(m["used"]) for m in months])
    by_month.set_xticks(x, [m["month"] for m in months], rotation=45, fontsize=7)
    by_month.set_title(_("Spend by month"))
    by_month.set_ylabel("€")
    top = report["spend_by_provider"][:TOP_PROVIDERS][::-1]
    y = list(range(len(top)))
    by_provider.barh(y, [_float(p["used"]) for p in top])
    by_provider.set_yticks(y, [p["name"][:30] for p in top])
    by_provider.set_title(_("Spend by provider"))
    by_provider.tick_params(axis="y", labelsize=7)
    figure.suptitle(f"{report['funder']['name']} {report['year']}")
    figure.tight_layout()
    return _chart_bytes(figure, file_format)
