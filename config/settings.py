"""Baqylau settings: one file, every value from the environment (see .env.example)."""

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import available_timezones

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_rate, env_str, env_url, require
from config.fixed import API_FRAMEWORK, BEAT_SCHEDULE, CSP, OPENAPI, SQLITE_OPTIONS, templates
from config.logs import logging_config
from config.middleware import BROWSER_ONLY_MIDDLEWARE
from config.object_storage import object_store
from config.scrape_access import check_token, env_address, env_networks
from config.sentry import sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
# `make` writes a random key for this checkout into a git-ignored file for local use.
SECRET_KEY_FILE = Path(env_str("DJANGO_SECRET_KEY_FILE", str(BASE_DIR / ".local" / "secret_key")))
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false "
            "(or run `make run`, which writes a local one to .local/secret_key)."
        )
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - only ever used with DEBUG on
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Behind TLS in production: cookies only over HTTPS, and trust the proxy's scheme header.
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Plain HTTP is answered with a redirect to HTTPS, except the health checks (config/health.py): load
# balancers and orchestrators probe them over plain HTTP inside the private network.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|livez)$"]
# HSTS (sent on HTTPS answers only): browsers that saw it refuse plain HTTP for this many seconds,
# so a captive portal or a hostile Wi-Fi cannot strip TLS from an observer's phone. 0 turns it off.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Content Security Policy (django-csp): config/fixed.py, documented in docs/deployment.md.
CONTENT_SECURITY_POLICY = CSP

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Baqylau's apps, from the ground up; each imports only from those listed before it
    # (see .importlinter). core/ is a plain package below them all.
    "stations",
    "people",
    "reports",
    "counts",
    "outreach",
    "checklists",
    "complaints",
    "roster",
    "integrity",
    "api",
    "console",
    "partners",
    "webhooks",
    "demo",
]

MIDDLEWARE = [
    # First: every request gets its id (on its log lines and in X-Request-ID) and is timed (/metrics).
    "config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, before any work a page needs
    "csp.middleware.CSPMiddleware",
    # From the fork to the join: what serves browsers. A call to the API with a bearer token skips
    # TOKEN_API_SKIPPED_MIDDLEWARE among them (core/middleware.py); the rest runs for every request.
    "core.middleware.TokenAPIFork",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "people.accounts.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "people.local_time.StaffTimeZoneMiddleware",  # the admin in the staff user's local time
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.TokenAPIJoin",
]
TOKEN_API_SKIPPED_MIDDLEWARE = BROWSER_ONLY_MIDDLEWARE

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = templates(BASE_DIR)

# Database: SQLite in WAL mode by default (the embedded set-up; config/fixed.py), PostgreSQL in production.
DATABASE_URL = env_url("DATABASE_URL", {"sqlite", "postgres", "postgresql", "pgsql"})
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A server that drops packets rather than refusing holds a request 5 s at most (503, retried).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    if env_bool("DJANGO_DB_PREPARED_STATEMENTS", True):
        # PostgreSQL plans each phone's queries (core/rows.py) once per connection; threshold: 5 runs.
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in protection (people/accounts.py). The lockout backend comes first so that a locked-out
# sign-in is refused before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "people.accounts.LockoutBackend",
    "people.accounts.AccountBackend",
]
AXES_HANDLER = "people.accounts.LockoutHandler"
AXES_FAILURE_LIMIT = env_int("BAQYLAU_LOGIN_FAILURE_LIMIT", 5, minimum=1)
# Failures at one account from all addresses together lock it too, at a higher limit: guesses spread
# over many addresses are slowed as well (people.accounts.LockoutHandler).
LOGIN_USERNAME_FAILURE_LIMIT = env_int(
    "BAQYLAU_LOGIN_USERNAME_FAILURE_LIMIT", max(20, AXES_FAILURE_LIMIT), minimum=AXES_FAILURE_LIMIT
)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BAQYLAU_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
# Name and address together: a guesser elsewhere cannot lock a coordinator out of their own laptop.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "people.accounts.client_ip"
AXES_LOCKOUT_CALLABLE = "people.accounts.lockout_response"
# No record of successful sign-ins and their addresses: it would say where observers were.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Staff add an authenticator app in the admin; with this on, they must before using the admin.
REQUIRE_2FA_FOR_STAFF = env_bool("BAQYLAU_REQUIRE_2FA_FOR_STAFF", False)
# An enrolled device's secret is shown once, at enrolment, and never in the admin, not even to superusers.
# No OTP_TOTP_ISSUER either: the entry in a seized phone's app then names no organization.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Time: stored in UTC, shown in the polling station's own time zone at the edge.
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_ELECTION_TIMEZONE = env_str("BAQYLAU_DEFAULT_TIMEZONE", "Asia/Almaty")
require(
    DEFAULT_ELECTION_TIMEZONE in available_timezones(),
    f"BAQYLAU_DEFAULT_TIMEZONE must be an IANA time zone such as Asia/Almaty, "
    f"not {DEFAULT_ELECTION_TIMEZONE!r}.",
)

USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("kk", _("Kazakh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Photos and exports go to a private S3-compatible bucket when BAQYLAU_S3_BUCKET is set, laid out as
# under MEDIA_ROOT on disk otherwise (config/object_storage.py; docs/deployment.md, "Object storage").
OBJECT_STORE = object_store(
    bucket=env_str("BAQYLAU_S3_BUCKET"),
    endpoint_url=env_url("BAQYLAU_S3_ENDPOINT_URL", {"http", "https"}),
    region=env_str("BAQYLAU_S3_REGION"),
    access_key_id=env_str("BAQYLAU_S3_ACCESS_KEY_ID"),
    secret_access_key=env_str("BAQYLAU_S3_SECRET_ACCESS_KEY"),
    addressing_style=env_choice("BAQYLAU_S3_ADDRESSING_STYLE", "auto", {"auto", "path", "virtual"}),
)
# Photos are never served from a public URL: only through permission-checked views.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes hashed, gzipped copies to STATIC_ROOT; WhiteNoise serves them (docs/deployment.md).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "photos"), "base_url": None},
    },
}
if OBJECT_STORE:
    STORAGES |= {"default": OBJECT_STORE.storage(""), "photos": OBJECT_STORE.storage("photos")}
# Uploads are read into memory up to this size before spilling to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A body over UPLOAD_MAX_BYTES, or with a file over UPLOAD_MAX_FILE_BYTES, is refused before it is
# buffered, and a multipart body cut off before its closing boundary is refused rather than
# half-read (core/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "core.uploads.CappedUploadHandler",
    "core.uploads.CompleteMultipartHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The admin's station import accepts a national station list in one file.
STATION_IMPORT_MAX_BYTES = env_int("BAQYLAU_STATION_IMPORT_MAX_MB", 50, minimum=1) * 1024 * 1024
# The largest request with files: a report's six photos of at most 20 MB each and its fields, by
# default. Each file may be as large as a photo (20 MB) or the admin's largest import, whichever is more.
UPLOAD_MAX_BYTES = env_int("BAQYLAU_UPLOAD_MAX_MB", 125, minimum=1) * 1024 * 1024
UPLOAD_MAX_FILE_BYTES = max(20 * 1024 * 1024, STATION_IMPORT_MAX_BYTES)
require(
    UPLOAD_MAX_BYTES >= UPLOAD_MAX_FILE_BYTES,
    f"BAQYLAU_UPLOAD_MAX_MB ({UPLOAD_MAX_BYTES // 2**20}) must be at least the largest file accepted "
    f"({UPLOAD_MAX_FILE_BYTES // 2**20} MB: a photo, or BAQYLAU_STATION_IMPORT_MAX_MB).",
)
# A report takes at most six photos and every form one file: a body with more is refused at the 11th.
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Redis: the Celery broker and the cache when REDIS_URL is set; otherwise tasks run eagerly
# in the web process and the cache is local memory (the embedded set-up of `make run`).
REDIS_URL = env_url("REDIS_URL", {"redis", "rediss", "unix"})
if REDIS_URL:
    # Redis down costs what the cache holds, never a request (core/cache.py).
    CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it finished, so a worker killed mid-task hands it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
