"""The object store goes away on election day: an observer's report with a photo is refused with a
clean 503 that the phone retries, nothing is half-saved, a report without photo still goes through,
and the retry succeeds once the store is back."""

import uuid

import pytest

from counts.models import ProtocolCopy
from reports.models import IncidentReport, ReportEvent, ReportPhoto
from tests.api.conftest import error, photo_file
from tests.api.test_counts import PROTOCOLS, protocol
from tests.api.test_reports import URL, form
from tests.s3 import MotoServer, new_bucket

UNAVAILABLE = {
    "code": "store_unavailable",
    "message": "Photos cannot be stored or read right now. Try again in a minute.",
}


@pytest.fixture
def store(settings):
    """A moto server of this test's own, which the test stops and starts again on the same port."""
    server = MotoServer().start()
    bucket = new_bucket(server).create()
    settings.STORAGES = bucket.storages(settings.STORAGES)
    yield bucket
    server.stop()


def back(store) -> None:
    """The store answers again. moto keeps its buckets in memory, so its bucket is made anew."""
    store.server.start()
    store.create()


def with_photo(sent: dict) -> dict:
    return {**sent, "photos": [photo_file()]}


def test_a_report_with_a_photo_is_refused_with_503_while_the_store_is_down_and_stored_once_after(
    store, bearer, observer, station
):
    phone, sent = bearer(observer), form(station)
    store.server.stop()

    refused = phone.post(URL, with_photo(sent), format="multipart")

    assert refused.status_code == 503
    assert refused["Retry-After"] == "30"
    assert error(refused) == UNAVAILABLE
    assert IncidentReport.objects.count() == ReportPhoto.objects.count() == ReportEvent.objects.count() == 0

    back(store)
    retried = phone.post(URL, with_photo(sent), format="multipart")
    again = phone.post(URL, with_photo(sent), format="multipart")

    assert (retried.status_code, again.status_code) == (201, 200)
    assert again.json() == retried.json()
    report = IncidentReport.objects.get()
    photo = ReportPhoto.objects.get()
    assert (str(report.id), photo.report_id, ReportEvent.objects.count()) == (sent["id"], report.id, 1)
    assert store.object_keys() == sorted(
        f"photos/{name}" for name in (photo.image.name, photo.thumbnail.name)
    )


def test_a_report_without_photo_is_taken_while_the_store_is_down(store, bearer, observer, station):
    store.server.stop()

    response = bearer(observer).post(URL, form(station), format="multipart")

    assert response.status_code == 201
    assert (IncidentReport.objects.count(), ReportPhoto.objects.count()) == (1, 0)


def test_a_photo_added_to_a_report_is_refused_with_503_and_taken_when_the_store_is_back(
    store, bearer, observer, station
):
    phone = bearer(observer)
    report_id = phone.post(URL, form(station), format="multipart").json()["id"]
    address, sent = f"/api/v1/reports/{report_id}/photos/", {"id": str(uuid.uuid4())}
    store.server.stop()

    refused = phone.post(address, {**sent, "photo": photo_file()}, format="multipart")

    assert (refused.status_code, refused["Retry-After"], error(refused)) == (503, "30", UNAVAILABLE)
    assert ReportPhoto.objects.count() == 0
    assert ReportEvent.objects.filter(action="photo").count() == 0
    back(store)
    assert phone.post(address, {**sent, "photo": photo_file()}, format="multipart").status_code == 201
    assert ReportPhoto.objects.get().id == uuid.UUID(sent["id"])


def test_a_protocol_copy_is_refused_with_503_while_the_store_is_down_and_nothing_is_kept(
    store, bearer, observer, station, contests
):
    sent = protocol(station)
    store.server.stop()

    refused = bearer(observer).post(PROTOCOLS, sent, format="multipart")

    assert (refused.status_code, refused["Retry-After"], error(refused)) == (503, "30", UNAVAILABLE)
    assert ProtocolCopy.objects.count() == 0


def test_a_photo_asked_for_while_the_store_is_down_is_503_not_500(store, bearer, observer, station):
    phone = bearer(observer)
    sent = phone.post(URL, with_photo(form(station)), format="multipart").json()
    store.server.stop()

    response = phone.get(sent["photos"][0]["url"])

    assert (response.status_code, response["Retry-After"], response["Cache-Control"]) == (
        503,
        "30",
        "no-store",
    )


def test_a_photo_whose_object_is_gone_from_the_bucket_is_404_not_500(
    store, bearer, observer, station, caplog
):
    phone = bearer(observer)
    sent = phone.post(URL, with_photo(form(station)), format="multipart").json()
    photo = ReportPhoto.objects.get()
    store.server.client().delete_object(Bucket=store.name, Key=f"photos/{photo.image.name}")

    assert phone.get(sent["photos"][0]["url"]).status_code == 404
    assert phone.get(sent["photos"][0]["thumbnail_url"]).status_code == 200
    assert f"The stored file {photo.image.name} is missing" in caplog.text


def test_the_report_page_without_javascript_answers_503_while_the_store_is_down(store, observer, station):
    """The phone page's plain form (no JavaScript, no outbox) gets the same honest answer as the API:
    503 with Retry-After and nothing saved, not a 500."""
    from django.test import Client
    from django.urls import reverse

    from tests.api.test_pages import photo, report_post

    browser = Client(raise_request_exception=False)
    browser.force_login(observer)
    store.server.stop()

    response = browser.post(
        reverse("observe:report", args=[station.pk]), {**report_post(station), "photos": photo()}
    )

    assert response.status_code == 503
    assert response["Retry-After"]
    assert b"Service unavailable" in response.content
    assert IncidentReport.objects.count() == ReportPhoto.objects.count() == 0
