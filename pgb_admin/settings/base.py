"""Settings for pgb-admin, read from the environment.

The defaults run a fresh checkout with no services: SQLite in the checkout and Celery running
tasks in-process. Production sets DATABASE_URL, CELERY_BROKER_URL, DJANGO_SECRET_KEY,
DJANGO_DEBUG=false and DJANGO_ALLOWED_HOSTS (see README.md).
"""

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parents[2]
PROJECT_DIR = BASE_DIR / "pgb_admin"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# Refused by the system check pgb_admin.E001 when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "django-insecure-pgb-admin-development-key-never-use-in-production"  # noqa: S105

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
# old keys, still accepted for sessions and signatures while a new key takes over
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgb_admin.core",
    "pgb_admin.accounts",
    "pgb_admin.budgets",
    "pgb_admin.figures",
    "contracts",
    "declarations",
    "reports",
    # the change log of pgb_admin's models; contracts and declarations register theirs
    "pgb_admin.audit",
]

MIDDLEWARE = [
    # first: the client's address from TRUSTED_PROXY_COUNT proxies, for everything after it
    "pgb_admin.core.client_address.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "pgb_admin.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # logs out sessions older than the user's "log out everywhere"
    "pgb_admin.accounts.middleware.SessionsEndedMiddleware",
    # Cache-Control: no-store on everything a logged-in user, the API or a download gets
    "pgb_admin.core.middleware.NoStoreMiddleware",
    # two-factor authentication: which device verified the session, and the pages a session
    # that still needs its code may reach (pgb_admin/accounts/two_factor.py)
    "django_otp.middleware.OTPMiddleware",
    "pgb_admin.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pgb_admin.core.middleware.ContentSecurityPolicyMiddleware",
    # the API's read rate on the web pages too, per user (the API, health and static files
    # exempt); after the middleware whose headers its 429 page needs
    "pgb_admin.core.page_throttle.PageReadRateMiddleware",
    "pgb_admin.audit.middleware.AccessContextMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # a service's NotFound (an object out of the user's scope) on a page: the 404 page
    "pgb_admin.core.not_found.NotFoundMiddleware",
    # last: turns a locked-out login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pgb_admin.urls"
FORM_RENDERER = "pgb_admin.core.forms.FormRenderer"
WSGI_APPLICATION = "pgb_admin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pgb_admin.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite in the checkout unless DATABASE_URL says otherwise
# (postgres://user:password@host:5432/name for production).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead of
    # failing with "database is locked" halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed attempts for one username
# from one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES; after
# LOGIN_ADDRESS_FAILURE_LIMIT failed attempts from one address for any usernames (password
# spraying), that address is (pgb_admin/accounts/login_limits.py).
AUTHENTICATION_BACKENDS = [
    "pgb_admin.accounts.login_limits.AddressLockoutBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_CLIENT_IP_CALLABLE = "pgb_admin.core.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor authentication (django-otp): required for staff, auditors and bureaus. Wrong
# codes are throttled per device: after n wrong codes in a row, no code for
# OTP_THROTTLE_FACTOR * 2 ** (n - 1) seconds. The admin never shows secrets or backup codes.
OTP_TOTP_ISSUER = env("TWO_FACTOR_ISSUER", default="pgb-admin")
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Password reset by e-mail (pgb_admin/accounts/password_reset.py): a link valid for
# PASSWORD_RESET_MINUTES that works once; requests are limited per client address and e-mail
# address, and per client address. A reset never logs in, so two-factor authentication still
# asks for its code.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_MINUTES", default=60) * 60
PASSWORD_RESET_RATE = env("PASSWORD_RESET_RATE", default="3/hour")
PASSWORD_RESET_ADDRESS_RATE = env("PASSWORD_RESET_ADDRESS_RATE", default="10/hour")

# E-mail: printed on the console in development (DEBUG on), sent over SMTP in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="pgb-admin <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages and time: Dutch first, English second; the care calendar is Dutch.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
# dates as 9-11-2026 (nl) and 9 Nov 2026 (en), never MM/DD/YYYY: pgb_admin/formats/
FORMAT_MODULE_PATH = ["pgb_admin.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# The document archive (declarations/documents): its own named storage, private (never served
# as media; files go out only through the archive's download view). By default the file system
# under DOCUMENTS_ROOT; in production S3-compatible object storage through django-storages:
# DOCUMENTS_STORAGE_BACKEND=storages.backends.s3.S3Storage and DOCUMENTS_STORAGE_OPTIONS as
# JSON, e.g. {"bucket_name": "pgb-documents", "endpoint_url": "https://s3.example.nl",
# "default_acl": "private", "file_overwrite": false} (credentials from AWS_* variables).
DOCUMENTS_STORAGE_BACKEND = env(
    "DOCUMENTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
STORAGES["documents"] = {
    "BACKEND": DOCUMENTS_STORAGE_BACKEND,
    "OPTIONS": env.json("DOCUMENTS_STORAGE_OPTIONS", default={})
    or {
        "location": str(env.path("DOCUMENTS_ROOT", default=BASE_DIR / "private" / "documents")),
        "base_url": None,
        "directory_permissions_mode": 0o700,
        "file_permissions_mode": 0o600,
    },
}
# What an upload may be (declarations/documents/checks.py): its size, and how much of a PDF's
# compressed object streams is inflated to look for scripts in them.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DOCUMENT_PDF_INFLATE_MAX_BYTES = env.int("DOCUMENT_PDF_INFLATE_MAX_BYTES", default=50 * 1024 * 1024)
# Years each kind of document is kept (declarations/documents/constants.py, the default and
# its sources), e.g. DOCUMENT_RETENTION_YEARS=invoice=7,letter=5; unnamed kinds keep 7.
DOCUMENT_RETENTION_YEARS = {
    kind: int(years) for kind, years in env.dict("DOCUMENT_RETENTION_YEARS", default={}).items()
}

# Sessions: expire after SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Security headers. Off-by-default items switch on when DEBUG is off (production).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the app each append the address they received the
# request from to X-Forwarded-For: the client's address is that many entries from the right.
# 0 (no proxy): the address of the connection; the header is ignored, as a client can write it.
# Throttling, login lockouts and both logs use this address (pgb_admin/core/client_address.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Caches: per process unless CACHE_URL points to a shared cache (redis://host:6379/1), which
# production needs so that rate limits count across all web processes (system check
# pgb_admin.E008 refuses a per-process cache when DEBUG is off).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# REST API v1 (/api/v1/, pgb_admin/api/): bearer tokens for scripts, the session for the
# browser; JSON only; errors as RFC 9457 problem details.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pgb_admin.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "pgb_admin.api.permissions.AuditorsReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["pgb_admin.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "pgb_admin.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "pgb_admin.api.throttling.WriteRateThrottle",
        "pgb_admin.api.throttling.ReadRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "write": env("API_WRITE_RATE", default="300/minute"),
        "token": env("API_TOKEN_RATE", default="10/minute"),
        # BSN lookups per user (POST /api/v1/budget-holders/lookup/), on top of the others
        "lookup": env("API_LOOKUP_RATE", default="30/hour"),
        # reads (API and web pages together), per user; bureaus and staff work for many holders
        "read": env("API_READ_RATE", default="600/minute"),
        "read_bureau": env("API_READ_RATE_BUREAU", default="1800/minute"),
    },
    "EXCEPTION_HANDLER": "pgb_admin.api.problems.exception_handler",
    # ClientAddressMiddleware already put the client's address in REMOTE_ADDR
    "NUM_PROXIES": 0,
    "DEFAULT_SCHEMA_CLASS": "pgb_admin.api.schema.AutoSchema",
    # ?format= is not content negotiation here (the batch download takes no such parameter)
    "URL_FORMAT_OVERRIDE": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Largest JSON body the API parses (a month of time entries is a few kilobytes).
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=1024 * 1024)

# Hours imports (declarations/imports): limits of an uploaded file; larger uploads than
# IMPORT_INLINE_BYTES are imported by a Celery worker while the page polls.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=50)
IMPORT_INLINE_BYTES = env.int("IMPORT_INLINE_BYTES", default=1024 * 1024)
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
# how long a care provider's invitation link (issue 19) stays valid
PROVIDER_INVITATION_DAYS = env.int("PROVIDER_INVITATION_DAYS", default=14)

# The OpenAPI schema and its documentation page (/api/schema/, /api/docs/): open to anyone, or
# only to logged-in users (session or bearer token). Open by default only with DEBUG on.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)

SPECTACULAR_SETTINGS = {
    "TITLE": "pgb-admin API",
    "DESCRIPTION": (
        "Budget holders, representatives, pgb bureaus and municipal auditors: grants, care "
        "providers, care agreements, hours, costs, declarations, their validation and SVB "
        "batches. Errors are RFC 9457 problem details (application/problem+json)."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # API_DOCS_PUBLIC, read at each request; the API's own authentication (None: the default)
    "SERVE_PERMISSIONS": ["pgb_admin.api.permissions.ApiDocsAccess"],
    "SERVE_AUTHENTICATION": None,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DeclarationStatusEnum": "declarations.constants.DeclarationStatus",
        "TaskStatusEnum": "pgb_admin.core.models.TaskStatus",
        "ApprovalStatusEnum": "contracts.constants.ApprovalStatus",
        "FunderKindEnum": "pgb_admin.budgets.constants.FunderKind",
        "ProviderKindEnum": "contracts.constants.ProviderKind",
        "ExpenseKindEnum": "declarations.constants.ExpenseKind",
        "AccessRoleEnum": "pgb_admin.audit.models.Role",
        "MandateRoleEnum": "pgb_admin.accounts.constants.MandateRole",
        "AdmissionKindEnum": "pgb_admin.budgets.constants.AdmissionKind",
        "CakExemptionEnum": "pgb_admin.budgets.constants.CakExemption",
        "IndicationPeriodEnum": "pgb_admin.budgets.constants.IndicationPeriod",
        "ChannelEnum": "pgb_admin.budgets.constants.Channel",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: without CELERY_BROKER_URL tasks run in-process (eager), so a checkout needs no broker.
_broker_url = env("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = _broker_url or "memory://"
CELERY_TASK_ALWAYS_EAGER = not _broker_url
CELERY_TASK_EAGER_PROPAGATES = True
if _broker_url.startswith(("redis://", "rediss://")):
    _default_result_backend = _broker_url
elif _broker_url.startswith(("amqp://", "pyamqp://")):
    _default_result_backend = "rpc://"
else:
    _default_result_backend = None
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=_default_result_backend)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Tasks are idempotent, so a task is acknowledged only after it ran and is handed to another
# worker when its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=20 * 60)
# Redis hands a task that a worker took and never acknowledged (the worker died) to another
# worker once the visibility timeout (seconds) has passed; keep it above the hard limit, or a
# task still running is handed out a second time. Workers look for such tasks every
# CELERY_UNACKED_RESTORE_INTERVAL seconds (and when they start).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 10 * 60
    ),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=60),
    "unacked_restore_throttle": 1,  # the interval alone sets how often
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A validation of many declarations is fanned out over the workers (declarations/tasks.py):
# tasks of whole holders, each about VALIDATION_TASK_SECONDS at the measured cost per
# declaration (a bureau's 2,000 declarations: 20.3 s in one process, ~10 ms each), so no task
# comes near the soft time limit; runs below VALIDATION_TASK_MIN_DECLARATIONS stay one task.
# The chord that ends a fanned-out run needs a result backend that joins chords (Redis, not
# rpc://); with rpc:// a run's chunks are validated in turn by one task.
VALIDATION_MS_PER_DECLARATION = env.int("VALIDATION_MS_PER_DECLARATION", default=10)
VALIDATION_TASK_SECONDS = env.int("VALIDATION_TASK_SECONDS", default=60)
VALIDATION_TASK_MIN_DECLARATIONS = env.int("VALIDATION_TASK_MIN_DECLARATIONS", default=1000)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Retention (pgb_admin/core/services.py, purge_expired): report files made by background tasks
# are removed REPORT_FILE_RETENTION_DAYS after they were made; finished task runs (with their
# results and the hours files uploaded for them) TASK_RESULT_RETENTION_DAYS after they ended.
# Celery beat runs it every night (`celery -A pgb_admin beat`); without beat, run
# `manage.py purge_expired` from cron. Exports are records of what was declared: kept.
REPORT_FILE_RETENTION_DAYS = env.int("REPORT_FILE_RETENTION_DAYS", default=30)
TASK_RESULT_RETENTION_DAYS = env.int("TASK_RESULT_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE = {
    "purge-expired": {
        "task": "pgb_admin.core.purge_expired",
        "schedule": crontab(hour=3, minute=30),
    },
    "purge-documents": {
        "task": "declarations.documents_purge",
        "schedule": crontab(hour=3, minute=45),
    },
    # Reminders (reports/reminders): stored in the app and mailed once a morning; every
    # REMINDERS_EVERY_SECONDS instead when set (the beat test in tests/worker).
    "send-reminders": {
        "task": "reports.send_reminders",
        "schedule": env.int("REMINDERS_EVERY_SECONDS", default=0) or crontab(hour=7, minute=0),
    },
}
# Reminders' product choices (no rule of the world says these; the dated figures hold the
# ones it does: declaration deadlines, objection period, grant renewal lead, budget levels).
# The weekday to remind of last week's hours (0 Monday … 6 Sunday); days before an objection
# deadline; months before a declaration's deadline; days an agreement may wait for the
# funder's approval before its holder is reminded; days a provider's submitted month may wait
# for the holder's review before a reminder (the holder had an e-mail at once). SITE_URL makes
# the links in e-mails.
REMINDER_HOURS_WEEKDAY = env.int("REMINDER_HOURS_WEEKDAY", default=0)
REMINDER_OBJECTION_DAYS_BEFORE = env.int("REMINDER_OBJECTION_DAYS_BEFORE", default=7)
REMINDER_DECLARATION_MONTHS_BEFORE = env.int("REMINDER_DECLARATION_MONTHS_BEFORE", default=1)
REMINDER_APPROVAL_WAIT_DAYS = env.int("REMINDER_APPROVAL_WAIT_DAYS", default=14)
REMINDER_REVIEW_WAIT_DAYS = env.int("REMINDER_REVIEW_WAIT_DAYS", default=3)
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
# Reports in the making at once per user (reports/limits.py): municipality reports queued or
# running as tasks plus report files rendered during a request; over it the answer is a 429.
REPORT_RUNS_PER_USER = env.int("REPORT_RUNS_PER_USER", default=2)
# Reports of the API are cached while the tables they were made from are unchanged
# (reports/cache.py; PostgreSQL only); this bounds how long an unused one is kept. 0: no cache.
REPORT_CACHE_SECONDS = env.int("REPORT_CACHE_SECONDS", default=900)

# The BSN at rest (SECURITY.md, "BSN"): Fernet keys, comma-separated, the first encrypts and
# all decrypt (a new key goes in front, then `manage.py rotate_bsn_keys`); a separate key for
# the keyed hash that finds a holder by BSN, with earlier hash keys as fallbacks during a
# rotation. With DEBUG on and nothing set, keys are derived from SECRET_KEY; with DEBUG off they
# are required (system checks pgb_admin.E002-E005).
BSN_ENCRYPTION_KEYS = env.list("BSN_ENCRYPTION_KEYS", default=[])
BSN_HASH_KEY = env("BSN_HASH_KEY", default="")
BSN_HASH_KEY_FALLBACKS = env.list("BSN_HASH_KEY_FALLBACKS", default=[])
# Error reports (500 pages with DEBUG, error e-mails) and log lines never show a BSN: POST
# fields and variables named like bsn are hidden as passwords are, and any 9-digit number that
# passes the 11-proef is masked (pgb_admin/core/redaction.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "pgb_admin.core.redaction.BSNSafeExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "pgb_admin.core.redaction.BSNSafeExceptionReporter"

# Change log (django-auditlog): identifiers are masked with the same rule as everywhere else.
AUDITLOG_MASK_CALLABLE = "pgb_admin.core.masking.mask_identifier"
AUDITLOG_CID_HEADER = "x-request-id"
AUDITLOG_STORE_JSON_CHANGES = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "pgb_admin.core.redaction.BSNMaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # the PDF renderer logs each step at INFO; a refused URL or a font problem is a warning
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
