"""An overview's file as lines: every row read with the layout of its kind
(:mod:`.columns`), each cell that cannot be read named by row and column. The file itself
is read by the hours import's safe reader (hostile files refused the same way)."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from contracts.models import CareAgreement
from declarations.selectors.uploads import ImportRefused, Problem, Table, problem, read_upload
from pgb_admin.budgets.models import Budget
from pgb_admin.core.periods import is_supported

from .columns import LAYOUT_OF_KIND
from .constants import PAYMENT_KINDS, OverviewKind

CENT = Decimal("0.01")
LARGEST = Decimal(1_000_000_000)
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
MONTH_FORMATS = ("%Y-%m", "%m-%Y", "%m/%Y", "%Y/%m")
DUTCH_MONTHS = {name: number for number, name in enumerate((
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december"), 1)}  # fmt: skip
STATUS_LENGTH = 100


class _Refused(Exception):
    def __init__(self, code: str, message, **params) -> None:
        super().__init__(code)
        self.code, self.message, self.params = code, message, params


@dataclass(frozen=True)
class PaymentLine:
    row: int
    agreement_id: int
    month: date
    declared: Decimal | None
    paid: Decimal
    paid_on: date | None
    status: str


@dataclass(frozen=True)
class BalanceLine:
    row: int
    budget_id: int
    on: date
    balance: Decimal


Line = PaymentLine | BalanceLine


def read_overview(
    *, holder_id: int, kind: OverviewKind | str, filename: str, content: bytes
) -> list[Line]:
    """The lines of an overview file of ``kind`` for the holder. Raises
    :class:`ImportRefused` (nothing read) with every problem, each with its row and column."""
    table = read_upload(filename, content, LAYOUT_OF_KIND[OverviewKind(kind)])
    if not table.rows:
        raise ImportRefused(
            [problem("no_rows", _("The file has no rows with figures under its header."))]
        )
    if kind in PAYMENT_KINDS:
        return list(_payment_lines(table, holder_id))
    return list(_balance_lines(table, holder_id))


def _cells(table: Table, key: str, parser, problems: list[Problem]) -> list:
    values = table.column(key)
    read: list = []
    for position, value in enumerate(values if values is not None else [None] * len(table.rows)):
        try:
            read.append(parser(value))
        except _Refused as refused:
            read.append(None)
            problems.append(
                problem(
                    refused.code,
                    refused.message,
                    sheet=table.sheet,
                    row=table.numbers[position],
                    column=table.columns.get(key, key),
                    value=_shown(value),
                    params=refused.params,
                )
            )
    return read


def _payment_lines(table: Table, holder_id: int):
    problems: list[Problem] = []
    texts = _cells(table, "agreement", _required_text, problems)
    agreement_ids = _resolved(
        table,
        "agreement",
        texts,
        _agreements(holder_id, {text for text in texts if text}),
        unknown_code="unknown_agreement",
        message=_(
            "%(value)s is not an agreement of this budget holder: write the "
            "agreement number the PGB Portaal shows, or pgb-admin's number."
        ),
        problems=problems,
    )
    months = _cells(table, "period", _month, problems)
    declared = _cells(table, "declared", _optional_money, problems)
    paid = _cells(table, "paid", _paid, problems)
    paid_on = _cells(table, "paid_on", _optional_day, problems)
    statuses = _cells(table, "status", _status, problems)
    if problems:
        raise ImportRefused(problems)
    for values in zip(
        table.numbers, agreement_ids, months, declared, paid, paid_on, statuses, strict=True
    ):
        yield PaymentLine(*values)


def _balance_lines(table: Table, holder_id: int):
    problems: list[Problem] = []
    references = _cells(table, "grant", _required_text, problems)
    grants: dict[str, list[int]] = {}
    rows = Budget.objects.filter(
        holder_id=holder_id, decision_reference__in={r for r in references if r}
    ).values_list("decision_reference", "pk")
    for reference, pk in rows:
        grants.setdefault(reference, []).append(pk)
    budget_ids = _resolved(
        table,
        "grant",
        references,
        grants,
        unknown_code="unknown_grant",
        ambiguous_code="ambiguous_grant",
        message=_("%(value)s is not the decision reference of one grant of this budget holder."),
        problems=problems,
    )
    days = _cells(table, "on", _required_day, problems)
    balances = _cells(table, "balance", _balance, problems)
    if problems:
        raise ImportRefused(problems)
    for row, budget_id, day, balance in zip(table.numbers, budget_ids, days, balances, strict=True):
        yield BalanceLine(row, budget_id, day, balance)  # type: ignore[arg-type]  # all read


def _resolved(
    table: Table,
    key: str,
    texts: list[str | None],
    candidates: dict[str, list[int]],
    *,
    unknown_code: str,
    ambiguous_code: str = "",
    message,
    problems: list[Problem],
) -> list[int | None]:
    """The id each text of column ``key`` names among ``candidates`` (text -> ids), top to
    bottom; None, and a problem with the row, where a text names none (``unknown_code``) or
    several (``ambiguous_code``, else ``unknown_code``). An empty text (a cell already
    refused) is None without a problem."""
    ids: list[int | None] = []
    for position, text in enumerate(texts):
        found = candidates.get(text, []) if text else []
        if text and len(found) != 1:
            problems.append(
                problem(
                    (ambiguous_code or unknown_code) if found else unknown_code,
                    message,
                    sheet=table.sheet,
                    row=table.numbers[position],
                    column=table.columns[key],
                    value=text,
                )
            )
        ids.append(found[0] if len(found) == 1 else None)
    return ids


def _agreements(holder_id: int, texts: set[str]) -> dict[str, list[int]]:
    """Text -> [agreement id], of the holder: by the SVB's agreement number first, else by
    pgb-admin's number. One query."""
    numbers = {int(text) for text in texts if text.isdigit() and len(text) <= 12}
    rows = CareAgreement.objects.filter(holder_id=holder_id).filter(
        **{"svb_agreement_number__in": texts}
    ) | CareAgreement.objects.filter(holder_id=holder_id, pk__in=numbers)
    found: dict[str, int] = {}
    by_svb: dict[str, int] = {}
    for pk, svb_number in rows.values_list("pk", "svb_agreement_number"):
        if svb_number in texts:
            by_svb[svb_number] = pk
        found[str(pk)] = pk
    found.update(by_svb)  # the SVB's number wins over pgb-admin's
    return {text: [found[text]] for text in texts if text in found}


