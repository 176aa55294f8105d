"""Two reviewers of one organization have the missing list open; a call marked by one shows on the
other's page without a reload, and the page's script runs under the content security policy."""

import pytest
from playwright.sync_api import expect

from people.models import Membership, Role
from stations.models import PollingStation
from tests.e2e.conftest import LAPTOP
from tests.roster.conftest import in_group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
# The page asks for the list every 15 seconds: give the other page two refreshes and slack for a
# loaded machine.
REFRESH_WAIT_MS = 40_000


@pytest.fixture
def silent(make_station, make_member, organization):
    """Two sampled stations whose observers never arrived (the election was in March 2023)."""
    for number in ("101", "102"):
        station = make_station(number, district=int(number[-1]), in_sample=True)
        user = make_member(f"observer-{number}", organization, stations=[station], first_name=f"Obs {number}")
        Membership.objects.filter(user=user).update(phone=f"+7 701 000 0{number}")
    staff = (("reviewer-1", Role.REVIEWER, "Reviewer"), ("coordinator-1", Role.COORDINATOR, "Coordinator"))
    for name, role, group in staff:
        in_group(make_member(name, organization, role=role, is_staff=True), group)
    return organization


def open_missing_list(browser, live_server, username: str, problems: list):
    context = browser.new_context(viewport=LAPTOP, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/roster/recontactcall/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Missing stations").first.click()
    expect(page.locator("h1")).to_have_text("Missing stations")
    return context, page


def row(page, number: str, stage: str = "arrival"):
    station = PollingStation.objects.get(number=number)
    return page.locator(f"#missing tbody tr[data-key='{station.pk}-{stage}']")


def test_a_call_marked_in_one_page_appears_in_the_other_without_reload(browser, live_server, silent):
    problems = []
    first_context, first = open_missing_list(browser, live_server, "reviewer-1", problems)
    second_context, second = open_missing_list(browser, live_server, "coordinator-1", problems)
    try:
        expect(row(second, "101")).to_contain_text("+7 701 000 0101")
        expect(row(second, "101").locator("[data-field=calls]")).to_have_text("0")
        row(second, "102").locator("input[name=note]").fill("typing, not sent")

        target = row(first, "101")
        target.locator("select[name=outcome]").select_option("unreachable")
        target.locator("input[name=note]").fill("Phone switched off")
        target.locator("input[type=submit]").click()
        expect(first.locator(".messagelist")).to_contain_text("The call to station 101 is recorded.")

        other = row(second, "101")
        expect(other.locator("[data-field=last-call]")).to_contain_text(
            "unreachable", timeout=REFRESH_WAIT_MS
        )
        expect(other.locator("[data-field=last-call]")).to_contain_text("by reviewer-1: Phone switched off")
        expect(other.locator("[data-field=calls]")).to_have_text("1")
        # The refresh rewrote the cells, not the forms: what the coordinator was typing is still there.
        expect(row(second, "102").locator("input[name=note]")).to_have_value("typing, not sent")
        expect(second.locator("#missing-updated")).to_contain_text("updated at")
    finally:
        first_context.close()
        second_context.close()
    assert not [text for text in problems if "Content Security Policy" in text or "Refused" in text]
