"""The rules of turnout_count_create and protocol_submit, one by one, against the real database."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from core.errors import ApplicationError, NotFound
from counts.models import Contest, ProtocolCopy, TurnoutCount
from counts.services import protocol_submit, turnout_count_create
from stations.models import Election
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

OUTSIDERS = ["other_observer", "unassigned_observer", "reviewer", "coordinator"]
SOUND = {
    "registered": 1000,
    "received": 800,
    "issued": 600,
    "cancelled": 200,
    "in_boxes": 590,
    "invalid": 10,
    "valid": 580,
}
SOUND_VOTES = {"amanat": 400, "auyl": 100, "respublica": 80}


@pytest.fixture(autouse=True)
def election_is_today(election):
    # The time rules count from election day; make it today so "now" is a valid time.
    election.date = timezone.localdate()
    election.save()


def upload(data: bytes | None = None, name: str = "protocol.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type="image/jpeg")


def count(observer, station, **overrides):
    fields = {
        "id": uuid.uuid4(),
        "station_id": station.pk,
        "counted_at": timezone.now() - timedelta(minutes=3),
        "voters": 412,
        "method": "tally",
    }
    return turnout_count_create(observer=observer, **{**fields, **overrides})


def submit(observer, station, **overrides):
    fields = {
        "id": uuid.uuid4(),
        "station_id": station.pk,
        "contest_code": "party_list",
        **SOUND,
        "votes": SOUND_VOTES,
        "photo": upload(),
    }
    return protocol_submit(observer=observer, **{**fields, **overrides})


# ---- Turnout counts -------------------------------------------------------------------------


def test_a_turnout_count_is_recorded_for_the_observers_organization(observer, station, organization):
    row, created = count(observer, station, note="Counted at the door.")

    assert created is True
    stored = TurnoutCount.objects.get()
    assert (stored.observer, stored.organization, stored.election, stored.station) == (
        observer,
        organization,
        station.election,
        station,
    )
    assert (stored.voters, stored.method, stored.note) == (412, "tally", "Counted at the door.")
    assert row.pk == stored.pk


def test_the_same_turnout_id_sent_twice_returns_the_first_and_changes_nothing(observer, station):
    count_id = uuid.uuid4()
    first, created = count(observer, station, id=count_id)
    again, created_again = count(observer, station, id=str(count_id), voters=999, method="announced")

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert TurnoutCount.objects.values_list("voters", "method").get() == (412, "tally")


def test_someone_elses_turnout_id_is_refused(observer, other_observer, station):
    row, _ = count(observer, station)
    their_station = other_observer.memberships.get().assignments.get().station
    with pytest.raises(ApplicationError, match="already in use") as refused:
        count(other_observer, their_station, id=row.pk)
    assert refused.value.field == "id"
    assert TurnoutCount.objects.get().observer == observer


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_an_assigned_observer_may_count_at_a_station(request, who, station):
    with pytest.raises(NotFound, match="No such station among yours"):
        count(request.getfixturevalue(who), station)
    assert TurnoutCount.objects.count() == 0


def test_a_roaming_observer_may_count_anywhere_in_the_districts_of_their_assignments(
    make_member, organization, make_station
):
    home = make_station("201", district=7)
    same_district = make_station("202", district=7)
    roamer = make_member("roamer", organization, stations=[home], roaming=True)
    row, created = count(roamer, same_district)
    assert created and row.station == same_district
    with pytest.raises(NotFound):
        count(roamer, make_station("301", district=8))


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (
            lambda: timezone.now() + timedelta(minutes=6),
            "This time is in the future; check the phone's clock.",
        ),
        (lambda: timezone.now() - timedelta(days=3), "This time is before the day before the election."),
        (lambda: timezone.now().replace(tzinfo=None), "Give the time with its time zone."),
    ],
)
def test_the_count_time_is_checked_like_a_check_ins(observer, station, at, message):
    with pytest.raises(ApplicationError) as refused:
        count(observer, station, counted_at=at())
    assert (refused.value.field, refused.value.message) == ("counted_at", message)
    assert TurnoutCount.objects.count() == 0


def test_a_count_up_to_twice_the_registered_voters_is_kept(observer, station):
    # Voter lists grow on election day; the station has 1,000 registered voters.
    assert count(observer, station, voters=2000)[0].voters == 2000
    assert count(observer, station, voters=0)[0].voters == 0


@pytest.mark.parametrize(
    ("voters", "message"),
    [
        (2001, "2001 voters is more than twice the 1000 registered at this station; check the number."),
        (-1, "This number cannot be negative."),
        (100_001, "No polling station has more than 100,000 voters; check the number."),
        ("412", "Give a whole number."),
        (True, "Give a whole number."),
    ],
)
def test_an_impossible_number_of_voters_is_refused(observer, station, voters, message):
    with pytest.raises(ApplicationError) as refused:
        count(observer, station, voters=voters)
    assert (refused.value.field, refused.value.message) == ("voters", message)
    assert TurnoutCount.objects.count() == 0


def test_a_station_without_registered_voters_has_the_general_maximum_only(observer, station):
    station.registered_voters = 0
    station.save()
    assert count(observer, station, voters=5000)[0].voters == 5000
    with pytest.raises(ApplicationError, match="100,000"):
        count(observer, station, voters=100_001)


def test_an_unknown_method_and_a_long_note_are_refused(observer, station):
    with pytest.raises(ApplicationError, match="guess is not a valid choice") as refused:
        count(observer, station, method="guess")
    assert refused.value.field == "method"
    with pytest.raises(ApplicationError, match="longer than 2000") as refused:
        count(observer, station, note="x" * 2001)
    assert refused.value.field == "note"
    assert TurnoutCount.objects.count() == 0


# ---- Protocol copies ------------------------------------------------------------------------


def test_a_protocol_copy_that_adds_up_is_stored_with_its_photo_stripped(
    observer, station, contests, organization
):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone maker"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2023:03:19 20:40:00"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] = "+06:00"
    data = jpeg_bytes(size=(800, 600), exif=exif)

    copy, created = submit(observer, station, photo=upload(data), note="Copied at 20:45.")

    assert created is True
    stored = ProtocolCopy.objects.get()
    assert (stored.observer, stored.organization, stored.station, stored.contest) == (
        observer,
        organization,
        station,
        contests.party_list,
    )
    assert {name: getattr(stored, name) for name in SOUND} == SOUND
    assert (stored.lost, stored.votes, stored.failures, stored.status) == (0, SOUND_VOTES, [], "submitted")
    assert (stored.width, stored.height, stored.sha256) == (800, 600, hashlib.sha256(data).hexdigest())
    assert stored.captured_at == datetime(2023, 3, 19, 14, 40, tzinfo=UTC)
    with stored.image.open("rb") as handle:
        image = Image.open(handle)
        assert image.format == "JPEG" and not image.getexif()
    assert stored.size_bytes == stored.image.size
    assert stored.thumbnail.size > 0
    assert copy.pk == stored.pk


def test_a_copy_that_does_not_add_up_is_kept_and_flagged(observer, station, contests):
    _copy, created = submit(
        observer,
        station,
        received=801,
        in_boxes=700,
        votes={"amanat": 401, "auyl": 100, "respublica": 80},
        registered=500,
    )

    assert created is True
    assert ProtocolCopy.objects.get().failures == [
        "received_accounted",
        "boxes_within_issued",
        "valid_plus_invalid",
        "votes_sum_to_valid",
        "issued_within_registered",
    ]


def test_lost_ballots_count_in_what_was_received(observer, station, contests):
    copy, _ = submit(observer, station, received=805, lost=5)
    assert (copy.lost, copy.failures) == (5, [])


def test_the_same_protocol_id_sent_twice_returns_the_first_and_changes_nothing(observer, station, contests):
    copy_id = uuid.uuid4()
    first, created = submit(observer, station, id=copy_id)
    again, created_again = submit(
        observer, station, id=copy_id, valid=1, photo=upload(jpeg_bytes(color=(1, 2, 3)))
    )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    stored = ProtocolCopy.objects.get()
    assert (stored.valid, stored.sha256, stored.failures) == (580, first.sha256, [])


def test_a_corrected_copy_of_the_same_protocol_is_a_second_row(observer, station, contests):
    submit(observer, station, valid=579)
    submit(observer, station)
    assert sorted(ProtocolCopy.objects.values_list("valid", flat=True)) == [579, 580]


def test_someone_elses_protocol_id_is_refused(observer, other_observer, station, contests):
    copy, _ = submit(observer, station)
    their_station = other_observer.memberships.get().assignments.get().station
    with pytest.raises(ApplicationError, match="already in use") as refused:
        submit(other_observer, their_station, id=copy.pk)
    assert refused.value.field == "id"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_an_assigned_observer_may_send_a_protocol_copy(request, who, station, contests):
    with pytest.raises(NotFound, match="No such station among yours"):
        submit(request.getfixturevalue(who), station)
    assert ProtocolCopy.objects.count() == 0


def test_the_contest_must_be_one_of_the_stations_election(observer, station, contests):
    other = Election.objects.create(slug="other-2024", name="Other", date="2024-01-01")
    Contest.objects.create(election=other, code="senate", name="Senate", kind="candidates")

    with pytest.raises(ApplicationError) as refused:
        submit(observer, station, contest_code="senate")

    assert (refused.value.field, refused.value.message) == (
        "contest",
        "senate is not a contest of this election.",
    )
    assert ProtocolCopy.objects.count() == 0


def test_the_candidates_of_the_stations_district_are_its_choices(observer, station, contests):
    copy, _ = submit(
        observer, station, contest_code="smd", valid=580, votes={"d1-ivanova": 300, "d1-seitkali": 280}
    )
    assert (copy.contest, copy.votes, copy.failures) == (
        contests.smd,
        {"d1-ivanova": 300, "d1-seitkali": 280},
        [],
    )


@pytest.mark.parametrize(
    ("contest", "votes", "message"),
    [
        (
            "party_list",
            {**SOUND_VOTES, "nur-otan": 0},
            "Not a choice on this station's ballot: nur-otan.",
        ),
        (
            "smd",
            {"d1-ivanova": 300, "d1-seitkali": 280, "d2-omarov": 0},
            "Not a choice on this station's ballot: d2-omarov.",
        ),
        ("party_list", {"amanat": 480, "auyl": 100}, "Give the votes of every choice; missing: respublica."),
        ("party_list", {**SOUND_VOTES, "auyl": -1}, "auyl: This number cannot be negative."),
        (
            "party_list",
            {**SOUND_VOTES, "auyl": 100_001},
            "auyl: No polling station has more than 100,000 voters; check the number.",
        ),
        ("party_list", {**SOUND_VOTES, "auyl": 1.5}, "auyl: Give a whole number."),
        ("party_list", ["amanat"], "Give the votes of each choice."),
    ],
)
def test_votes_must_name_each_choice_on_the_ballot_once_with_a_whole_number(
    observer, station, contests, contest, votes, message
):
    with pytest.raises(ApplicationError) as refused:
        submit(observer, station, contest_code=contest, votes=votes)
    assert (refused.value.field, refused.value.message) == ("votes", message)
    assert ProtocolCopy.objects.count() == 0


@pytest.mark.parametrize("field", [*SOUND, "lost"])
def test_each_number_of_the_protocol_is_checked(observer, station, contests, field):
    for value, message in [
        (-1, "This number cannot be negative."),
        (100_001, "No polling station has more than 100,000 voters; check the number."),
    ]:
        with pytest.raises(ApplicationError) as refused:
            submit(observer, station, **{field: value})
        assert (refused.value.field, refused.value.message) == (field, message)
    assert ProtocolCopy.objects.count() == 0


def test_the_photo_is_required_and_must_be_a_photo(observer, station, contests):
    with pytest.raises(ApplicationError, match="Add a photo of the protocol") as refused:
        submit(observer, station, photo=None)
    assert refused.value.field == "photo"
    with pytest.raises(ApplicationError, match="not a photo we can read") as refused:
        submit(observer, station, photo=upload(b"%PDF-1.4 not an image", "protocol.pdf"))
    assert refused.value.field == "photo"
    assert "protocol.pdf" in refused.value.message
    assert ProtocolCopy.objects.count() == 0


def test_a_capture_time_given_is_kept_when_the_photo_has_none(observer, station, contests):
    taken = timezone.now() - timedelta(minutes=10)
    copy, _ = submit(observer, station, captured_at=taken)
    assert copy.captured_at == taken
    with pytest.raises(ApplicationError, match="future") as refused:
        submit(observer, station, captured_at=timezone.now() + timedelta(hours=1))
    assert refused.value.field == "captured_at"


def test_a_long_note_is_refused(observer, station, contests):
    with pytest.raises(ApplicationError, match="longer than 2000") as refused:
        submit(observer, station, note="x" * 2001)
    assert refused.value.field == "note"
