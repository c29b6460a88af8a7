"""The rule catalogue: each rule has a stable code, a severity, a message in Dutch and English
with the figures filled in, how to fix it, its source and its validity dates. Rules are
registered by :func:`rule` in the modules of :mod:`declarations.validation.rules`, which also
fixes their order; their figures come from the dated tables, never from the rule itself."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pgb_admin.core.dates import format_date, week_label

from ..constants import Severity

if TYPE_CHECKING:
    import pandas as pd

    from .engine import Context

# a rule's check: the offences found in the prepared frames, or None for none
Check = Callable[["Context"], "pd.DataFrame | None"]
CheckT = TypeVar("CheckT", bound=Check)


class Param:
    """How a figure in a message is stored (JSON-safe text) and shown."""

    MONEY = "money"  # '18.50' -> € 18,50
    HOURS = "hours"  # '7.25'  -> 7,25
    NUMBER = "number"  # '3'
    DATE = "date"  # '2026-10-03' -> 3-10-2026 (nl), 3 Oct 2026 (en)
    END_DATE = "end_date"  # a date as DATE, '' for none -> 'open-ended'
    WEEK = "week"  # '2026-W40' -> week 40 (28 sep - 4 okt), with an en dash
    CARER_CLASS = "carer_class"  # 'formal' -> formele zorg
    # a care product's code; shown by its name in the page's language, which the finding
    # stores beside it as <name>_nl and <name>_en
    PRODUCT = "product"
    TEXT = "text"


def format_param(kind: str, value: str | None) -> str:
    if kind == Param.END_DATE:
        return format_date(value) if value else str(_("never (open-ended)"))
    if value is None or value == "":
        return "–"
    if kind == Param.MONEY:
        return "€ " + formats.number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    if kind == Param.HOURS:
        return formats.number_format(Decimal(value).normalize(), use_l10n=True)
    if kind == Param.DATE:
        return format_date(value)
    if kind == Param.WEEK:
        return week_label(value)
    if kind == Param.CARER_CLASS:
        from pgb_admin.figures.constants import CarerClass

        return str(CarerClass(value).label).lower()
    return str(value)


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: Promise
    message: Promise
    fix: Promise
    source: Promise | str  # lazy: shown in the page's language (a bare title may be str)
    valid_from: date
    check: Check = field(repr=False)
    valid_to: date | None = None
    params: dict[str, str] = field(default_factory=dict)

    def render(self, params: Mapping[str, str | None]) -> str:
        values = {name: format_param(kind, params.get(name)) for name, kind in self.params.items()}
        language = "en" if (get_language() or "nl").startswith("en") else "nl"
        for name, kind in self.params.items():
            if kind == Param.PRODUCT and params.get(f"{name}_{language}"):
                values[name] = str(params[f"{name}_{language}"])
        return str(self.message) % values

    @property
    def blocks_export(self) -> bool:
        return self.severity == Severity.ERROR


_REGISTERED: dict[Check, Rule] = {}


def rule(
    *,
    code: str,
    severity: str,
    title: Promise,
    message: Promise,
    fix: Promise,
    source: Promise | str,
    valid_from: date,
    valid_to: date | None = None,
    params: dict[str, str] | None = None,
) -> Callable[[CheckT], CheckT]:
    """Register a check function as a rule. The function takes the prepared
    :class:`~declarations.validation.engine.Context` and returns a DataFrame of offences with a
    ``declaration_id`` column, optionally ``care_date``, and one column per parameter."""

    def register(check: CheckT) -> CheckT:
        if any(registered.code == code for registered in _REGISTERED.values()):
            raise ValueError(f"rule {code} registered twice")
        _REGISTERED[check] = Rule(
            code=code,
            severity=severity,
            title=title,
            message=message,
            fix=fix,
            source=source,
            valid_from=valid_from,
            valid_to=valid_to,
            params=params or {},
            check=check,
        )
        return check

    return register


@cache
def catalogue() -> dict[str, Rule]:
    """Every rule by code, in the order of :data:`declarations.validation.rules.ORDER`."""
    from .rules import ORDER

    rules = {_REGISTERED[check].code: _REGISTERED[check] for check in ORDER}
    if len(rules) != len(ORDER) or len(rules) != len(_REGISTERED):
        raise ValueError("every registered rule must be in rules.ORDER exactly once")
    return rules
