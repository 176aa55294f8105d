import io
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from PIL import ExifTags, Image

from reports.models import ReportEvent, ReportPhoto
from tests.api.conftest import OUTSIDERS, error, photo_file
from tests.images import jpeg_bytes

NOT_A_PHOTO = "This file is not a photo we can read (JPEG, PNG, WebP or HEIC)."


def url(report) -> str:
    return f"/api/v1/reports/{report.id}/photos/"


def phone_photo_with_gps() -> bytes:
    """What a phone writes: its make and model, the capture time, and where the observer stood."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "samsung"
    exif[ExifTags.Base.Model] = "SM-A525F"
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = "2023:03:19 09:12:00"
    details[ExifTags.Base.OffsetTimeOriginal] = "+06:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 10.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (71.0, 26.0, 47.0)
    gps[ExifTags.GPS.GPSMapDatum] = "GPS WGS-84"
    return jpeg_bytes(size=(120, 90), exif=exif)


def fetch(client: Client, address: str):
    response = client.get(address)
    content = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, content


def test_an_observer_adds_a_photo_to_their_report(observer_api, make_report):
    report = make_report()
    photo_id = str(uuid.uuid4())

    response = observer_api.post(url(report), {"id": photo_id, "photo": photo_file()}, format="multipart")

    assert response.status_code == 201
    photo = ReportPhoto.objects.get()
    assert response.json() == {
        "id": photo_id,
        "url": f"http://testserver/observe/photos/{photo_id}/",
        "thumbnail_url": f"http://testserver/observe/photos/{photo_id}/thumbnail/",
        "width": 64,
        "height": 48,
        "sha256": photo.sha256,
        "captured_at": None,
    }
    assert (photo.report, str(photo.id)) == (report, photo_id)
    assert ReportEvent.objects.filter(report=report, action="photo").count() == 1


def test_the_same_photo_id_sent_twice_is_stored_once(observer_api, make_report):
    report = make_report()
    sent = {"id": str(uuid.uuid4())}
    first = observer_api.post(url(report), {**sent, "photo": photo_file()}, format="multipart")

    again = observer_api.post(url(report), {**sent, "photo": photo_file()}, format="multipart")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ReportPhoto.objects.count() == 1


def test_the_same_photo_content_under_a_new_id_is_stored_once(observer_api, make_report):
    report = make_report()
    first = observer_api.post(
        url(report), {"id": str(uuid.uuid4()), "photo": photo_file()}, format="multipart"
    )

    again = observer_api.post(
        url(report), {"id": str(uuid.uuid4()), "photo": photo_file()}, format="multipart"
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ReportPhoto.objects.count() == 1


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_adds_a_photo_to_an_observers_report(signed_in, make_report, who):
    report = make_report()

    response = signed_in(who).post(
        url(report), {"id": str(uuid.uuid4()), "photo": photo_file()}, format="multipart"
    )

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "No such report among yours."}
    assert ReportPhoto.objects.count() == 0


def test_an_anonymous_photo_is_refused(api, make_report):
    report = make_report()

    response = api.post(url(report), {"id": str(uuid.uuid4()), "photo": photo_file()}, format="multipart")

    assert response.status_code == 401
    assert ReportPhoto.objects.count() == 0


def test_a_photo_for_a_missing_report_is_404(observer_api):
    response = observer_api.post(
        f"/api/v1/reports/{uuid.uuid4()}/photos/",
        {"id": str(uuid.uuid4()), "photo": photo_file()},
        format="multipart",
    )

    assert response.status_code == 404
    assert error(response)["message"] == "No such report among yours."


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"id": "photo-1", "photo": photo_file()}, "id", "Must be a valid UUID."),
        ({"id": str(uuid.uuid4())}, "photo", "No file was submitted."),
        ({"id": str(uuid.uuid4()), "photo": "a string"}, "photo", None),
    ],
)
def test_a_malformed_photo_request_names_the_field(observer_api, make_report, sent, field, message):
    response = observer_api.post(url(make_report()), sent, format="multipart")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]
    if message is not None:
        assert error(response)["fields"][field] == [message]
    assert ReportPhoto.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not an image", f"ballot.jpg: {NOT_A_PHOTO}"),
        (jpeg_bytes() + b"\0" * (21 * 1024 * 1024), "The photo is larger than 20 MB."),
    ],
)
def test_a_file_that_is_not_a_photo_or_is_too_large_is_refused_with_400(
    observer_api, make_report, content, message
):
    upload = SimpleUploadedFile("ballot.jpg", content, content_type="image/jpeg")

    response = observer_api.post(
        url(make_report()), {"id": str(uuid.uuid4()), "photo": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert error(response)["message"] == message
    assert ReportPhoto.objects.count() == 0


def test_a_path_that_is_not_a_report_id_is_404_in_the_api_shape(observer_api):
    response = observer_api.post("/api/v1/reports/not-a-uuid/photos/", {}, format="multipart")

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "Not found."}


def test_a_photo_comes_back_without_any_metadata(observer_api, observer, make_report):
    received = phone_photo_with_gps()
    assert b"Exif" in received and b"GPS" in received and b"samsung" in received
    assert Image.open(io.BytesIO(received)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    photo_id = str(uuid.uuid4())
    body = observer_api.post(
        url(make_report()), {"id": photo_id, "photo": photo_file(received)}, format="multipart"
    ).json()
    assert body["captured_at"] == "2023-03-19T03:12:00Z"
    browser = Client()
    browser.force_login(observer)

    for address in (body["url"], body["thumbnail_url"]):
        response, served = fetch(browser, address)

        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        image = Image.open(io.BytesIO(served))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert b"Exif" not in served and b"GPS" not in served and b"samsung" not in served
    assert image.size == (120, 90)


def test_another_organizations_observer_cannot_fetch_the_photo(signed_in, other_observer, make_report):
    photo = make_report(photos=1).photos.get()
    browser = Client()
    browser.force_login(other_observer)

    for address in (f"/observe/photos/{photo.id}/", f"/observe/photos/{photo.id}/thumbnail/"):
        assert browser.get(address).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_instead_of_the_photo(make_report):
    photo = make_report(photos=1).photos.get()

    response = Client().get(f"/observe/photos/{photo.id}/")

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/observe/photos/{photo.id}/"
