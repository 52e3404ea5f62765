"""Settings for Cloud of Trust Scorecard.

One module for every environment. Anything that differs between a laptop, CI
and production is read from environment variables (or a local ``.env`` file,
which ``make run`` generates and git ignores). ``.env.example`` lists every
variable. The defaults are the production-safe ones: DEBUG off, a secret key
required, HTTPS-only cookies and HSTS.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already set win over the file; a missing file is fine.
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY (make run writes a development .env with one)."
    )
# The example file's placeholder, or anything short enough to guess, would
# let anyone sign sessions and password-reset links.
if not DEBUG and (SECRET_KEY == "change-me" or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random string of at least 50 characters, "
        "not the example's: python -c \"import secrets; "
        'print(secrets.token_urlsafe(50))"'
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "scoring",
    "procurement",
    "accounts",
    "webhooks",
]

MIDDLEWARE = [
    "config.logging.request_id",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.refuse_nul_bytes",
    "config.middleware.private_responses",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor login (django-otp): which device verified the session, and
    # holding a session that still owes its code (accounts/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.second_factor",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last of the request path: it turns a lockout into a 429.
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.content_security_policy",
]

# Prometheus metrics (operations/metrics.py), off by default. On: requests,
# latencies and errors by view (django-prometheus) and the export queue's
# depth, at /metrics for a scraper sending "Authorization: Bearer
# <METRICS_TOKEN>", and/or on METRICS_PORT of each process. With several
# gunicorn workers set PROMETHEUS_MULTIPROC_DIR (prometheus_client's
# multiprocess mode) so that a scrape sums them.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=False)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_ENABLED:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
    PROMETHEUS_METRICS_EXPORT_PORT = env.int("METRICS_PORT", default=None)
    PROMETHEUS_METRICS_EXPORT_ADDRESS = env.str("METRICS_ADDRESS", default="127.0.0.1")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL=postgres://user:pass@host:5432/name for
# PostgreSQL, the production database.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions make concurrent writers wait instead of failing
    # with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The login lockout and the API throttles count in the cache, which every
# process must share: by default the database's cache table in production
# (made by `migrate`: procurement migration 0021), each process's
# memory with DEBUG on; CACHE_URL (redis://, memcache://...) overrides both.
CACHES = {
    "default": env.cache(
        "CACHE_URL", default="locmemcache://" if DEBUG else "dbcache://django_cache"
    ),
    # The procurement page's rendered reports, apart: filling it never culls
    # a login lockout or a throttle's count from the default cache.
    "reports": env.cache(
        "REPORT_CACHE_URL",
        default="locmemcache://reports" if DEBUG else "dbcache://django_report_cache",
    ),
}
CACHES["reports"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 2000)
# The procurement page's report is kept rendered there until anything it
# shows changes (procurement/report_cache.py); 0 renders it at every view.
PROCUREMENT_REPORT_CACHE_SECONDS = env.int(
    "PROCUREMENT_REPORT_CACHE_SECONDS", default=24 * 3600
)

# How many reverse proxies stand in front of the app (nginx: 1). The client's
# address is then the N-th from the right of X-Forwarded-For; with 0 the
# header is ignored. Used by the login lockout, the API throttles and the logs
# (accounts/network.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# One login protection for every way in (login form, admin, API token), all
# of which go through authenticate(): django-axes locks a username from one
# address after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_TIME, so a
# stranger cannot lock a user out for everyone; past LOGIN_SLOWDOWN_AFTER
# failures from anywhere, a username accepts one attempt per
# LOGIN_SLOWDOWN_SECONDS (accounts/login_protection.py).
AUTHENTICATION_BACKENDS = [
    "accounts.login_protection.LockoutBackend",
    "accounts.login_protection.UsernameSlowDownBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.login_protection.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
LOGIN_SLOWDOWN_AFTER = env.int("LOGIN_SLOWDOWN_AFTER", default=30)
LOGIN_SLOWDOWN_SECONDS = env.int("LOGIN_SLOWDOWN_SECONDS", default=30)
LOGIN_SLOWDOWN_WINDOW = 60 * 60
# With DEBUG on the cache is one process's memory, which axes warns about;
# that is right for the development server's single process.
SILENCED_SYSTEM_CHECKS = ["axes.W001"] if DEBUG else []

# OWASP ASVS level 2: at least 12 characters, not a common password.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}", "OPTIONS": options}
    for name, options in (
        ("UserAttributeSimilarityValidator", {}),
        ("MinimumLengthValidator", {"min_length": 12}),
        ("CommonPasswordValidator", {}),
        ("NumericPasswordValidator", {}),
    )
]

# Password-reset e-mails: printed on the console with DEBUG on; in
# production an SMTP server, e.g. EMAIL_URL=smtp+tls://user:pass@host:587.
EMAIL = env.email(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
EMAIL_BACKEND = EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL["EMAIL_HOST"]
EMAIL_PORT = EMAIL["EMAIL_PORT"]
EMAIL_HOST_USER = EMAIL["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = EMAIL["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="webmaster@localhost")
PASSWORD_RESET_TIMEOUT = 60 * 60
# The issuer shown in authenticator apps next to the account name.
OTP_TOTP_ISSUER = "Cloud of Trust Scorecard"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "procurement:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Finished exports (procurement/jobs/). A private directory that no URL
    # serves: files go out only through the access-checked download view.
    # With workers on several machines it must be shared (a network volume),
    # or an S3-compatible storage configured here.
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str(
                "EXPORTS_DIR", default=str(BASE_DIR / "private" / "exports")
            ),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    # Evidence files of answers (procurement/evidence.py): a private directory
    # that no URL serves, or any S3-compatible object storage (a sovereign
    # one, say) when EVIDENCE_S3_BUCKET is set. Files go out only through the
    # access-checked views.
    "evidence": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.str("EVIDENCE_S3_BUCKET", default=""),
                "endpoint_url": env.str("EVIDENCE_S3_ENDPOINT_URL", default="") or None,
                "region_name": env.str("EVIDENCE_S3_REGION", default="") or None,
                "access_key": env.str("EVIDENCE_S3_ACCESS_KEY", default="") or None,
                "secret_key": env.str("EVIDENCE_S3_SECRET_KEY", default="") or None,
                "location": env.str("EVIDENCE_S3_PREFIX", default="evidence"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if env.str("EVIDENCE_S3_BUCKET", default="")
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": env.str(
                    "EVIDENCE_DIR", default=str(BASE_DIR / "private" / "evidence")
                ),
                "base_url": None,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Background jobs (procurement/jobs/): Django's Tasks API, from the django-tasks
# backport until Django 6.0, with the database backend of django-tasks-db:
# the queue is a table of our own database (SQLite or PostgreSQL), and
# `manage.py db_worker` processes run it, on one machine or many. `make run`
# starts one next to the development server.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}
# A finished export is kept, and handed again to whoever asks for the same
# unchanged thing, for this long; then it is deleted.
EXPORTS_KEEP_HOURS = env.int("EXPORTS_KEEP_HOURS", default=24)
# A running job's worker writes a heartbeat this often; a job whose heartbeat
# is older than EXPORTS_LOST_AFTER_SECONDS lost its worker (killed, machine
# gone) and is queued again, up to EXPORTS_MAX_ATTEMPTS runs in all.
EXPORTS_HEARTBEAT_SECONDS = env.int("EXPORTS_HEARTBEAT_SECONDS", default=15)
EXPORTS_LOST_AFTER_SECONDS = env.int("EXPORTS_LOST_AFTER_SECONDS", default=120)
EXPORTS_MAX_ATTEMPTS = env.int("EXPORTS_MAX_ATTEMPTS", default=3)

# Webhooks (webhooks/addresses.py, webhooks/services.py). Deliveries go over
# HTTPS to public addresses only; plain HTTP to localhost is for development
# (on with DEBUG), a private network for a receiver inside the buyer's own.
# Retries wait these many seconds (1 min, 5 min, 30 min, 2 h, 6 h); each
# request gives up after WEBHOOKS_TIMEOUT_SECONDS. WEBHOOKS_SITE_URL (e.g.
# https://scorecard.example.org) makes the API URLs in payloads absolute.
WEBHOOKS_ALLOW_LOCALHOST = env.bool("WEBHOOKS_ALLOW_LOCALHOST", default=DEBUG)
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool(
    "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False
)
WEBHOOKS_RETRY_DELAYS = env.list(
    "WEBHOOKS_RETRY_DELAYS", cast=int, default=[60, 300, 1800, 7200, 21600]
)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
WEBHOOKS_SITE_URL = env("WEBHOOKS_SITE_URL", default="")
# Finished deliveries are deleted after this many days (send_webhooks prunes).
WEBHOOKS_KEEP_DAYS = env.int("WEBHOOKS_KEEP_DAYS", default=90)

# Security. HTTPS is the default; a plain-HTTP deployment behind a proxy that
# terminates TLS sets DJANGO_SECURE_PROXY_SSL_HEADER=true.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes often come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)

# A scorecard payload for 45 criteria is a few kilobytes; anything near this
# limit is a mistake or an attack and gets a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The largest evidence file accepted (a 413 above it), and the largest XLSX grid.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=25 * 1024 * 1024)
GRID_MAX_BYTES = env.int("GRID_MAX_BYTES", default=5 * 1024 * 1024)
# How long a bidder's invitation link works unless the lead says otherwise.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=30)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# How long a personal API token lives unless its owner says otherwise.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)

# The API (config/api.py). Token authentication comes first so that an
# anonymous request gets a 401 with WWW-Authenticate rather than a 403.
# JSON only, through a parser that enforces DATA_UPLOAD_MAX_MEMORY_SIZE (DRF
# reads the body itself and would not); no browsable API (its inline script
# breaks under our CSP): /api/v1/docs/ is the interactive documentation.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.authentication.TokenScope",
    ],
    "DEFAULT_PARSER_CLASSES": ["config.rest.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "config.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "config.rest.UpdatedAfterFilter",
        "config.rest.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # The client's address for throttles, as for the login (TRUSTED_PROXY_COUNT).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_TOKEN_THROTTLE_RATE", default="20/min")
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Cloud of Trust Scorecard API",
    "DESCRIPTION": """\
