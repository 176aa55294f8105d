"""Every observer page fits a small phone (360 pixels wide) in every language: nothing scrolls
sideways and no text spills out of its button, link, label or heading."""

import pytest
from playwright.sync_api import expect

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


@pytest.mark.parametrize(("language", "locale"), [("kk", "kk-KZ"), ("ru", "ru-RU"), ("en", "en-US")])
def test_every_observer_page_fits_a_360_pixel_phone(
    browser,
    live_server,
    observer_with_history,  # noqa: F811 (the fixture imported above)
    station,
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
    ]:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, name
        problems[name] = page.evaluate(OVERFLOWS)
    context.close()

    assert {name: found for name, found in problems.items() if found} == {}
