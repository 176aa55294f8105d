"""The traffic of bench/election_day.py, sent over HTTP from threads of the benchmark's process with
http.client (a new connection per request, as phones on a mobile network make them): the observers'
closing writes at their scheduled times, coordinators reloading their pages, partners polling.

Every answer is kept as (endpoint, when it was sent, seconds to the last byte, status, the id the
request carried), status 0 for a connection error or a timeout.
"""

import http.client
import json
import random
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from election_day_setup import CONTEST, PARTIES, PASSWORD, Observer, totp_code, unique_photo

TIMEOUT_SECONDS = 120
CHECKIN, TURNOUT, PROTOCOL, INCIDENT = (
    "Check-in",
    "Turnout count",
    "Protocol copy, 1 photo",
    "Incident report",
)
DASHBOARD, REPORT_LIST, DISTRICT, PARTNER = (
    "Dashboard",
    "Report list",
    "District page",
    "Partner incidents, since",
)
WRITES = (CHECKIN, TURNOUT, PROTOCOL, INCIDENT)
READS = (DASHBOARD, REPORT_LIST, DISTRICT, PARTNER)
INCIDENT_SHARE = 0.2
COORDINATOR_SECONDS = 10
PARTNER_SECONDS = 5


@dataclass(frozen=True)
class Answer:
    endpoint: str
    sent: float  # time.time()
    seconds: float
    status: int
    id: str = ""
    photos: int = 0


@dataclass
class Log:
    answers: list[Answer] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)  # how late each write left against its schedule
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)


def send(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    """(status, body, headers) of one request on a connection of its own; status 0 when it failed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    except (OSError, http.client.HTTPException):
        return 0, b"", {}
    finally:
        connection.close()


def timed(log: Log, endpoint: str, port: int, method: str, path: str, body=b"", headers=None, **extra):
    started, clock = time.time(), time.perf_counter()
    status, content, answer_headers = send(port, method, path, body, headers)
    log.add(Answer(endpoint, started, time.perf_counter() - clock, status, **extra))
    return status, content, answer_headers


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        )
        parts += [head.encode(), data, b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# --- The observers ---------------------------------------------------------------------------------


def schedule(observers: list[Observer], seconds: float, seed: int) -> list[tuple[float, str, Observer]]:
    """Each station's closing traffic at random times in the window, in the order a phone sends it:
    the check-in, the turnout count, the protocol copy; one station in five an incident report."""
    rng = random.Random(seed)
    events = []
    for observer in observers:
        times = sorted(rng.uniform(0, seconds) for _ in range(3))
        events += [
            (times[0], CHECKIN, observer),
            (times[1], TURNOUT, observer),
            (times[2], PROTOCOL, observer),
        ]
        if rng.random() < INCIDENT_SHARE:
            events.append((rng.uniform(0, seconds), INCIDENT, observer))
    return sorted(events, key=lambda event: event[0])


def write(log: Log, port: int, kind: str, observer: Observer, photo: bytes, rng: random.Random) -> None:
    auth = {"Authorization": f"Bearer {observer.key}"}
    row_id = str(uuid.uuid4())
    if kind in (CHECKIN, TURNOUT):
        if kind == CHECKIN:
            path, data = "/api/v1/checkins/", {"kind": "counting", "at": now(), "all_clear": True}
        else:
            voters = int(observer.registered * rng.uniform(0.4, 0.7))
            path, data = "/api/v1/turnout-counts/", {"counted_at": now(), "voters": voters, "method": "tally"}
        body = json.dumps({"id": row_id, "station": observer.station, **data}).encode()
        headers = {**auth, "Content-Type": "application/json"}
        timed(log, kind, port, "POST", path, body, headers, id=row_id)
        return
    if kind == PROTOCOL:
        registered = observer.registered
        in_boxes = int(registered * rng.uniform(0.45, 0.75))
        invalid = in_boxes // 50
        valid = in_boxes - invalid
        votes = {code: valid // len(PARTIES) for code in PARTIES}
        votes[PARTIES[0]] += valid - sum(votes.values())
        fields = {
            "id": row_id, "station": observer.station, "contest": CONTEST, "registered": registered,
            "received": registered, "issued": in_boxes, "cancelled": registered - in_boxes, "lost": 0,
            "in_boxes": in_boxes, "invalid": invalid, "valid": valid, "votes": json.dumps(votes),
            "captured_at": now(),
        }  # fmt: skip
        files = [("photo", "protocol.jpg", unique_photo(photo, row_id))]
        path = "/api/v1/protocols/"
    else:
        fields = {
            "id": row_id, "station": observer.station, "category": "ballot_stuffing", "phase": "counting",
            "occurred_at": now(), "description": "A bundle of ballots was found in box 2 at the count.",
        }  # fmt: skip
        count = rng.choice((1, 2))
        files = [("photos", f"incident{n}.jpg", unique_photo(photo, f"{row_id}-{n}")) for n in range(count)]
        path = "/api/v1/reports/"
    body, content_type = multipart(fields, files)
    timed(
        log,
        kind,
        port,
        "POST",
        path,
        body,
        {**auth, "Content-Type": content_type},
        id=row_id,
        photos=len(files),
    )


def replay(log: Log, port: int, events, photo: bytes, threads: int, seed: int) -> float:
    """Send every write at its time from its offset (threads in a pool); returns when all are answered,
    with the time the last protocol copy was answered."""
    started = time.monotonic()
    rng = random.Random(seed)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="phone") as pool:
        for offset, kind, observer in events:
            delay = started + offset - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            log.lag.append(max(0.0, -delay))
            pool.submit(write, log, port, kind, observer, photo, random.Random(rng.random()))
    protocols = [a for a in log.answers if a.endpoint == PROTOCOL]
    return max(a.sent + a.seconds for a in protocols) if protocols else time.time()


# --- The coordinators and partners -----------------------------------------------------------------


class Browser:
    """A coordinator's browser: cookies kept between requests, the CSRF token sent with the form."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(
        self, log: Log | None, endpoint: str, method: str, path: str, body: bytes = b"", headers=None
    ):
        headers = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if log is None:
            status, content, answer_headers = send(self.port, method, path, body, headers)
        else:
            status, content, answer_headers = timed(log, endpoint, self.port, method, path, body, headers)
        lines = answer_headers.get_all("Set-Cookie") if answer_headers else None
        for line in lines or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return status, content, answer_headers

    def sign_in(self, username: str) -> None:
        """Password and authenticator code at the admin's sign-in, as a coordinator does."""
        status, content, _headers = self.request(None, "", "GET", "/admin/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or token is None:
            raise SystemExit(f"The admin's sign-in page answered {status}.")
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": PASSWORD,
            "code": totp_code(username), "next": "/admin/",
        }  # fmt: skip
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}/",
        }
        status, content, _headers = self.request(
            None, "", "POST", "/admin/login/", urlencode(form).encode(), headers
        )
        if status != 302 or self.request(None, "", "GET", "/admin/")[0] != 200:
            raise SystemExit(f"{username} could not sign in at the admin ({status}): {content[:300]!r}")


