from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_secret_key_is_not_the_development_key(app_configs, **kwargs):
    if settings.DEBUG or settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY is the development key while DEBUG is off.",
            hint="Set DJANGO_SECRET_KEY to a long random value (see README.md).",
            id="pgb_admin.E001",
        )
    ]


# caches that count per process (or per machine, or not at all): rate limits kept in them do
# not hold across the web processes of a deployment
PER_PROCESS_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    }
)


@register(Tags.security, Tags.caches)
def check_cache_is_shared(app_configs, **kwargs):
    """Throttling and the cached read rates need one cache for every web process."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is not shared by the web "
            "processes while DEBUG is off, so rate limits count per process.",
            hint="Set CACHE_URL to a Redis (redis://host:6379/1) or memcached "
            "(pymemcache://host:11211) cache that all web processes use.",
            id="pgb_admin.E008",
        )
    ]


@register(Tags.security)
def check_bsn_keys(app_configs, **kwargs):
    """The BSN keys are set (with DEBUG off) and usable: see SECURITY.md, "BSN"."""
    from .bsn_crypto import configuration_errors

    return [
        Error(message, hint=_BSN_KEYS_HINT, id=check_id)
        for check_id, message in configuration_errors()
    ]


_BSN_KEYS_HINT = (
    "Set BSN_ENCRYPTION_KEYS (Fernet keys, comma-separated, the first encrypts) and "
    "BSN_HASH_KEY (32 or more random characters); see SECURITY.md, section BSN."
)


@register(Tags.database)
def check_stored_bsns_decrypt(app_configs, databases=None, **kwargs):
    """The oldest and the newest stored BSN decrypt with BSN_ENCRYPTION_KEYS and match their
    hash under BSN_HASH_KEY (or a fallback): a wrong key shows here, not on the first page.
    Runs with ``check --database default`` (and before ``migrate``)."""
    from django.db import DatabaseError, connections

    from . import bsn_crypto

    if not databases or bsn_crypto.configuration_errors():
        return []
    errors = []
    for alias in databases:
        try:
            rows = _first_and_last_holder(connections[alias])
        except DatabaseError:  # not migrated yet
            continue
        for token, digest in rows:
            try:
                bsn = bsn_crypto.decrypt(token)
            except bsn_crypto.BSNKeyError:
                errors.append(_stored_bsn_error(alias, "cannot be decrypted", "pgb_admin.E006"))
                break
            if digest not in bsn_crypto.lookup_hashes(bsn):
                errors.append(_stored_bsn_error(alias, "does not match its hash", "pgb_admin.E007"))
                break
    return errors


def _first_and_last_holder(connection) -> list[tuple[str, str]]:
    from pgb_admin.budgets.models import BudgetHolder

    meta = BudgetHolder._meta
    columns = [meta.get_field("bsn").column, meta.get_field("bsn_hash").column]
    quote = connection.ops.quote_name
    table, token, digest, pk = map(quote, [meta.db_table, *columns, meta.pk.column])
    rows = []
    with connection.cursor() as cursor:
        # before the migration that encrypts them the columns are not there (and SQLite would
        # read an unknown quoted column name as a string)
        present = connection.introspection.get_table_description(cursor, meta.db_table)
        if not set(columns) <= {column.name for column in present}:
            return []
        for order in ("ASC", "DESC"):
            cursor.execute(
                f"SELECT {token}, {digest} FROM {table} ORDER BY {pk} {order} LIMIT 1"  # noqa: S608
            )
            rows.extend(cursor.fetchall())
    return rows


def _stored_bsn_error(alias: str, what: str, check_id: str) -> Error:
    return Error(
        f"A stored BSN in database {alias!r} {what} with the configured keys.",
        hint="BSN_ENCRYPTION_KEYS must hold the key it was encrypted with (old keys stay behind "
        "the new one until rotate_bsn_keys ran); BSN_HASH_KEY_FALLBACKS the old hash key.",
        id=check_id,
    )
