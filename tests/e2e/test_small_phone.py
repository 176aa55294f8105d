"""Every observer page fits a small phone (360 pixels wide) in every language: nothing scrolls
sideways and no text spills out of its button, link, label or heading."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checklists.services import checklist_publish
from outreach.models import Audience
from outreach.services import message_send
from tests.checklists.conftest import build_checklist
from tests.complaints.builders import consent, filed, verified_report
from tests.e2e.test_translations import PASSWORD, observer_with_history  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 360, "height": 740}
# The elements whose text must stay inside them, and the page's own width.
OVERFLOWS = """() => {
  const tolerance = 1;
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + tolerance) {
    found.push(`the page is ${document.documentElement.scrollWidth} px wide`);
  }
  const selector = 'button, a, label, legend, h1, h2, h3, p, li, dt, dd, th, td, summary, select, span.badge';
  for (const element of document.querySelectorAll(selector)) {
    const box = element.getBoundingClientRect();
    if (!box.width || getComputedStyle(element).visibility === 'hidden') continue;
    const inside = element.scrollWidth <= element.clientWidth + tolerance || element.clientWidth === 0;
    if (!inside || box.right > width + tolerance || box.left < -tolerance) {
      found.push(`${element.tagName.toLowerCase()} "${element.innerText.trim().slice(0, 60)}"`
        + ` (${Math.round(box.left)}..${Math.round(box.right)},`
        + ` text ${element.scrollWidth} in ${element.clientWidth})`);
    }
  }
  return found;
}"""


@pytest.fixture
def opening_checklist(election, organization, superuser):
    return checklist_publish(checklist=build_checklist(election, organization), by=superuser)


@pytest.fixture
def complaint_in_my_name(observer_with_history, organization, station, superuser):  # noqa: F811
    """A complaint filed in the observer's name, listed on "My reports" with its PDF to print."""
    consent(observer_with_history, organization)
    report = verified_report(
        observer_with_history, station, superuser, at=timezone.now() - timedelta(minutes=20)
    )
    return filed([report], superuser, complainant=observer_with_history)


@pytest.fixture
def message_to_observers(observer_with_history, organization):  # noqa: F811
    """An unread message with a long word, on "Messages" and as the badge in the header."""
    return message_send(
        organization=organization,
        author=None,
        subject="Сайлау учаскелік комиссиясының отырысы ауыстырылды",
        body="Қоғамдық бақылаушылардың назарына: санау 22:00-де басталады.",
        audience=Audience.ORGANIZATION,
    )


@pytest.mark.parametrize(("language", "locale"), [("kk", "kk-KZ"), ("ru", "ru-RU"), ("en", "en-US")])
def test_every_observer_page_fits_a_360_pixel_phone(
    browser,
    live_server,
    observer_with_history,  # noqa: F811 (the fixture imported above)
    station,
    opening_checklist,
    complaint_in_my_name,
    message_to_observers,
    language,
    locale,
):
    context = browser.new_context(viewport=SMALL_PHONE, locale=locale, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/observe/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    problems = {"sign-in": page.evaluate(OVERFLOWS)}
    page.fill("#id_username", "observer-a")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("h1")).to_be_visible()
    for name, path in [
        ("stations", "/observe/"),
        ("report form", f"/observe/stations/{station.pk}/report/"),
        ("my reports", "/observe/reports/"),
        ("turnout count", f"/observe/stations/{station.pk}/turnout/"),
        ("protocol contests", f"/observe/stations/{station.pk}/protocol/"),
        ("protocol copy", f"/observe/stations/{station.pk}/protocol/party_list/"),
        ("my counts", "/observe/counts/"),
        ("checklists", f"/observe/stations/{station.pk}/checklists/"),
        ("checklist", f"/observe/stations/{station.pk}/checklists/opening/"),
        ("messages", "/observe/messages/"),
        ("help", "/observe/help/"),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, name
        problems[name] = page.evaluate(OVERFLOWS)
    context.close()

    assert {name: found for name, found in problems.items() if found} == {}
