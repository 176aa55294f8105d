"""Backups: the demo backed up, restored into a fresh database and a fresh photo folder, and served
the same by the restored installation, on PostgreSQL and on SQLite; and what a restore refuses."""

import json
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from console import backups
from reports.services import report_submit
from tests.api.conftest import MORNING, photo_file
from tests.images import jpeg_bytes
from tests.ops.processes import Site, WebServer

DEMO_PASSWORD = "observe2023"


def postgres_url(database: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


@contextmanager
def fresh_postgres_database():
    """A new, empty database on the test run's PostgreSQL server, dropped at the end."""
    name = f"baqylau_ops_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(name)
    finally:
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL pass backs up PostgreSQL")
def test_the_demo_backed_up_restores_into_a_fresh_postgresql_database_and_serves_the_same(tmp_path):
    with fresh_postgres_database() as source_url, fresh_postgres_database() as restored_url:
        source = Site(tmp_path / "source", source_url)
        source.manage("migrate", "--no-input")
        round_trip(source, Site(tmp_path / "restored", restored_url), tmp_path / "backup")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite pass backs up SQLite")
def test_the_demo_backed_up_restores_into_a_fresh_sqlite_file_and_serves_the_same(sqlite_site, tmp_path):
    restored = Site(tmp_path / "restored", f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    round_trip(sqlite_site("source"), restored, tmp_path / "backup")


def round_trip(source: Site, restored: Site, folder: Path) -> None:
    source.manage("seed_demo", "--allow-demo-in-production")
    made = source.manage("backup", folder)
    assert "Backup complete" in made.stdout
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert "DJANGO_SECRET_KEY" in manifest["secret_key"] and settings.SECRET_KEY not in made.stdout
    assert len(manifest["files"]) == len(source.stored_files()) > 10
    done = restored.manage("restore", folder)
    assert "Checked: every file the database refers to is there" in done.stdout
    assert restored.stored_files() == source.stored_files()
    protocols = restored.manage(
        "shell",
        "--no-imports",
        "-c",
        "from counts.models import ProtocolCopy as P; print(*P.objects.values_list('pk', flat=True)[:3])",
    ).stdout.split()
    assert len(protocols) == 3
    with WebServer(source, name="source") as first, WebServer(restored, name="restored") as second:
        observer_sees_the_same(first.url, second.url)
        partner_sees_the_same(first.url, second.url)
        coordinator_sees_the_same(first.url, second.url, protocols)
    again = restored.manage("restore", folder, check=False)
    assert again.returncode != 0 and "already has" in again.stderr


def observer_sees_the_same(first: str, second: str) -> None:
    phones = [phone_signed_in(base) for base in (first, second)]
    lists = [
        requests.get(f"{base}/api/v1/reports/?mine=true", headers=phone, timeout=30)
        for base, phone in zip((first, second), phones, strict=True)
    ]
    assert [answer.status_code for answer in lists] == [200, 200]
    assert lists[0].text.replace(first, "") == lists[1].text.replace(second, "")
    photos = [photo for report in lists[0].json()["results"] for photo in report["photos"]]
    assert photos
    for photo in photos:
        for field in ("url", "thumbnail_url"):
            path = photo[field].replace(first, "")
            answers = [
                requests.get(f"{base}{path}", headers=phone, timeout=30)
                for base, phone in zip((first, second), phones, strict=True)
            ]
            assert_same_image(answers)


def phone_signed_in(base: str) -> dict:
    """The observer's phone signed in with the password the restored database keeps too."""
    form = {"username": "observer1", "password": DEMO_PASSWORD}
    signed_in = requests.post(f"{base}/api/v1/auth/token/", json=form, timeout=30)
    assert signed_in.status_code == 201
    return {"Authorization": f"Bearer {signed_in.json()['token']}"}


def partner_sees_the_same(first: str, second: str) -> None:
    key = {"Authorization": f"Bearer {settings.DEMO_PARTNER_KEY}"}
    pages = [
        requests.get(f"{base}/api/v1/incidents/", headers=key, timeout=30).json() for base in (first, second)
    ]
    # Photo links are signed with the time they were made: the rest must be identical.
    unsigned = [
        [{**item, "photos": [photo["id"] for photo in item["photos"]]} for item in page["results"]]
        for page in pages
    ]
    assert unsigned[0] == unsigned[1] and unsigned[0]
    linked = [[photo["url"] for item in page["results"] for photo in item["photos"]] for page in pages]
    assert linked[0]
    for url_first, url_second in zip(*linked, strict=True):
        assert_same_image([requests.get(url, timeout=30) for url in (url_first, url_second)])


def coordinator_sees_the_same(first: str, second: str, protocols: list[str]) -> None:
    sessions = [admin_session(base) for base in (first, second)]
    for protocol in protocols:
        path = f"/admin/counts/protocolcopy/{protocol}/photo/"
        assert_same_image(
            [
                session.get(f"{base}{path}", timeout=30)
                for session, base in zip(sessions, (first, second), strict=True)
            ]
        )


def admin_session(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/admin/login/", timeout=30)
    form = {"username": "coordinator", "password": DEMO_PASSWORD, "next": "/admin/"}
    form["csrfmiddlewaretoken"] = session.cookies["csrftoken"]
    answer = session.post(f"{base}/admin/login/", data=form, timeout=30, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return session


def assert_same_image(answers: list[requests.Response]) -> None:
    assert [answer.status_code for answer in answers] == [200, 200], answers[0].url
    assert answers[0].headers["Content-Type"] == "image/jpeg"
    assert answers[0].content == answers[1].content and answers[0].content.startswith(b"\xff\xd8")


def test_a_backup_needs_a_new_or_empty_folder(tmp_path):
    (tmp_path / "old-backup.txt").write_text("yesterday")
    with pytest.raises(CommandError, match="is not an empty folder"):
        call_command("backup", str(tmp_path))


def test_a_folder_without_a_complete_manifest_is_not_restored(tmp_path, db):
    with pytest.raises(CommandError, match=r"holds no manifest\.json"):
        call_command("restore", str(tmp_path))
    (tmp_path / "manifest.json").write_text('{"format": 1, "database": {"file": "../../etc/passwd"}}')
    with pytest.raises(CommandError, match="is not a backup manifest"):
        call_command("restore", str(tmp_path))
    (tmp_path / "manifest.json").write_text("{half a manifest")
    with pytest.raises(CommandError, match="is not readable JSON"):
        call_command("restore", str(tmp_path))


def written_backup(folder: Path, *, vendor: str, files: list[dict] | None = None) -> Path:
    dump = folder / ("database.dump" if vendor == "postgresql" else "database.sqlite3")
    dump.write_bytes(b"a dump")
    manifest = {
        "format": 1,
        "database": {"vendor": vendor, "file": dump.name, "sha256": backups._sha256_file(dump)},
        "files": files or [],
        "missing": [],
        "secret_key": backups.KEY_NOTE,
        "secret_key_fingerprint": backups.secret_key_fingerprint(),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_a_restore_refuses_a_database_that_is_not_empty_or_of_another_kind(tmp_path, db):
    with pytest.raises(CommandError, match=r"already has \d+ tables: restore into a new, empty database"):
        call_command("restore", str(written_backup(tmp_path, vendor=connection.vendor)))
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(CommandError, match=f"This backup is of a {other} database"):
        call_command("restore", str(written_backup(tmp_path, vendor=other)))


def test_a_restore_refuses_a_damaged_dump_before_touching_the_database(tmp_path, db):
    written_backup(tmp_path, vendor=connection.vendor)
    next(tmp_path.glob("database.*")).write_bytes(b"a dump, changed")
    with pytest.raises(CommandError, match="missing or not the dump the manifest recorded"):
        call_command("restore", str(tmp_path))


def test_a_damaged_photo_in_the_backup_is_refused_and_named(tmp_path):
    copy = tmp_path / "files" / "reports" / "1" / "photo.jpg"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"the photo, changed after the backup")
    stored = backups.StoredFile(
        name="reports/1/photo.jpg", field="reports.ReportPhoto.image", sha256="0" * 64, size=5
    )
    with pytest.raises(CommandError, match=r"files/reports/1/photo\.jpg is missing or damaged"):
        backups.restore_file(stored, tmp_path)


def test_a_stored_name_that_would_leave_the_backup_folder_is_refused(tmp_path):
    for name in ("../../etc/cron.d/job", "/etc/passwd", "reports//x.jpg", ""):
        stored = backups.StoredFile(name=name, field="reports.ReportPhoto.image", sha256="0" * 64, size=1)
        with pytest.raises(CommandError, match="would leave the backup's folder"):
            backups.restore_file(stored, tmp_path)


def test_the_check_after_a_restore_names_each_photo_missing_or_changed(make_photos):
    photos = make_photos(2)
    storage = photos[0].image.storage
    names = sorted({name for photo in photos for name in (photo.image.name, photo.thumbnail.name)})
    recorded = {
        name: backups.StoredFile(name, "reports.ReportPhoto.image", backups.sha256_stored(storage, name), 1)
        for name in names
    }
    assert backups.verify(recorded, set()) == []
    storage.delete(photos[0].image.name)
    with storage.open(photos[1].thumbnail.name, "wb") as changed:
        changed.write(b"not the thumbnail that was backed up")
    problems = backups.verify(recorded, set())
    assert problems == sorted(
        f"{name}: missing from the store, or not the file that was backed up"
        for name in (photos[0].image.name, photos[1].thumbnail.name)
    )
    del recorded[photos[0].thumbnail.name]
    assert f"{photos[0].thumbnail.name}: not in the backup" in backups.verify(recorded, set())
    already = f"{photos[1].image.name}: already missing from the store when the backup was made"
    assert already in backups.verify(recorded, {photos[1].image.name})


@pytest.fixture
def make_photos(observer, station):
    def make(count: int):
        report, _created = report_submit(
            observer=observer,
            id=uuid.uuid4(),
            station_id=station.pk,
            category="ballot_stuffing",
            phase="voting",
            occurred_at=MORNING,
            photos=[photo_file(jpeg_bytes(color=(index * 60, 10, 10))) for index in range(count)],
        )
        return list(report.photos.order_by("image"))

    return make
