"""GET /metrics in one process: who may read it, and what it says."""

import ipaddress
from datetime import timedelta

import pytest
import redis as redis_client
from django.test import Client
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from core.photos import PhotoRejected, process_photo
from integrity.models import ScoreRun, ScoreRunStatus
from partners.models import Partner
from stations.models import Election
from tests.faults.processes import RedisServer
from tests.images import jpeg_bytes
from webhooks.models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint

TOKEN = "m" * 40
pytestmark = pytest.mark.django_db


def scrape(client: Client | None = None, **request) -> dict[tuple, float]:
    """The samples of one scrape, by (name, sorted labels)."""
    response = (client or Client()).get("/metrics", **request)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def status_of(**request) -> int:
    return Client().generic(request.pop("method", "GET"), "/metrics", **request).status_code


def test_a_client_connected_from_loopback_reads_the_metrics_and_others_get_404(settings):
    assert status_of(REMOTE_ADDR="127.0.0.1") == 200
    assert status_of(REMOTE_ADDR="::1") == 200
    assert status_of(REMOTE_ADDR="203.0.113.5") == 404
    assert status_of(REMOTE_ADDR="10.0.0.7") == 404
    assert status_of(REMOTE_ADDR="127.0.0.1", method="POST") == 404


def test_a_request_that_came_through_a_proxy_needs_the_token_even_from_loopback(settings):
    # Behind nginx on the same machine, every visitor connects from 127.0.0.1.
    assert status_of(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4") == 404
    assert status_of(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.4") == 404
    settings.METRICS_TOKEN = TOKEN
    authorized = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    assert status_of(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4", **authorized) == 200


def test_the_token_opens_the_metrics_from_anywhere_and_a_wrong_one_gets_404(settings):
    assert status_of(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer ") == 404
    settings.METRICS_TOKEN = TOKEN
    assert status_of(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {TOKEN}") == 200
    assert status_of(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x") == 404
    assert status_of(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Basic {TOKEN}") == 404
    assert status_of(REMOTE_ADDR="203.0.113.5") == 404


def test_the_configured_networks_replace_loopback(settings):
    settings.METRICS_NETWORKS = (ipaddress.ip_network("10.20.0.0/16"),)
    assert status_of(REMOTE_ADDR="10.20.3.4") == 200
    assert status_of(REMOTE_ADDR="::ffff:10.20.3.4") == 200
    assert status_of(REMOTE_ADDR="127.0.0.1") == 404


def test_request_latency_is_labelled_by_url_pattern_and_never_by_the_path_with_its_ids():
    client = Client()
    assert client.get("/admin/dashboard/district/4242/").status_code == 302
    assert client.get("/no-such-page-9191/").status_code == 404
    assert client.generic("BREW", "/healthz").status_code == 405
    samples = scrape()
    district = ("admin/dashboard/district/<int:district_id>/", "GET", "3xx")
    assert samples[count_key(*district)] >= 1
    assert samples[count_key("<unmatched>", "GET", "4xx")] >= 1
    assert samples[count_key("healthz", "other", "4xx")] >= 1
    labels = {value for _name, sample_labels in samples for _key, value in sample_labels}
    assert not any("4242" in value or "9191" in value or "BREW" in value for value in labels)


def count_key(route: str, method: str, status: str) -> tuple:
    labels = {"method": method, "route": route, "status": status}
    return ("baqylau_http_request_duration_seconds_count", tuple(sorted(labels.items())))


def test_every_answer_carries_its_request_id_and_a_sane_one_from_the_proxy_is_kept():
    client = Client()
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f1c2a9be3d04a7f")
    assert kept["X-Request-ID"] == "nginx-4f1c2a9be3d04a7f"
    for insane in (
        "short",
        "has space in it",
        "new\nline-injected-0001",
        "x" * 200,
        "<script>alert(1)</script>",
    ):
        answer = client.get("/healthz", HTTP_X_REQUEST_ID=insane)
        assert answer["X-Request-ID"] != insane
        assert len(answer["X-Request-ID"]) == 32 and int(answer["X-Request-ID"], 16) >= 0
    first, second = client.get("/no-such-page/"), client.get("/no-such-page/")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_queue_length_is_read_from_the_broker_at_scrape_time(settings, tmp_path):
    server = RedisServer(tmp_path / "redis.log").start()
    try:
        settings.REDIS_URL = server.url
        client = redis_client.Redis.from_url(server.url)
        client.rpush("celery", "a", "b", "c")
        client.rpush("celery\x06\x166", "d", "e")
        client.close()
        samples = scrape()
        assert samples[("baqylau_celery_queue_length", (("queue", "celery"),))] == 5
        assert samples[("baqylau_celery_broker_up", ())] == 1
        server.stop()
        samples = scrape()
        assert samples[("baqylau_celery_broker_up", ())] == 0
        assert ("baqylau_celery_queue_length", (("queue", "celery"),)) not in samples
    finally:
        server.stop()


def test_without_a_broker_there_is_no_queue_to_measure(settings):
    settings.REDIS_URL = ""
    names = {name for name, _labels in scrape()}
    assert "baqylau_celery_queue_length" not in names
    assert "baqylau_celery_broker_up" not in names


def test_the_webhook_outbox_lag_is_the_age_of_the_oldest_delivery_still_pending(organization):
    assert scrape()[("baqylau_webhook_outbox_lag_seconds", ())] == 0
    partner = Partner.objects.create(name="Daily Bulletin", organization=organization)
    endpoint = WebhookEndpoint.objects.create(
        partner=partner, url="https://bulletin.example.org/hook", secret="s", events=[Event.INCIDENT_VERIFIED]
    )
    now = timezone.now()
    for age, status in (
        (600, DeliveryStatus.PENDING),
        (90, DeliveryStatus.PENDING),
        (7200, DeliveryStatus.FAILED),
    ):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event_type=Event.INCIDENT_VERIFIED, payload={}, status=status
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=now - timedelta(seconds=age))
    samples = scrape()
    assert 600 <= samples[("baqylau_webhook_outbox_lag_seconds", ())] < 660
    assert samples[("baqylau_webhook_outbox_pending", ())] == 2


def test_score_age_is_the_time_since_each_busy_election_s_latest_finished_run():
    now = timezone.now()
    busy = Election.objects.create(slug="busy-2026", name="Busy", date=now.date())
    waiting = Election.objects.create(slug="waiting-2026", name="Waiting", date=now.date())
    old = Election.objects.create(slug="old-2019", name="Old", date="2019-03-24")
    finished = {"status": ScoreRunStatus.FINISHED, "seed": 1}
    ScoreRun.objects.create(
        election=busy,
        started_at=now - timedelta(minutes=31),
        finished_at=now - timedelta(minutes=30),
        **finished,
    )
    ScoreRun.objects.create(
        election=busy,
        started_at=now - timedelta(minutes=11),
        finished_at=now - timedelta(minutes=10),
        **finished,
    )
    ScoreRun.objects.create(
        election=busy, started_at=now - timedelta(minutes=1), status=ScoreRunStatus.FAILED
    )
    ScoreRun.objects.create(election=waiting, started_at=now - timedelta(minutes=20))
    ScoreRun.objects.create(
        election=old, started_at=now - timedelta(days=9), finished_at=now - timedelta(days=9), **finished
    )
    samples = scrape()
    assert 600 <= samples[("baqylau_score_run_age_seconds", (("election", "busy-2026"),))] < 660
    assert 1200 <= samples[("baqylau_score_run_age_seconds", (("election", "waiting-2026"),))] < 1260
    assert ("baqylau_score_run_age_seconds", (("election", "old-2019"),)) not in samples


def test_photo_processing_time_is_counted_by_outcome():
    def count(outcome: str) -> float:
        return REGISTRY.get_sample_value("baqylau_photo_processing_seconds_count", {"outcome": outcome}) or 0

    processed, rejected = count("processed"), count("rejected")
    process_photo(jpeg_bytes((800, 600)))
    with pytest.raises(PhotoRejected):
        process_photo(b"not a photo at all")
    assert (count("processed"), count("rejected")) == (processed + 1, rejected + 1)
    assert scrape()[("baqylau_photo_processing_seconds_count", (("outcome", "processed"),))] == processed + 1


def test_a_task_run_eagerly_is_timed_by_name_and_outcome(settings):
    from integrity.tasks import scores_recompute_all

    labels = {"task": "integrity.tasks.scores_recompute_all", "outcome": "success"}
    before = REGISTRY.get_sample_value("baqylau_celery_task_duration_seconds_count", labels) or 0
    scores_recompute_all.delay()
    assert REGISTRY.get_sample_value("baqylau_celery_task_duration_seconds_count", labels) == before + 1
