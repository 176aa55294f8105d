"""Error reports to Sentry: a server with SENTRY_DSN sends an error to a Sentry endpoint (here one of
the test's own on loopback), and nothing in it could identify an observer."""

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from config.sentry import scrub_event
from tests.ops.processes import WebServer, tail, wait_for
from tests.ops.site_urls import FAILURE_MESSAGE

SECRETS = {
    "Authorization": "Bearer observer-token-that-must-not-leave",
    "Cookie": "sessionid=session-that-must-not-leave; csrftoken=csrf-that-must-not-leave",
    "X-Forwarded-For": "198.51.100.77",
    "User-Agent": "PhoneOfAigerimNurlanovna/1.0",
}
BODY = {"observer": "Aigerim Nurlanovna", "phone": "+7 701 555 0199"}


class SentryEndpoint:
    """Sentry's envelope endpoint (POST /api/<project>/envelope/) on 127.0.0.1, recording each body."""

    def __init__(self):
        self.envelopes: list[bytes] = []
        received = self.envelopes

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                if self.path.startswith("/api/1/envelope/"):
                    received.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://operations-tests-key@127.0.0.1:{self.server.server_port}/1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        """The error events among the envelopes: each envelope is header, then item header and item."""
        found = []
        for envelope in self.envelopes:
            lines = envelope.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sentry():
    endpoint = SentryEndpoint()
    yield endpoint
    endpoint.close()


def test_an_error_reaches_sentry_without_anything_that_could_identify_the_observer(sqlite_site, sentry):
    site = sqlite_site("sentry", SENTRY_DSN=sentry.dsn, SENTRY_ENVIRONMENT="operations-tests")
    with WebServer(site) as server:
        answer = requests.post(
            f"{server.url}/ops-tests/fail/?phone=+77015550199", json=BODY, headers=SECRETS, timeout=10
        )
        assert answer.status_code == 500
        assert wait_for(sentry.events, seconds=20), tail(server.log)
    [event] = sentry.events()
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == FAILURE_MESSAGE
    assert event["environment"] == "operations-tests"
    assert event["tags"]["request_id"] == answer.headers["X-Request-ID"]
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"].endswith("/ops-tests/fail/")
    assert set(event["request"]) == {"method", "url", "headers"}
    assert {name.lower() for name in event["request"]["headers"]} <= {
        "accept",
        "content-length",
        "content-type",
    }
    assert "user" not in event and not event.get("breadcrumbs")
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames and not any("vars" in frame for frame in frames)
    sent = b"".join(sentry.envelopes).decode(errors="replace")
    for secret in ["observer-token", "session-that", "csrf-that", "198.51.100.77", "Aigerim", "555", "7701"]:
        assert secret not in sent, secret
    # The same request id leads from the report to the server's log line.
    logged = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    [error] = [line for line in logged if line["logger"] == "django.request" and line["level"] == "ERROR"]
    assert error["request_id"] == answer.headers["X-Request-ID"]
    assert FAILURE_MESSAGE in error["exception"]


def test_the_scrubber_keeps_a_celery_task_s_name_but_not_its_arguments():
    event = {
        "extra": {
            "celery-job": {"task_name": "reports.tasks.export_photos", "args": ["observer1"], "kwargs": {}}
        },
        "user": {"ip_address": "198.51.100.77"},
        "tags": {"celery_task_id": "abc"},
    }
    scrubbed = scrub_event(event)
    assert scrubbed["extra"] == {"celery-job": {"task_name": "reports.tasks.export_photos"}}
    assert "user" not in scrubbed
    assert scrubbed["tags"] == {"celery_task_id": "abc", "request_id": "-"}
