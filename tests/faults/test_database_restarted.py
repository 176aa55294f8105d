"""PostgreSQL restarting under a running web server.

gunicorn reaches the test database through a TCP proxy on loopback that the test cuts (every
connection dropped, new ones closed at once, as a restarting server does) and brings back; the
machine's PostgreSQL itself is never touched. While it is cut, a report is answered 503 in the
API's error shape with Retry-After, a page 503 too, /readyz 503 and /livez 200: never a 500, never
a hang. Once it is back, the phone's retry of the same report is stored, once.
"""

import time
import uuid

import pytest
import requests
from django.db import connection

from reports.models import IncidentReport
from tests.faults.conftest import REQUEST_SECONDS, report_fields, server_env, signed_in_cookies
from tests.faults.processes import TcpProxy, WebServer, tail
from tests.integrity.test_scores_worker import database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a PostgreSQL restart: the web server must reach the test database over TCP",
    ),
]


@pytest.fixture
def proxy():
    db = connection.settings_dict
    running = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def web(proxy, tmp_path):
    through_proxy = database_url().replace(
        f"@{connection.settings_dict['HOST'] or '127.0.0.1'}:{connection.settings_dict['PORT'] or 5432}/",
        f"@127.0.0.1:{proxy.port}/",
    )
    assert str(proxy.port) in through_proxy
    server = WebServer(tmp_path / "web.log", server_env(DATABASE_URL=through_proxy))
    try:
        yield server.start()
    finally:
        server.stop()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_while_the_database_is_away_writes_get_503_and_the_retry_is_stored_once(
    web, proxy, phone, station, observer
):
    reports = f"{web.url}/api/v1/reports/"
    before = phone.post(reports, data=report_fields(station), timeout=REQUEST_SECONDS)
    assert before.status_code == 201, before.text
    assert proxy.connections() >= 1  # the server holds a connection that the cut will break

    proxy.cut()
    retried = report_fields(station, uuid.uuid4())
    refused, seconds = timed(lambda: phone.post(reports, data=retried, timeout=REQUEST_SECONDS))
    assert refused.status_code == 503, f"{refused.status_code} {refused.text}\n{tail(web.log)}"
    assert refused.json()["error"]["code"] == "unavailable"
    assert int(refused.headers["Retry-After"]) > 0
    assert seconds < 5
    page = requests.get(f"{web.url}/observe/", cookies=signed_in_cookies(observer), timeout=REQUEST_SECONDS)
    assert (page.status_code, "Retry-After" in page.headers) == (503, True)
    assert requests.get(f"{web.url}/readyz", timeout=REQUEST_SECONDS).status_code == 503
    assert requests.get(f"{web.url}/livez", timeout=REQUEST_SECONDS).status_code == 200
    assert not IncidentReport.objects.filter(pk=retried["id"]).exists()

    proxy.restore()
    assert requests.get(f"{web.url}/readyz", timeout=REQUEST_SECONDS).status_code == 200
    stored = phone.post(reports, data=retried, timeout=REQUEST_SECONDS)
    assert stored.status_code == 201, f"{stored.status_code} {stored.text}\n{tail(web.log)}"
    again = phone.post(reports, data=retried, timeout=REQUEST_SECONDS)
    assert (again.status_code, again.json()["id"]) == (200, retried["id"])
    assert IncidentReport.objects.filter(pk=retried["id"]).count() == 1
    assert IncidentReport.objects.filter(observer=observer).count() == 2
    assert "Internal Server Error" not in web.log.read_text()