# Every app's tasks.py is found by autodiscovery (config/celery.py).
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
# A review asks for a recompute this many seconds later; the reviews in between share it.
SCORE_COALESCE_SECONDS = env_int("BAQYLAU_SCORE_COALESCE_SECONDS", 5, minimum=0)
# New evidence from the field asks for one within this many seconds; the arrivals in between share it.
SCORE_INTAKE_SECONDS = env_int("BAQYLAU_SCORE_INTAKE_SECONDS", 60, minimum=0)

# Django REST framework: bearer tokens, JSON, one error shape (config/fixed.py).
REST_FRAMEWORK = API_FRAMEWORK

# The OpenAPI 3 description of the API (config/openapi.py).
SPECTACULAR_SETTINGS = OPENAPI

# How long an observer's phone stays signed in for its outbox; long enough to outlast election day.
OBSERVER_TOKEN_DAYS = env_int("BAQYLAU_OBSERVER_TOKEN_DAYS", 14, minimum=1)
# Days an observer's one-time sign-in code (printed on their card) stays valid after it is issued.
SIGN_IN_CODE_DAYS = env_int("BAQYLAU_SIGN_IN_CODE_DAYS", 30, minimum=1)
# The observer API (api/throttling.py): each token may make this many requests in a burst (an outbox
# emptying after hours offline) and over a longer period (a phone stuck in a loop); over either, the
# answer is 429 with Retry-After, and the outbox waits and sends again.
OBSERVER_BURST_RATE = env_rate("BAQYLAU_OBSERVER_BURST_RATE", "60/min")
OBSERVER_SUSTAINED_RATE = env_rate("BAQYLAU_OBSERVER_SUSTAINED_RATE", "1000/hour")

# The dashboard's report figures and count board, when the data keeps changing, are shown as last
# computed if younger than this, and refreshed in the background (core/recent.py); 0: always afresh.
RECENT_FIGURES_SECONDS = env_int("BAQYLAU_RECENT_FIGURES_SECONDS", 60, minimum=0)
# How long a reviewer holds a report they opened before another reviewer may take it.
REVIEW_CLAIM_MINUTES = env_int("BAQYLAU_REVIEW_CLAIM_MINUTES", 15, minimum=1)

# The missing list (roster/): a sampled station goes on it without an arrival check-in this many
# minutes after the polls open (local time, every election), or without a final turnout count and
# a protocol copy this many minutes after they close (each election's `polls_close`).
POLLS_OPEN = env_str("BAQYLAU_POLLS_OPEN", "07:00")
require(
    re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", POLLS_OPEN) is not None,
    f"BAQYLAU_POLLS_OPEN must be a local time as HH:MM, such as 07:00, not {POLLS_OPEN!r}.",
)
MISSING_ARRIVAL_MINUTES = env_int("BAQYLAU_MISSING_ARRIVAL_MINUTES", 60, minimum=0)
MISSING_CLOSE_MINUTES = env_int("BAQYLAU_MISSING_CLOSE_MINUTES", 120, minimum=0)

# The partner API (partners/). Each key may make this many requests per second, minute, hour or
# day ("120/min"); a key over its rate gets 429 with Retry-After.
PARTNER_RATE = env_rate("BAQYLAU_PARTNER_RATE", "120/min")
# What a whole-election export (CSV, GeoJSON) and a forensic picture drawn afresh take from that
# budget; a page of a list takes 1.
PARTNER_EXPORT_COST = env_int("BAQYLAU_PARTNER_EXPORT_COST", 10, minimum=1)
PARTNER_PICTURE_COST = env_int("BAQYLAU_PARTNER_PICTURE_COST", 10, minimum=1)
# Exports one key may stream at the same time; a slot left by a dead process is free after the seconds.
PARTNER_EXPORTS_AT_ONCE = env_int("BAQYLAU_PARTNER_EXPORTS_AT_ONCE", 2, minimum=1)
PARTNER_EXPORT_SLOT_SECONDS = env_int("BAQYLAU_PARTNER_EXPORT_SLOT_SECONDS", 300, minimum=10)
# Seconds a signed photo URL handed to a partner stays valid.
PARTNER_PHOTO_URL_MAX_AGE = env_int("BAQYLAU_PARTNER_PHOTO_URL_SECONDS", 15 * 60, minimum=1)
# The demo partner's key, printed by seed_demo; demo data only, like DEMO_PASSWORD.
DEMO_PARTNER_KEY = env_str("DEMO_PARTNER_KEY", "bqp_demo0000_demo-partner-key-not-for-real-data")
require(
    bool(re.fullmatch(r"bqp_[a-z0-9]{4,12}_[A-Za-z0-9_-]{16,}", DEMO_PARTNER_KEY)),
    "DEMO_PARTNER_KEY must read bqp_<4 to 12 lowercase letters or digits>_<at least 16 more characters>.",
)

