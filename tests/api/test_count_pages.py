"""The count pages as plain HTML forms (no JavaScript), through the Django test client."""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from counts.models import Contest, ProtocolCopy, TurnoutCount
from counts.services import protocol_submit, turnout_count_create
from people.models import Role
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

NUMBERS = {
    "registered": "1000",
    "received": "800",
    "issued": "600",
    "cancelled": "200",
    "in_boxes": "590",
    "invalid": "10",
    "valid": "580",
}
VOTES = {"vote_amanat": "400", "vote_auyl": "100", "vote_respublica": "80"}


@pytest.fixture(autouse=True)
def election_is_today(election):
    election.date = timezone.localdate()
    election.save()


@pytest.fixture
def owner(client, observer):
    client.force_login(observer)
    return client


def station_time(station, delta=timedelta(minutes=-2)) -> str:
    local = timezone.localtime(timezone.now() + delta, ZoneInfo(station.election.timezone))
    return local.strftime("%Y-%m-%dT%H:%M")


def photo(name="protocol.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(size=(640, 480)), content_type="image/jpeg")


def turnout_post(station, **overrides) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "counted_at": station_time(station),
        "voters": "412",
        "method": "tally",
        "note": "",
        **overrides,
    }


def protocol_post(**overrides) -> dict:
    return {"id": str(uuid.uuid4()), **NUMBERS, **VOTES, "photo": photo(), "note": "", **overrides}


def turnout_url(station) -> str:
    return reverse("observe:turnout", args=[station.pk])


def protocol_url(station, contest="party_list") -> str:
    return reverse("observe:protocol", args=[station.pk, contest])


def make_copy(observer, station, **overrides) -> ProtocolCopy:
    fields = {
        "id": uuid.uuid4(),
        "station_id": station.pk,
        "contest_code": "party_list",
        **{name: int(value) for name, value in NUMBERS.items()},
        "votes": {"amanat": 400, "auyl": 100, "respublica": 80},
        "photo": photo(),
    }
    return protocol_submit(observer=observer, **{**fields, **overrides})[0]


def test_each_station_card_offers_a_turnout_count_and_a_protocol_copy(owner, station):
    page = owner.get(reverse("observe:stations"))

    assert page.status_code == 200
    assert f'href="{turnout_url(station)}"' in page.text
    assert f'href="{reverse("observe:protocol_contests", args=[station.pk])}"' in page.text
    assert f'href="{reverse("observe:counts")}"' in page.text


def test_anonymous_visitors_are_sent_to_the_observer_login(client, station, contests):
    for url in (turnout_url(station), protocol_url(station), reverse("observe:counts")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('observe:login')}?next={url}"
    client.post(turnout_url(station), turnout_post(station))
    assert TurnoutCount.objects.count() == 0


def test_staff_without_an_observer_role_are_told_to_use_the_admin(client, reviewer, station, contests):
    client.force_login(reviewer)
    for url in (turnout_url(station), protocol_url(station), reverse("observe:counts")):
        assert client.get(url).status_code == 403


def test_a_station_not_yours_and_an_unknown_contest_are_404(
    client, other_observer, observer, station, contests
):
    client.force_login(other_observer)
    assert client.get(turnout_url(station)).status_code == 404
    assert client.post(protocol_url(station), protocol_post()).status_code == 404
    client.force_login(observer)
    assert client.get(protocol_url(station, "senate")).status_code == 404
    assert ProtocolCopy.objects.count() == 0


def test_a_turnout_count_without_javascript_is_recorded_once_even_when_posted_twice(owner, observer, station):
    form = owner.get(turnout_url(station))
    assert form.status_code == 200
    assert "I counted every voter" in form.text and 'type="datetime-local"' in form.text
    sent = turnout_post(station, note="By the door.")

    first = owner.post(turnout_url(station), sent, follow=True)
    again = owner.post(turnout_url(station), sent, follow=True)

    row = TurnoutCount.objects.get()
    assert (row.observer, row.voters, row.method, row.note) == (observer, 412, "tally", "By the door.")
    assert first.redirect_chain[-1][0] == reverse("observe:counts")
    assert "Turnout count received at" in first.text and f"Reference {str(row.id)[:8]}" in first.text
    assert "This turnout count had already arrived" in again.text