def coordinator(
    log: Log, browser: Browser, slug: str, districts: list[int], stop: threading.Event, n: int
) -> None:
    """The dashboard every 10 s; every third time the report list as well, or a district page."""
    rng = random.Random(n)
    stop.wait(rng.uniform(0, COORDINATOR_SECONDS))
    cycle = n
    while not stop.is_set():
        began = time.monotonic()
        browser.request(log, DASHBOARD, "GET", f"/admin/dashboard/?{urlencode({'election': slug})}")
        if cycle % 3 == 1:
            browser.request(log, REPORT_LIST, "GET", "/admin/reports/incidentreport/")
        elif cycle % 3 == 2:
            browser.request(log, DISTRICT, "GET", f"/admin/dashboard/district/{rng.choice(districts)}/")
        cycle += 1
        stop.wait(max(0.0, COORDINATOR_SECONDS - (time.monotonic() - began)))


def partner(log: Log, port: int, key: str, stop: threading.Event, n: int) -> None:
    """The incidents changed since the last poll, every 5 s (a little overlap, as a careful client)."""
    stop.wait(random.Random(n).uniform(0, PARTNER_SECONDS))
    since = datetime.now(UTC) - timedelta(minutes=1)
    while not stop.is_set():
        began, polled = time.monotonic(), datetime.now(UTC)
        path = "/api/v1/incidents/?" + urlencode({"since": since.isoformat()})
        timed(log, PARTNER, port, "GET", path, headers={"Authorization": f"Bearer {key}"})
        since = polled - timedelta(seconds=PARTNER_SECONDS)
        stop.wait(max(0.0, PARTNER_SECONDS - (time.monotonic() - began)))


def readers(log: Log, port: int, cast, stop: threading.Event) -> list[threading.Thread]:
    """Sign the coordinators in, then start them and the partners."""
    browsers = []
    for username in cast.coordinators:
        browser = Browser(port)
        browser.sign_in(username)
        browsers.append(browser)
    threads = [
        threading.Thread(
            target=coordinator, args=(log, b, cast.election_slug, cast.districts, stop, n), daemon=True
        )
        for n, b in enumerate(browsers)
    ]
    threads += [
        threading.Thread(target=partner, args=(log, port, key, stop, n), daemon=True)
        for n, key in enumerate(cast.partner_keys)
    ]
    for thread in threads:
        thread.start()
    return threads
