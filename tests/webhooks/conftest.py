import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from partners.keys import key_create
from partners.models import Partner
from reports.models import IncidentReport
from webhooks.services import endpoint_create


@pytest.fixture(autouse=True)
def private_hosts_allowed(settings):
    """The receivers of these tests listen on 127.0.0.1, which production refuses."""
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture(autouse=True)
def sent_before_the_test_looks(settings):
    """These tests look at the receiver right after the commit; test_background.py shows that
    without a broker the send runs in a thread of its own instead."""
    settings.WEBHOOK_SEND_IN_THREAD = False


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A partner's receiver on 127.0.0.1: answers with `statuses` in turn (then 200), records all."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    on_request: object = None
    headers_out: dict = field(default_factory=dict)

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200


def verify_signature(secret: str, received: Received) -> bool:
    """What a partner's receiver does: recompute the HMAC over "<timestamp>.<body>"."""
    timestamp = received.headers["X-Baqylau-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256)
    return hmac.compare_digest(received.headers["X-Baqylau-Signature"], f"sha256={expected.hexdigest()}")


@pytest.fixture
def receiver():
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                state.requests.append(Received(self.path, dict(self.headers), body))
                status = state.next_status()
            if state.on_request is not None:
                state.on_request()
            self.send_response(status)
            for name, value in state.headers_out.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/baqylau"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def partner(organization):
    return Partner.objects.create(name="Daily Ledger", organization=organization)


@pytest.fixture
def other_partner(other_organization):
    return Partner.objects.create(name="Mission Observers", organization=other_organization)


@pytest.fixture
def make_key():
    def make(partner, scopes=("incidents:read", "scores:read"), days=30):
        return key_create(partner=partner, scopes=scopes, days=days)

    return make


@pytest.fixture
def partner_key(make_key, partner):
    return make_key(partner)


@pytest.fixture
def partner_api():
    def make(key: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


@pytest.fixture
def endpoint(partner_key, receiver):
    row, _key = partner_key
    created, secret = endpoint_create(
        key=row, url=receiver.url, events=["incident.verified", "district.band_changed"]
    )
    created.plain_secret = secret
    return created


@pytest.fixture
def make_report(election, organization, observer):
    def make(station, **fields):
        values = {
            "observer": observer,
            "organization": organization,
            "election": election,
            "station": station,
            "category": "ballot_stuffing",
            "severity": 5,
            "phase": "voting",
            "occurred_at": timezone.now() - timedelta(hours=1),
            "description": "Ballots were added to box 2 after closing.",
        }
        return IncidentReport.objects.create(**(values | fields))

    return make
