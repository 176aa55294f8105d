"""An observer on a phone: checks in, reports with a photo, and loses nothing while offline."""

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from PIL import ExifTags, Image
from playwright.sync_api import expect

from people.models import ObserverToken
from people.services import token_revoke
from reports.models import CheckIn, IncidentReport
from tests.images import jpeg_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


def wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def camera_photo(tmp_path):
    """A 12-megapixel-wide camera JPEG with its capture time in EXIF, as a phone writes it."""
    exif = Image.Exif()
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = "2023:03:19 10:15:00"
    details[ExifTags.Base.OffsetTimeOriginal] = "+05:00"
    path = tmp_path / "box.jpg"
    path.write_bytes(jpeg_bytes(size=(4000, 3000), exif=exif))
    return path


@pytest.fixture
def phone(phone_page):
    """The phone's page; any script error on it fails the test."""
    errors = []
    phone_page.on("pageerror", lambda error: errors.append(str(error)))
    yield phone_page
    assert errors == []


def station_time(station, delta=timedelta()) -> str:
    local = timezone.localtime(timezone.now() + delta, ZoneInfo(station.election.timezone))
    return local.strftime("%Y-%m-%dT%H:%M")


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/observe/")
    expect(page).to_have_url(re.compile(r"/observe/login/\?next="))
    fill_sign_in(page)


def fill_sign_in(page) -> None:
    page.fill("#id_username", "observer-a")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My stations")).to_be_visible()


def file_report(page, category: str, description: str, photo=None) -> None:
    page.locator("label.choice", has_text=category).click()
    page.fill("#id_description", description)
    if photo is not None:
        page.set_input_files("#id_photos", str(photo))
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("form[data-report] [data-status]")).to_contain_text("Saved on this phone")
    expect(page.locator("#id_description")).to_have_value("")


def test_an_observer_checks_in_reports_and_loses_nothing_offline(
    live_server, phone, observer, station, tmp_path
):
    page = phone
    sign_in(page, live_server.url)

    page.locator(f"#station-{station.pk}").get_by_role("button", name="Arrived").click()
    sent = page.locator("#outbox-items li.sent")
    expect(sent.filter(has_text="Check-in · Arrived")).to_contain_text("Received")
    checkin = CheckIn.objects.get()
    assert (checkin.observer, checkin.station, checkin.kind) == (observer, station, "arrival")

    page.get_by_role("link", name="Report an incident").click()
    file_report(page, "Ballot stuffing", "Stack of ballots into box 2.", camera_photo(tmp_path))
    expect(sent.filter(has_text="Report · Ballot stuffing")).to_contain_text("Received")
    expect(sent.filter(has_text="Photo 1/1")).to_contain_text("Received")
    report = IncidentReport.objects.get()
    assert report.description == "Stack of ballots into box 2."
    photo = report.photos.get()
    # Downscaled on the phone, with the capture time carried over for the evidence record.
    assert (photo.width, photo.height) == (2560, 1920)
    assert photo.captured_at == datetime(2023, 3, 19, 5, 15, tzinfo=UTC)
    expect(sent.filter(has_text="Report · Ballot stuffing")).to_contain_text(str(report.id)[:8])

    context = page.context
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    # The service worker kept the form: it opens again without a network.
    page.reload()
    expect(page.get_by_role("heading", name="Report an incident")).to_be_visible()
    file_report(page, "Vote buying", "Offline one: money at the entrance.")
    file_report(page, "Intimidation", "Offline two: police at the booth.")
    expect(page.locator("#outbox-summary")).to_have_text("2 waiting")
    assert IncidentReport.objects.count() == 1

    for open_page in context.pages:
        open_page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/observe/")

    offline = IncidentReport.objects.filter(description__startswith="Offline")
    assert wait_until(lambda: offline.count() == 2), "the two reports kept offline did not arrive"
    assert sorted(offline.values_list("description", flat=True)) == [
        "Offline one: money at the entrance.",
        "Offline two: police at the booth.",
    ]
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    sent = page.locator("#outbox-items li.sent")
    expect(sent.filter(has_text="Vote buying")).to_contain_text("Received")
    expect(sent.filter(has_text="Intimidation")).to_contain_text("Received")
    time.sleep(1)
    assert IncidentReport.objects.count() == 3
    assert CheckIn.objects.count() == 1


def test_a_report_the_server_refuses_waits_until_the_observer_corrects_it(
    live_server, phone, observer, station
):
    page = phone
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Report an incident").click()
    page.fill("#id_occurred_at", station_time(station, timedelta(days=1)))
    file_report(page, "Vote buying", "Money handed out at the door.")

    refused = page.locator("#outbox-items li.needs_attention")
    expect(refused).to_contain_text("This time is in the future; check the phone's clock.")
    expect(page.locator("#outbox-summary")).to_have_text("1 need your attention")
    assert IncidentReport.objects.count() == 0

    refused.get_by_role("link", name="Edit").click()
    expect(page.locator("[data-error-for=occurred_at]")).to_contain_text("in the future")
    expect(page.locator("#id_description")).to_have_value("Money handed out at the door.")
    expect(page.locator("input[name=category][value=vote_buying]")).to_be_checked()
    page.fill("#id_occurred_at", station_time(station))
    page.get_by_role("button", name="Send report").click()

    expect(page.locator("#outbox-items li.sent", has_text="Vote buying")).to_contain_text("Received")
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    report = IncidentReport.objects.get()
    assert report.description == "Money handed out at the door."
    assert report.occurred_at < timezone.now()


def test_a_revoked_sign_in_keeps_what_waits_until_the_observer_signs_in_again(
    live_server, phone, observer, station
):
    page = phone
    sign_in(page, live_server.url)
    context = page.context
    context.set_offline(True)
    page.locator(f"#station-{station.pk}").get_by_role("button", name="Voting").click()
    expect(page.locator("#outbox-summary")).to_have_text("1 waiting")

    # Meanwhile the phone's token is revoked and its session ends.
    for token in ObserverToken.objects.usable():
        token_revoke(token=token)
    Session.objects.all().delete()
    context.set_offline(False)
    page.goto(f"{live_server.url}/observe/")
    expect(page).to_have_url(re.compile(r"/observe/login/"))
    expect(page.locator("#outbox-auth")).to_be_visible()
    expect(page.locator("#outbox-auth")).to_contain_text("Sign in again — nothing waiting is lost.")
    expect(page.locator("#outbox-summary")).to_have_text("1 waiting")
    assert CheckIn.objects.count() == 0

    fill_sign_in(page)
    expect(page.locator("#outbox-items li.sent", has_text="Check-in · Voting")).to_contain_text("Received")
    expect(page.locator("#outbox-auth")).to_be_hidden()
    assert CheckIn.objects.get().kind == "voting"
