"""The rules of checkin_create, report_submit and photo_attach, against the real database."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.errors import ApplicationError, NotFound
from reports.models import CheckIn, IncidentReport, ReportEvent, ReportPhoto
from reports.services import checkin_create, photo_attach, report_submit
from tests.images import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def submit(observer, station, **overrides):
    fields = {
        "id": uuid.uuid4(),
        "station_id": station.pk,
        "category": "ballot_stuffing",
        "phase": "voting",
        "occurred_at": timezone.now() - timedelta(minutes=3),
        "description": "A man put a stack of ballots into box 2.",
    }
    return report_submit(observer=observer, **{**fields, **overrides})


@pytest.fixture(autouse=True)
def election_is_today(election):
    # The time rules count from election day; make it today so "now" is a valid time.
    election.date = timezone.localdate()
    election.save()


def test_a_report_gets_the_default_severity_and_an_audit_row(observer, station, organization):
    report, created = submit(observer, station)
    assert created is True
    assert report.severity == 5
    assert report.status == "submitted"
    assert report.organization == organization
    assert report.election_id == station.election_id
    assert list(ReportEvent.objects.filter(report=report).values_list("action", "actor")) == [
        ("submit", observer.pk)
    ]


def test_the_same_report_id_sent_twice_creates_one_report(observer, station):
    report_id = uuid.uuid4()
    first, created = submit(observer, station, id=report_id)
    again, created_again = submit(observer, station, id=report_id, description="changed on retry")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.description == first.description
    assert IncidentReport.objects.count() == 1
    assert ReportEvent.objects.count() == 1


def test_someone_elses_id_is_refused(observer, other_observer, station):
    report, _ = submit(observer, station)
    other_station = other_observer.memberships.get().assignments.get().station
    with pytest.raises(ApplicationError, match="already in use"):
        submit(other_observer, other_station, id=report.pk)


@pytest.mark.parametrize("who", ["other_observer", "unassigned_observer", "reviewer", "coordinator"])
def test_only_an_assigned_observer_may_report_on_a_station(request, who, station):
    with pytest.raises(NotFound):
        submit(request.getfixturevalue(who), station)
    assert IncidentReport.objects.count() == 0


def test_a_roaming_observer_may_report_anywhere_in_the_districts_of_their_assignments(
    make_member, organization, make_station
):
    home = make_station("201", district=7)
    same_district = make_station("202", district=7)
    elsewhere = make_station("301", district=8)
    roamer = make_member("roamer", organization, stations=[home], roaming=True)
    report, created = submit(roamer, same_district)
    assert created and report.station == same_district
    with pytest.raises(NotFound):
        submit(roamer, elsewhere)


def test_a_non_roaming_observer_may_not_report_elsewhere_in_the_district(observer, make_station):
    with pytest.raises(NotFound):
        submit(observer, make_station("102", district=1))


def test_the_time_may_be_at_most_five_minutes_ahead(observer, station):
    report, _ = submit(observer, station, occurred_at=timezone.now() + timedelta(minutes=4))
    assert report.pk
    with pytest.raises(ApplicationError, match="future") as refused:
        submit(observer, station, occurred_at=timezone.now() + timedelta(minutes=6))
    assert refused.value.field == "occurred_at"


def test_the_time_may_not_be_before_the_eve_of_the_election(observer, station, election):
    eve = timezone.now() - timedelta(days=1)
    assert submit(observer, station, occurred_at=eve)[1] is True
    with pytest.raises(ApplicationError, match="before the day before") as refused:
        submit(observer, station, occurred_at=timezone.now() - timedelta(days=3))
    assert refused.value.field == "occurred_at"


def test_a_naive_time_is_refused(observer, station):
    with pytest.raises(ApplicationError, match="time zone"):
        submit(observer, station, occurred_at=timezone.now().replace(tzinfo=None))


def test_the_description_is_limited_to_5000_characters(observer, station):
    assert submit(observer, station, description="x" * 5000)[1]
    with pytest.raises(ApplicationError, match="5000") as refused:
        submit(observer, station, description="x" * 5001)
    assert refused.value.field == "description"


@pytest.mark.parametrize(("field", "value"), [("category", "fraud"), ("phase", "afterparty")])
def test_an_unknown_category_or_phase_is_refused(observer, station, field, value):
    with pytest.raises(ApplicationError) as refused:
        submit(observer, station, **{field: value})
    assert refused.value.field == field


def test_half_a_position_is_refused(observer, station):
    with pytest.raises(ApplicationError, match="both latitude and longitude"):
        submit(observer, station, latitude=51.1)


def test_a_report_takes_at_most_six_photos(observer, station):
    photos = [upload(jpeg_bytes(color=(30 * i, 0, 0)), f"p{i}.jpg") for i in range(7)]
    with pytest.raises(ApplicationError, match="at most 6") as refused:
        submit(observer, station, photos=photos)
    assert refused.value.field == "photos"
    assert IncidentReport.objects.count() == 0


def test_photos_are_stored_stripped_and_the_same_content_once(observer, station):
    data = jpeg_bytes()
    report, _ = submit(
        observer, station, photos=[upload(data), upload(data, "copy.jpg"), upload(png_bytes(), "p.png")]
    )
    assert report.photos.count() == 2
    for photo in report.photos.all():
        with photo.image.open("rb") as handle:
            image = Image.open(handle)
            assert image.format == "JPEG"
            assert not image.getexif()
        assert photo.thumbnail.size > 0


def test_a_bad_photo_refuses_the_whole_report_and_writes_nothing(observer, station):
    with pytest.raises(ApplicationError) as refused:
        submit(observer, station, photos=[upload(jpeg_bytes()), upload(b"not an image at all", "evil.jpg")])
    assert refused.value.field == "photos"
    assert "evil.jpg" in refused.value.message
    assert (IncidentReport.objects.count(), ReportPhoto.objects.count()) == (0, 0)


def test_a_photo_added_later_is_idempotent_by_id_and_by_content(observer, station):
    report, _ = submit(observer, station)
    photo_id = uuid.uuid4()
    photo, created = photo_attach(
        observer=observer, report_id=report.pk, id=photo_id, upload=upload(jpeg_bytes())
    )
    again, created_again = photo_attach(
        observer=observer, report_id=report.pk, id=photo_id, upload=upload(jpeg_bytes())
    )
    same_content, created_third = photo_attach(
        observer=observer, report_id=report.pk, id=uuid.uuid4(), upload=upload(jpeg_bytes())
    )
    assert (created, created_again, created_third) == (True, False, False)
    assert photo.pk == again.pk == same_content.pk == photo_id
    assert report.photos.count() == 1
    assert list(report.events.values_list("action", flat=True)) == ["submit", "photo"]


def test_a_seventh_photo_added_later_is_refused(observer, station):
    report, _ = submit(
        observer, station, photos=[upload(jpeg_bytes(color=(40 * i, 0, 0)), f"{i}.jpg") for i in range(6)]
    )
    with pytest.raises(ApplicationError, match="at most 6"):
        photo_attach(
            observer=observer,
            report_id=report.pk,
            id=uuid.uuid4(),
            upload=upload(jpeg_bytes(color=(99, 9, 9))),
        )
    assert report.photos.count() == 6


def test_nobody_else_may_add_a_photo_to_a_report(observer, other_observer, station):
    report, _ = submit(observer, station)
    with pytest.raises(NotFound):
        photo_attach(
            observer=other_observer, report_id=report.pk, id=uuid.uuid4(), upload=upload(jpeg_bytes())
        )


def test_a_reviewed_report_takes_no_more_photos(observer, station):
    report, _ = submit(observer, station)
    IncidentReport.objects.filter(pk=report.pk).update(status="verified")
    with pytest.raises(ApplicationError, match="reviewed"):
        photo_attach(observer=observer, report_id=report.pk, id=uuid.uuid4(), upload=upload(jpeg_bytes()))


def test_a_checkin_is_recorded_once_per_id(observer, station, organization):
    checkin_id = uuid.uuid4()
    at = timezone.now()
    first, created = checkin_create(
        observer=observer, id=checkin_id, station_id=station.pk, kind="arrival", at=at
    )
    again, created_again = checkin_create(
        observer=observer, id=checkin_id, station_id=station.pk, kind="opening", at=at, all_clear=True
    )
    assert (created, created_again) == (True, False)
    assert again.kind == "arrival" and again.all_clear is False
    assert first.organization == organization
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "delta", "note", "field"),
    [
        ("lunch", timedelta(0), "", "kind"),
        ("arrival", timedelta(minutes=10), "", "at"),
        ("arrival", timedelta(days=-3), "", "at"),
        ("arrival", timedelta(0), "n" * 2001, "note"),
    ],
)
def test_a_bad_checkin_is_refused_with_its_field(observer, station, kind, delta, note, field):
    with pytest.raises(ApplicationError) as refused:
        checkin_create(
            observer=observer,
            id=uuid.uuid4(),
            station_id=station.pk,
            kind=kind,
            at=timezone.now() + delta,
            note=note,
        )
    assert refused.value.field == field
    assert CheckIn.objects.count() == 0


def test_an_unassigned_observer_cannot_check_in(unassigned_observer, station):
    with pytest.raises(NotFound):
        checkin_create(
            observer=unassigned_observer,
            id=uuid.uuid4(),
            station_id=station.pk,
            kind="arrival",
            at=timezone.now(),
        )


def test_the_audit_trail_cannot_be_changed_or_removed(observer, station):
    report, _ = submit(observer, station)
    event = report.events.get()
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        ReportEvent.objects.filter(report=report).update(note="rewritten")
    with pytest.raises(TypeError):
        ReportEvent.objects.filter(report=report).delete()
    assert report.events.get().note == ""
