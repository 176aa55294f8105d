"""A new deployment reaches a phone that went offline with reports in its outbox.

The site runs as in production: DEBUG off, static files collected with hashed names and served by the
application (WhiteNoise). The observer queues two reports offline; a new release is deployed (new
files, so new hashed names and a new service worker); when the network is back the reports arrive
once each, sent by the new release's code, and the phone keeps the new files, not the old ones.
"""

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import QuietWSGIRequestHandler
from playwright.sync_api import expect

from reports.models import IncidentReport
from tests.e2e.test_observer import file_report, sign_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

API_STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
SHELL = ("observe/observe.css", "observe/outbox.js", "observe/counts.js")
CSS = "observe/observe.css"
# The phone's caches: each one's name and the paths it holds.
CACHES = """async () => {
  const kept = {};
  for (const name of await caches.keys()) {
    kept[name] = (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname);
  }
  return kept;
}"""
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@dataclass
class Release:
    """What collectstatic wrote for one release: its folder and its manifest."""

    root: Path
    manifest: dict

    def url(self, name: str) -> str:
        return "/static/" + self.manifest["paths"][name]

    @property
    def cache(self) -> str:
        return "baqylau-static-" + self.manifest["hash"]


class Server(ThreadedWSGIServer):
    """Django's threaded development server; stopping it also drops the connections it holds open
    (a browser keeps them alive), as a process that ends does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open = set()

    def process_request(self, request, client_address):
        self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        super().shutdown_request(request)
        self.open.discard(request)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        for request in list(self.open):
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)
        # Their threads are done with the shared database connection before it stops being shared.
        deadline = time.monotonic() + 10
        while self.open and time.monotonic() < deadline:
            time.sleep(0.05)


class Site:
    """The application on one loopback port, started afresh for each release on the same port: the
    phone's origin, and so its service worker and outbox, stay the same across the deployment."""

    def __init__(self, settings):
        self.settings, self.port, self.httpd = settings, 0, None
        # The SQLite test database lives in this process's memory: the server's threads share it.
        self.shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def deploy(self, name: str, *sources: Path) -> Release:
        """Collects the release's static files into a folder of its own and starts serving it."""
        self.stop()
        root = Path(self.settings.STATIC_ROOT).parent / name
        # Only the observer pages' files: collecting every app's takes seconds more, and
        # tests/test_static.py collects them all.
        self.settings.STATICFILES_DIRS = [*sources, API_STATIC]
        self.settings.STATIC_ROOT = root
        call_command("collectstatic", "--no-input", verbosity=0)
        for connection in self.shared.values():
            connection.inc_thread_sharing()
        self.httpd = Server(
            ("127.0.0.1", self.port), QuietWSGIRequestHandler, connections_override=self.shared
        )
        self.port = self.httpd.server_address[1]
        # A new application, as a restarted process has: WhiteNoise reads the new folder.
        self.httpd.set_app(WSGIHandler())
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return Release(root, json.loads((root / "staticfiles.json").read_text()))

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.stop()
            self.httpd = None
            for connection in self.shared.values():
                connection.dec_thread_sharing()


@pytest.fixture
def site(settings, tmp_path):
    settings.DEBUG = False
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    running = Site(settings)
    yield running
    running.stop()


def next_release(tmp_path) -> Path:
    """The next release's sources: the stylesheet and the outbox script changed, with a mark to see."""
    folder = tmp_path / "release-2" / "observe"
    folder.mkdir(parents=True)
    css = (API_STATIC / "observe" / "observe.css").read_text()
    (folder / "observe.css").write_text(css + "\nbody { --release: 2; }\n")
    script = (API_STATIC / "observe" / "outbox.js").read_text()
    (folder / "outbox.js").write_text(script + "\nwindow.baqylauRelease = 2;\n")
    return folder.parent


