"""The change log the report cache checks (reports/cache.py), on PostgreSQL: a statement
trigger on every table notes, once per transaction and table, the id of the transaction that
wrote it in ``reports_datachange`` (made by migration ``0002_report_data_changes``).

The triggers are put on after every ``migrate`` (``post_migrate``), so a table a later
migration makes gets one too; until it has one, a report that reads it is not cached."""

from django.db import connections

TRIGGER = "reports_data_change"

#: tables written at every request or never part of a report: no trigger (a report that read
#: one would simply never be cached, see reports/cache.py)
EXCLUDED = [
    "reports_datachange",
    "reports_datachangehorizon",
    "django_migrations",
    "django_session",
    "audit_accessevent",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
]

_INSTALL = """
DO $$
DECLARE
    name text;
BEGIN
    IF to_regclass('reports_datachange') IS NULL THEN
        RETURN;
    END IF;
    FOR name IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
          AND NOT (c.relname = ANY(%(excluded)s))
          AND NOT EXISTS (
              SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = '%(trigger)s'
          )
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %(trigger)s AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            'ON %%I FOR EACH STATEMENT EXECUTE FUNCTION reports_note_data_change()',
            name
        );
    END LOOP;
END
$$;
"""


def install_triggers(using: str = "default", **kwargs) -> None:
    """Put the trigger on every table of the database that lacks it (``post_migrate``)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    excluded = "ARRAY[" + ", ".join(f"'{name}'" for name in EXCLUDED) + "]::name[]"
    with connection.cursor() as cursor:
        # DO blocks take no parameters: the names are the constants above
        cursor.execute(_INSTALL % {"excluded": excluded, "trigger": TRIGGER})
