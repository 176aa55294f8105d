"""Error reports to Sentry when SENTRY_DSN is set (config/settings.py calls `sentry_init`).

Observers can be identified and punished, and an error report leaves the mission's servers: what
goes out is the exception, its stack (without local variables), the URL pattern, the method, the URL
without its query string, the request id and the environment. Never a request body, cookies, the
Authorization header or any other header that could identify a phone, the client's address, the user,
breadcrumbs (log lines may name people) or a task's arguments.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from config.logs import REQUEST_ID

# Of a request's headers, only these may say something about a failure and nothing about who sent it.
KEPT_HEADERS = {"accept", "content-length", "content-type"}


def sentry_init(*, dsn: str, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        auto_enabling_integrations=False,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        max_breadcrumbs=0,
        auto_session_tracking=False,
        traces_sample_rate=None,
        before_send=scrub_event,
    )


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """The event as it may leave: see the module's description."""
    request = event.get("request")
    if request:
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": (request.get("url") or "").split("?", 1)[0],
            "headers": {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS},
        }
    for key in ("user", "breadcrumbs"):
        event.pop(key, None)
    job = (event.get("extra") or {}).get("celery-job")
    event["extra"] = {"celery-job": {"task_name": job.get("task_name")}} if isinstance(job, dict) else {}
    tags = event.get("tags")
    if not isinstance(tags, dict):
        tags = event["tags"] = {}
    tags["request_id"] = REQUEST_ID.get()
    return event
