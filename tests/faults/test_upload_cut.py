"""A phone that loses its connection in the middle of sending a report with a photo.

A raw socket to a live server sends the headers of a multipart report, with the Content-Length of
the whole body, then half of the body (well into the photo), and closes. Nothing is stored: no
report, no photo file, no temporary file of the upload; the server goes on serving; and the
outbox's full retry of the same report is stored once.
"""

import logging
import os
import socket
import uuid
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest
import requests
from django.core.files.storage import storages

from reports.models import IncidentReport, ReportPhoto
from tests.faults.conftest import REQUEST_SECONDS, report_fields
from tests.faults.processes import wait_for
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)

# Over FILE_UPLOAD_MAX_MEMORY_SIZE, so that the server spills the photo to a temporary file.
PHOTO_BYTES = 6 * 1024 * 1024


def stored_files(storage, folder: str = "") -> set[str]:
    """Every file of a storage, on disk or in a bucket alike."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder on disk that nothing was ever written to
        return set()
    found = {f"{folder}{name}" for name in files}
    for name in folders:
        found |= stored_files(storage, f"{folder}{name}/")
    return found


def multipart(url: str, authorization: str, fields: dict, photo: bytes) -> requests.PreparedRequest:
    files = {"photos": ("photo.jpg", photo, "image/jpeg")}
    headers = {"Authorization": authorization}
    return requests.Request("POST", url, data=fields, files=files, headers=headers).prepare()


@contextmanager
def half_sent(prepared: requests.PreparedRequest):
    """The headers and half of the body are sent within the block; the connection closes after it."""
    address = urlparse(prepared.url)
    head = [f"POST {address.path} HTTP/1.1", f"Host: {address.netloc}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in prepared.headers.items()]
    body = prepared.body
    with socket.create_connection((address.hostname, address.port), timeout=REQUEST_SECONDS) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        sock.sendall(body[: len(body) // 2])
        yield


def test_an_upload_cut_off_midway_stores_nothing_and_its_retry_is_stored_once(
    live_server, phone, station, settings, tmp_path, caplog
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    photos = storages["photos"]
    files_before = stored_files(photos)
    url = f"{live_server.url}/api/v1/reports/"
    fields = report_fields(station, uuid.uuid4())
    big_photo = jpeg_bytes() + os.urandom(PHOTO_BYTES)
    cut = multipart(url, phone.headers["Authorization"], fields, big_photo)
    assert int(cut.headers["Content-Length"]) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    with caplog.at_level(logging.WARNING, logger="django.request"):
        with half_sent(cut):
            # The server is writing the photo to a temporary file when the connection drops.
            assert wait_for(lambda: os.listdir(settings.FILE_UPLOAD_TEMP_DIR), seconds=REQUEST_SECONDS)
        # It reads to the end of what came, finds the body cut off, refuses it and drops the file.
        answered = wait_for(lambda: [r.getMessage() for r in caplog.records], seconds=REQUEST_SECONDS)
    assert answered == ["Bad Request: /api/v1/reports/"]
    assert wait_for(lambda: not os.listdir(settings.FILE_UPLOAD_TEMP_DIR), seconds=5)
    assert requests.get(f"{live_server.url}/livez", timeout=REQUEST_SECONDS).status_code == 200
    assert not IncidentReport.objects.filter(pk=fields["id"]).exists()
    assert not ReportPhoto.objects.exists()
    assert stored_files(photos) == files_before

    photo = jpeg_bytes()
    retried = phone.send(
        multipart(url, phone.headers["Authorization"], fields, photo), timeout=REQUEST_SECONDS
    )
    assert retried.status_code == 201, retried.text
    again = phone.send(multipart(url, phone.headers["Authorization"], fields, photo), timeout=REQUEST_SECONDS)
    assert (again.status_code, again.json()["id"]) == (200, fields["id"])
    assert IncidentReport.objects.filter(pk=fields["id"]).count() == 1
    assert ReportPhoto.objects.filter(report_id=fields["id"]).count() == 1
    assert len(stored_files(photos) - files_before) >= 1
    assert not os.listdir(settings.FILE_UPLOAD_TEMP_DIR)
