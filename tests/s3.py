"""A real S3 API on loopback for the tests: moto's standalone server, as a process of its own.

`s3_server` starts one server for the whole run on a free port; `object_store` gives a test a fresh,
empty bucket on it and points the photo store (STORAGES "photos" and "default") at that bucket, as
BAQYLAU_S3_BUCKET does in production. A test that runs servers of its own passes
`object_store.environ()` to them. `MotoServer` can also be started, stopped and started again on the
same port by a test that needs the store to go away and come back.
"""

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import boto3
import pytest
from botocore.config import Config

from config.object_storage import ObjectStore
from tests.services import unavailable

REGION = "us-east-1"
# moto accepts any credentials; these only have to be the same on both sides.
ACCESS_KEY_ID = "baqylau-tests"
SECRET_ACCESS_KEY = "baqylau-tests-secret"
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MotoServer:
    """moto's S3 server on 127.0.0.1:`port`. It keeps its buckets in memory: a restart empties it."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "MotoServer":
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        # A file, not a pipe: the server logs every request, and a pipe nobody reads fills and stops it.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                error = self.log.read().decode(errors="replace")[-500:]
                self.stop()
                unavailable(f"moto's S3 server did not start (python -m moto.server): {error}")
            if self.answers():
                return self
            time.sleep(0.1)
        self.stop()
        unavailable(f"moto's S3 server did not answer on {self.endpoint_url} within {START_SECONDS} s")
        return self

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=1) as answer:
                return answer.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log.close()
        self.process = None

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )


@dataclass
class Bucket:
    """One test's bucket on a moto server, and the settings that put the photo store in it."""

    server: MotoServer
    name: str

    @property
    def store(self) -> ObjectStore:
        return ObjectStore(
            bucket=self.name,
            endpoint_url=self.server.endpoint_url,
            region=REGION,
            access_key_id=ACCESS_KEY_ID,
            secret_access_key=SECRET_ACCESS_KEY,
            addressing_style="path",
        )

    def create(self) -> "Bucket":
        self.server.client().create_bucket(Bucket=self.name)
        return self

    def storages(self, base: dict) -> dict:
        """`base` (settings.STORAGES) with its photos and default storages in this bucket."""
        return {**base, "default": self.store.storage(""), "photos": self.store.storage("photos")}

    def environ(self) -> dict[str, str]:
        """The environment that points a server or worker of Baqylau's at this bucket."""
        return {
            "BAQYLAU_S3_BUCKET": self.name,
            "BAQYLAU_S3_ENDPOINT_URL": self.server.endpoint_url,
            "BAQYLAU_S3_REGION": REGION,
            "BAQYLAU_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "BAQYLAU_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "BAQYLAU_S3_ADDRESSING_STYLE": "path",
        }

    def object_keys(self) -> list[str]:
        listing = self.server.client().list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in listing.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read()

    def write(self, key: str, content: bytes) -> None:
        self.server.client().put_object(Bucket=self.name, Key=key, Body=content)


def new_bucket(server: MotoServer) -> Bucket:
    return Bucket(server, f"baqylau-test-{uuid.uuid4().hex[:16]}")


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server for the whole run, on a free loopback port."""
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def object_store(s3_server, settings) -> Bucket:
    """A fresh, empty bucket, with the photo store (and the default storage) in it for this test."""
    bucket = new_bucket(s3_server).create()
    settings.STORAGES = bucket.storages(settings.STORAGES)
    return bucket