Score cloud offers on sovereignty: catalogues, providers, offers, procurements,
assessments, answers, scorecards and rankings. Every list is paginated
(`page`, `page_size` up to 200) and states its order (`ordering`). You see
your organisations' work and the reference cases (Cloudwatt, Numergy), which
are read-only; another organisation's objects are a 404. Texts follow
`Accept-Language` (`en`, `fr`).

**From zero to a ranking with curl** (`make run` serves on 127.0.0.1:8000; the
demo login is `demo` / `demo`):

```
API=http://127.0.0.1:8000/api/v1
# 1. A token, valid 90 days (then click "Authorize" above and enter: Token <token>)
curl -s -X POST $API/auth/token/ -H 'Content-Type: application/json' \\
  -d '{"username": "demo", "password": "demo"}'
AUTH="Authorization: Token <token>"
# 2. A procurement for highly sensitive data (profile N3)
curl -s -X POST $API/procurements/ -H "$AUTH" -H 'Content-Type: application/json' \\
  -d '{"title": "Hosting of the payroll system", "profile": "N3"}'
# 3. A provider and its offer
curl -s -X POST $API/providers/ -H "$AUTH" -H 'Content-Type: application/json' \\
  -d '{"name": "Delta Cloud"}'
curl -s -X POST $API/offers/ -H "$AUTH" -H 'Content-Type: application/json' \\
  -d '{"provider": <provider id>, "name": "Trusted IaaS"}'
# 4. An assessment of the offer in the procurement
curl -s -X POST $API/assessments/ -H "$AUTH" -H 'Content-Type: application/json' \\
  -d '{"procurement": <procurement id>, "offer": <offer id>}'
# 5. Answers (criterion codes and levels: GET $API/catalogues/<id>/)
curl -s -X POST $API/assessments/<id>/answers/ -H "$AUTH" \\
  -H 'Content-Type: application/json' \\
  -d '{"version": 1, "answers": [{"criterion": "JUR-1", "level": 3,
       "evidence": "verified", "justification": "Checked in the contract"}]}'
# 6. The scorecard and the ranking
curl -s $API/assessments/<id>/scorecard/ -H "$AUTH"
curl -s $API/procurements/<procurement id>/ranking/ -H "$AUTH"
# 7. The report to file with the tender (pdf, xlsx, csv or json)
curl -s -o report.pdf $API/procurements/<procurement id>/export/pdf/ -H "$AUTH"
```

