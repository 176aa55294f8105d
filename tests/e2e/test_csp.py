"""Under the Content Security Policy, every kind of page still works in a real browser: the observer's
pages with their outbox and service worker, the admin, and the API documentation (Swagger UI, Redoc)."""

import re
import time

import pytest
from playwright.sync_api import expect

from reports.models import ReportPhoto
from tests.images import jpeg_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
# Each page records what its policy blocked; the script is injected by the browser's debugging
# protocol, so the policy does not apply to it.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def watch():
    """Watches a page: what its policy blocked, and any console message that names the policy."""

    def start(page) -> list[str]:
        complaints: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                complaints.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.on("pageerror", lambda error: complaints.append(str(error)))
        return complaints

    return start


def wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def violations(page, complaints: list[str]) -> list[str]:
    return [*complaints, *page.evaluate("window.__violations || []")]


def open_under_policy(page, url: str) -> None:
    """Opens `url`, whose answer must carry the policy: no inline script without the nonce."""
    policy = page.goto(url).header_value("content-security-policy") or ""
    scripts = re.search(r"script-src ([^;]*)", policy)
    assert scripts and "'self'" in scripts[1] and "'unsafe-inline'" not in scripts[1], policy


def test_the_observer_pages_work_under_the_policy(
    live_server, phone_page, watch, observer, station, tmp_path
):
    complaints = watch(phone_page)
    open_under_policy(phone_page, f"{live_server.url}/observe/")
    phone_page.fill("#id_username", "observer-a")
    phone_page.fill("#id_password", PASSWORD)
    phone_page.get_by_role("button", name="Sign in").click()
    expect(phone_page.get_by_role("heading", name="My stations")).to_be_visible()
    # The service worker is registered by outbox.js: it runs, and the policy lets the worker load.
    phone_page.wait_for_function("navigator.serviceWorker.getRegistrations().then((r) => r.length > 0)")

    open_under_policy(phone_page, f"{live_server.url}/observe/stations/{station.pk}/report/")

    expect(phone_page.get_by_role("button", name="Send report")).to_be_visible()
    # Sending a report with a photo: the outbox decodes it from a blob: URL, keeps it in IndexedDB
    # and sends it to the API; the policy allows each step.
    photo = tmp_path / "box.jpg"
    photo.write_bytes(jpeg_bytes(size=(800, 600)))
    phone_page.locator(".report-form label.choice").first.click()
    phone_page.fill("#id_description", "Under the policy.")
    phone_page.set_input_files("#id_photos", str(photo))
    phone_page.get_by_role("button", name="Send report").click()
    expect(phone_page.locator("form[data-report] [data-status]")).to_contain_text("Saved on this phone")
    assert wait_until(lambda: ReportPhoto.objects.filter(report__description="Under the policy.").exists())
    assert violations(phone_page, complaints) == []


def test_the_admin_works_under_the_policy(live_server, laptop_page, watch, superuser, observer):
    complaints = watch(laptop_page)
    laptop_page.goto(f"{live_server.url}/admin/")
    laptop_page.fill("#id_username", "root")
    laptop_page.fill("#id_password", PASSWORD)
    laptop_page.click("input[type=submit]")
    expect(laptop_page.get_by_role("link", name="Polling stations", exact=True)).to_be_visible()

    open_under_policy(laptop_page, f"{live_server.url}/admin/auth/user/")
    expect(laptop_page.locator("#result_list")).to_contain_text("observer-a")
    # The changelist's script (select all, actions) runs: ticking the header box ticks every row.
    laptop_page.locator("#action-toggle").check()
    expect(laptop_page.locator(".action-counter")).to_contain_text("2 of 2 selected")

    open_under_policy(laptop_page, f"{live_server.url}/admin/stations/pollingstation/add/")
    expect(laptop_page.locator("#pollingstation_form")).to_be_visible()
    # The coordinators' dashboard draws its charts as SVG with inline styles.
    open_under_policy(laptop_page, f"{live_server.url}/admin/dashboard/")
    expect(laptop_page.locator("#content h1")).to_be_visible()
    assert violations(laptop_page, complaints) == []


def test_swagger_ui_shows_the_operations_under_the_policy(live_server, laptop_page, watch):
    complaints = watch(laptop_page)

    open_under_policy(laptop_page, f"{live_server.url}/api/docs/")

    expect(laptop_page.locator(".opblock").first).to_be_visible()
    expect(laptop_page.locator(".opblock-summary-path", has_text="/api/v1/checkins/").first).to_be_visible()
    assert violations(laptop_page, complaints) == []


def test_redoc_shows_the_operations_under_the_policy(live_server, laptop_page, watch):
    complaints = watch(laptop_page)

    open_under_policy(laptop_page, f"{live_server.url}/api/redoc/")

    heading = laptop_page.get_by_role("heading", name=re.compile("Sign in: trade a username and password"))
    expect(heading.first).to_be_visible()
    # Redoc's sidebar always shows Redocly's logo from their CDN; the policy blocks it, as intended
    # (a visitor's browser contacts no third party), and Redoc hides the broken image.
    blocked = violations(laptop_page, complaints)
    assert [text for text in blocked if REDOCLY_LOGO not in text] == []
    assert blocked