@pytest.fixture
def phone(phone_page):
    """The phone; a script error or a blocked load on any of its pages fails the test."""
    complaints = []
    context = phone_page.context
    context.add_init_script(RECORD_VIOLATIONS)
    context.on("weberror", lambda error: complaints.append(str(error.error)))
    context.on(
        "console",
        lambda message: (
            complaints.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield phone_page
    assert complaints == []


def static_caches(page) -> dict[str, list[str]]:
    kept = page.evaluate(CACHES)
    return {name: paths for name, paths in kept.items() if name.startswith("baqylau-static-")}


def page_release(page) -> tuple[str, str, int | None]:
    """The stylesheet the page links, the mark of the stylesheet it applied, and of its script."""
    href = page.locator("link[rel=stylesheet]").get_attribute("href")
    mark = page.evaluate("getComputedStyle(document.body).getPropertyValue('--release').trim()")
    assert page.evaluate("window.__violations") == []
    return href, mark, page.evaluate("window.baqylauRelease ?? null")


def queue_two_reports_offline(page, site, station) -> None:
    sign_in(page, site.url)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_role("link", name="Report an incident").click()
    expect(page.get_by_role("heading", name="Report an incident")).to_be_visible()
    page.context.set_offline(True)
    page.reload()
    file_report(page, "Vote buying", "Queued under release 1: money at the entrance.")
    file_report(page, "Intimidation", "Queued under release 1: police at the booth.")
    expect(page.locator("#outbox-summary")).to_have_text("2 waiting")
    assert IncidentReport.objects.count() == 0


def the_new_worker_took_over(page, first: Release, second: Release) -> None:
    """The new release's service worker keeps the new files; the old ones are gone from the phone."""
    assert wait_until(lambda: set(static_caches(page)) == {second.cache}), static_caches(page)
    kept = set(static_caches(page)[second.cache])
    assert {second.url(name) for name in SHELL} <= kept
    # counts.js did not change: its name and its copy carry over; the two files that changed do not.
    gone = {first.url(name) for name in SHELL} - {second.url(name) for name in SHELL}
    assert len(gone) == 2 and not gone & kept


def queue_on_a_page_kept_from(first: Release, second: Release, page, site, station) -> None:
    """Offline, the pages open with the new files. The report form kept from the first release names
    files that are gone; once the browser's HTTP cache has let them go too (it keeps far less than
    the service worker's), the new ones stand in and the form still queues."""
    context = page.context
    context.set_offline(True)
    page.reload()
    assert page_release(page) == (second.url(CSS), "2", 2)
    context.new_cdp_session(page).send("Network.clearBrowserCache")
    page.goto(f"{site.url}/observe/stations/{station.pk}/report/")
    assert page_release(page) == (first.url(CSS), "2", 2)
    file_report(page, "Ballot stuffing", "Queued under release 2 on a page of release 1.")
    context.set_offline(False)


def test_reports_queued_offline_arrive_once_after_a_new_release_and_the_phone_keeps_its_files(
    site, phone, observer, station, tmp_path
):
    first = site.deploy("release-1")
    page = phone
    queue_two_reports_offline(page, site, station)
    assert page_release(page) == (first.url(CSS), "", None)
    assert set(static_caches(page)) == {first.cache}

    # While the phone is offline with its pages closed, the next release goes out.
    context = page.context
    for open_page in context.pages:
        open_page.close()
    second = site.deploy("release-2", next_release(tmp_path))
    assert second.cache != first.cache and second.url(CSS) != first.url(CSS)

    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{site.url}/observe/")
    queued = IncidentReport.objects.filter(
        observer=observer, description__startswith="Queued under release 1"
    )
    assert wait_until(lambda: queued.count() == 2), "the reports queued offline did not arrive"
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    # Sent by the new release's script: no other ran since the network came back.
    assert page_release(page) == (second.url(CSS), "2", 2)
    the_new_worker_took_over(page, first, second)
    time.sleep(1)
    assert sorted(queued.values_list("description", flat=True)) == [
        "Queued under release 1: money at the entrance.",
        "Queued under release 1: police at the booth.",
    ]
    assert IncidentReport.objects.count() == 2

    queue_on_a_page_kept_from(first, second, page, site, station)
    assert wait_until(lambda: IncidentReport.objects.count() == 3), "the third report did not arrive"
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
