"""A filter on a long list of ids: ``any_of("agreement_id", ids)`` where ``agreement_id__in=ids``
would write a placeholder per id. On PostgreSQL it is ``= ANY(%s)`` with the ids as one array
parameter, so neither Django nor psycopg handles thousands of parameters one by one (a
validation of 500 declarations passes a few thousand ids a chunk); elsewhere it is ``IN``."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        # as ``__in``: None matches nothing; ids may come as numpy integers from a frame
        return [int(value) for value in self.rhs if value is not None]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *self.rhs]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]


def any_of(field: str, ids: Iterable[Any]) -> AnyOf:
    """The rows whose integer ``field`` (a primary or foreign key) is one of ``ids``: a
    condition for ``filter()``, or ``exclude()`` on a column that is never NULL."""
    return AnyOf(F(field), list(ids))
