"""The object-storage settings: read strictly at start-up, a private bucket or the disk, nothing between."""

import pytest

from config.object_storage import URL_SECONDS, object_store
from tests.test_config import boot

SHOW_STORAGES = (
    "from django.conf import settings; "
    "print(settings.STORAGES['photos']['BACKEND'], settings.STORAGES['default']['BACKEND']); "
    "from core.storage import photo_storage; store = photo_storage(); "
    "print(store.bucket_name, store.location, store.endpoint_url, store.default_acl, store.querystring_auth, "
    "store.querystring_expire, store.file_overwrite, store.client_config.s3['addressing_style'])"
)


def test_without_a_bucket_photos_stay_on_disk():
    result = boot({}, "from django.conf import settings; print(settings.STORAGES['photos']['BACKEND'])")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"


def test_with_a_bucket_photos_and_other_files_go_to_a_private_bucket():
    result = boot(
        {
            "BAQYLAU_S3_BUCKET": "baqylau-evidence",
            "BAQYLAU_S3_ENDPOINT_URL": "https://store.internal:9000",
            "BAQYLAU_S3_ADDRESSING_STYLE": "path",
        },
        SHOW_STORAGES,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "core.object_storage.ObjectStorage core.object_storage.ObjectStorage",
        f"baqylau-evidence photos https://store.internal:9000 None True {URL_SECONDS} False path",
    ]
    assert URL_SECONDS <= 60


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BAQYLAU_S3_BUCKET": "Evidence_2023"}, "BAQYLAU_S3_BUCKET must be a bucket name"),
        (
            {"BAQYLAU_S3_BUCKET": "ok-bucket", "BAQYLAU_S3_ENDPOINT_URL": "ftp://store"},
            "BAQYLAU_S3_ENDPOINT_URL must",
        ),
        (
            {"BAQYLAU_S3_BUCKET": "ok-bucket", "BAQYLAU_S3_ADDRESSING_STYLE": "dns"},
            "BAQYLAU_S3_ADDRESSING_STYLE must",
        ),
        (
            {"BAQYLAU_S3_BUCKET": "ok-bucket", "BAQYLAU_S3_ACCESS_KEY_ID": "AKIA"},
            "Set both BAQYLAU_S3_ACCESS_KEY_ID",
        ),
        ({"BAQYLAU_S3_ENDPOINT_URL": "https://store.internal:9000"}, "BAQYLAU_S3_BUCKET is not"),
    ],
)
def test_a_half_given_or_bad_object_storage_stops_start_up(env, expected):
    result = boot(env)

    assert result.returncode != 0
    assert expected in result.stderr


def test_explicit_keys_are_passed_to_the_store_and_none_leaves_boto3_to_find_them():
    given = object_store(bucket="b-1", access_key_id="AKIA", secret_access_key="s3cr3t").storage("photos")
    found = object_store(bucket="b-1").storage("photos")

    assert (given["OPTIONS"]["access_key"], given["OPTIONS"]["secret_key"]) == ("AKIA", "s3cr3t")
    assert not {"access_key", "secret_key"} & set(found["OPTIONS"])
    assert object_store(bucket="") is None
