"""Test settings: fast and deterministic. DATABASE_URL still chooses the database, so the same
suite runs on SQLite (default) and on PostgreSQL."""

import os
import tempfile
from pathlib import Path

from .base import *

SECRET_KEY = "pgb-admin-test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
# fixed keys (DEBUG is off here, as in production); tests of rotation override them
BSN_ENCRYPTION_KEYS = ["Gl6xRfEQL3zYrDJuuFvLWNQVZB_Ztn6Tl7unXKb0w5Y="]
BSN_HASH_KEY = "pgb-admin-test-bsn-hash-key-G0lqPhVsUDYLS9CdKOhuKu"
BSN_HASH_KEY_FALLBACKS = []
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# one process per test run: its own cache is the shared cache (tests of E008 call the check)
SILENCED_SYSTEM_CHECKS = ["pgb_admin.E008"]
# Throttling has its own tests with low rates; the rest of the suite must not trip it.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "write": "100000/minute",
        "token": "100000/minute",
        "lookup": "100000/minute",
        "read": "100000/minute",
        "read_bureau": "100000/minute",
    },
}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# the document archive's files in a directory of this test run (tests give each test its own)
STORAGES["documents"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="pgb-documents-"), "base_url": None},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
API_DOCS_PUBLIC = False  # as in production (DEBUG is off)

CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None  # eager: a chord runs in-process, joined without one
# No collectstatic in tests: WhiteNoise serves from the finders.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# SQLite tests use a file, not memory: concurrent connections then wait for each other's
# locks as in a real deployment instead of failing with "table is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # one file per test process, so parallel runs never share it
    _test_db = Path(tempfile.gettempdir()) / f"pgb-admin-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # a test database per run (pytest-django adds "_gw0", "_gw1" per process): two runs on one
    # server at once never drop each other's database
    _run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getpid())
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_run}"}
