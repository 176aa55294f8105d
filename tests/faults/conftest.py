import os
import uuid
from datetime import timedelta

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from people.services import token_issue
from tests.faults.processes import RedisServer
from tests.integrity.test_scores_worker import database_url

# No request of a fault test may hang: each one has this long to be answered.
REQUEST_SECONDS = 15


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own, which the test may stop and start again."""
    server = RedisServer(tmp_path / "redis.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def election_today(election):
    # The services accept times from the eve of election day on: make it today.
    election.date = timezone.localdate()
    election.save()
    return election


@pytest.fixture
def phone(observer, election_today):
    """The observer's phone: a requests session sending the observer's bearer token."""
    _token, key = token_issue(user=observer)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    yield session
    session.close()


def report_fields(station, report_id: uuid.UUID | None = None) -> dict:
    """The fields of an incident report as the phone's outbox sends them."""
    return {
        "id": str(report_id or uuid.uuid4()),
        "station": str(station.pk),
        "category": "ballot_stuffing",
        "phase": "voting",
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "description": "A man put a stack of ballots into box 2.",
    }


def signed_in_cookies(user) -> dict:
    """The session cookie of `user`, made here and valid on any server sharing the database."""
    client = Client()
    client.force_login(user)
    return {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value}


def server_env(**overrides: str) -> dict:
    """The environment of a web server or worker started by a test: the test settings without
    DEBUG (so errors are answered as in production), on the test's database unless overridden."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(),
    }
    return env | overrides
