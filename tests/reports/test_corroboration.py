"""Independent reports of one incident corroborate each other; a reused photo is flagged."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reports.models import IncidentReport
from reports.services import report_reject, report_submit, report_verify
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(election):
    election.date = timezone.localdate()
    election.save()
    return timezone.now() - timedelta(hours=3)


@pytest.fixture
def second_observer(make_member, organization, station):
    return make_member("observer-d", organization, stations=[station])


def send(observer, station, occurred_at, *, category="ballot_stuffing", photo: bytes | None = None):
    photos = [SimpleUploadedFile("p.jpg", photo, content_type="image/jpeg")] if photo else []
    report, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category=category,
        phase="voting",
        occurred_at=occurred_at,
        photos=photos,
    )
    return report


def annotated(report, *methods):
    queryset = IncidentReport.objects.filter(pk=report.pk)
    for method in methods:
        queryset = getattr(queryset, method)()
    return queryset.get()


def test_two_observers_reporting_one_category_within_an_hour_corroborate_each_other(
    observer, second_observer, station, now
):
    first = send(observer, station, now)
    second = send(second_observer, station, now + timedelta(minutes=59))
    assert annotated(first, "with_corroborations").corroborations == 1
    assert annotated(second, "with_corroborations").corroborations == 1
    assert list(IncidentReport.objects.corroborating(first)) == [second]


@pytest.mark.parametrize(
    ("who", "delta", "category"),
    [
        ("observer", timedelta(minutes=10), "ballot_stuffing"),  # the same observer twice is not independent
        ("second_observer", timedelta(minutes=61), "ballot_stuffing"),  # more than an hour apart
        ("second_observer", timedelta(minutes=5), "vote_buying"),  # another kind of incident
    ],
)
def test_reports_that_are_not_independent_or_not_the_same_incident_do_not_corroborate(
    request, observer, station, now, who, delta, category
):
    first = send(observer, station, now)
    send(request.getfixturevalue(who), station, now + delta, category=category)
    assert annotated(first, "with_corroborations").corroborations == 0


def test_a_rejected_report_corroborates_nothing(observer, second_observer, station, now, reviewer):
    first = send(observer, station, now)
    second = send(second_observer, station, now + timedelta(minutes=5))
    report_reject(report=second, by=reviewer, reason="Not there at that time")
    assert annotated(first, "with_corroborations").corroborations == 0


def test_a_photo_seen_in_another_report_is_flagged_as_a_duplicate(observer, second_observer, station, now):
    photo = jpeg_bytes(color=(10, 200, 10))
    first = send(observer, station, now, photo=photo)
    second = send(second_observer, station, now + timedelta(hours=2), category="vote_buying", photo=photo)
    third = send(
        second_observer, station, now + timedelta(hours=2), category="intimidation", photo=jpeg_bytes()
    )
    assert annotated(first, "with_duplicate_photos").duplicate_photos == 1
    assert annotated(second, "with_duplicate_photos").duplicate_photos == 1
    assert annotated(third, "with_duplicate_photos").duplicate_photos == 0


def test_the_evidence_level_follows_review_photos_and_corroboration(
    observer, second_observer, station, now, reviewer
):
    with_photo = send(observer, station, now, category="intimidation", photo=jpeg_bytes())
    alone = send(observer, station, now, category="procedural")
    corroborated = send(observer, station, now)
    send(second_observer, station, now + timedelta(minutes=20))
    rejected = send(observer, station, now, category="vote_buying")
    assert annotated(with_photo, "with_evidence").evidence == "unverified"
    for report in (with_photo, alone, corroborated):
        report_verify(report=report, by=reviewer)
    report_reject(report=rejected, by=reviewer, reason="Hearsay")
    levels = dict(IncidentReport.objects.with_evidence().values_list("pk", "evidence"))
    assert levels[with_photo.pk] == "documented"
    assert levels[alone.pk] == "verified"
    assert levels[corroborated.pk] == "corroborated"
    assert levels[rejected.pk] == "rejected"
