"""A database that does not answer at all: every kind of request gets 503 with Retry-After.

A real process whose DATABASE_URL names a PostgreSQL port where nothing listens, asked as the
phone and a signed-in browser would ask. Runs in every pass: it brings its own (absent) database.
"""

import json
import subprocess
import sys

from django.db import OperationalError
from django.test import RequestFactory

from core.unavailable import server_error
from tests.faults.conftest import server_env
from tests.faults.processes import ROOT

ASK = """
import django, json
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
client.cookies["sessionid"] = "a" * 32
answers = {}
for method, path, extra in [
    ("post", "/api/v1/reports/", {"HTTP_AUTHORIZATION": "Bearer some-phone-token"}),
    ("post", "/api/v1/auth/token/", {"data": {"username": "observer", "password": "secret"}}),
    ("get", "/observe/", {}),
    ("get", "/admin/reports/incidentreport/", {}),
]:
    response = getattr(client, method)(path, **extra)
    answers[path] = [response.status_code, response.get("Retry-After"), response["Content-Type"],
                     response.content.decode()]
print(json.dumps(answers))
"""


def test_the_api_and_the_pages_answer_503_with_retry_after_when_the_database_is_away():
    env = server_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing", DJANGO_LOG_LEVEL="CRITICAL")
    result = subprocess.run(
        [sys.executable, "-c", ASK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for path in ("/api/v1/reports/", "/api/v1/auth/token/"):
        status, retry_after, content_type, body = answers[path]
        assert (status, retry_after, content_type) == (503, "10", "application/json"), path
        assert json.loads(body)["error"]["code"] == "unavailable"
    for path in ("/observe/", "/admin/reports/incidentreport/"):
        status, retry_after, content_type, body = answers[path]
        assert (status, retry_after, content_type) == (503, "10", "text/html; charset=utf-8"), path
        assert "Service unavailable" in body


def test_any_other_error_still_gets_the_500_page():
    request = RequestFactory().get("/observe/")
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert (response.status_code, response["Retry-After"]) == (503, "10")
