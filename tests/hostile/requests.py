"""The pieces hostile requests are built from: each case sends one request through one client of
the `world` fixture (tests/test_hostile_inputs.py) and names a part of the message it must get back."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, encode_multipart

from tests.images import jpeg_bytes

MORNING = datetime.fromisoformat("2023-03-19T09:30:00+06:00")
JSON = "application/json"
DEEP = 100_000
HUGE = 10**40
# Three of the year 9999's last hours at UTC-14 fall in the year 10000 at UTC: past Python's dates.
LAST_TIME = "9999-12-31T23:59:59-14:00"
STATIONS = (
    "region,district_number,district_name,station_number,name,address,latitude,longitude,registered_voters"
)
RESULTS = "station_number,registered,ballots_issued,ballots_in_boxes,invalid,amanat,auyl,respublica"
# The PNG header of a 60000 x 60000 picture: 3.6 gigapixels, enough to exhaust the server's memory.
BOMB = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\xea`\x00\x00\xea`\x08\x02\x00\x00\x00"
    b"\x00\x00\x00\x00\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class Case:
    name: str
    send: object  # world -> response
    says: str  # a part of the answer's message


def _filled(world, value):
    """A path or request data whose {station}, {report}, {election} and {contest} are the stored ids."""
    if callable(value):
        return value(world)
    if isinstance(value, str):
        for name, pk in world.ids.items():
            value = value.replace(f"{{{name}}}", str(pk))
        return value
    if isinstance(value, dict):
        return {key: _filled(world, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(world, item) for item in value]
    return value


def raw(path: str, content, content_type: str = JSON, client: str = "observer_api"):
    """Sends `content` as the body, exactly as given."""
    return lambda w: getattr(w, client).generic(
        "POST", _filled(w, path), _filled(w, content), content_type=content_type
    )


def post(path: str, data, client: str = "observer_api", **options):
    return lambda w: getattr(w, client).post(_filled(w, path), _filled(w, data), **options)


def get(path: str, params=None, client: str = "partners", **headers):
    return lambda w: getattr(w, client).get(_filled(w, path), params, **headers)


def photo(content: bytes | None = None, name: str = "photo.jpg"):
    return lambda _w: SimpleUploadedFile(name, jpeg_bytes() if content is None else content, "image/jpeg")


def csv(content: bytes):
    return lambda _w: SimpleUploadedFile("upload.csv", content, content_type="text/csv")


def cut_off(fields: dict):
    """A multipart body that stops half-way through, as an upload arrives when the network drops."""

    def body(world) -> bytes:
        encoded = encode_multipart(BOUNDARY, _filled(world, fields))
        return encoded[: len(encoded) // 2]

    return body


def checkin(**fields):
    return lambda w: {"id": str(uuid.uuid4()), "station": w.ids["station"], "kind": "arrival", **fields}


def nested(opening: str, closing: str, middle: str = "") -> str:
    return opening * DEEP + middle + closing * DEEP


def report_fields(**fields) -> dict:
    return {"id": lambda _w: str(uuid.uuid4()), "category": "ballot_stuffing", "phase": "voting", **fields}


def stations_csv(row: str) -> bytes:
    return f"{STATIONS}\n{row}\n".encode()


def results_csv(row: str) -> bytes:
    return f"{RESULTS}\n{row}\n".encode()


def assignments(content: bytes):
    fields = {"organization": lambda w: w.organization.pk, "election": "{election}", "file": csv(content)}
    return post("/admin/people/assignment/import/", fields, client="admin")


V1 = "/api/v1/"
REPORT_PAGE = "/observe/stations/{station}/report/"
STATION_IMPORT = "/admin/stations/election/{election}/import-stations/"
RESULTS_IMPORT = "/admin/counts/contest/{contest}/import-results/"
TURNOUT = {"id": str(uuid.uuid4()), "station": 1, "counted_at": MORNING.isoformat(), "method": "clicker"}
