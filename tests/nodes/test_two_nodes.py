"""Two web nodes and two Celery workers sharing PostgreSQL, Redis and the object store, as behind a
load balancer on election day (docs/deployment.md, "Several nodes").

Each node is a gunicorn of its own on a loopback port with an empty MEDIA_ROOT of its own; photos
live in the bucket only. An observer's report with a photo goes to node A, a reviewer verifies it
through node B, which serves the photo node A stored; node A sees the verification, and one of the
workers publishes the scores. A worker killed in the middle of a recompute leaves the other one to
finish it. (Exactly one beat: tests/nodes/test_one_beat.py.)
"""

import io
import os
import signal
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis
import requests
from django.db import connection
from PIL import Image

from integrity.models import DistrictScore, ScoreRun
from integrity.services import scores_recompute
from integrity.tasks import scores_recompute_task
from reports.models import IncidentReport
from tests.faults.conftest import REQUEST_SECONDS, report_fields, server_env, signed_in_cookies
from tests.faults.processes import CeleryWorker, RedisServer, WebServer, tail, wait_for
from tests.faults.test_redis_stopped import checkin, verify_in_admin
from tests.images import jpeg_bytes
from tests.integrity.test_scores import tasks_sent_to
from tests.integrity.test_scores_worker import REPORTS, build_election
from tests.reports.test_review_admin import in_group
from tests.s3 import Bucket, new_bucket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the nodes are processes of their own, and SQLite's test database lives in this one's memory",
    ),
]
TASK = "integrity.tasks.scores_recompute_task"
PASSWORD = "pw-for-tests-only"


@dataclass
class Cluster:
    redis: RedisServer
    bucket: Bucket
    nodes: list[WebServer]
    media: list[Path]
    workers: list[CeleryWorker]

    def logs(self) -> str:
        processes = [*self.nodes, *self.workers]
        return "\n".join(f"--- {process.log.name}:\n{tail(process.log)}" for process in processes)

    def files_on_disk(self) -> list[Path]:
        return [path for folder in self.media for path in folder.rglob("*") if path.is_file()]


