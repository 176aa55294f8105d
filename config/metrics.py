"""Prometheus metrics: what web processes and Celery workers measure, and how they are read.

Measured as they happen, in the process that does the work:
- baqylau_http_request_duration_seconds{route, method, status}: time to the response's headers, by
  URL pattern (never the raw path, which holds ids), method and status class (config.request_id);
- baqylau_celery_task_duration_seconds{task, outcome}: each task run, from task_prerun to task_postrun
  (config.celery), in the worker, or in the web process when tasks run eagerly;
- baqylau_photo_processing_seconds{outcome}: stripping and re-encoding one photo (core.photos).
Read when scraped, on a web node only (config.metrics_state): queue lengths, the webhook outbox's
lag, the age of each election's latest score run.

Several processes: with PROMETHEUS_MULTIPROC_DIR set, prometheus-client keeps every process's values
in files there and a scrape adds them up, so one gunicorn master's workers answer as one. A Celery
worker's pool processes write into the worker's own directory, and the worker's main process serves
them on BAQYLAU_WORKER_METRICS_PORT (`serve_worker_metrics`). Without the variable each process
counts alone (fine for `make run` and a single-process worker pool).
No model is imported here: config/celery.py imports this module while the settings load.
"""

import logging
import os
import socket
import threading
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from config.scrape_access import Network, scrape_allowed

logger = logging.getLogger(__name__)

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED = "<unmatched>"

REQUEST_SECONDS = Histogram(
    "baqylau_http_request_duration_seconds",
    "Time from a request's arrival to its response's headers, by URL pattern, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
TASK_SECONDS = Histogram(
    "baqylau_celery_task_duration_seconds",
    "Time a Celery task ran, by task name and outcome (success, failure, retry...).",
    ["task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)


def observe_request(*, route: str | None, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(
        route=route or UNMATCHED,
        # A client may send any word as its method: unknown ones share one label.
        method=method if method in METHODS else "other",
        status=f"{status // 100}xx",
    ).observe(seconds)


def observe_task(*, task: str, outcome: str | None, seconds: float) -> None:
    TASK_SECONDS.labels(task=task, outcome=(outcome or "unknown").lower()).observe(seconds)


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text a scrape gets: this process's metrics, or every process's in multiprocess mode, and
    the collectors in `extra`."""
    registry = CollectorRegistry(auto_describe=False)
    directory = os.environ.get(MULTIPROCESS_VARIABLE)
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(REGISTRY)
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


def exporter_app(*, token: str, networks: tuple[Network, ...]):
    """A WSGI application that serves GET /metrics to those allowed, and 404 to anyone else."""

    def app(environ, start_response):
        allowed = scrape_allowed(environ, token=token, networks=networks)
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") != "GET" or not allowed:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Not found\n"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Cache-Control", "no-store")])
        return [exposition()]

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        """Scrapes every few seconds would drown the worker's own log."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve_worker_metrics(*, address: str, port: int, token: str, networks: tuple[Network, ...]):
    """Serve this worker's metrics (its pool processes' too, in multiprocess mode) on address:port
    from a daemon thread; returns the server."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    server_class = type("MetricsServer", (_ThreadingServer,), {"address_family": family})
    server = make_server(
        address, port, exporter_app(token=token, networks=networks), server_class, _QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="metrics-exporter", daemon=True).start()
    logger.info("Worker metrics at http://%s:%s/metrics", address, server.server_port)
    return server
