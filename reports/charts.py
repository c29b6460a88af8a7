"""The reports' charts as PNG or SVG (matplotlib, Agg backend: no display needed), in the
site's colours: petrol blue for what was spent, a light blue for the rest. Written for a phone:
a figure 5 inches wide with 12-point text stays about 12 pixels high when the image is scaled
to a 390-pixel screen; month names, not "2026-01", and never rotated; amounts with the page's
thousands separator ("€ 10.500"); every axis with its title. The same figures are tables on the
page, and the page's ``alt`` says what the chart shows.
"""

import io
import textwrap
from collections.abc import Callable

from django.utils import formats
from django.utils.translation import gettext as _

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pgb_admin.core.dates import month_abbreviation

from .labels import month_of

PETROL = "#00598a"  # the theme's accent: what was spent
LIGHT = "#7fb3d1"  # its lighter secondary
INK = "#1b1b1b"
GRID = "#d5d9dc"

WIDTH = 5.0  # inches: scaled to a 390 px phone, a 12-point letter is about 12 px high
DPI = 150  # PNG pixels per inch: 750 px wide, sharp on a phone's screen
TOP_PROVIDERS = 20  # providers in the workbook's chart; the tables hold all of them
CHART_PROVIDERS = 10  # providers in the picture, each name above its bar
NAME_LENGTH = 34  # a provider's name in the picture, then "…"

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "legend.fontsize": 11.5,
    "legend.frameon": False,
    "svg.hashsalt": "pgb-admin",  # the same chart gives the same bytes
    "svg.fonttype": "none",  # text stays text in an SVG: found, read aloud, translated
}


def _float(text) -> float:
    return 0.0 if text is None else float(text)


def whole_euros(value: float) -> str:
    """An axis amount in the page's language: "€ 10.500" (nl), "€ 10,500" (en)."""
    return "€\u00a0" + formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)


def _euro_axis(axis, bins: int = 5) -> None:
    axis.set_major_formatter(FuncFormatter(lambda value, _position: whole_euros(value)))
    axis.set_major_locator(MaxNLocator(nbins=bins, min_n_ticks=3))


def _month_labels(months: list[str]) -> list[str]:
    """Short month names ("jan", "feb"); a month that starts a new year says it ("jan\n2027")."""
    labels = []
    previous = None
    for text in months:
        day = month_of(text)
        if day is None:
            labels.append("")
            continue
        label = month_abbreviation(day)
        if previous is not None and day.year != previous.year:
            label += f"\n{day.year}"
        labels.append(label)
        previous = day
    return labels


