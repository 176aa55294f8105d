"""The demo's messages and alerts: a few messages (one unread by some), one resolved and one open
alert, and a contact; seeding again adds nothing."""

import pytest

from demo.outreach import seed_outreach
from outreach.models import Alert, AlertDelivery, EmergencyContact, Message, MessageDelivery

pytestmark = pytest.mark.django_db


def test_the_demo_has_messages_read_by_some_and_an_open_and_a_resolved_alert(
    election, organization, make_member, make_station, station, coordinator
):
    election.refresh_from_db()
    elsewhere = make_station("202", district=2)
    for number, where in enumerate([station, station, elsewhere, elsewhere]):
        make_member(f"observer{number}", organization, stations=[where])

    said = seed_outreach(election=election, organization=organization, coordinator=coordinator)

    assert "3 messages" in said
    assert Message.objects.count() == 3
    district = Message.objects.get(audience="district")
    assert district.deliveries.filter(read_at__isnull=False).exists()
    assert district.deliveries.filter(read_at__isnull=True).exists()
    assert sorted(Alert.objects.values_list("status", flat=True)) == ["open", "resolved"]
    assert Alert.objects.get(status="resolved").resolution_note
    assert EmergencyContact.objects.filter(organization=organization).count() == 1
    assert not AlertDelivery.objects.exists()
    before = MessageDelivery.objects.count()
    assert "already there" in seed_outreach(
        election=election, organization=organization, coordinator=coordinator
    )
    assert (Message.objects.count(), Alert.objects.count(), MessageDelivery.objects.count()) == (3, 2, before)
