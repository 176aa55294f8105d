"""Photos and exports in a private bucket on a real S3 API (moto's server): stored stripped, never
public, and served only through the permission-checked views, streamed from the store."""

import io
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from PIL import Image

from people.roles import ensure_groups
from reports.models import ExportJob, ReportPhoto
from tests.api.conftest import photo_file
from tests.api.test_counts import PROTOCOLS, protocol
from tests.api.test_photos import phone_photo_with_gps
from tests.api.test_reports import URL, form

OWNER_KEY_GRANT = {"Permission": "FULL_CONTROL", "Type": "CanonicalUser"}


def fetch(client, address: str):
    response = client.get(address)
    content = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, content


@pytest.fixture
def sent_report(object_store, bearer, observer, station) -> dict:
    """A report the phone sent with a photo that carries the observer's position and phone model."""
    sent = form(station, photos=[photo_file(phone_photo_with_gps(), "IMG_0001.jpg")])
    response = bearer(observer).post(URL, sent, format="multipart")
    assert response.status_code == 201
    return response.json()


def test_a_reports_photo_is_stored_in_the_bucket_and_not_on_disk(object_store, sent_report):
    photo = ReportPhoto.objects.get()
    expected = [
        f"photos/reports/{photo.report_id}/{photo.id}-thumb.jpg",
        f"photos/reports/{photo.report_id}/{photo.id}.jpg",
    ]

    assert object_store.object_keys() == expected
    assert (photo.image.name, photo.thumbnail.name) == (
        expected[1][len("photos/") :],
        expected[0][len("photos/") :],
    )
    assert not (Path(settings.MEDIA_ROOT) / "photos" / photo.image.name).exists()


def test_the_stored_object_has_no_metadata_left(object_store, sent_report):
    photo = ReportPhoto.objects.get()
    stored = object_store.read(f"photos/{photo.image.name}")

    picture = Image.open(io.BytesIO(stored))
    assert (picture.format, picture.size) == ("JPEG", (120, 90))
    assert not picture.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(picture.info)
    assert b"samsung" not in stored and b"SM-A525F" not in stored
    head = object_store.server.client().head_object(
        Bucket=object_store.name, Key=f"photos/{photo.image.name}"
    )
    assert (head["ContentType"], head["ContentLength"], head["Metadata"]) == (
        "image/jpeg",
        photo.size_bytes,
        {},
    )


def test_no_object_and_not_the_bucket_is_readable_by_anyone_but_its_owner(object_store, sent_report):
    client = object_store.server.client()
    acls = [client.get_bucket_acl(Bucket=object_store.name)]
    acls += [client.get_object_acl(Bucket=object_store.name, Key=key) for key in object_store.object_keys()]

    for acl in acls:
        assert [{"Permission": g["Permission"], "Type": g["Grantee"]["Type"]} for g in acl["Grants"]] == [
            OWNER_KEY_GRANT
        ]
        assert acl["Grants"][0]["Grantee"]["ID"] == acl["Owner"]["ID"]
    for key in object_store.object_keys():
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{object_store.server.endpoint_url}/{object_store.name}/{key}", timeout=5)
        assert refused.value.code == 403


@pytest.mark.parametrize("who", ["observer", "reviewer", "coordinator"])
@pytest.mark.parametrize("link", ["url", "thumbnail_url"])
def test_the_owner_and_the_staff_of_the_organization_get_the_photo_streamed_from_the_bucket(
    request, object_store, bearer, sent_report, who, link
):
    photo = ReportPhoto.objects.get()
    name = photo.image.name if link == "url" else photo.thumbnail.name

    response, content = fetch(bearer(request.getfixturevalue(who)), sent_report["photos"][0][link])

    assert response.status_code == 200
    assert content == object_store.read(f"photos/{name}")
    assert int(response["Content-Length"]) == len(content)
    assert (response["Content-Type"], response["Cache-Control"]) == ("image/jpeg", "private, max-age=3600")
    assert "Location" not in response


@pytest.mark.parametrize("who", ["other_observer", "unassigned_observer"])
def test_a_stranger_gets_404_for_a_photo_in_the_bucket(request, object_store, bearer, sent_report, who):
    response = bearer(request.getfixturevalue(who)).get(sent_report["photos"][0]["url"])

    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_photo_in_the_bucket(client, object_store, sent_report):
    response = client.get(sent_report["photos"][0]["url"])

    assert response.status_code == 302
    assert response["Location"].startswith(f"{resolve_url(settings.LOGIN_URL)}?next=")


def test_a_protocol_photo_in_the_bucket_is_served_to_its_observer_only(
    object_store, bearer, observer, other_observer, station, contests
):
    body = bearer(observer).post(PROTOCOLS, protocol(station), format="multipart").json()
    copy_id = body["id"]

    response, content = fetch(bearer(observer), body["photo"]["url"])

    assert response.status_code == 200
    assert content == object_store.read(f"photos/protocols/{copy_id}/{copy_id}.jpg")
    assert bearer(other_observer).get(body["photo"]["url"]).status_code == 404


def test_a_partners_signed_link_serves_the_photo_from_the_bucket(object_store, partner_api, make_incident):
    report = make_incident(photos=1)
    photo = report.photos.get()
    item = partner_api("incidents:read", "photos:read").get("/api/v1/incidents/").json()["results"][0]

    response, content = fetch(partner_api("scores:read"), item["photos"][0]["url"])

    assert response.status_code == 200
    assert content == object_store.read(f"photos/{photo.image.name}")


@pytest.fixture
def exporting(make_member, organization):
    """Two coordinators allowed to export: the one who asks, and a colleague who did not."""
    from people.models import Role

    group = ensure_groups()["Coordinator"]
    users = [make_member(f"exporter-{n}", organization, role=Role.COORDINATOR, is_staff=True) for n in (1, 2)]
    for user in users:
        user.groups.add(group)
    return users


def test_a_photo_export_is_written_to_the_bucket_and_downloaded_by_its_owner_only(
    client, object_store, sent_report, exporting, django_capture_on_commit_callbacks
):
    owner, colleague = exporting
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("reports_export_photos")).status_code == 302
    job = ExportJob.objects.get(requested_by=owner)
    assert f"photos/{job.file.name}" in object_store.object_keys()
    assert job.file.name.startswith(f"exports/{job.pk}/")

    response, content = fetch(client, reverse("reports_export_download", args=[job.pk]))

    assert response.status_code == 200
    assert int(response["Content-Length"]) == len(content)
    assert content == object_store.read(f"photos/{job.file.name}")
    photo = ReportPhoto.objects.get()
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.read(f"101/{photo.report_id}/{photo.id}.jpg") == object_store.read(
        f"photos/{photo.image.name}"
    )
    client.force_login(colleague)
    assert client.get(reverse("reports_export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports_export_download", args=[uuid.uuid4()])).status_code == 404
