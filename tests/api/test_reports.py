import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import IncidentReport, ReportEvent, ReportPhoto
from tests.api.conftest import MORNING, OUTSIDERS, error, photo_file
from tests.images import jpeg_bytes, png_bytes

URL = "/api/v1/reports/"
NOT_A_PHOTO = "This file is not a photo we can read (JPEG, PNG, WebP or HEIC)."


def form(at_station, **overrides) -> dict:
    data = {
        "id": str(uuid.uuid4()),
        "station": at_station.pk,
        "category": "ballot_stuffing",
        "phase": "voting",
        "occurred_at": MORNING.isoformat(),
        "description": "A man put a bundle of ballots into box 2.",
        "latitude": "51.1694998",
        "longitude": "71.4491",
        "accuracy_m": "12",
    }
    return {**data, **overrides}


def nothing_written() -> bool:
    return IncidentReport.objects.count() == ReportPhoto.objects.count() == ReportEvent.objects.count() == 0


def test_an_observer_files_a_report_with_two_photos(observer_api, observer, station, organization):
    sent = form(station, photos=[photo_file(jpeg_bytes(size=(80, 60))), photo_file(png_bytes(), "board.png")])

    response = observer_api.post(URL, sent, format="multipart")

    assert response.status_code == 201
    report = IncidentReport.objects.get()
    photos = list(report.photos.order_by("width"))
    body = response.json()
    assert {key: value for key, value in body.items() if key != "photos"} == {
        "id": sent["id"],
        "station": {"id": station.pk, "number": "101", "name": "School 5"},
        "category": "ballot_stuffing",
        "category_label": "Ballot stuffing",
        "severity": 5,
        "phase": "voting",
        "occurred_at": "2023-03-19T03:30:00Z",
        "description": "A man put a bundle of ballots into box 2.",
        "latitude": 51.1695,
        "longitude": 71.4491,
        "accuracy_m": 12,
        "status": "submitted",
        "status_label": "Submitted",
        "question": "",
        "received_at": report.received_at.isoformat().replace("+00:00", "Z"),
    }
    assert sorted(body["photos"], key=lambda p: p["width"]) == [
        {
            "id": str(photo.id),
            "url": f"http://testserver/observe/photos/{photo.id}/",
            "thumbnail_url": f"http://testserver/observe/photos/{photo.id}/thumbnail/",
            "width": photo.width,
            "height": photo.height,
            "sha256": photo.sha256,
            "captured_at": None,
        }
        for photo in photos
    ]
    assert [(p.width, p.height) for p in photos] == [(64, 48), (80, 60)]
    assert (report.observer, report.organization, report.station) == (observer, organization, station)
    assert str(report.latitude) == "51.169500"


def test_a_report_needs_no_photo_nor_position(observer_api, station):
    sent = form(station, latitude="", longitude="", accuracy_m="", description="")

    response = observer_api.post(URL, sent, format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert (body["latitude"], body["longitude"], body["accuracy_m"], body["photos"]) == (None, None, None, [])


def test_a_repeated_report_returns_the_first_one_and_creates_nothing(observer_api, station):
    sent = form(station)
    first = observer_api.post(URL, {**sent, "photos": [photo_file()]}, format="multipart")

    again = observer_api.post(URL, {**sent, "photos": [photo_file()]}, format="multipart")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (IncidentReport.objects.count(), ReportPhoto.objects.count(), ReportEvent.objects.count()) == (
        1,
        1,
        1,
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_but_an_assigned_observer_reports_on_a_station(signed_in, observer, station, who):
    response = signed_in(who).post(URL, form(station, photos=[photo_file()]), format="multipart")

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "No such station among yours."}
    assert nothing_written()


def test_an_anonymous_report_is_refused(api, station):
    response = api.post(URL, form(station), format="multipart")

    assert response.status_code == 401
    assert nothing_written()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id": "report-1"}, "id", "Must be a valid UUID."),
        ({"station": "School 5"}, "station", "A valid integer is required."),
        ({"category": "fraud"}, "category", "fraud is not a valid choice."),
        ({"phase": "night"}, "phase", "night is not a valid choice."),
        (
            {"occurred_at": "2023-03-19 09:30"},
            "occurred_at",
            "Give the time with its offset, for example 2023-03-19T09:30:00+06:00.",
        ),
        (
            {"occurred_at": "2023-03-17T09:30:00+06:00"},
            "occurred_at",
            "This time is before the day before the election.",
        ),
        ({"latitude": "north"}, "latitude", "A valid number is required."),
        ({"latitude": "1234.5"}, "latitude", None),
        ({"latitude": "95"}, "latitude", "The position is out of range."),
        ({"longitude": ""}, "latitude", "Give both latitude and longitude, or neither."),
        ({"accuracy_m": "-3"}, "accuracy_m", "The accuracy cannot be negative."),
        ({"description": "x" * 5001}, "description", "The description is longer than 5000 characters."),
        ({"photos": "not a file"}, "photos", None),
        (
            {
                "photos": [
                    SimpleUploadedFile("ballot.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
                ]
            },
            "photos",
            f"ballot.jpg: {NOT_A_PHOTO}",
        ),
        ({"photos": [photo_file(jpeg_bytes(color=(n, 0, 0))) for n in range(7)]}, "photos", None),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    observer_api, station, overrides, field, message
):
    response = observer_api.post(URL, form(station, **overrides), format="multipart")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]
    if message is not None:
        assert error(response)["fields"][field] == [message]
    assert nothing_written()


def test_a_photo_over_20_mb_is_refused_with_400(observer_api, station):
    huge = jpeg_bytes() + b"\0" * (21 * 1024 * 1024)

    response = observer_api.post(URL, form(station, photos=[photo_file(huge)]), format="multipart")

    assert response.status_code == 400
    assert error(response)["fields"] == {"photos": ["The photo is larger than 20 MB."]}
    assert nothing_written()


def test_a_report_sent_as_json_without_photos_is_accepted(observer_api, station):
    sent = form(station, latitude=51.1694998, longitude=71.4491, accuracy_m=12)

    response = observer_api.post(URL, sent, format="json")

    assert response.status_code == 201
    assert (response.json()["latitude"], response.json()["accuracy_m"]) == (51.1695, 12)


def test_a_request_over_the_upload_limit_for_fields_is_refused_with_400(observer_api, station):
    response = observer_api.post(URL, form(station, description="x" * (11 * 1024 * 1024)), format="multipart")

    assert response.status_code == 400
    assert error(response) == {"code": "too_large", "message": "The request is too large."}
    assert nothing_written()
