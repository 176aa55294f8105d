"""GET /healthz: whether this web process can reach what it depends on.

Load balancers and the operator's monitoring poll it; it must answer fast, so every check
has a short timeout, and it never needs a session or a login.
"""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return "unavailable"
    return "ok"


def broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager"
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError:
        logger.exception("health check: the broker did not answer")
        return "unavailable"
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def healthz(request):
    body = {"database": database_status(), "broker": broker_status()}
    healthy = all(value in ("ok", "eager") for value in body.values())
    return JsonResponse(body, status=200 if healthy else 503)
