"""Metrics and logs of the processes an operator runs: gunicorn with several workers, and a Celery
worker with a pool of processes, each on loopback and against real Redis."""

import json
from concurrent.futures import ThreadPoolExecutor

import requests
from celery import Celery
from prometheus_client.parser import text_string_to_metric_families

from tests.faults.processes import RedisServer
from tests.ops.processes import WebServer, Worker, free_port, tail, wait_for

TOKEN = "worker-metrics-token-for-the-operations-tests"


def samples(text: str) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_gunicorn_workers_answer_a_scrape_with_the_sum_of_them_all(sqlite_site, tmp_path):
    directory = tmp_path / "prometheus"
    directory.mkdir()
    site = sqlite_site("web", PROMETHEUS_MULTIPROC_DIR=str(directory))
    with WebServer(site, workers=2) as server:
        before = requests.get(f"{server.url}/metrics", timeout=10)
        assert before.status_code == 200
        healthz = samples(before.text).get(healthz_key(), 0)
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: requests.get(f"{server.url}/healthz", timeout=10), range(40)))
        assert {answer.status_code for answer in answers} == {200}
        # Whichever worker answers the scrape, it counts the requests every worker served.
        for _ in range(6):
            scraped = samples(requests.get(f"{server.url}/metrics", timeout=10).text)
            assert scraped[healthz_key()] == healthz + 40
        assert len({path.name.rsplit("_", 1)[-1] for path in directory.glob("histogram_*.db")}) >= 2
        assert (
            requests.get(
                f"{server.url}/metrics", headers={"X-Forwarded-For": "1.2.3.4"}, timeout=10
            ).status_code
            == 404
        )


def healthz_key() -> tuple:
    labels = {"method": "GET", "route": "healthz", "status": "2xx"}
    return ("baqylau_http_request_duration_seconds_count", tuple(sorted(labels.items())))


def test_a_celery_worker_serves_its_pool_s_task_durations_and_logs_each_task_s_id(sqlite_site, tmp_path):
    redis = RedisServer(tmp_path / "redis.log").start()
    directory, port = tmp_path / "prometheus", free_port()
    directory.mkdir()
    site = sqlite_site(
        "worker",
        REDIS_URL=redis.url,
        PROMETHEUS_MULTIPROC_DIR=str(directory),
        BAQYLAU_WORKER_METRICS_PORT=str(port),
        BAQYLAU_METRICS_TOKEN=TOKEN,
        # Loopback is not among them: only the token lets the test in.
        BAQYLAU_METRICS_NETWORKS="192.0.2.0/24",
    )
    sender = Celery(broker=redis.url)
    try:
        with Worker(site, concurrency=2) as worker:
            sent = [sender.send_task("webhooks.tasks.webhook_deliveries_due") for _ in range(3)]
            failing = sender.send_task("integrity.tasks.scores_recompute_task", args=["not-an-election-id"])
            metrics = f"http://127.0.0.1:{port}/metrics"
            authorized = {"Authorization": f"Bearer {TOKEN}"}
            success = task_key("webhooks.tasks.webhook_deliveries_due", "success")
            failure = task_key("integrity.tasks.scores_recompute_task", "failure")

            def counted():
                answer = requests.get(metrics, headers=authorized, timeout=5)
                found = samples(answer.text)
                return found.get(success) == 3 and found.get(failure) == 1

            assert wait_for(counted, seconds=60, every=0.5), tail(worker.log)
            assert requests.get(metrics, timeout=5).status_code == 404
            assert (
                requests.get(metrics, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 404
            )
            lines = [json.loads(line) for line in worker.log.read_text().splitlines() if line.startswith("{")]
    finally:
        sender.close()
        redis.stop()
    for result in [*sent, failing]:
        own = [
            line for line in lines if result.id in line["message"] and line["logger"] == "celery.app.trace"
        ]
        assert own and all(line["request_id"] == result.id for line in own), own
    failed = next(line for line in lines if failing.id in line["message"] and line["level"] == "ERROR")
    assert "Traceback" in failed["exception"]


def task_key(task: str, outcome: str) -> tuple:
    return (
        "baqylau_celery_task_duration_seconds_count",
        tuple(sorted({"outcome": outcome, "task": task}.items())),
    )
