"""A Celery worker process killed in the middle of a recompute (the kernel's OOM killer, a node lost).

Two `celery worker` processes with prefork pools on a Redis of the test's own. A recompute long
enough to be caught is sent; as soon as its run row says "running", the pool process running it
is killed with SIGKILL. Tasks are acknowledged late and rejected when their process is lost, so the
task goes back to the queue and the other worker finishes it: the published scores are those of
one finished run, computed once. The killed run's row stays "running" until the beat's safety net
marks it abandoned, once it is older than any recompute could take.
"""

import os
import re
import signal
from datetime import timedelta

import pytest
import redis
from django.db import connection
from django.db.models import F

from integrity.models import DistrictScore, DistrictScoreHistory, ScoreRun, StationIndicator
from integrity.services import ABANDON_AFTER, scores_recompute
from integrity.tasks import scores_recompute_all, scores_recompute_task
from reports.models import IncidentReport
from tests.faults.conftest import server_env
from tests.faults.processes import CeleryWorker, tail, wait_for
from tests.integrity.test_scores import tasks_sent_to
from tests.integrity.test_scores_worker import DISTRICTS, REPORTS, build_election

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes must reach the test database, and SQLite's lives in this process's memory",
    ),
]
TASK = "integrity.tasks.scores_recompute_task"


@pytest.fixture
def workers(own_redis, settings, tmp_path):
    env = server_env(REDIS_URL=own_redis.url)
    pair = [
        CeleryWorker(tmp_path / f"{name}.log", env, name=name, pool="prefork") for name in ("first", "second")
    ]
    with tasks_sent_to(own_redis.url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        try:
            yield [worker.start() for worker in pair]
        finally:
            for worker in pair:
                worker.stop()


def logs(workers) -> str:
    return "\n".join(f"--- {worker.name}:\n{tail(worker.log)}" for worker in workers)


def holder_of_the_task(workers) -> CeleryWorker | None:
    received = f"Task {TASK}["
    return next((worker for worker in workers if received in tail(worker.log, 100_000)), None)


def test_a_worker_killed_mid_recompute_hands_the_task_to_the_other_which_publishes_it_once(
    workers, own_redis
):
    election, _ = build_election("killed-worker", reports=REPORTS)
    published = scores_recompute(election_id=election.pk)
    IncidentReport.objects.filter(election=election, status="submitted").update(status="verified")

    scores_recompute_task.delay(election.pk)
    killed = wait_for(
        lambda: ScoreRun.objects.filter(election=election, pk__gt=published.pk, status="running").first(),
        seconds=60,
        every=0.005,
    )
    assert killed is not None, f"the recompute never started:\n{logs(workers)}"
    holder = holder_of_the_task(workers)
    (pool_process,) = holder.children()
    os.kill(pool_process, signal.SIGKILL)
    killed.refresh_from_db()
    assert (killed.status, killed.finished_at) == ("running", None), "the kill came after the run finished"

    finished = wait_for(
        lambda: ScoreRun.objects.filter(election=election, pk__gt=killed.pk, status="finished").first(),
        seconds=90,
    )
    assert finished is not None, f"no worker finished the task:\n{logs(workers)}"
    other = next(worker for worker in workers if worker is not holder)
    # The run is published a moment before the worker says so.
    assert wait_for(
        lambda: re.search(rf"Task {TASK}\[[^]]+\] succeeded", tail(other.log, 100_000)), seconds=30
    ), logs(workers)
    # Acknowledged once it finished: nothing is left queued or waiting to be delivered again.
    queue = redis.Redis.from_url(own_redis.url)
    assert wait_for(lambda: (queue.llen("celery"), queue.hlen("unacked")) == (0, 0), seconds=30)
    assert ScoreRun.objects.filter(election=election, pk__gt=published.pk).count() == 2
    assert set(DistrictScore.objects.filter(election=election).values_list("run_id", flat=True)) == {
        finished.pk
    }
    assert DistrictScoreHistory.objects.filter(run=finished).count() == DISTRICTS
    assert not StationIndicator.objects.filter(run=killed).exists()

    # Beat's safety net, once the killed run is older than any recompute could take.
    ScoreRun.objects.filter(pk=killed.pk).update(
        started_at=F("started_at") - ABANDON_AFTER - timedelta(minutes=1)
    )
    scores_recompute_all.delay()
    latest = wait_for(
        lambda: ScoreRun.objects.filter(election=election, pk__gt=finished.pk, status="finished").first(),
        seconds=90,
    )
    assert latest is not None, f"the safety net did not run:\n{logs(workers)}"
    killed.refresh_from_db()
    assert killed.status == "abandoned"
    assert latest.inputs_digest == finished.inputs_digest  # nothing changed: the same numbers again
    current = set(DistrictScore.objects.filter(election=election).values_list("run_id", flat=True))
    assert current == {latest.pk}
    assert not ScoreRun.objects.filter(election=election, status="running").exists()
