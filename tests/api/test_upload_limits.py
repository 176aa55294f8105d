"""A request with files is refused before it is buffered: a body over the cap from its Content-Length,
a file as soon as it passes its own cap, and a body with more than ten files at the eleventh.

The requests go through the whole stack (middleware, URL, view) over a stream that counts what the
server read of it, which is what "before it is buffered" means."""

import io
import json
import uuid

from django.test.client import BOUNDARY, MULTIPART_CONTENT, ClientHandler, RequestFactory, encode_multipart

from people.services import token_issue
from reports.models import ReportPhoto
from tests.api.conftest import MORNING, photo_file
from tests.images import jpeg_bytes


class CountingStream(io.BytesIO):
    """A request body that remembers how many of its bytes the server read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size=-1) -> bytes:
        line = super().readline(size)
        self.taken += len(line)
        return line


def post(path: str, fields: dict, **headers):
    """POST `fields` as multipart; the response and how many bytes of the body were read."""
    body = encode_multipart(BOUNDARY, fields)
    stream = CountingStream(body)
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
        **headers,
    )
    return ClientHandler(enforce_csrf_checks=False)(environ), stream.taken, len(body)


def token_header(user) -> dict:
    _token, key = token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def large_photo(size: int) -> bytes:
    # A readable JPEG padded after its end: Pillow takes it, so only a size cap refuses it.
    return jpeg_bytes() + b"\0" * size


def error(response) -> dict:
    return json.loads(response.content)["error"]


def test_a_body_over_the_cap_is_refused_before_a_byte_of_it_is_read(settings, observer, make_report):
    settings.UPLOAD_MAX_BYTES = 200_000
    report = make_report()
    fields = {"id": str(uuid.uuid4()), "photo": photo_file(large_photo(300_000))}

    response, taken, _sent = post(f"/api/v1/reports/{report.id}/photos/", fields, **token_header(observer))

    assert response.status_code == 400
    assert error(response) == {"code": "too_large", "message": "The request is too large."}
    assert taken == 0
    assert ReportPhoto.objects.count() == 0


def test_a_file_over_its_cap_stops_the_upload_as_soon_as_it_passes(settings, observer, make_report):
    settings.UPLOAD_MAX_FILE_BYTES = 100_000
    report = make_report()
    fields = {"id": str(uuid.uuid4()), "photo": photo_file(large_photo(2_000_000))}

    response, taken, sent = post(f"/api/v1/reports/{report.id}/photos/", fields, **token_header(observer))

    assert response.status_code == 400
    assert error(response)["code"] == "too_large"
    assert taken < sent // 4
    assert ReportPhoto.objects.count() == 0


def test_a_hundred_files_are_refused_at_the_eleventh(observer, station):
    fields = {
        "id": str(uuid.uuid4()),
        "station": str(station.pk),
        "category": "ballot_stuffing",
        "phase": "voting",
        "occurred_at": MORNING.isoformat(),
        "photos": [photo_file(large_photo(20_000), name=f"photo-{index}.jpg") for index in range(100)],
    }

    response, taken, sent = post("/api/v1/reports/", fields, **token_header(observer))

    assert response.status_code == 400
    assert error(response) == {"code": "too_many", "message": "The request has too many fields or files."}
    assert taken < sent // 4
    assert observer.reports.count() == 0


def test_the_observers_report_page_refuses_a_body_over_the_cap_with_400(settings, client, observer, station):
    settings.UPLOAD_MAX_BYTES = 200_000
    client.force_login(observer)
    session = {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}"}

    response, taken, _sent = post(
        f"/observe/stations/{station.pk}/report/", {"photos": photo_file(large_photo(300_000))}, **session
    )

    assert response.status_code == 400
    assert taken == 0
    assert observer.reports.count() == 0
