"""The report cache's change log (reports/cache.py, PostgreSQL only): a statement trigger on
every table notes, once per transaction and table, the id of the transaction that wrote it, so
a cached report is checked against the transactions committed since it was built with one
indexed query instead of a scan of the tables it was made from. Written in SQL, not a model:
nothing but the trigger writes it and nothing but the cache reads it. The triggers themselves
are put on after every migrate (reports/data_changes.py), so later tables get theirs."""

from django.db import migrations

FORWARD = """
CREATE TABLE reports_datachange (
    xid xid8 NOT NULL,
    table_name text NOT NULL,
    PRIMARY KEY (xid, table_name)
);
CREATE TABLE reports_datachangehorizon (
    id integer PRIMARY KEY CHECK (id = 1),
    xid xid8 NOT NULL,
    candidate xid8 NOT NULL,
    candidate_at timestamptz NOT NULL
);
INSERT INTO reports_datachangehorizon
    VALUES (1, pg_snapshot_xmin(pg_current_snapshot()), pg_snapshot_xmin(pg_current_snapshot()),
            now());
CREATE FUNCTION reports_note_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reports_datachange (xid, table_name)
        VALUES (pg_current_xact_id(), TG_TABLE_NAME)
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
"""

BACKWARD = """
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN
        SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE t.tgname = 'reports_data_change'
    LOOP
        EXECUTE format('DROP TRIGGER reports_data_change ON %I', name);
    END LOOP;
END
$$;
DROP FUNCTION reports_note_data_change();
DROP TABLE reports_datachangehorizon;
DROP TABLE reports_datachange;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("accounts", "0003_token_two_factor_and_sessions"),
        ("audit", "0003_outcome_not_found"),
        ("budgets", "0006_grant_details_and_channel"),
        ("contracts", "0003_provider_address_and_sick_reports"),
        ("core", "0003_task_run_subjects_backfill"),
        ("declarations", "0004_channel_and_invoice_number"),
        ("figures", "0010_self_employed_tier"),
    ]

    operations = [migrations.RunPython(forward, backward)]
