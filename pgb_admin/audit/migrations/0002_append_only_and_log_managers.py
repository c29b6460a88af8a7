"""On PostgreSQL the database itself refuses to change or delete access-log rows (``TRUNCATE``,
a database owner's tool, is not blocked). The group "Log managers" may search the log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPEND_ONLY = """
CREATE FUNCTION audit_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accessevent_append_only
    BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION audit_accessevent_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_accessevent_append_only();
"""

LOG_MANAGERS = "Log managers"


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY, params=None)


def add_log_managers(apps, schema_editor):
    audit = apps.get_app_config("audit")
    audit.models_module = True
    create_permissions(audit, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=LOG_MANAGERS)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename="view_accessevent")
    )


def remove_log_managers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=LOG_MANAGERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_access_log"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_trigger, drop_trigger),
        migrations.RunPython(add_log_managers, remove_log_managers),
    ]