# The integrity score (integrity/scoring; DESIGN.md, "Integrity score"). Every published score stores
# these values with its inputs and seed, so changing one later never alters a published number.
# Report weight by evidence level. DESIGN.md does not weigh "verified" (a reviewer accepted it, with
# no photo and no second observer): more than the observer's word alone, less than an independent witness.
SCORE_EVIDENCE_WEIGHTS = {
    "rejected": 0.0,
    "unverified": 0.3,
    "verified": 0.5,
    "corroborated": 0.7,
    "documented": 1.0,
}
# Process risk R_P = min(1, S5 rate + 0.4 x S3 rate + 0.1 x S1 rate); keys are taxonomy.Severity values.
SCORE_SEVERITY_WEIGHTS = {5: 1.0, 3: 0.4, 1: 0.1}
# κ, the count risk's weight in the headline: a tenth of the count falsified costs 30 points
# (docs/methodology.md, "Calibration", says why).
SCORE_COUNT_WEIGHT = 3.0
# Lower edges of the bands A, B and C on the 0-100 score; below the last is D.
SCORE_BANDS = (85, 70, 50)
SCORE_DEDUP_MINUTES = env_int("BAQYLAU_SCORE_DEDUP_MINUTES", 60, minimum=0)
SCORE_PRIOR_STRENGTH_MIN = env_int("BAQYLAU_SCORE_PRIOR_STRENGTH_MIN", 2, minimum=1)
SCORE_PRIOR_STRENGTH_MAX = env_int("BAQYLAU_SCORE_PRIOR_STRENGTH_MAX", 1000, minimum=1)
require(
    SCORE_PRIOR_STRENGTH_MIN <= SCORE_PRIOR_STRENGTH_MAX,
    "BAQYLAU_SCORE_PRIOR_STRENGTH_MIN must not exceed BAQYLAU_SCORE_PRIOR_STRENGTH_MAX.",
)
SCORE_DRAWS = env_int("BAQYLAU_SCORE_DRAWS", 2000, minimum=100)
SCORE_MIN_SAMPLE_STATIONS = env_int("BAQYLAU_SCORE_MIN_SAMPLE_STATIONS", 5, minimum=1)
SCORE_FORENSIC_POINTS = env_int("BAQYLAU_SCORE_FORENSIC_POINTS", 5, minimum=0)
SCORE_FORENSIC_MAX_FLAGS = env_int("BAQYLAU_SCORE_FORENSIC_MAX_FLAGS", 4, minimum=0)
# Coverage grade A needs the observed random sample to reach this share of a district's stations
# and n stations; B and C need n stations. Below C: "insufficient data" and no score.
SCORE_COVERAGE_SAMPLE_SHARE = (
    env_int("BAQYLAU_SCORE_COVERAGE_SAMPLE_PERCENT", 10, minimum=0, maximum=100) / 100
)
SCORE_COVERAGE_A_STATIONS = env_int("BAQYLAU_SCORE_COVERAGE_A_STATIONS", 30, minimum=1)
SCORE_COVERAGE_B_STATIONS = env_int("BAQYLAU_SCORE_COVERAGE_B_STATIONS", 15, minimum=1)
SCORE_COVERAGE_C_STATIONS = env_int("BAQYLAU_SCORE_COVERAGE_C_STATIONS", 5, minimum=1)
require(
    SCORE_COVERAGE_A_STATIONS >= SCORE_COVERAGE_B_STATIONS >= SCORE_COVERAGE_C_STATIONS,
    "The coverage thresholds must satisfy A >= B >= C "
    "(BAQYLAU_SCORE_COVERAGE_A_STATIONS, _B_STATIONS, _C_STATIONS).",
)

