"""Nothing of an observer, at any partner endpoint, in any format: each identifying value left by
observers and reviewers is looked for in the whole text of every response."""

import pytest
from PIL import ExifTags, Image

from integrity.models import DistrictScore, ScoreRun, StationIndicator
from tests.images import jpeg_bytes
from tests.partners.conftest import SECRETS, assert_no_secret_in

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/elections/",
    "/api/v1/elections/test-2023/districts/",
    "/api/v1/elections/test-2023/districts/1/",
    "/api/v1/elections/test-2023/stations/",
    "/api/v1/incidents/",
    "/api/v1/elections/test-2023/districts/?format=csv",
    "/api/v1/elections/test-2023/stations/?format=csv",
    "/api/v1/elections/test-2023/stations.geojson",
    "/api/v1/incidents/?format=csv",
]


@pytest.fixture
def scored(election, every_kind, station):
    """A published score and indicator for the district and station the observers reported at."""
    from django.utils import timezone

    now = timezone.now()
    run = ScoreRun.objects.create(
        election=election, status="finished", started_at=now, finished_at=now, seed=1
    )
    DistrictScore.objects.create(
        election=election,
        run=run,
        district=station.district,
        score=55.0,
        band="C",
        coverage="C",
        n=5,
        sample_used=False,
        process_risk=0.3,
        count_risk=0.0,
        forensic_flags=0.0,
        computed_at=now,
    )
    StationIndicator.objects.create(
        election=election, station=station, run=run, severity=5, y=1.0, incidents=1, reports=4
    )


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_observer_identity_position_or_review_note_in_any_partner_response(partner_api, scored, url):
    response = partner_api().get(url)

    assert response.status_code == 200
    text = body(response)
    assert len(text) > 100
    assert_no_secret_in(text)


def test_a_shared_photo_carries_no_metadata_of_the_phone(partner_api, make_incident, api, reviewer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reports.services import photo_attach, report_verify

    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = SECRETS["first_name"]
    exif[ExifTags.Base.Copyright] = SECRETS["email"]
    report = make_incident(status="submitted")
    photo_attach(
        observer=report.observer,
        report_id=report.pk,
        id=report.pk,
        upload=SimpleUploadedFile("p.jpg", jpeg_bytes(exif=exif), content_type="image/jpeg"),
    )
    report_verify(report=report, by=reviewer)
    photo = partner_api().get("/api/v1/incidents/").json()["results"][0]["photos"][0]

    for url in (photo["url"], photo["thumbnail_url"]):
        data = b"".join(api.get(url).streaming_content)
        assert data.startswith(b"\xff\xd8")
        assert SECRETS["first_name"].encode() not in data and SECRETS["email"].encode() not in data
        assert b"Exif" not in data