# --- cells ------------------------------------------------------------------------------------


def _shown(value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else " ".join(str(value).split())
    # a leading apostrophe marks text in a spreadsheet (our own CSV writes one before -12,50)
    return text[1:] if text.startswith("'") else text


def _required_text(value) -> str:
    text = _text(value)
    if not text:
        raise _Refused("required", _("Fill in this cell."))
    if len(text) > 100:
        raise _Refused("too_long", _("At most %(length)s characters."), length=100)
    return text


def _status(value) -> str:
    return _text(value)[:STATUS_LENGTH]


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for text_format in DATE_FORMATS:
        try:
            day = datetime.strptime(text, text_format).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        if not is_supported(day):
            raise _Refused("out_of_range", _("%(value)s is outside the supported dates."))
        return day
    raise _Refused("bad_date", _("%(value)s is not a date: write 2026-11-05 or 5-11-2026."))


def _optional_day(value) -> date | None:
    return _day(value)


def _required_day(value) -> date:
    day = _day(value)
    if day is None:
        raise _Refused("required", _("Fill in the date."))
    return day


def _month(value) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _supported_month(value.replace(day=1))
    text = _text(value).casefold()
    if not text:
        raise _Refused("required", _("Fill in the month."))
    words = text.split()
    if len(words) == 2 and words[0] in DUTCH_MONTHS and words[1].isdigit():
        return _supported_month(date(int(words[1]), DUTCH_MONTHS[words[0]], 1))
    for text_format in MONTH_FORMATS:
        try:
            return _supported_month(datetime.strptime(text, text_format).date())  # noqa: DTZ007
        except ValueError:
            continue
    try:
        day = _day(text)
    except _Refused:
        day = None
    if day is None:
        raise _Refused("bad_month", _("%(value)s is not a month: write 2026-10 or 10-2026."))
    return _supported_month(day.replace(day=1))


def _supported_month(month: date) -> date:
    if not is_supported(month):
        raise _Refused("out_of_range", _("%(value)s is outside the supported dates."))
    return month


AMOUNT = re.compile(r"-?\d+(\.\d+)?")


def _amount(value) -> Decimal | None:
    """Euros as a spreadsheet gives them: a number, or text with a comma or a point for the
    cents (``1.234,56``, ``1234.56``, ``€ 12,50``)."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise _Refused("not_an_amount", _("%(value)s is not an amount in euros."))
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(round(value, 6))) if isinstance(value, float) else Decimal(value)
    else:
        text = _text(value).replace("€", "").replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        comma, point = text.rfind(","), text.rfind(".")
        if comma > point:  # Dutch: 1.234,56
            text = text.replace(".", "").replace(",", ".")
        elif comma != -1:  # English: 1,234.56
            text = text.replace(",", "")
        if not AMOUNT.fullmatch(text):
            raise _Refused("not_an_amount", _("%(value)s is not an amount in euros."))
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _Refused("not_an_amount", _("%(value)s is not an amount in euros.")) from None
    if abs(number) >= LARGEST:
        raise _Refused("out_of_range", _("%(value)s is far too large."))
    if number != number.quantize(CENT):
        raise _Refused("cents", _("%(value)s has more than two decimals: round it to cents."))
    return number.quantize(CENT)


def _optional_money(value) -> Decimal | None:
    number = _amount(value)
    if number is not None and number < 0:
        raise _Refused("negative_value", _("%(value)s is negative."))
    return number


def _paid(value) -> Decimal:
    number = _optional_money(value)
    return Decimal("0.00") if number is None else number


def _balance(value) -> Decimal:
    number = _amount(value)
    if number is None:
        raise _Refused("required", _("Fill in the balance."))
    return number
