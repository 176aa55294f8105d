"""The Celery app, and what every task run leaves behind: its time in the task duration histogram
(config.metrics) and its id on every line it logs (config.logs). A worker logs as the web processes
do, through settings.LOGGING, and its main process serves its metrics when
BAQYLAU_WORKER_METRICS_PORT is set."""

import logging.config
import os
import time
from contextvars import Token

from celery import Celery, signals
from django.conf import settings

from config.logs import NO_REQUEST, REQUEST_ID, bind_request_id, unbind_request_id
from config.metrics import observe_task, serve_worker_metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("baqylau")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Exactly one beat sends the schedule: the others wait as standbys (config/beat.py).
app.conf.beat_scheduler = "config.beat:LockedScheduler"
app.autodiscover_tasks()

# The tasks running in this process (one, or a few nested when tasks run eagerly): start and log id.
_running: dict[str, tuple[float, Token]] = {}


@signals.setup_logging.connect
def log_as_the_web_does(**kwargs) -> None:
    """Connected, this keeps Celery from replacing the handlers with its own format."""
    logging.config.dictConfig(settings.LOGGING)


@signals.task_prerun.connect
def task_started(*, task_id: str, **kwargs) -> None:
    _running[task_id] = (time.perf_counter(), bind_request_id(task_id))


@signals.task_postrun.connect
def task_finished(*, task_id: str, task, state: str | None = None, **kwargs) -> None:
    started = _running.pop(task_id, None)
    if started is None:
        return
    begun, token = started
    try:
        unbind_request_id(token)
    except ValueError:
        # Finished in another context than it started in (a pool of green threads): nothing to restore.
        REQUEST_ID.set(NO_REQUEST)
    observe_task(task=task.name, outcome=state, seconds=time.perf_counter() - begun)


@signals.worker_ready.connect
def serve_metrics(**kwargs) -> None:
    if settings.WORKER_METRICS_PORT:
        serve_worker_metrics(
            address=settings.WORKER_METRICS_ADDRESS,
            port=settings.WORKER_METRICS_PORT,
            token=settings.METRICS_TOKEN,
            networks=settings.METRICS_NETWORKS,
        )
