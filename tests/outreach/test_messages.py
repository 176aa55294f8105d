"""Messages: who receives them, what each observer sees of them, and the receipts coordinators read."""

import pytest
from django.urls import reverse

from core.errors import ApplicationError
from outreach.models import Audience, MessageDelivery
from outreach.selectors import messages_with_counts, unread_by
from outreach.services import message_send
from people.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(make_member, organization, other_organization, make_station, station):
    """Observers of the organization at district 1 (two) and district 2 (one), one of another
    organization at the same station, and the organization's reviewer."""
    elsewhere = make_station("202", district=2)
    return {
        "a": make_member("obs-a", organization, stations=[station]),
        "b": make_member("obs-b", organization, stations=[station]),
        "c": make_member("obs-c", organization, stations=[elsewhere]),
        "foreign": make_member("obs-x", other_organization, stations=[station]),
        "reviewer": make_member("rev", organization, role=Role.REVIEWER, is_staff=True),
        "elsewhere": elsewhere,
    }


def recipients(message) -> set[str]:
    return set(message.deliveries.values_list("membership__user__username", flat=True))


def send(organization, coordinator=None, **fields):
    fields.setdefault("subject", "The count moves")
    fields.setdefault("body", "The commission counts at School 12 from 20:00.")
    return message_send(organization=organization, author=coordinator, **fields)


def test_each_audience_reaches_exactly_its_observers(crew, organization, station):
    assert recipients(send(organization, audience=Audience.ORGANIZATION)) == {"obs-a", "obs-b", "obs-c"}
    assert recipients(send(organization, audience=Audience.DISTRICT, district=station.district)) == {
        "obs-a",
        "obs-b",
    }
    to_station = send(organization, audience=Audience.STATIONS, stations=[crew["elsewhere"]])
    assert recipients(to_station) == {"obs-c"}
    chosen = Membership.objects.get(user=crew["b"])
    assert recipients(send(organization, audience=Audience.PEOPLE, people=[chosen])) == {"obs-b"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"audience": Audience.DISTRICT}, "district"),
        ({"audience": Audience.STATIONS}, "stations"),
        ({"audience": Audience.PEOPLE}, "people"),
        ({"audience": "everyone"}, "audience"),
        ({"audience": Audience.ORGANIZATION, "subject": "  "}, "subject"),
        ({"audience": Audience.ORGANIZATION, "body": ""}, "body"),
    ],
)
def test_a_message_without_what_it_needs_is_refused_naming_the_field(crew, organization, fields, field):
    with pytest.raises(ApplicationError) as refused:
        send(organization, **fields)
    assert refused.value.field == field


def test_another_organizations_observer_cannot_be_chosen(crew, organization):
    foreign = Membership.objects.get(user=crew["foreign"])
    with pytest.raises(ApplicationError) as refused:
        send(organization, audience=Audience.PEOPLE, people=[foreign])
    assert refused.value.field == "people"


def test_an_audience_with_nobody_in_it_is_refused(organization, make_station):
    with pytest.raises(ApplicationError) as refused:
        send(organization, audience=Audience.ORGANIZATION)
    assert refused.value.field == "audience"


def test_the_list_is_the_observers_own_newest_first_and_fetching_records_receipt(crew, organization, bearer):
    first = send(organization, audience=Audience.ORGANIZATION, subject="First")
    second = send(organization, audience=Audience.ORGANIZATION, subject="Second")
    send(organization, audience=Audience.STATIONS, stations=[crew["elsewhere"]], subject="Not for a")

    answer = bearer(crew["a"]).get("/api/v1/messages/")

    assert answer.status_code == 200
    assert answer.data["count"] == 2
    assert [m["id"] for m in answer.data["results"]] == [second.pk, first.pk]
    assert answer.data["results"][0]["subject"] == "Second"
    assert answer.data["results"][0]["read_at"] is None
    received = MessageDelivery.objects.filter(membership__user=crew["a"])
    assert all(d.received_at is not None for d in received)
    assert not MessageDelivery.objects.filter(membership__user=crew["b"], received_at__isnull=False).exists()


def test_reading_marks_read_once_and_counts_follow(crew, organization, bearer):
    message = send(organization, audience=Audience.ORGANIZATION)
    client = bearer(crew["a"])

    first = client.post(f"/api/v1/messages/{message.pk}/read/")
    again = client.post(f"/api/v1/messages/{message.pk}/read/")

    assert first.status_code == again.status_code == 200
    assert first.data["read_at"] == again.data["read_at"] is not None
    counted = messages_with_counts(type(message).objects.filter(pk=message.pk)).get()
    assert (counted.recipients, counted.received, counted.read) == (3, 1, 1)
    assert {m.user.username for m in unread_by(message)} == {"obs-b", "obs-c"}


@pytest.mark.parametrize("who", ["a", "foreign", "reviewer"])
def test_someone_elses_message_is_404(crew, organization, bearer, who):
    message = send(organization, audience=Audience.DISTRICT, district=crew["elsewhere"].district)

    answer = bearer(crew[who]).post(f"/api/v1/messages/{message.pk}/read/")

    assert answer.status_code == 404
    assert not MessageDelivery.objects.filter(read_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["foreign", "reviewer"])
def test_no_one_else_lists_the_organizations_messages(crew, organization, bearer, who):
    send(organization, audience=Audience.ORGANIZATION)
    answer = bearer(crew[who]).get("/api/v1/messages/")
    assert answer.status_code == 200
    assert answer.data["count"] == 0


def test_anonymous_gets_401(crew, organization, client):
    message = send(organization, audience=Audience.ORGANIZATION)
    assert client.get("/api/v1/messages/").status_code == 401
    assert client.post(f"/api/v1/messages/{message.pk}/read/").status_code == 401


def test_the_messages_page_shows_the_badge_and_reads_without_javascript(crew, organization, client):
    message = send(organization, audience=Audience.ORGANIZATION, subject="Polls open at seven")
    client.force_login(crew["a"])

    page = client.get(reverse("observe:messages"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Polls open at seven" in html
    assert 'data-unread aria-label="unread">1</span>' in html
    done = client.post(reverse("observe:message_read", args=[message.pk]))
    assert done.status_code == 302
    assert MessageDelivery.objects.get(message=message, membership__user=crew["a"]).read_at is not None
    assert (
        'data-unread aria-label="unread" hidden>0</span>'
        in client.get(reverse("observe:stations")).content.decode()
    )
    client.force_login(crew["c"])
    assert client.post(reverse("observe:message_read", args=[message.pk + 1000])).status_code == 404
