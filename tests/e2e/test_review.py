"""A reviewer signs in to the admin, finds a report by district, looks at its photo and verifies it."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from people.models import Role
from people.roles import ensure_groups
from reports.models import IncidentReport
from reports.services import report_submit
from tests.images import jpeg_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHOTO_LOADED = """() => {
  const image = document.querySelector("img.report-photo");
  return image !== null && image.complete && image.naturalWidth > 0;
}"""


def submit(observer, station, description: str, **fields) -> IncidentReport:
    report, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="ballot_stuffing",
        phase="voting",
        occurred_at=timezone.now() - timedelta(minutes=15),
        description=description,
        **fields,
    )
    return report


@pytest.fixture
def scene(election, make_station, make_member, organization):
    election.date = timezone.localdate()
    election.save()
    here = make_station("101", district=1, name="School 5", address="Abai St. 1")
    there = make_station("201", district=2, region="Almaty")
    photo = SimpleUploadedFile("box.jpg", jpeg_bytes(size=(320, 240)), content_type="image/jpeg")
    wanted = submit(
        make_member("observer-1", organization, stations=[here]),
        here,
        "Stack of ballots in box 2.",
        photos=[photo],
    )
    submit(make_member("observer-2", organization, stations=[there]), there, "Someone voted twice.")
    ensure_groups()
    reviewer = make_member("reviewer-1", organization, role=Role.REVIEWER, is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    return wanted


def test_a_reviewer_filters_by_district_opens_a_report_sees_its_photo_and_verifies_it(
    live_server, laptop_page, scene
):
    page = laptop_page
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_title(re.compile("Log in"))
    page.fill("#id_username", "reviewer-1")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")

    page.get_by_role("link", name="Incident reports", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.locator("#changelist-filter").get_by_role("link", name="1. District 1").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)

    page.locator("#result_list tbody tr").first.get_by_role("link", name="101").click()
    expect(page.locator("#review-panel")).to_contain_text("reviewer-1 is reviewing it until")
    page.locator("img.report-photo").scroll_into_view_if_needed()
    page.wait_for_function(PHOTO_LOADED)

    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("The report is verified.")
    verify_row = page.locator("#audit-trail tr.event-verify")
    expect(verify_row).to_contain_text("reviewer-1")
    expect(verify_row).to_contain_text("verified")
    assert IncidentReport.objects.get(pk=scene.pk).status == "verified"
