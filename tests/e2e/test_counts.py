"""An observer on a phone copies a protocol that does not add up, sees why while typing, sends it
anyway; and a turnout count and a protocol copy made offline arrive once when the network returns."""

import time

import pytest
from playwright.sync_api import expect

from counts.models import Choice, Contest, ProtocolCopy, TurnoutCount
from tests.e2e.test_observer import camera_photo, sign_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOXES_RULE = "Valid plus invalid ballots must equal the ballots in the boxes."
VOTES_RULE = "The votes for all choices must add up to the valid ballots."


@pytest.fixture
def phone(phone_page):
    """The phone's page; any script error on it fails the test."""
    errors = []
    phone_page.on("pageerror", lambda error: errors.append(str(error)))
    yield phone_page
    assert errors == []


@pytest.fixture
def contests(election, station):
    party_list = Contest.objects.create(
        election=election, code="party_list", name="Party list", kind="party_list"
    )
    for position, (code, name) in enumerate([("amanat", "Amanat"), ("auyl", "Auyl")], start=1):
        Choice.objects.create(contest=party_list, code=code, name=name, position=position)
    smd = Contest.objects.create(
        election=election, code="smd", name="Single-mandate district", kind="candidates"
    )
    Choice.objects.create(contest=smd, code="d1-ivanova", name="A. Ivanova", district=station.district)
    return party_list


def open_protocol(page, station) -> None:
    page.locator(f"#station-{station.pk}").get_by_role("link", name="Protocol copy").click()
    page.get_by_role("link", name="Party list").click()
    expect(page.get_by_role("heading", name="Protocol copy")).to_be_visible()


def fill_protocol(page, *, valid: str, amanat: str, photo) -> None:
    for label, value in [
        ("Registered voters", "1000"),
        ("Ballots received", "800"),
        ("Ballots issued", "600"),
        ("Ballots cancelled", "200"),
        ("Ballots in the boxes", "590"),
        ("Invalid ballots", "10"),
        ("Valid ballots", valid),
        ("Amanat", amanat),
        ("Auyl", "100"),
    ]:
        page.get_by_label(label, exact=True).fill(value)
    page.set_input_files("#id_photo", str(photo))


def test_the_protocol_form_shows_a_failing_rule_while_typing_and_still_sends_the_copy(
    live_server, phone, observer, station, contests, tmp_path
):
    page = phone
    sign_in(page, live_server.url)
    open_protocol(page, station)
    checks = page.locator("[data-checks]")

    page.get_by_label("Ballots in the boxes", exact=True).fill("590")
    page.get_by_label("Invalid ballots", exact=True).fill("10")
    page.get_by_label("Valid ballots", exact=True).fill("570")
    expect(checks.get_by_text(BOXES_RULE)).to_be_visible()
    expect(checks.get_by_text("You can still send it")).to_be_visible()
    # A rule whose numbers are not all typed yet says nothing.
    expect(checks.get_by_text(VOTES_RULE)).to_be_hidden()

    fill_protocol(page, valid="580", amanat="480", photo=camera_photo(tmp_path))
    expect(checks.get_by_text("The numbers add up.")).to_be_visible()
    expect(checks.get_by_text(BOXES_RULE)).to_be_hidden()

    page.get_by_label("Valid ballots", exact=True).fill("570")
    page.get_by_label("Amanat", exact=True).fill("470")
    expect(checks.get_by_text(BOXES_RULE)).to_be_visible()
    expect(checks.get_by_text(VOTES_RULE)).to_be_hidden()
    expect(checks.get_by_text("The numbers add up.")).to_be_hidden()
    page.get_by_role("button", name="Send the protocol copy").click()

    expect(page.locator("form[data-count] [data-status]")).to_contain_text("Saved on this phone")
    sent = page.locator("#outbox-items li.sent", has_text="Protocol copy · Party list")
    expect(sent).to_contain_text("Received")
    expect(sent).to_contain_text(BOXES_RULE)
    copy = ProtocolCopy.objects.get()
    assert (copy.observer, copy.valid, copy.votes) == (observer, 570, {"amanat": 470, "auyl": 100})
    assert copy.failures == ["valid_plus_invalid"]
    # The photo was downscaled on the phone, like a report's.
    assert (copy.width, copy.height) == (2560, 1920)
    expect(sent).to_contain_text(str(copy.id)[:8])


def test_a_turnout_count_and_a_protocol_copy_made_offline_arrive_once(
    live_server, phone, observer, station, contests, tmp_path
):
    page = phone
    sign_in(page, live_server.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Opened once online, so that the service worker keeps both forms.
    page.locator(f"#station-{station.pk}").get_by_role("link", name="Turnout count").click()
    expect(page.get_by_role("heading", name="Turnout count")).to_be_visible()
    turnout_url = page.url
    page.goto(f"{live_server.url}/observe/")
    open_protocol(page, station)

    context = page.context
    context.set_offline(True)
    page.reload()
    fill_protocol(page, valid="580", amanat="480", photo=camera_photo(tmp_path))
    page.get_by_role("button", name="Send the protocol copy").click()
    expect(page.locator("form[data-count] [data-status]")).to_contain_text("Saved on this phone")
    page.goto(turnout_url)
    page.get_by_label("Voters so far").fill("377")
    page.locator("label.choice", has_text="signatures in the voter list").click()
    page.get_by_role("button", name="Send the count").click()
    expect(page.locator("#outbox-summary")).to_have_text("2 waiting")
    assert TurnoutCount.objects.count() == ProtocolCopy.objects.count() == 0

    for open_page in context.pages:
        open_page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/observe/")

    assert wait_until(lambda: TurnoutCount.objects.count() == ProtocolCopy.objects.count() == 1)
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    sent = page.locator("#outbox-items li.sent")
    expect(sent.filter(has_text="Turnout count · 377 voters")).to_contain_text("Received")
    expect(sent.filter(has_text="Protocol copy · Party list")).to_contain_text("Received")
    time.sleep(1)
    count = TurnoutCount.objects.get()
    assert (count.observer, count.voters, count.method) == (observer, 377, "voter_list")
    copy = ProtocolCopy.objects.get()
    assert (copy.valid, copy.failures) == (580, [])


def test_a_turnout_count_the_server_refuses_waits_until_the_observer_corrects_it(
    live_server, phone, observer, station, contests
):
    page = phone
    sign_in(page, live_server.url)
    page.locator(f"#station-{station.pk}").get_by_role("link", name="Turnout count").click()
    page.get_by_label("Voters so far").fill("2500")
    page.get_by_role("button", name="Send the count").click()

    refused = page.locator("#outbox-items li.needs_attention")
    expect(refused).to_contain_text("2500 voters is more than twice the 1000 registered at this station")
    assert TurnoutCount.objects.count() == 0

    refused.get_by_role("link", name="Edit").click()
    expect(page.locator("[data-error-for=voters]")).to_contain_text("more than twice")
    expect(page.get_by_label("Voters so far")).to_have_value("2500")
    page.get_by_label("Voters so far").fill("250")
    page.get_by_role("button", name="Send the count").click()

    expect(page.locator("#outbox-items li.sent", has_text="Turnout count · 250 voters")).to_contain_text(
        "Received"
    )
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    assert TurnoutCount.objects.get().voters == 250
