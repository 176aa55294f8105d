"""Three health checks, for the three who ask (docs/deployment.md, "Health"):

- GET /livez, for the orchestrator's liveness probe: the process answers requests. It asks nothing
  else; a database or broker outage must not get processes restarted that would come back to the
  same outage.
- GET /readyz, for the load balancer: this web process can take requests, which needs the database
  and nothing more. With the broker down, reports, check-ins and reviews are still taken (scores
  catch up once it is back), so a node must not be taken out of service for it.
- GET /healthz, for the operator's monitoring: the database and the broker, 503 when either does
  not answer.

All of them answer fast (every check has a short timeout), are never cached, and need no session
or login.
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
def livez(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    database = database_status()
    return JsonResponse({"database": database}, status=200 if database == "ok" else 503)


@never_cache
@require_GET
def healthz(request):
    body = {"database": database_status(), "broker": broker_status()}
    healthy = all(value in ("ok", "eager") for value in body.values())
    return JsonResponse(body, status=200 if healthy else 503)