# Partners' webhooks (webhooks/). A failed send is retried after base x 2^(attempt - 1) seconds,
# capped and with jitter, until the maximum number of attempts; then the delivery is failed and a
# coordinator may queue it again. The cap stays under the broker's visibility timeout.
WEBHOOK_TIMEOUT_SECONDS = env_int("BAQYLAU_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("BAQYLAU_WEBHOOK_MAX_ATTEMPTS", 10, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("BAQYLAU_WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
# At most the broker's visibility timeout (3600 s), so a waiting retry is never delivered twice.
WEBHOOK_RETRY_MAX_SECONDS = env_int("BAQYLAU_WEBHOOK_RETRY_MAX_SECONDS", 3600, minimum=1, maximum=3600)
# Off: a partner's URL may not lead to loopback, private, link-local or reserved addresses (SSRF).
WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("BAQYLAU_WEBHOOK_ALLOW_PRIVATE_HOSTS", False)
# Without a broker (tasks eager), webhooks are sent by a background thread after the commit, never
# inside the request that queued them. Not an environment variable: only tests turn it off.
WEBHOOK_SEND_IN_THREAD = True

# Safety alerts (outreach/): each new alert is mailed through this SMTP server and posted, signed,
# to the organization's emergency contacts; a failed send is tried again each minute, this many times.
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
require(not (EMAIL_USE_TLS and EMAIL_USE_SSL), "Set DJANGO_EMAIL_USE_TLS or DJANGO_EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT_SECONDS", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "baqylau@localhost")
ALERT_MAX_ATTEMPTS = env_int("BAQYLAU_ALERT_MAX_ATTEMPTS", 30, minimum=1)

LOGIN_URL = "observe:login"
LOGIN_REDIRECT_URL = "observe:stations"

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "observe2023")

# Operations (docs/operations.md): logs, metrics, error reports.
# Logs: one JSON object a line with the request's or task's id (config/logs.py); text in DEBUG.
LOGGING = logging_config(
    log_format=env_choice("BAQYLAU_LOG_FORMAT", "text" if DEBUG else "json", {"json", "text"}),
    level=env_choice("DJANGO_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
)
# /metrics answers the bearer token or clients connected straight from these networks; others 404.
METRICS_TOKEN = check_token("BAQYLAU_METRICS_TOKEN", env_str("BAQYLAU_METRICS_TOKEN"))
METRICS_NETWORKS = env_networks("BAQYLAU_METRICS_NETWORKS", ["127.0.0.1/32", "::1/128"])
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]  # scraped over plain HTTP inside
# Read by prometheus-client itself: one directory per service on a machine, emptied at each start.
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")
require(
    not PROMETHEUS_MULTIPROC_DIR or Path(PROMETHEUS_MULTIPROC_DIR).is_dir(),
    f"PROMETHEUS_MULTIPROC_DIR must be an existing directory, not {PROMETHEUS_MULTIPROC_DIR!r}.",
)
# A Celery worker's main process serves its metrics on this port (0: not at all).
WORKER_METRICS_PORT = env_int("BAQYLAU_WORKER_METRICS_PORT", 0, minimum=0, maximum=65535)
WORKER_METRICS_ADDRESS = env_address("BAQYLAU_WORKER_METRICS_ADDRESS", "127.0.0.1")
# Errors to Sentry, scrubbed of anything that could identify an observer (config/sentry.py).
SENTRY_DSN = env_url("SENTRY_DSN", {"http", "https"})
if SENTRY_DSN:
    sentry_init(dsn=SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))