Every error is a problem details document (RFC 9457,
`application/problem+json`): `type`, `title`, `status`, `detail` and a stable
`code`; a refused input adds `errors`, `{pointer, code, detail}` each, with a
JSON pointer into the body (`/answers/3/level`). A stale `version` is a 409
with `current_version`; a stale `If-Match` a 412. Lists take `updated_after`
and `?cursor=` for a sync.
""",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.document_errors",
        "config.api.document_strict_input",
        "config.api.document_export_formats",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "procurement.models.Assessment.Status",
        "ProcurementStatusEnum": "procurement.models.Procurement.Status",
        "ProviderStatusEnum": "procurement.models.Provider.Status",
        "EvidenceEnum": "procurement.models.Answer.Evidence",
        "ExportJobKindEnum": "procurement.models.ExportJob.Kind",
        "ExportJobStatusEnum": "procurement.models.ExportJob.Status",
        "CatalogueStatusEnum": "scoring.models.Catalogue.Status",
        "LevelEnum": "scoring.models.LEVEL_CHOICES",
        "WebhookEventEnum": "webhooks.models.Event",
        "WebhookDeliveryStatusEnum": "webhooks.models.Delivery.Status",
    },
}

# One JSON object per line, each with its request's id (config/logging.py);
# the "security" logger holds the security log (accounts/security_log.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO; axes repeats our security log.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "security": {"level": "INFO"},
    },
}

# Under /api/, a refused CSRF check answers JSON like every other error.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
