"""In Kazakh and Russian, an observer's pages show no English left untranslated."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from counts.results import ChoiceSpec, contest_define
from reports.models import IncidentReport
from reports.services import report_submit
from tests.catalogs import po_entries

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
# Latin-script words that may stand on a translated page: names, formats and the like.
ALLOWED_LATIN = {"Baqylau", "JavaScript", "observer", "JPEG", "PNG", "WebP", "HEIC", "GPS"}


def untranslated(text: str, language: str) -> list[str]:
    """Catalog messages that appear in `text` in English, and stray English words."""
    found = []
    for msgid, msgstr in po_entries(language).items():
        plain = re.split(r"%\(|\{", msgid)[0].strip()
        if len(plain) >= 4 and msgstr != msgid and re.search(rf"(?<!\w){re.escape(plain)}(?!\w)", text):
            found.append(msgid)
    words = set(re.findall(r"[A-Za-z]{3,}", text)) - ALLOWED_LATIN
    return found + sorted(words)


def visible_text(page) -> str:
    return page.evaluate(
        """() => {
        // The language switcher names each language in that language, on purpose.
        document.querySelectorAll('form.languages').forEach(form => form.remove());
        return document.body.innerText + ' ' + [...document.querySelectorAll(
            'input[placeholder], textarea[placeholder], [aria-label], [title]')]
            .map(el => [el.placeholder, el.getAttribute('aria-label'), el.title].join(' ')).join(' ');
        }"""
    )


@pytest.fixture
def observer_with_history(observer, station, election):
    """An observer whose report carries a reviewer's question, with Cyrillic data throughout."""
    election.date = timezone.localdate()
    election.save()
    station.name, station.address = "№ 15 мектеп", "Абай даңғылы, 10"
    station.save()
    station.district.name = "Астана"
    station.district.save()
    report, _ = report_submit(
        observer=observer,
        id="5b0f6a4e-6c1e-4a51-9d53-9a4e7a3c2f10",
        station_id=station.pk,
        category="ballot_stuffing",
        phase="voting",
        occurred_at=timezone.now() - timedelta(minutes=30),
        description="Жәшікке бюллетень салынды.",
    )
    IncidentReport.objects.filter(pk=report.pk).update(status="needs_info", question="Қай уақытта?")
    contest_define(
        election=election,
        code="party_list",
        name="Партиялық тізім",
        kind="party_list",
        choices=[ChoiceSpec("amanat", "Аманат"), ChoiceSpec("auyl", "Ауыл")],
    )
    return observer


@pytest.mark.parametrize(
    ("language", "locale", "heading"), [("kk", "kk-KZ", "Менің"), ("ru", "ru-RU", "Мои")]
)
def test_the_observer_pages_speak_the_browsers_language_completely(
    browser, live_server, observer_with_history, station, language, locale, heading
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/observe/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    problems, texts = {"login": untranslated(visible_text(page), language)}, {}
    page.fill("#id_username", "observer-a")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("h1")).to_contain_text(heading)
    for name, path in [
        ("stations", "/observe/"),
        ("report form", f"/observe/stations/{station.pk}/report/"),
        ("my reports", "/observe/reports/"),
        ("turnout count", f"/observe/stations/{station.pk}/turnout/"),
        ("protocol copy", f"/observe/stations/{station.pk}/protocol/party_list/"),
        ("my counts", "/observe/counts/"),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, name
        texts[name] = visible_text(page)
        problems[name] = untranslated(texts[name], language)
    context.close()
    assert {name: found for name, found in problems.items() if found} == {}
    assert "Аманат" in texts["protocol copy"]  # the form itself, not an error page


def test_the_language_switcher_changes_the_language_and_keeps_it(browser, live_server, observer_with_history):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/observe/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Қазақша").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.goto(f"{live_server.url}/observe/login/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    context.close()
