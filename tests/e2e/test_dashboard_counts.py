"""A coordinator opens the dashboard, finds the district whose official turnout lies outside the
observers' 99 % interval, opens its page, sees the count with the differing protocol copies of
their organization, follows a copy's thumbnail to the copy beside the official result, and reads
the forensic fingerprint."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from counts.forensic_runs import forensics_run
from people.models import Role
from tests.console.test_dashboard_counts import (
    COPIES,
    build_stations,
    copy_protocol,
    count_turnout,
    define_party_list,
    import_results,
    observers,
)
from tests.reports.test_review_admin import in_group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def counted(election, make_station, make_member, organization, other_organization):
    """tests/counts/test_dashboard_counts.py's two districts, tested, and a coordinator of A."""
    cache.clear()
    contest = define_party_list(election)
    people = observers(make_member, organization, other_organization)
    stations = build_stations(make_station, (1, 2))
    import_results(contest, stations)
    count_turnout(people, stations)
    copies = {
        (district, index): copy_protocol(people, contest, stations[district][index], who, *numbers)
        for district, index, who, *numbers in COPIES
    }
    forensics_run(contest=contest)
    in_group(make_member("coordinator", organization, role=Role.COORDINATOR, is_staff=True), "Coordinator")
    yield copies
    cache.clear()


def test_the_coordinator_follows_a_flagged_district_to_a_differing_copy_and_its_photo(
    live_server, laptop_page, counted
):
    page = laptop_page
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Coordinator dashboard").first.click()

    table = page.locator("#count-integrity-table")
    flagged = table.locator("tbody tr.count-flagged")
    expect(flagged).to_have_count(1)
    expect(flagged.locator("td.official-turnout")).to_have_text("30.0 %")
    expect(flagged.locator("td.outside-99")).to_have_text("outside the 99 % interval")
    expect(table.locator("tfoot td.official-turnout")).to_have_text("40.0 %")
    expect(page.locator("#forensics-caution")).to_contain_text("A statistical anomaly is not proof of fraud.")
    fingerprint = page.locator("#forensics-fingerprint svg[role=img]")
    expect(fingerprint).to_be_visible()
    expect(fingerprint.locator("title").first).to_have_text("Fingerprint: Party list, all districts")

    flagged.get_by_role("link", name="2. District 2").click()
    expect(page.locator("h1")).to_have_text("2. District 2")
    expect(page.locator("#count-turnout .outside-99")).to_have_text("outside the 99 % interval")
    expect(page.locator("#count-turnout .shortfall")).to_have_text("63.3 %")
    copies = page.locator("#differing-copies-table tr.differing-copy")
    expect(copies).to_have_count(2)
    expect(page.locator("#other-copies")).to_contain_text("1 differing copy was sent by another organization")
    expect(page.locator("#forensics-fingerprint svg[role=img] title").first).to_have_text(
        "Fingerprint: Party list, 2. District 2"
    )

    copy = counted[(2, 0)]
    thumbnail = copies.filter(has_text="2-0").locator("a.protocol-thumbnail")
    expect(thumbnail).to_have_attribute("href", f"/admin/counts/protocolcopy/{copy.pk}/change/")
    image = thumbnail.locator("img")
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == 16  # the thumbnail, served to its organization
    thumbnail.click()
    expect(page).to_have_url(re.compile(f"/admin/counts/protocolcopy/{copy.pk}/change/$"))
    expect(page.locator("#content")).to_contain_text("The copy differs from the official result.")
