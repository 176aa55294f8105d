"""Settings are parsed strictly at start-up, and the run uses the services it was promised."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def boot(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess:
    """Start Django in a fresh process with `env` on top of a minimal environment."""
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY": "k"}
    script = f"import django; django.setup(); {code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be true or false"),
        ("DATABASE_URL", "mysql://root@127.0.0.1/baqylau", "DATABASE_URL must be a URL starting with one of"),
        ("REDIS_URL", "http://127.0.0.1:6379", "REDIS_URL must be a URL starting with one of"),
        ("DJANGO_CONN_MAX_AGE", "a minute", "DJANGO_CONN_MAX_AGE must be a whole number"),
        ("DJANGO_CONN_MAX_AGE", "-1", "DJANGO_CONN_MAX_AGE must be at least 0"),
        ("DJANGO_LOG_LEVEL", "LOUD", "DJANGO_LOG_LEVEL must be one of"),
        ("BAQYLAU_DEFAULT_TIMEZONE", "Mars/Olympus", "BAQYLAU_DEFAULT_TIMEZONE must be an IANA time zone"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(variable, value, expected):
    result = boot({variable: value})
    assert result.returncode != 0
    assert expected in result.stderr


def test_the_secret_key_is_required_when_debug_is_off(tmp_path):
    result = boot({"DJANGO_SECRET_KEY": "", "DJANGO_SECRET_KEY_FILE": str(tmp_path / "none")})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-the-file\n")
    env = {"DJANGO_SECRET_KEY": "", "DJANGO_SECRET_KEY_FILE": str(key_file)}
    result = boot(env, "from django.conf import settings; print(settings.SECRET_KEY)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-the-file"


def test_the_default_sqlite_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = boot({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]


def test_tasks_run_in_process_when_no_broker_is_configured():
    assert settings.REDIS_URL == ""
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.broker_url == "memory://"


def test_a_configured_redis_becomes_the_broker_and_the_cache():
    code = (
        "from django.conf import settings; from config.celery import app; "
        "print(app.conf.broker_url, app.conf.task_always_eager, settings.CACHES['default']['BACKEND'])"
    )
    result = boot({"REDIS_URL": "redis://127.0.0.1:6379/3"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "redis://127.0.0.1:6379/3",
        "False",
        "core.cache.ResilientRedisCache",
    ]


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_was_asked_to_use():
    expected = os.environ.get("EXPECT_DATABASE_VENDOR")
    if expected is None:
        expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    if expected == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_redis_answers_and_keeps_what_it_is_given(redis_url):
    client = redis.Redis.from_url(redis_url)
    assert client.ping() is True
    client.set("baqylau:ci-check", "ok")
    assert client.get("baqylau:ci-check") == b"ok"
    client.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://postgres@127.0.0.1:5432/baqylau", "5"),
        ("postgres://postgres@127.0.0.1:5432/baqylau?connect_timeout=2", "2"),
    ],
)
def test_a_postgresql_server_that_does_not_answer_is_given_up_on_after_a_few_seconds(url, expected):
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS']['connect_timeout'])"
    )

    result = boot({"DATABASE_URL": url}, code)

    assert result.stdout.split() == [expected], result.stderr
