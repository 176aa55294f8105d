"""An upload is read no further than the photo limit, even when it does not say how large it is."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import UploadedFile

from core.errors import ApplicationError
from core.intake import read_photo
from core.photos import MAX_PHOTO_BYTES
from tests.images import jpeg_bytes

ELECTION = SimpleNamespace(timezone="Asia/Almaty")


class CountingFile(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def test_an_upload_of_unknown_size_over_the_limit_is_refused_after_one_byte_past_it():
    stream = CountingFile(jpeg_bytes() + bytes(2 * MAX_PHOTO_BYTES))
    upload = UploadedFile(stream, name="photo.jpg", size=None)

    with pytest.raises(ApplicationError) as refusal:
        read_photo(upload, election=ELECTION)

    assert (refusal.value.message, refusal.value.field) == ("The photo is larger than 20 MB.", "photos")
    assert stream.taken == MAX_PHOTO_BYTES + 1


def test_an_upload_of_unknown_size_within_the_limit_is_processed():
    upload = UploadedFile(io.BytesIO(jpeg_bytes(size=(80, 60))), name="photo.jpg", size=None)

    photo = read_photo(upload, election=ELECTION)

    assert (photo.width, photo.height) == (80, 60)
