"""Settings that are the product's own and no operator's: how the API describes itself
(drf-spectacular, read by config/settings.py as SPECTACULAR_SETTINGS) and the Content Security
Policy (CONTENT_SECURITY_POLICY), the periodic tasks of beat (CELERY_BEAT_SCHEDULE), the templates'
set-up (TEMPLATES), Django REST framework's (REST_FRAMEWORK) and SQLite's options. Nothing here comes from the
environment."""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF

# The OpenAPI 3 description of the API (drf-spectacular) at /api/schema/, read at /api/docs/.
# Public like the code: it names endpoints and shapes, never data. The documentation pages load
# Swagger UI and Redoc from drf-spectacular-sidecar's static files, never from a CDN, so they work
# on an offline laptop and send no visitor to a third party.
OPENAPI = {
    "TITLE": "Baqylau API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Citizen election observation. Observers send check-ins, incident reports and photos from "
        "their phones; partners (media, missions, researchers) read verified, redacted incidents, "
        "integrity scores and open-data exports. Every error has one shape: "
        '`{"error": {"code", "message", "fields"}}`. The guide with examples is docs/api.md.'
    ),
    "SERVERS": [{"url": "/", "description": "This installation"}],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "TAGS": [
        {"name": "observers", "description": "The observer's phone: sign in, check in, report, answer."},
        {"name": "partners", "description": "Verified, redacted data for partners, with a partner key."},
        {"name": "webhooks", "description": "Signed events pushed to a partner's URL."},
    ],
    # Both are `Authorization: Bearer …`; api/schema.py attaches each to the operations it serves.
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "observerToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "An observer's token from POST /api/v1/auth/token/.",
            },
            "partnerKey": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "bqp_<prefix>_<secret>",
                "description": "A partner key from a coordinator (admin) or `manage.py create_partner_key`.",
            },
        }
    },
    # Input and output serializers are separate already; the split also gives uploads a binary type.
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation may answer 503 while the database or the photo store is down.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.add_unavailable",
    ],
    # A district's band and the two ends of its band range are one choice set: one name for it.
    "ENUM_NAME_OVERRIDES": {"BandEnum": "integrity.models.Band.choices"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # No authentication for the schema and the pages: a stale token in the browser cannot lock them.
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Redoc's search runs in a worker made from a blob: URL, which the Content Security Policy refuses
    # (worker-src 'self'); the browser's own find-in-page searches the fully rendered page instead.
    "REDOC_UI_SETTINGS": {"disableSearch": True},
}

# Content Security Policy (django-csp): only this server's own scripts run, plus the inline ones
# that carry the request's nonce (the API documentation pages). Styles may be inline: Swagger UI
# and Redoc insert <style> elements at run time, the dashboard's SVG charts style their shapes, and
# a style cannot run code. The phone's outbox decodes photos from blob: URLs; its service worker is
# /observe/sw.js.
# Documented in docs/deployment.md ("Security settings").
CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Every app's tasks.py is found by autodiscovery (config/celery.py).
BEAT_SCHEDULE: dict = {
    # The safety net behind the recomputes that reviews ask for: a lost message costs minutes, no data.
    "scores-every-5-minutes": {
        "task": "integrity.tasks.scores_recompute_all",
        "schedule": timedelta(minutes=5),
    },
    # Re-queues photo exports whose message was lost and deletes expired export files.
    "export-jobs-sweep": {
        "task": "reports.tasks.export_jobs_sweep",
        "schedule": timedelta(minutes=10),
    },
    # Re-queues the complaint PDFs and evidence packs whose build a lost message or a dead worker left.
    "complaint-packs-sweep": {
        "task": "complaints.tasks.complaint_packs_sweep",
        "schedule": timedelta(minutes=10),
    },
    # Sends the partners' webhook deliveries that are due: retries, and any whose message was lost.
    "webhook-deliveries-due": {
        "task": "webhooks.tasks.webhook_deliveries_due",
        "schedule": timedelta(minutes=1),
    },
    # Sends again the alerts to emergency contacts that failed or whose message was lost.
    "alert-deliveries-due": {
        "task": "outreach.tasks.alert_deliveries_due",
        "schedule": timedelta(minutes=1),
    },
}


def templates(base_dir: Path) -> list[dict]:
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [base_dir / "config" / "templates"],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    "django.template.context_processors.i18n",
                ],
            },
        },
    ]


# Django REST framework (REST_FRAMEWORK).
API_FRAMEWORK = {
    # Bearer first: its challenge makes a request without credentials a 401 rather than a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "people.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser answers JSON nested too deeply with a 500: ours answers 400 (core/api_parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.api_errors.handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# SQLite, the embedded set-up's database: WAL lets the web process read while a task writes; the
# busy timeout (seconds) makes a writer wait for the lock instead of failing, and IMMEDIATE takes it
# at the start of a transaction so two writers never deadlock on an upgrade.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
}
