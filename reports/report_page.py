"""What the municipal report page shows, from the report's dict: the signals grouped by kind
(a count and the rule of each kind, every case linked to its holder, provider and evidence),
the tables with their rows named in words (a grant as "Wmo 2015, 1 januari to 31 december
2026", an agreement by its provider), and the breadcrumbs. No internal id is written as text;
ids only make the links."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pgb_admin.audit.trail import AUDIT, report_crumb
from pgb_admin.budgets.models import Funder
from pgb_admin.budgets.naming import funder_title
from pgb_admin.core.dates import format_month
from pgb_admin.core.templatetags.pgb import euro

from . import labels
from .files import TOP_PROVIDERS
from .signals import ALARM

#: rows of a long table shown on the page; the XLSX holds all of them
PAGE_ROWS = 50
#: cases of one kind of signal shown on the page; the XLSX holds all of them
PAGE_CASES = 25
#: kinds of link that say where to look beside the holder and the provider
EVIDENCE_LINKS = ("agreement", "declaration", "evidence_pack", "grant")


def report_title(funder: Funder) -> str:
    return funder_title(funder.name, funder.kind)


def report_breadcrumbs(funder: Funder, year: int) -> list[tuple[str, str]]:
    """Audit, then Gemeente Assen 2026 (the report is the page)."""
    return [(str(AUDIT), reverse("reports:audit")), (report_crumb(funder, year), "")]


def signal_groups(signals: list[dict]) -> list[dict]:
    """The signals by kind, in the order they come (alarms first): each kind once, with its
    title, its rule (what it means, in one line), how many cases and the cases."""
    groups: dict[str, dict] = {}
    for signal in signals:
        group = groups.setdefault(
            signal["code"],
            {
                "code": signal["code"],
                "anchor": "signal-" + signal["code"].replace("_", "-"),
                "title": signal["title"],
                "rule": signal["rule"],
                "level": signal["level"],
                "cases": [],
            },
        )
        group["cases"].append(signal_case(signal))
    for group in groups.values():
        group["count"] = len(group["cases"])
        group["more"] = max(group["count"] - PAGE_CASES, 0)
        group["cases"] = group["cases"][:PAGE_CASES]
    return list(groups.values())


def signal_case(signal: dict) -> dict:
    """One case: its holders and providers as links, its evidence as label and value, and the
    pages that hold the evidence (agreement, declaration, evidence pack, grant)."""
    links = signal["links"]
    return {
        "holders": [link for link in links if link["kind"] == "holder"],
        "providers": [link for link in links if link["kind"] == "provider"]
        or ([{"label": signal["provider_name"], "url": ""}] if signal["provider_name"] else []),
        "items": labels.evidence_items(signal["evidence"]),
        "evidence": [link for link in links if link["kind"] in EVIDENCE_LINKS],
    }


def _grant_row(row: dict, holder_id: int | None) -> dict:
    return {
        **row,
        "grant": labels.grant_text(row.get("scheme") or "", row.get("start"), row.get("end")),
        "grant_url": reverse("budgets:grant", args=[holder_id, row["budget"]]) if holder_id else "",
        "holder_url": reverse("budgets:dashboard", args=[holder_id]) if holder_id else "",
    }


def report_context(report, content: dict, form) -> dict:
    """The report's dict for the template, with its rows in words and their links."""
    code, year = report.funder.code, report.year
    signals = content["signals"]
    above = [
        {
            **row,
            "agreement_label": gettext("Care agreement with %(provider)s")
            % {"provider": row["provider_name"]},
            "carer_class_label": labels.carer_class_label(row["carer_class"]),
            "unit_label": labels.unit_label(row["unit"]),
        }
        for row in content["tariffs"]["above_maximum"]
    ]
    underspend = [_grant_row(row, row.get("holder_id")) for row in content["underspend"]["grants"]]
    near = [
        {**_grant_row(row, row["holder"]), "run_out_date": labels.day_of(row["run_out"])}
        for row in content["near_exhaustion"]
    ]
    return {
        "report": content,
        "form": form,
        "code": code,
        "year": year,
        "title": report_title(report.funder),
        "breadcrumbs": report_breadcrumbs(report.funder, year),
        "reference_month": labels.month_of(content["reference_month"]),
        "signals": signals,
        "signal_groups": signal_groups(signals),
        "alarms": sum(signal["level"] == ALARM for signal in signals),
        "by_month": [
            {"month": labels.month_of(row["month"]), "used": row["used"]}
            for row in content["spend_by_month"]
        ],
        "by_scheme": [
            {"scheme": labels.scheme_label(row["scheme"]), "used": row["used"]}
            for row in content["spend_by_scheme"]
        ],
        "carer_classes": [
            {**row, "label": labels.carer_class_label(row["carer_class"])}
            for row in content["carer_classes"]
        ],
        "above_maximum": above[:PAGE_ROWS],
        "above_maximum_more": max(len(above) - PAGE_ROWS, 0),
        "underspend": underspend[:PAGE_ROWS],
        "underspend_more": max(len(underspend) - PAGE_ROWS, 0),
        "near_exhaustion": near,
        "chart_alt": chart_alt(content, report_title(report.funder)),
        "downloads": [
            {"label": label, "url": f"{reverse(name, args=[code, file_format])}?year={year}"}
            for label, name, file_format in (
                (_("The report as an Excel workbook (XLSX)"), "reports:download", "xlsx"),
                (_("The signals and the spend per provider (CSV)"), "reports:download", "csv"),
                (_("The charts as SVG"), "reports:chart", "svg"),
                (_("The charts as PNG"), "reports:chart", "png"),
            )
        ],
    }


def chart_alt(content: dict, title: str) -> str:
    """What the chart shows, for its ``alt``: the two bar charts, the month with the most spend
    and the largest provider, and where the same figures are as tables."""
    months = content["spend_by_month"]
    providers = content["spend_by_provider"]
    if not months:
        return gettext("Bar charts of the spend of %(funder)s in %(year)s: there is no spend.") % {
            "funder": title,
            "year": content["year"],
        }
    top_month = max(months, key=lambda row: float(row["used"]))
    text = gettext(
        "Bar charts of the spend of %(funder)s in %(year)s. By month: the most in %(month)s "
        "(%(amount)s)."
    ) % {
        "funder": title,
        "year": content["year"],
        "month": format_month(top_month["month"]),
        "amount": euro(top_month["used"]),
    }
    if providers:
        text += " " + gettext(
            "By provider, the largest %(count)s: first %(provider)s (%(amount)s)."
        ) % {
            "count": min(len(providers), TOP_PROVIDERS),
            "provider": providers[0]["name"],
            "amount": euro(providers[0]["used"]),
        }
    return text + " " + gettext("The same figures are in the tables below the chart.")
