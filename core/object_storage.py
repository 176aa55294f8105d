"""The photo store in a private S3-compatible bucket, through django-storages and boto3.

What differs from django-storages' S3Storage, and why:

- a file is read as a stream, straight from the store's answer: a 2 GB export goes out to its owner
  block by block, never first copied into the web node's memory or disk, and a photo costs one GET
  (S3Storage first asks for the object's headers, then downloads it whole);
- every failure to reach the store, or a refusal by it, becomes ObjectStoreUnavailable (503 with
  Retry-After for the phone) and is logged for the operator; a missing object stays FileNotFoundError.

The bucket stays private: no ACL is ever sent (objects take the bucket's own, private, default) and
nothing in the product asks for an object's URL; photos go out only through permission-checked views.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from core.storage import ObjectStoreUnavailable

logger = logging.getLogger(__name__)


# What the store answers for an object that is not there (GET says NoSuchKey, HEAD has no body).
MISSING = {"NoSuchKey", "404", "NotFound"}


@contextmanager
def store_errors(action: str, name: str) -> Iterator[None]:
    """A missing object as FileNotFoundError; any other failure to talk to the store (no answer, a
    refusal, a missing bucket) as ObjectStoreUnavailable, logged with its cause for the operator."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in MISSING:
            raise FileNotFoundError(f"No object {name} in the photo store.") from None
        logger.error("The object store failed to %s %s: %s", action, name, error)
        raise ObjectStoreUnavailable() from error
    except BotoCoreError as error:
        logger.error("The object store failed to %s %s: %s", action, name, error)
        raise ObjectStoreUnavailable() from error


class StreamedObject(File):
    """An object being read from the store: read once, front to back, as the answer arrives."""

    def __init__(self, body, name: str, size: int) -> None:
        super().__init__(body, name)
        self.size = size

    def read(self, *args) -> bytes:
        with store_errors("read", self.name):
            return self.file.read(*args)

    def seekable(self) -> bool:
        return False

    def open(self, mode=None):
        raise ValueError("An object read from the store is read once; open it again from the storage.")


class ObjectStorage(S3Storage):
    def _open(self, name: str, mode: str = "rb"):
        if "r" not in mode or "+" in mode:
            # Stored files are written with save(), never through an open handle.
            raise ValueError(f"The photo store opens files for reading only, not {mode!r}.")
        key = self._normalize_name(clean_name(name))
        with store_errors("open", key):
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        return StreamedObject(answer["Body"], name, answer["ContentLength"])

    def _save(self, name: str, content) -> str:
        with store_errors("store", name):
            return super()._save(name, content)

    def exists(self, name: str) -> bool:
        with store_errors("look up", name):
            return super().exists(name)

    def delete(self, name: str) -> None:
        with store_errors("delete", name):
            super().delete(name)

    def size(self, name: str) -> int:
        with store_errors("measure", name):
            return super().size(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        with store_errors("list", path):
            return super().listdir(path)

    def get_modified_time(self, name: str):
        with store_errors("date", name):
            return super().get_modified_time(name)