def test_the_count_time_is_read_in_the_stations_time_zone(owner, station):
    local = timezone.localtime(timezone.now() - timedelta(minutes=30), ZoneInfo(station.election.timezone))

    owner.post(turnout_url(station), turnout_post(station, counted_at=local.strftime("%Y-%m-%dT%H:%M")))

    assert TurnoutCount.objects.get().counted_at == local.replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"voters": ""}, "voters", "Give a whole number."),
        ({"voters": "2500"}, "voters", "2500 voters is more than twice the 1000 registered at this station"),
        ({"method": ""}, "method", "Choose how you counted."),
        ({"method": "guess"}, "method", "guess is not a valid choice."),
        ({"counted_at": "later"}, "counted_at", "Give the date and the time in hours and minutes."),
    ],
)
def test_a_bad_turnout_count_is_refused_beside_its_field_and_kept(owner, station, overrides, field, message):
    sent = turnout_post(station, note="Queue outside.", **overrides)

    response = owner.post(turnout_url(station), sent)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.text
    assert f'value="{sent["voters"]}"' in response.text and "Queue outside." in response.text
    assert TurnoutCount.objects.count() == 0


def test_a_count_in_the_future_is_refused_with_the_services_message(owner, station):
    response = owner.post(
        turnout_url(station), turnout_post(station, counted_at=station_time(station, timedelta(hours=2)))
    )

    assert response.status_code == 400
    assert response.context["form"].errors["counted_at"] == [
        "This time is in the future; check the phone's clock."
    ]


def test_the_protocol_page_asks_which_contest_when_there_are_two(owner, station, contests):
    response = owner.get(reverse("observe:protocol_contests", args=[station.pk]))

    assert response.status_code == 200
    assert f'href="{protocol_url(station, "party_list")}"' in response.text
    assert f'href="{protocol_url(station, "smd")}"' in response.text


def test_the_protocol_page_goes_straight_to_the_only_contest(owner, station, contests):
    Contest.objects.filter(code="smd").delete()

    response = owner.get(reverse("observe:protocol_contests", args=[station.pk]))

    assert response.status_code == 302
    assert response["Location"] == protocol_url(station, "party_list")


def test_the_protocol_form_has_a_field_per_number_and_per_choice_on_the_ballot(owner, station, contests):
    response = owner.get(protocol_url(station, "smd"))

    assert response.status_code == 200
    for name in [*NUMBERS, "lost"]:
        assert f'name="{name}"' in response.text
    assert 'name="vote_d1-ivanova"' in response.text and 'name="vote_d1-seitkali"' in response.text
    assert "d2-omarov" not in response.text
    # The five rules are on the page, in the page's language, for the checks made while typing.
    assert response.text.count("data-rule=") == 5
    assert "Ballots in the boxes cannot exceed ballots issued." in response.text
    assert 'accept="image/*" capture="environment" required' in response.text
    assert "/static/observe/counts.js?v=" in response.text


def test_a_protocol_copy_without_javascript_is_filed_with_its_photo_once(owner, observer, station, contests):
    sent = protocol_post()

    first = owner.post(protocol_url(station), sent, follow=True)
    again = owner.post(protocol_url(station), {**sent, "photo": photo()}, follow=True)

    copy = ProtocolCopy.objects.get()
    assert (copy.observer, copy.valid, copy.votes, copy.failures, copy.lost) == (
        observer,
        580,
        {"amanat": 400, "auyl": 100, "respublica": 80},
        [],
        0,
    )
    assert "Protocol copy received at" in first.text and "does not add up" not in first.text
    assert "This protocol copy had already arrived" in again.text


def test_a_copy_that_does_not_add_up_is_sent_and_the_observer_told_why(owner, station, contests):
    response = owner.post(protocol_url(station), protocol_post(valid="570"), follow=True)

    assert response.status_code == 200
    assert ProtocolCopy.objects.get().failures == ["valid_plus_invalid", "votes_sum_to_valid"]
    assert "This copy does not add up" in response.text
    assert "Valid plus invalid ballots must equal the ballots in the boxes." in response.text
    assert "The votes for all choices must add up to the valid ballots." in response.text


