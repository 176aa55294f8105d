import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_it_reports_the_database_ok_and_tasks_in_process_without_a_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_reports_the_broker_ok_when_redis_answers(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_it_answers_503_when_the_configured_broker_does_not_answer(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unavailable"}


@pytest.mark.django_db
def test_the_liveness_check_answers_without_asking_the_database_or_the_broker(
    client, settings, django_assert_num_queries
):
    settings.REDIS_URL = UNREACHABLE_REDIS
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_readiness_check_stays_200_while_the_broker_does_not_answer(client, settings):
    # Reports and reviews are still taken without the broker: the load balancer keeps the node.
    settings.REDIS_URL = UNREACHABLE_REDIS
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"database": "ok"})
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_health_checks_answer_plain_http_and_other_pages_are_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""
    assert [client.get(path).status_code for path in ("/livez", "/readyz", "/healthz")] == [200, 200, 200]
    assert client.get("/observe/").status_code == 301


def test_it_answers_503_when_the_database_does_not_answer():
    # A real process pointed at a PostgreSQL port where nothing listens.
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "c = Client(HTTP_HOST='127.0.0.1'); "
        "r = {p: c.get(p) for p in ('/healthz', '/readyz', '/livez')}; "
        "print(json.dumps({p: [a.status_code, a.json()] for p, a in r.items()}))"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "k",
        "DJANGO_LOG_LEVEL": "CRITICAL",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "/healthz": [503, {"database": "unavailable", "broker": "eager"}],
        "/readyz": [503, {"database": "unavailable"}],
        "/livez": [200, {"status": "ok"}],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/livez"])
def test_it_accepts_only_get(client, path):
    assert client.post(path).status_code == 405
