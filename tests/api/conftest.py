import uuid
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reports.services import report_submit
from tests.images import jpeg_bytes

# Election day of the test election, in Astana's offset that year.
MORNING = datetime.fromisoformat("2023-03-19T09:30:00+06:00")
# Everyone who is not the owner of `station` and its reports; none of them may write there.
OUTSIDERS = ["other_observer", "unassigned_observer", "reviewer", "coordinator"]


def error(response) -> dict:
    return response.json()["error"]


def photo_file(content: bytes | None = None, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content if content is not None else jpeg_bytes(), content_type="image/jpeg"
    )


@pytest.fixture
def api():
    """An anonymous client."""
    return APIClient()


@pytest.fixture
def make_report(observer, station):
    """A report filed through the service, as the API would, with `photos` JPEGs of its own."""

    def make(*, user=None, at_station=None, photos: int = 0, minutes: int = 0, **fields):
        report, _created = report_submit(
            observer=user or observer,
            id=uuid.uuid4(),
            station_id=(at_station or station).pk,
            category=fields.pop("category", "ballot_stuffing"),
            phase=fields.pop("phase", "voting"),
            occurred_at=MORNING + timedelta(minutes=minutes),
            photos=[photo_file(jpeg_bytes(color=(index * 40, 10, 10))) for index in range(photos)],
            **fields,
        )
        return report

    return make
