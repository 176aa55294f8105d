import hashlib
import hmac
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from outreach.models import EmergencyContact
from people.models import Membership, Role
from people.roles import ensure_groups


@pytest.fixture(autouse=True)
def sent_before_the_test_looks(settings):
    """Alerts go out on commit in the test's own thread, so that a test can look right after."""
    settings.WEBHOOK_SEND_IN_THREAD = False


@pytest.fixture
def groups(db):
    return ensure_groups()


@pytest.fixture
def coordinator(coordinator, groups):
    coordinator.groups.add(groups["Coordinator"])
    return coordinator


@pytest.fixture
def reviewer(reviewer, groups):
    reviewer.groups.add(groups["Reviewer"])
    return reviewer


@pytest.fixture
def other_coordinator(make_member, other_organization, groups):
    user = make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)
    user.groups.add(groups["Coordinator"])
    return user


@pytest.fixture
def membership(observer, organization):
    return Membership.objects.get(user=observer, organization=organization)


def alert_body(where, **fields) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "station": where.pk,
        "kind": "detained",
        "note": "Taken to the police station on Abai St.",
        "at": (timezone.now() - timedelta(minutes=2)).isoformat(),
        "latitude": 51.128207,
        "longitude": 71.430411,
    }
    body.update(fields)
    return body


@pytest.fixture
def contact(organization):
    return EmergencyContact.objects.create(
        organization=organization, name="Duty desk", email="duty@example.org"
    )


@dataclass
class Inbox:
    """What the SMTP server on loopback received."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list = field(default_factory=list)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1, with Django's SMTP backend pointed at it."""
    inbox = Inbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            inbox.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 Message accepted for delivery"

    # aiosmtpd checks its server by connecting to the port it was given: it needs a real one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname=inbox.host, port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = inbox.host, inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@dataclass
class Received:
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


def signature_ok(secret: str, received: Received) -> bool:
    """What the contact's receiver does: recompute the HMAC over "<timestamp>.<body>"."""
    timestamp = received.headers["X-Baqylau-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256)
    return hmac.compare_digest(received.headers["X-Baqylau-Signature"], f"sha256={expected.hexdigest()}")


@pytest.fixture
def receiver():
    """An HTTP receiver on 127.0.0.1: answers with `statuses` in turn (then 200), records each POST."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Received(dict(self.headers), body))
            self.send_response(state.statuses.pop(0) if state.statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/alerts"
    yield state
    server.shutdown()
    server.server_close()
