"""``any_of`` selects what ``__in`` selects (one array parameter on PostgreSQL)."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

import numpy as np

from declarations.models import Declaration
from pgb_admin.core.lookups import any_of

OCTOBER = date(2026, 10, 1)


def test_any_of_selects_as_in_does(world):
    agreements = [world.mine_wmo_agreement, world.theirs_agreement]
    made = [Declaration.objects.create(agreement=a, month=OCTOBER).pk for a in agreements]
    chosen = [made[0], None, np.int64(made[1])]  # None matches nothing; ids from a frame
    with CaptureQueriesContext(connection) as queries:
        found = set(Declaration.objects.filter(any_of("pk", chosen)).values_list("pk", flat=True))
        left = set(
            Declaration.objects.filter(any_of("agreement_id", [a.pk for a in agreements]))
            .exclude(any_of("pk", [made[0]]))
            .values_list("pk", flat=True)
        )
    assert found == set(made)
    assert left == {made[1]}
    placeholders = "= ANY(" if connection.vendor == "postgresql" else "IN ("
    assert all(placeholders in query["sql"] for query in queries.captured_queries)


def test_no_ids_select_nothing_without_a_query(world):
    Declaration.objects.create(agreement=world.mine_wmo_agreement, month=OCTOBER)
    with CaptureQueriesContext(connection) as queries:
        assert list(Declaration.objects.filter(any_of("pk", []))) == []
    assert queries.captured_queries == []
