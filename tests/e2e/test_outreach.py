"""Messages and "I need help" on the phone: the messages are kept for reading offline, and an alert
raised offline leaves first when the network comes back, ahead of ten items queued before it."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import Alert, Audience, MessageDelivery
from outreach.services import alert_raise, message_send
from people.models import Role
from people.roles import ensure_groups
from reports.models import CheckIn
from tests.e2e.test_observer import phone, sign_in, wait_until  # noqa: F401 (phone is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUEUE_TEN_CHECKINS = """async (station) => {
  const box = window.baqylauOutbox;
  const items = [];
  for (let i = 0; i < 10; i++) {
    const id = box.uuid();
    const item = box.newItem("checkin", id, box.api + "checkins/", {
      id: id, station: station, kind: "arrival", at: new Date().toISOString(), all_clear: false,
      note: "queued " + i
    }, "Check-in " + i, "");
    item.created_at = Date.now() - 60000 + i;
    items.push(item);
  }
  await box.queue(items);
}"""


@pytest.fixture
def message(organization, observer):
    return message_send(
        organization=organization,
        author=None,
        subject="The count moves to School 12",
        body="The commission counts at School 12 from 20:00.",
        audience=Audience.ORGANIZATION,
    )


def test_an_alert_raised_offline_leaves_first_and_a_message_read_offline_is_marked_read(
    live_server,
    phone,  # noqa: F811 (the fixture imported above)
    observer,
    station,
    message,
):
    page = phone
    sign_in(page, live_server.url)
    badge = page.locator(".nav [data-unread]")
    expect(badge).to_have_text("1")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Opened once online, under the service worker: the page is kept, and the outbox's sync kept
    # the message itself.
    page.get_by_role("link", name="Messages").click()
    card = page.locator(f"#message-{message.pk}")
    expect(card).to_contain_text("The count moves to School 12")
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    delivery = MessageDelivery.objects.get(message=message)
    assert delivery.received_at is not None and delivery.read_at is None

    context = page.context
    context.set_offline(True)
    page.reload()
    expect(card).to_have_class("card message unread")
    page.evaluate(QUEUE_TEN_CHECKINS, station.pk)
    expect(page.locator("#outbox-summary")).to_have_text("10 waiting")
    card.locator("summary").click()
    expect(card).to_contain_text("The commission counts at School 12 from 20:00.")
    expect(card).to_have_class("card message")
    expect(badge).to_be_hidden()
    expect(page.locator("#outbox-summary")).to_have_text("11 waiting")

    page.locator("summary.help-button").click()
    help_form = page.locator("form[data-help]")
    help_form.locator("label.choice", has_text="Detained").click()
    help_form.locator("textarea[name=note]").fill("Taken away by two men in plain clothes.")
    help_form.get_by_role("button", name="Send the alert").click()
    expect(help_form.locator("[data-status]")).to_contain_text("sent before anything else")
    expect(page.locator("#outbox-summary")).to_have_text("12 waiting")
    assert not Alert.objects.exists() and not CheckIn.objects.exists()

    for open_page in context.pages:
        open_page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/observe/")

    assert wait_until(lambda: CheckIn.objects.count() == 10), "the ten queued check-ins did not arrive"
    alert = Alert.objects.get()
    assert (alert.kind, alert.note, alert.station) == (
        "detained",
        "Taken away by two men in plain clothes.",
        station,
    )
    first_checkin = CheckIn.objects.order_by("received_at").first()
    assert alert.received_at < first_checkin.received_at, "the alert did not leave first"
    assert wait_until(lambda: MessageDelivery.objects.filter(pk=delivery.pk, read_at__isnull=False).exists())
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    expect(page.locator(".nav [data-unread]")).to_be_hidden()


def test_the_coordinator_sees_the_open_alert_above_the_admin_page_and_resolves_it(
    live_server, laptop_page, observer, station, coordinator, other_organization, make_member
):
    ensure_groups()
    coordinator.groups.add(Group.objects.get(name="Coordinator"))
    outsider = make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)
    outsider.groups.add(Group.objects.get(name="Coordinator"))
    alert, _created = alert_raise(
        observer=observer,
        id="0b8d1c52-3a51-4c1e-9a4f-2d6e8f1a7b3c",
        station_id=station.pk,
        kind="injured",
        at=timezone.now(),
    )
    page = laptop_page
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "coordinator-a")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")

    banner = page.locator("#open-alerts")
    expect(banner).to_contain_text("1 open alert: an observer needs help.")
    expect(banner).to_contain_text("Injured")
    banner.get_by_role("link").first.click()
    page.fill("textarea[name=resolution_note]", "Taken to hospital, family told.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".messagelist")).to_contain_text("The alert is resolved.")
    expect(banner).to_be_empty()
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by) == ("resolved", coordinator)
