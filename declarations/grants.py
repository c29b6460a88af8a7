"""What counts against a grant, and the grant's declared total (``Budget.declared``) that the
database keeps within its amount (CHECK ``budget_declared_within_amount``).

A declaration counts against its grant when it is validated or further (``SPENDING_STATUSES``)
and no correction of it that is validated or further replaces it. The validation engine reads
the same definition (:mod:`declarations.selectors.validation`), so the rule
``budget.exceeded`` and the constraint agree. The rule also counts fixed monthly pay;
``declared`` does not: that pay is paid by the SVB without a declaration and changes with
agreements, not with declarations. The rule refuses a declaration first (it is the stricter
one, and says why); the constraint is the hard backstop on what is declared, whatever path the
change took.

``declared`` is set again, in the transaction of the change, wherever a counted total can change:

- validating (a draft becomes validated; a validated correction replaces its original);
- back to draft after an edit, redrafting a declaration, deleting a validated one (a correction
  that no longer counts lets its original count again);
- recording a rejection (a rejected declaration no longer counts).

Opening a correction (a draft replaces nothing), exporting, submitting and recording a payment
move a declaration between counted statuses only and leave ``declared`` as it is.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DecimalField, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils.translation import gettext_lazy as _

from pgb_admin.budgets.models import Budget
from pgb_admin.core.errors import Conflict
from pgb_admin.core.lookups import any_of

from .constants import SPENDING_STATUSES, DeclarationStatus
from .models import Declaration, Finding
from .validation.registry import Param, format_param

MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=12, decimal_places=2)
EXCEEDED_RULE = "budget.exceeded"


class BudgetExceeded(Conflict):
    """Refused because a grant would be exceeded (the API's problem code ``budget_exceeded``)."""

    problem_code = "budget_exceeded"


def counted_against_grant(declarations: QuerySet) -> QuerySet:
    """Of ``declarations``, those that count against their grant. Works on the historical model
    of a migration too."""
    replaced = declarations.model._default_manager.filter(
        corrects=OuterRef("pk"), status__in=SPENDING_STATUSES
    )
    return declarations.filter(~Exists(replaced), status__in=SPENDING_STATUSES)


def declared_total(declaration_model):
    """For a query on grants: the sum of the totals of the declarations that count against
    each (rounded to the cent, so SQLite's floating sums compare exactly)."""
    counted = counted_against_grant(
        declaration_model._default_manager.filter(budget_id=OuterRef("pk"))
    )
    total = counted.order_by().values("budget_id").annotate(total=Sum("total_amount"))
    return Round(
        Coalesce(Subquery(total.values("total"), output_field=MONEY), Value(Decimal(0))),
        2,
        output_field=MONEY,
    )


def set_declared(budgets: QuerySet, declaration_model) -> int:
    """One UPDATE: ``declared`` of ``budgets`` from their counted declarations."""
    return budgets.update(declared=declared_total(declaration_model))


def grants_of(declarations: QuerySet) -> set[int]:
    """The grants whose declared total a change of ``declarations`` can move: their own, and
    those of the declarations they correct (which count again when a correction stops)."""
    grants = set()
    for budget_id, original_budget_id in declarations.values_list(
        "budget_id", "corrects__budget_id"
    ):
        grants.update({budget_id, original_budget_id})
    return grants - {None}


def refresh_declared(budget_ids: Iterable[int | None]) -> None:
    """Set ``declared`` of these grants in the caller's transaction; raise
    :class:`BudgetExceeded` (the caller's transaction then rolls back) when a grant would
    hold more than its amount."""
    ids = sorted({pk for pk in budget_ids if pk is not None})
    if not ids:
        return
    grants = Budget.objects.filter(any_of("pk", ids))
    # Lock first, in id order as every validation does (no deadlock), and sum in the next
    # statement: on PostgreSQL an UPDATE that waited for a lock would sum with the data as it
    # was before the other transaction committed.
    list(grants.select_for_update().order_by("pk").values_list("pk", flat=True))
    try:
        with transaction.atomic():  # a savepoint, so the figures can still be read after it
            _set_declared_of(ids)
    except IntegrityError:
        raise _exceeded_by(grants, Declaration) from None


def _set_declared_of(budget_ids: list[int]) -> None:
    """:func:`set_declared` of many grants as one UPDATE that sums their counted declarations
    in one pass (grouped by grant), where a sum per grant would run once per grant row: at a
    thousand grants that plan costs PostgreSQL more to compile (JIT) than to run."""
    counted = (
        counted_against_grant(Declaration.objects.filter(any_of("budget_id", budget_ids)))
        .order_by()
        .values("budget_id")
        .annotate(total=Sum("total_amount"))
    )
    counted_sql, counted_params = counted.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(Budget._meta.db_table)
    pk = quote(Budget._meta.get_field("id").column)
    declared = quote(Budget._meta.get_field("declared").column)
    ids = ", ".join(["%s"] * len(budget_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {declared} = x.total "  # noqa: S608  (no user text)
            f"FROM (SELECT g.{pk} AS id, ROUND(COALESCE(t.total, 0), 2) AS total "
            f"FROM {table} AS g LEFT JOIN ({counted_sql}) AS t ON t.budget_id = g.{pk} "
            f"WHERE g.{pk} IN ({ids})) AS x WHERE {table}.{pk} = x.id",
            [*counted_params, *budget_ids],
        )


def _exceeded_by(grants: QuerySet, declaration_model) -> BudgetExceeded:
    over = (
        grants.annotate(would=declared_total(declaration_model))
        .filter(would__gt=F("amount"))
        .order_by("pk")
    )
    errors = [
        ValidationError(
            _(
                "This change would bring the declarations on grant %(grant)s to %(declared)s "
                "of the %(granted)s granted, %(over)s more than granted; nothing was saved."
            ),
            code="budget_exceeded",
            params={
                "grant": grant_name(grant),
                "declared": _money(grant.would),
                "granted": _money(grant.amount),
                "over": _money(grant.would - grant.amount),
            },
        )
        for grant in over
    ]
    if not errors:  # the constraint's other half (never negative); totals are never negative
        errors = [ValidationError(_("The grant's declared total is not valid."), code="invalid")]
    return BudgetExceeded({"budget": errors})


def budget_refusal(declarations) -> BudgetExceeded | None:
    """After a validation: the refusal of those of ``declarations`` that stayed drafts because
    their grant would be exceeded, or None. The validation has stored them as drafts with
    their findings; a caller raises this once that is committed, so the findings stay."""
    drafts = [d.pk for d in declarations if d.status == DeclarationStatus.DRAFT]
    if not drafts:
        return None
    findings = (
        Finding.objects.filter(declaration_id__in=drafts, rule_code=EXCEEDED_RULE)
        .select_related("declaration__budget")
        .order_by("declaration_id", "pk")
    )
    errors = [
        ValidationError(
            _(
                "Declaration %(id)s is not validated: with it, %(used)s of grant %(grant)s "
                "(%(granted)s) would be used, %(over)s more than granted. It stays a draft; its "
                "findings say what to do."
            ),
            code="budget_exceeded",
            params={
                "id": finding.declaration_id,
                "grant": grant_name(finding.declaration.budget),
                "used": format_param(Param.MONEY, finding.params.get("used")),
                "granted": format_param(Param.MONEY, finding.params.get("granted")),
                "over": format_param(Param.MONEY, finding.params.get("over")),
            },
        )
        for finding in findings
    ]
    return BudgetExceeded({"declaration": errors}) if errors else None


def grant_name(budget) -> str:
    if budget is None:
        return "–"
    return f"{budget} ({budget.decision_reference})"


def _money(amount: Decimal) -> str:
    return format_param(Param.MONEY, str(amount))