@pytest.fixture(scope="module")
def cluster(django_db_setup, s3_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("nodes")
    own_redis = RedisServer(folder / "redis.log").start()
    bucket = new_bucket(s3_server).create()
    common = server_env(
        REDIS_URL=own_redis.url,
        DJANGO_SETTINGS_MODULE="tests.nodes.node_settings",
        BAQYLAU_SCORE_COALESCE_SECONDS="0",
        BAQYLAU_SCORE_INTAKE_SECONDS="0",
        **bucket.environ(),
    )
    media = [folder / f"media-{name}" for name in ("a", "b")]
    for path in media:
        path.mkdir()
    nodes = [
        WebServer(folder / f"node-{name}.log", common | {"DJANGO_MEDIA_ROOT": str(path)})
        for name, path in zip(("a", "b"), media, strict=True)
    ]
    workers = [
        CeleryWorker(folder / f"worker-{name}.log", common, name=name, pool="prefork")
        for name in ("one", "two")
    ]
    try:
        for process in [*nodes, *workers]:
            process.start()
        yield Cluster(own_redis, bucket, nodes, media, workers)
    finally:
        for process in [*nodes, *workers, own_redis]:
            process.stop()


@pytest.fixture
def broker(cluster, settings):
    """Tasks sent from this process go to the cluster's Redis, as the nodes' do."""
    with tasks_sent_to(cluster.redis.url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        yield cluster.redis


def observer_phone(base: str) -> requests.Session:
    answer = requests.post(
        f"{base}/api/v1/auth/token/",
        json={"username": "observer-a", "password": PASSWORD},
        timeout=REQUEST_SECONDS,
    )
    assert answer.status_code == 201, answer.text
    phone = requests.Session()
    phone.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    return phone


def photo_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Observer's phone"  # Model
    return jpeg_bytes(exif=exif)


def send_report(phone: requests.Session, base: str, station) -> dict:
    arrived = phone.post(
        f"{base}/api/v1/checkins/", data=checkin(station, "arrival"), timeout=REQUEST_SECONDS
    )
    assert arrived.status_code == 201, arrived.text
    files = {"photos": ("photo.jpg", photo_with_metadata(), "image/jpeg")}
    sent = phone.post(
        f"{base}/api/v1/reports/",
        data=report_fields(station, uuid.uuid4()),
        files=files,
        timeout=REQUEST_SECONDS,
    )
    assert sent.status_code == 201, sent.text
    return sent.json()


def statuses_seen_by(phone: requests.Session, base: str) -> dict[str, str]:
    answer = phone.get(f"{base}/api/v1/reports/", params={"mine": "true"}, timeout=REQUEST_SECONDS)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return {item["id"]: item["status"] for item in (body["results"] if isinstance(body, dict) else body)}


def test_a_report_sent_to_node_a_is_reviewed_and_its_photo_served_through_node_b(
    cluster, broker, observer, reviewer, election_today, station
):
    node_a, node_b = (node.url for node in cluster.nodes)
    phone = observer_phone(node_a)
    sent = send_report(phone, node_a, station)
    (photo_key,) = [key for key in cluster.bucket.object_keys() if "thumb" not in key]
    assert photo_key.startswith("photos/")
    stored = cluster.bucket.read(photo_key)
    assert cluster.files_on_disk() == []

    reviewer_session = requests.Session()
    reviewer_session.cookies.update(signed_in_cookies(in_group(reviewer, "Reviewer")))
    report = IncidentReport.objects.get(pk=sent["id"])
    verified = verify_in_admin(reviewer_session, node_b, report)
    assert verified.status_code == 302, verified.text[:500]
    served = reviewer_session.get(node_b + urlparse(sent["photos"][0]["url"]).path, timeout=REQUEST_SECONDS)
    assert served.status_code == 200, served.text[:500]
    assert served.content == stored
    assert not Image.open(io.BytesIO(served.content)).getexif()
    assert statuses_seen_by(phone, node_a)[sent["id"]] == "verified"
    assert cluster.files_on_disk() == []

    score = wait_for(
        lambda: DistrictScore.objects.filter(district_id=station.district_id).first(), seconds=60
    )
    assert score is not None, f"no district score published:\n{cluster.logs()}"
    run = ScoreRun.objects.get(pk=score.run_id)
    assert run.status == "finished"
    succeeded = f"Task {TASK}["
    assert any(succeeded in tail(worker.log, 1_000_000) for worker in cluster.workers), cluster.logs()


def test_a_worker_killed_mid_recompute_leaves_the_other_to_finish_it(cluster, broker):
    election, _ = build_election("two-nodes-killed", reports=REPORTS)
    published = scores_recompute(election_id=election.pk)
    IncidentReport.objects.filter(election=election, status="submitted").update(status="verified")
    logs_before = {worker.name: len(tail(worker.log, 10_000_000)) for worker in cluster.workers}

    scores_recompute_task.delay(election.pk)
    killed = wait_for(
        lambda: ScoreRun.objects.filter(election=election, pk__gt=published.pk, status="running").first(),
        seconds=60,
        every=0.005,
    )
    assert killed is not None, f"the recompute never started:\n{cluster.logs()}"
    received = f"Task {TASK}["
    holder = next(
        worker
        for worker in cluster.workers
        if received in tail(worker.log, 10_000_000)[logs_before[worker.name] :]
    )
    (pool_process,) = holder.children()
    os.kill(pool_process, signal.SIGKILL)
    killed.refresh_from_db()
    assert (killed.status, killed.finished_at) == ("running", None), "the kill came after the run finished"

    finished = wait_for(
        lambda: ScoreRun.objects.filter(election=election, pk__gt=killed.pk, status="finished").first(),
        seconds=90,
    )
    assert finished is not None, f"no worker finished the task:\n{cluster.logs()}"
    other = next(worker for worker in cluster.workers if worker is not holder)
    assert wait_for(lambda: "succeeded" in tail(other.log, 10_000_000)[logs_before[other.name] :], seconds=30)
    current = set(DistrictScore.objects.filter(election=election).values_list("run_id", flat=True))
    assert current == {finished.pk}
    queue = redis.Redis.from_url(cluster.redis.url)
    assert wait_for(lambda: (queue.llen("celery"), queue.hlen("unacked")) == (0, 0), seconds=30)