def _month_axis(axis: Axes, months: list[str], room: int) -> None:
    """Month names under the bars or points, never rotated: when more months than ``room``
    names fit side by side, every second (third...) month is named; the table names all."""
    x = list(range(len(months)))
    step = max(1, -(-len(months) // room))
    labels = _month_labels(months)
    axis.set_xticks(x[::step], labels[::step])
    axis.set_xticks(x, minor=True)
    axis.set_xlabel(_("Month"))


def _short(name: str) -> str:
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1].rstrip() + "…"


def _draw(height: float, file_format: str, draw: Callable[[Figure], None]) -> bytes:
    with pyplot.rc_context(STYLE):  # type: ignore[arg-type]  # the stubs list each key
        figure = pyplot.figure(figsize=(WIDTH, height), layout="constrained")
        try:
            draw(figure)
            buffer = io.BytesIO()
            figure.savefig(
                buffer,
                format=file_format,
                dpi=DPI,
                metadata={"Date": None} if file_format == "svg" else {"Software": None},
            )
        finally:
            pyplot.close(figure)
    return buffer.getvalue()


def _empty(axis: Axes, message: str) -> None:
    axis.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    axis.set_axis_off()


# --- a municipality ------------------------------------------------------------------------------


def municipality_chart(report: dict, file_format: str) -> bytes:
    """Spend by month (bars) and by provider (the largest, horizontal bars with each name
    above its bar, so the names take no width from the bars on a phone)."""
    months = report["spend_by_month"]
    top = report["spend_by_provider"][:CHART_PROVIDERS]
    title = report["funder"].get("title") or report["funder"]["name"]
    month_height, provider_height = 3.6, 1.2 + 0.55 * max(len(top), 1)

    def draw(figure: Figure) -> None:
        figure.suptitle(f"{title} {report['year']}", x=0.02, ha="left", fontsize=14)
        upper, lower = figure.subfigures(
            2, 1, height_ratios=[month_height, provider_height], squeeze=False
        )[:, 0]
        _heading(upper, _("Spend by month"))
        by_month = upper.subplots()
        if months:
            x = list(range(len(months)))
            by_month.bar(x, [_float(m["used"]) for m in months], color=PETROL, width=0.7)
            _month_axis(by_month, [m["month"] for m in months], room=12)
            by_month.grid(axis="y")
            by_month.set_axisbelow(True)
            _euro_axis(by_month.yaxis)
            by_month.set_ylabel(_("Spent"))
        else:
            _empty(by_month, _("No spend in this year."))
        _heading(
            lower,
            _("Spend by provider (the %(count)s largest)") % {"count": CHART_PROVIDERS},
        )
        by_provider = lower.subplots()
        if top:
            _provider_bars(by_provider, top)
        else:
            _empty(by_provider, _("No spend in this year."))

    return _draw(0.4 + month_height + provider_height, file_format, draw)


def _heading(figure, text: str, size: float = 14) -> None:
    figure.suptitle(text, x=0.02, ha="left", fontsize=size, fontweight="bold")


def _provider_bars(axis: Axes, top: list[dict]) -> None:
    """Horizontal bars, largest on top, each provider's name and amount written above it."""
    values = [_float(p["used"]) for p in top]
    y = [-index for index in range(len(top))]
    axis.barh(y, values, color=LIGHT, edgecolor=PETROL, linewidth=1, height=0.45)
    for position, provider, value in zip(y, top, values, strict=True):
        axis.text(
            0,
            position + 0.3,
            f"{_short(provider['name'])} · {whole_euros(value)}",
            va="bottom",
            ha="left",
            fontsize=12,
        )
    axis.set_yticks([])
    axis.set_ylim(min(y) - 0.5, 0.9)
    axis.set_xlim(0, max(values) * 1.05 or 1)
    axis.grid(axis="x")
    axis.set_axisbelow(True)
    _euro_axis(axis.xaxis, bins=3)
    axis.set_xlabel(_("Spent"))
    axis.set_ylabel(_("Provider"))


# --- a holder's grants ---------------------------------------------------------------------------


def exhaustion_chart(report: dict, file_format: str, grant_label: Callable[[dict], str]) -> bytes:
    """Per grant: the spend so far (petrol), the projections (light, dashed and dotted) and
    the granted amount (a black line), cumulative over the grant's months."""
    grants = report["grants"] or [None]

    def draw(figure: Figure) -> None:
        parts = figure.subfigures(len(grants), 1, squeeze=False)[:, 0]
        title = f"{report['holder']['name']}: {_('cumulative spend against the grant')}"
        figure.suptitle(
            textwrap.fill(title, 42),
            x=0.02,
            ha="left",
            fontsize=13,
        )
        for part, grant in zip(parts, grants, strict=True):
            if grant is None:
                _empty(part.subplots(), report["message"])
                continue
            _heading(part, textwrap.fill(grant_label(grant), 46), size=12)
            _grant_axis(part.subplots(), grant)

    return _draw(0.6 + 4.6 * len(grants), file_format, draw)


def _grant_axis(axis: Axes, grant: dict) -> None:
    months = grant["months"]
    x = list(range(len(months)))
    elapsed = sum(1 for m in months if m["elapsed"])
    axis.plot(
        x[:elapsed],
        [_float(m["actual_cumulative"]) for m in months[:elapsed]],
        label=_("spent"),
        color=PETROL,
        linewidth=2.5,
    )
    # the projections start where the spend so far ends
    ahead = slice(max(elapsed - 1, 0), len(months))
    for name, style, text in (
        ("trend", "--", _("projection (trend)")),
        ("agreed", ":", _("projection (agreements)")),
    ):
        axis.plot(
            x[ahead],
            [_float(m[f"{name}_cumulative"]) for m in months[ahead]],
            linestyle=style,
            color=LIGHT if name == "trend" else PETROL,
            linewidth=2,
            label=text,
        )
    axis.axhline(_float(grant["granted"]), color=INK, linewidth=1, label=_("granted"))
    _month_axis(axis, [m["month"] for m in months], room=7)
    axis.grid(axis="y")
    axis.set_axisbelow(True)
    _euro_axis(axis.yaxis)
    axis.set_ylabel(_("Spent, cumulative"))
    highest = max(
        [_float(grant["granted"])]
        + [_float(m[key]) for m in months for key in ("trend_cumulative", "agreed_cumulative")]
        + [_float(m["actual_cumulative"]) for m in months[:elapsed]]
    )
    axis.set_ylim(0, highest * 1.08 or 1)
    axis.legend(loc="upper left", bbox_to_anchor=(0, -0.24), ncol=1)
