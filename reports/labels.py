"""The words of the municipal report, one source for its page, its XLSX and its charts: the
labels of codes (scheme, care, unit), the column titles, months and weeks in the page's
language, and a signal's evidence as label and value. Nothing here writes an internal id."""

from datetime import date
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.constants import ProviderKind
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.budgets.constants import AdmissionKind, Scheme
from pgb_admin.core import dates
from pgb_admin.core.periods import parse_month
from pgb_admin.core.templatetags.pgb import euro, quantity
from pgb_admin.figures.constants import CarerClass, RateUnit

# --- column titles: the page's table headers, the XLSX's header row ---------------------------
MONTH = _("Month")
SPENT = _("Spent")
PROVIDER = _("Provider")
HOLDER = _("Holder")
HOLDERS = _("Holders")
SCHEME = _("Scheme")
CARE_PRODUCT = _("Care product")
CARE = _("Care")
SHARE = _("Share")
GRANT = _("Grant")
LEFT = _("Left")
GRANT_ENDED = _("Grant ended")
USED = _("Used")
RUNS_OUT = _("Runs out")
CARE_AGREEMENT = _("Care agreement")
UNIT = _("Unit")
RATE = _("Rate")
MAXIMUM = _("Maximum")
SOURCE = _("Source of the maximum")
SIGNAL = _("Signal")
RULE = _("Rule")
EVIDENCE_TITLE = _("Evidence")
LEVEL = _("Level")
ALARM_LABEL = _("Alarm")
CONTEXT_LABEL = _("Context")
YES, NO_PROJECTED = _("yes"), _("no, projected")


def choice_label(choices, value) -> str:
    """A code's label in the page's language ("Wmo 2015" for ``wmo``); the code itself when
    it is not one of the choices."""
    try:
        return str(choices(value).label)
    except ValueError:
        return "" if value is None else str(value)


def scheme_label(value) -> str:
    return choice_label(Scheme, value)


def carer_class_label(value) -> str:
    return choice_label(CarerClass, value)


def unit_label(value) -> str:
    return choice_label(RateUnit, value)


def month_of(text: str | None) -> date | None:
    """``"2026-03"`` as the first of March 2026."""
    return parse_month(text) if text else None


def day_of(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def grant_text(scheme: str, start: date | str | None, end: date | str | None) -> str:
    """A grant in words: "Wmo 2015 grant, 1 januari to 31 december 2026"."""
    return gettext("%(scheme)s grant, %(period)s") % {
        "scheme": scheme_label(scheme),
        "period": dates.format_period(start, end),
    }


def signal_level_label(level: str) -> str:
    return str(ALARM_LABEL if level == "alarm" else CONTEXT_LABEL)


# --- a signal's evidence -------------------------------------------------------------------------

#: what each key of a signal's evidence means, and how to show its value
EVIDENCE = {
    "rate_cents": (_("Agreed rate"), "cents"),
    "maximum_cents": (_("Maximum rate"), "cents"),
    "source": (_("Source of the maximum"), "text"),
    "holders": (_("Holders"), "count"),
    "kind": (_("Kind of provider"), "provider_kind"),
    "week": (_("Week"), "week"),
    "hours": (_("Hours"), "quantity"),
    "ended": (_("Agreement ended on"), "date"),
    "first_day_after": (_("First day of care after the end"), "date"),
    "days": (_("Days with care"), "count"),
    "month": (_("Month"), "month"),
    "declared_hours": (_("Declared hours"), "quantity"),
    "agreed_hours": (_("Agreed hours"), "quantity"),
    "spend_cents": (_("Spend in the month"), "cents"),
    "usual_cents": (_("Average month before"), "cents"),
    "iban": (_("IBAN (masked)"), "text"),
    "providers": (_("Providers paid into it"), "count"),
    "indicated_hours": (_("Indicated hours"), "quantity"),
    "admission": (_("Admitted to"), "admission_kind"),
    "admitted_from": (_("Admitted from"), "date"),
    "admitted_to": (_("Admitted until"), "date"),
    "first_day": (_("First day of care during the admission"), "date"),
    "died": (_("Date of death"), "date"),
    "role": (_("Acting as"), "mandate_role"),
    "representative": (_("Representative or bureau"), "text"),
    "provider_name": (_("Provider's name"), "text"),
    "matched_on": (_("Matched on"), "matched_on"),
    "postcode": (_("Postcode (masked)"), "text"),
    "hours_per_week": (_("Agreed hours a week"), "quantity"),
    "account_holder": (_("Account in the name of"), "text"),
    "first_month": (_("First month"), "month"),
    "last_month": (_("Last month"), "month"),
    "months": (_("Months in a row"), "count"),
    "amount_cents": (_("Amount each month"), "cents"),
    "unit": (_("Unit"), "rate_unit"),
    "day": (_("Day"), "date"),
}
#: evidence keys that are not shown as figures: they name what the signal links to (the
#: holders, providers, agreement, declaration and grant), in words, beside it
LINK_KEYS = frozenset(
    {"holder_ids", "provider_ids", "version", "agreement", "declaration", "grant"}
)
#: evidence left out when it is zero (no hours declared: a monthly amount)
NOT_WHEN_NONE = frozenset({"declared_hours"})
MATCHED_ON = {
    "name": _("the provider's name"),
    "account_holder": _("the name on the provider's bank account"),
    "surname": _("the holder's surname in the provider's name"),
    "address": _("the holder's address"),
}
_CHOICES = {
    "provider_kind": ProviderKind,
    "admission_kind": AdmissionKind,
    "mandate_role": MandateRole,
    "rate_unit": RateUnit,
}


def evidence_items(evidence: dict) -> list[dict]:
    """The evidence as ``{label, value, kind}``: money as Decimal (kind ``money``), days and
    months as dates, hours as ``quantity``, codes as their label (kind ``text``)."""
    return [
        _evidence_item(key, value)
        for key, value in evidence.items()
        if key not in LINK_KEYS and value is not None and not (key in NOT_WHEN_NONE and not value)
    ]


def _evidence_item(key: str, value) -> dict:
    label, kind = EVIDENCE.get(key, (key.replace("_", " "), "text"))
    if kind == "cents":
        value, kind = Decimal(int(value)) / 100, "money"
    elif kind == "date":
        value = day_of(value)
    elif kind == "month":
        value = month_of(value)
    elif kind == "week":
        value, kind = dates.week_label(str(value)), "text"
    elif kind in _CHOICES:
        value, kind = choice_label(_CHOICES[kind], value), "text"
    elif kind == "matched_on":
        value, kind = str(MATCHED_ON.get(value, value)), "text"
    return {"label": str(label), "value": value, "kind": kind}


def evidence_value_text(item: dict) -> str:
    """One evidence value as the page writes it ("€ 270,00", "maart 2026", "7,5")."""
    value, kind = item["value"], item["kind"]
    if kind == "money":
        return euro(value)
    if kind == "quantity":
        return quantity(value)
    if kind == "date":
        return dates.format_date(value, "prose")
    if kind == "month":
        return dates.format_month(value)
    if kind == "count":
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    return str(value)


def evidence_text(evidence: dict) -> str:
    """The evidence in one line: "Maand: maart 2026; Gedeclareerde uren: 35"."""
    return "; ".join(
        f"{item['label']}: {evidence_value_text(item)}" for item in evidence_items(evidence)
    )
