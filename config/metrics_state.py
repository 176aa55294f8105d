"""GET /metrics on a web node, and what it reads at scrape time rather than counts as it happens.

- baqylau_celery_queue_length{queue}: messages waiting in the broker (Redis LLEN of the queue's lists);
  with baqylau_celery_broker_up 1 or 0. Neither without a broker (tasks run in-process).
- baqylau_webhook_outbox_lag_seconds: age of the oldest webhook delivery still pending (0 when none),
  and baqylau_webhook_outbox_pending, how many are.
- baqylau_score_run_age_seconds{election}: seconds since the election's latest score run finished, for
  every election with a run started in the last two days (those the beat keeps recomputing); since its
  first run started when none has finished yet.

Each is read in one short query or Redis call; one that fails is left out of the scrape and logged,
never an error answer. Only those config.scrape_access lets in get an answer; anyone else a 404.
"""

import logging
from collections.abc import Iterator

import redis
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily, Metric

from config.celery import app as celery_app
from config.metrics import exposition
from config.scrape_access import scrape_allowed
from integrity.models import ScoreRun, ScoreRunStatus
from integrity.tasks import RECENT
from webhooks.models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 1
# Kombu's Redis transport keeps a queue's messages of priority 3, 6 and 9 in lists of their own.
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    allowed = scrape_allowed(request.META, token=settings.METRICS_TOKEN, networks=settings.METRICS_NETWORKS)
    if request.method != "GET" or not allowed:
        raise Http404
    return HttpResponse(exposition([StateCollector()]), content_type=CONTENT_TYPE_LATEST)


class StateCollector:
    """Reads the state of the queues, the webhook outbox and the scores when collected."""

    def collect(self) -> Iterator[Metric]:
        for read in (queue_metrics, outbox_metrics, score_metrics):
            try:
                yield from read()
            except (DatabaseError, redis.RedisError):
                logger.warning("metrics: %s could not be read", read.__name__, exc_info=True)


def queue_names() -> list[str]:
    names = {celery_app.conf.task_default_queue}
    names.update(queue.name for queue in celery_app.conf.task_queues or ())
    return sorted(names)


def queue_metrics() -> Iterator[Metric]:
    if not settings.REDIS_URL:
        return
    up = GaugeMetricFamily(
        "baqylau_celery_broker_up", "1 when the Celery broker (Redis) answered the scrape."
    )
    lengths = GaugeMetricFamily(
        "baqylau_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
    )
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        with client.pipeline(transaction=False) as pipe:
            names = queue_names()
            for name in names:
                for suffix in PRIORITY_SUFFIXES:
                    pipe.llen(name + suffix)
            counts = pipe.execute()
    except redis.RedisError:
        logger.warning("metrics: the broker did not answer", exc_info=True)
        up.add_metric([], 0)
        yield up
        return
    finally:
        client.close()
    up.add_metric([], 1)
    step = len(PRIORITY_SUFFIXES)
    for index, name in enumerate(names):
        lengths.add_metric([name], sum(counts[index * step : (index + 1) * step]))
    yield from (up, lengths)


def outbox_metrics() -> Iterator[Metric]:
    pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
        oldest=Min("created_at"), count=Count("id")
    )
    lag = (timezone.now() - pending["oldest"]).total_seconds() if pending["oldest"] else 0.0
    yield GaugeMetricFamily(
        "baqylau_webhook_outbox_lag_seconds",
        "Age of the oldest webhook delivery not yet delivered (0 when none is pending).",
        value=max(0.0, lag),
    )
    yield GaugeMetricFamily(
        "baqylau_webhook_outbox_pending", "Webhook deliveries not yet delivered.", value=pending["count"]
    )


def score_metrics() -> Iterator[Metric]:
    now = timezone.now()
    rows = (
        ScoreRun.objects.values("election__slug")
        .annotate(
            latest_start=Max("started_at"),
            first_start=Min("started_at"),
            finished=Max("finished_at", filter=Q(status=ScoreRunStatus.FINISHED)),
        )
        .filter(latest_start__gte=now - RECENT)
        .order_by("election__slug")
    )
    ages = GaugeMetricFamily(
        "baqylau_score_run_age_seconds",
        "Seconds since the election's latest score run finished (since its first run started if none has).",
        labels=["election"],
    )
    for row in rows:
        since = row["finished"] or row["first_start"]
        ages.add_metric([row["election__slug"]], max(0.0, (now - since).total_seconds()))
    yield ages