@pytest.mark.parametrize(
    ("overrides", "where", "message"),
    [
        ({"photo": ""}, "photo", "Add a photo of the protocol: it is the evidence."),
        ({"valid": ""}, "valid", "Give a whole number."),
        ({"issued": "-1"}, "issued", "This number cannot be negative."),
        ({"vote_auyl": "200000"}, "votes", "auyl: No polling station has more than 100,000 voters"),
        ({"vote_auyl": "many"}, "vote_auyl", "Give a whole number."),
    ],
)
def test_a_bad_protocol_copy_is_refused_beside_its_field_and_kept(
    owner, station, contests, overrides, where, message
):
    response = owner.post(protocol_url(station), protocol_post(**overrides))

    assert response.status_code == 400
    form = response.context["form"]
    shown = form.vote_errors if where == "votes" else form.errors[where]
    assert message in " ".join(shown)
    assert message in response.text
    assert 'value="590"' in response.text
    assert ProtocolCopy.objects.count() == 0


def test_my_counts_lists_my_copies_and_counts_with_status_failures_and_receipt(
    owner, observer, other_observer, station, contests
):
    mine = make_copy(observer, station, valid=570)
    count, _ = turnout_count_create(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        counted_at=timezone.now(),
        voters=377,
        method="tally",
    )
    their_station = other_observer.memberships.get().assignments.get().station
    theirs, _ = turnout_count_create(
        observer=other_observer,
        id=uuid.uuid4(),
        station_id=their_station.pk,
        counted_at=timezone.now(),
        voters=999,
        method="tally",
    )

    response = owner.get(reverse("observe:counts"))

    assert response.status_code == 200
    assert f'id="protocol-{mine.pk}"' in response.text and f'id="turnout-{count.pk}"' in response.text
    assert (
        f"reference {str(mine.pk)[:8]}" in response.text and f"reference {str(count.pk)[:8]}" in response.text
    )
    assert "Submitted" in response.text and "377 voters by" in response.text
    assert "Valid plus invalid ballots must equal the ballots in the boxes." in response.text
    assert reverse("observe:protocol_thumbnail", args=[mine.pk]) in response.text
    assert f"turnout-{theirs.pk}" not in response.text and "999 voters" not in response.text


def test_my_counts_takes_the_same_queries_for_1_and_20_rows(
    client, observer, make_member, organization, station, contests, django_assert_num_queries
):
    busy = make_member("busy", organization, stations=[station])
    for user, rows in ((observer, 1), (busy, 20)):
        for n in range(rows):
            make_copy(user, station, valid=580 - n)
            turnout_count_create(
                observer=user,
                id=uuid.uuid4(),
                station_id=station.pk,
                counted_at=timezone.now() - timedelta(minutes=n),
                voters=100 + n,
                method="tally",
            )
        client.force_login(user)
        with django_assert_num_queries(5):
            response = client.get(reverse("observe:counts"))
        assert (len(response.context["protocols"]), len(response.context["turnout_counts"])) == (rows, rows)


@pytest.fixture
def other_coordinator(make_member, other_organization):
    return make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("observer", 200),
        ("reviewer", 200),
        ("coordinator", 200),
        ("other_observer", 404),
        ("other_coordinator", 404),
    ],
)
def test_a_protocol_photo_is_served_only_to_its_observer_and_their_organizations_staff(
    client, request, observer, station, contests, who, status
):
    copy = make_copy(observer, station)
    client.force_login(request.getfixturevalue(who))

    for name in ("observe:protocol_photo", "observe:protocol_thumbnail"):
        response = client.get(reverse(name, args=[copy.pk]))
        assert response.status_code == status
        if status == 200:
            assert response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"] == "private, max-age=3600"


def test_an_anonymous_visitor_gets_no_protocol_photo(client, observer, station, contests):
    copy = make_copy(observer, station)
    response = client.get(reverse("observe:protocol_photo", args=[copy.pk]))
    assert response.status_code == 302
