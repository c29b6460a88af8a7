"""Reads of hours, costs, declarations, batches and the bureau console, scoped to the user: a
module per job (``lists``, ``months``, ``batches``, ``bureau``, ``validation``).

The names this package held before it was split stay importable from it."""

from .lists import (
    batch_list,
    declaration_list,
    expense_list,
    rule_list,
    time_entry_list,
)
from .monthly_pay import FixedPayMonth, fixed_pay_months

__all__ = [
    "FixedPayMonth",
    "batch_list",
    "declaration_list",
    "expense_list",
    "fixed_pay_months",
    "rule_list",
    "time_entry_list",
]
