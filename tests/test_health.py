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


def test_it_answers_503_when_the_database_does_not_answer():
    # A real process pointed at a PostgreSQL port where nothing listens.
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz', HTTP_HOST='127.0.0.1'); print(r.status_code, json.dumps(r.json()))"
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
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"database": "unavailable", "broker": "eager"}


@pytest.mark.django_db
def test_it_accepts_only_get(client):
    assert client.post("/healthz").status_code == 405
