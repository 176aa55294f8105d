"""photos_to_object_storage: the files of a disk photo store moved into the bucket, each checked by its
SHA-256, resumable, and loud about anything missing."""

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from counts.models import ProtocolCopy
from reports.models import ExportJob, ReportPhoto
from reports.services import report_submit
from tests.api.conftest import MORNING, photo_file
from tests.api.test_counts import PROTOCOLS, protocol
from tests.images import jpeg_bytes
from tests.s3 import MotoServer, new_bucket

COMMAND = "photos_to_object_storage"


@pytest.fixture
def on_disk(observer, station, contests, coordinator, bearer) -> list[str]:
    """Three reports with photos, a protocol copy and a photo export, in the disk photo store."""
    for index in range(3):
        report_submit(
            observer=observer,
            id=uuid.uuid4(),
            station_id=station.pk,
            category="ballot_stuffing",
            phase="voting",
            occurred_at=MORNING,
            photos=[photo_file(jpeg_bytes(color=(index * 60, shade, 10))) for shade in range(index + 1)],
        )
    assert bearer(observer).post(PROTOCOLS, protocol(station), format="multipart").status_code == 201
    job = ExportJob.objects.create(requested_by=coordinator, kind="photos_zip")
    job.file.save("photos-20230319-200000.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    names = [name for photo in ReportPhoto.objects.all() for name in (photo.image.name, photo.thumbnail.name)]
    copy = ProtocolCopy.objects.get()
    names += [copy.image.name, copy.thumbnail.name, job.file.name]
    assert all((disk() / name).is_file() for name in names)
    return sorted(names)


def disk() -> Path:
    return Path(settings.MEDIA_ROOT) / "photos"


@pytest.fixture
def bucket(s3_server, settings, on_disk):
    """From now on the photo store is an empty bucket, as after setting BAQYLAU_S3_BUCKET."""
    bucket = new_bucket(s3_server).create()
    settings.STORAGES = bucket.storages(settings.STORAGES)
    return bucket


def move() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(COMMAND, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_every_file_is_copied_into_the_bucket_with_the_same_bytes(bucket, on_disk):
    out, err = move()

    assert bucket.object_keys() == [f"photos/{name}" for name in on_disk]
    for name in on_disk:
        assert sha256(bucket.read(f"photos/{name}")) == sha256((disk() / name).read_bytes())
    assert f"Copying {len(on_disk)} files from {disk().resolve()} into the photo store." in out
    assert out.endswith(f"Done: {len(on_disk)} files: {len(on_disk)} copied.\n")
    assert err == ""


def test_a_second_run_copies_nothing(bucket, on_disk):
    move()
    written = {
        key: bucket.server.client().head_object(Bucket=bucket.name, Key=key) for key in bucket.object_keys()
    }

    out, _err = move()

    assert out.endswith(f"Done: {len(on_disk)} files: {len(on_disk)} already there.\n")
    for key, head in written.items():
        assert bucket.server.client().head_object(Bucket=bucket.name, Key=key)["ETag"] == head["ETag"]


def test_an_object_that_differs_from_its_file_is_found_and_written_again(bucket, on_disk):
    move()
    damaged = on_disk[0]
    bucket.write(f"photos/{damaged}", b"\xff\xd8 not the photo that was sent")

    out, _err = move()

    assert f"{damaged}: different in the store, written again\n" in out
    summary = f"{len(on_disk) - 1} already there; 1 different in the store, written again"
    assert out.endswith(f"Done: {len(on_disk)} files: {summary}.\n")
    assert bucket.read(f"photos/{damaged}") == (disk() / damaged).read_bytes()


def test_a_stopped_run_resumes_where_it_stopped(bucket, on_disk):
    for name in on_disk[:4]:
        bucket.write(f"photos/{name}", (disk() / name).read_bytes())

    out, _err = move()

    assert out.endswith(f"Done: {len(on_disk)} files: {len(on_disk) - 4} copied; 4 already there.\n")
    assert bucket.object_keys() == [f"photos/{name}" for name in on_disk]


def test_a_file_missing_on_disk_and_in_the_store_fails_the_run_after_copying_the_rest(bucket, on_disk):
    lost = on_disk[1]
    (disk() / lost).unlink()

    with pytest.raises(CommandError, match=r"^1 files are not in the store as they are on disk\.$"):
        call_command(COMMAND, stdout=io.StringIO(), stderr=(err := io.StringIO()))

    assert err.getvalue() == f"{lost}: missing on disk and in the store\n"
    assert bucket.object_keys() == [f"photos/{name}" for name in on_disk if name != lost]


def test_a_file_already_moved_and_deleted_from_disk_is_not_an_error(bucket, on_disk):
    move()
    (disk() / on_disk[2]).unlink()

    out, err = move()

    assert f"{on_disk[2]}: only in the store, not on disk\n" in out
    assert err == ""


def test_it_refuses_to_copy_the_disk_store_onto_itself(on_disk):
    with pytest.raises(CommandError, match="set BAQYLAU_S3_BUCKET"):
        move()


def test_it_stops_with_a_clear_message_when_the_store_does_not_answer(s3_server, settings, on_disk):
    unreachable = new_bucket(MotoServer())  # never started: nothing listens on its port
    settings.STORAGES = unreachable.storages(settings.STORAGES)

    with pytest.raises(
        CommandError, match=r"^The object store stopped answering .* it resumes where it stopped\.$"
    ):
        move()
