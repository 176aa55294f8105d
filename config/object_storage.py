"""Photos and exports in a private S3-compatible bucket (read by config/settings.py).

With BAQYLAU_S3_BUCKET set, every web node and worker reads and writes the same bucket, so any node
serves any photo; without it, files stay on this machine's disk under MEDIA_ROOT/photos (`make run`).
docs/deployment.md ("Object storage") says how to set up the bucket and move existing files into it.
"""

import re
from dataclasses import dataclass

from config.env import require

BACKEND = "core.object_storage.ObjectStorage"
# S3's rule for bucket names (3 to 63 lower-case letters, digits, dots and hyphens).
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# Photos are streamed through the permission-checked views, so the product never hands out an
# object's URL; should anything ever ask for one, it is signed and dies within a minute.
URL_SECONDS = 60
# A store that does not answer must fail a request (503, the phone retries) before the phone gives up
# on it (30 s and more): three tries, each connecting within 3 s and waiting at most 10 s for an answer.
CONNECT_SECONDS = 3
READ_SECONDS = 10
ATTEMPTS = 3
ADDRESSING_STYLES = {"auto", "path", "virtual"}


@dataclass(frozen=True)
class ObjectStore:
    bucket: str
    endpoint_url: str
    region: str
    access_key_id: str
    secret_access_key: str
    addressing_style: str

    def storage(self, prefix: str) -> dict:
        """A STORAGES entry for the files under `prefix/` in the bucket."""
        from botocore.config import Config

        client_config = Config(
            s3={"addressing_style": self.addressing_style},
            signature_version="s3v4",
            connect_timeout=CONNECT_SECONDS,
            read_timeout=READ_SECONDS,
            retries={"max_attempts": ATTEMPTS, "mode": "standard"},
        )
        options = {
            "bucket_name": self.bucket,
            "location": prefix,
            "endpoint_url": self.endpoint_url or None,
            "region_name": self.region or None,
            "client_config": client_config,
            # No ACL on any object: each takes the bucket's own, which stays private.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": URL_SECONDS,
            # As on disk, a name already taken gets a new one rather than being written over.
            "file_overwrite": False,
        }
        if self.access_key_id:
            options |= {"access_key": self.access_key_id, "secret_key": self.secret_access_key}
        return {"BACKEND": BACKEND, "OPTIONS": options}


def object_store(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key_id: str = "",
    secret_access_key: str = "",
    addressing_style: str = "auto",
) -> ObjectStore | None:
    """The bucket to keep files in, or None to keep them on disk; a half-given set-up stops the boot."""
    if not bucket:
        require(
            not (endpoint_url or region or access_key_id or secret_access_key),
            "BAQYLAU_S3_ENDPOINT_URL, BAQYLAU_S3_REGION and the BAQYLAU_S3_ keys are set but "
            "BAQYLAU_S3_BUCKET is not: set it to keep photos in object storage, or unset them.",
        )
        return None
    require(
        bool(BUCKET_NAME.fullmatch(bucket)),
        f"BAQYLAU_S3_BUCKET must be a bucket name (3 to 63 lower-case letters, digits, dots and "
        f"hyphens), not {bucket!r}.",
    )
    require(
        bool(access_key_id) == bool(secret_access_key),
        "Set both BAQYLAU_S3_ACCESS_KEY_ID and BAQYLAU_S3_SECRET_ACCESS_KEY, or neither "
        "(then boto3 finds credentials as usual: AWS_ACCESS_KEY_ID, a profile, an instance role).",
    )
    require(
        addressing_style in ADDRESSING_STYLES,
        f"BAQYLAU_S3_ADDRESSING_STYLE must be auto, path or virtual, not {addressing_style!r}.",
    )
    return ObjectStore(bucket, endpoint_url, region, access_key_id, secret_access_key, addressing_style)
