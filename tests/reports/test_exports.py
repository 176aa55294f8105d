import csv
import hashlib
import io
import os
import subprocess
import sys
import time
import tracemalloc
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from config.celery import app as celery_app
from people.models import Role
from people.roles import ensure_groups
from reports import exports, photo_exports, tasks
from reports.models import ExportJob, IncidentReport, ReportPhoto
from reports.models.exports import ExportStatus
from reports.services import report_submit, report_verify
from reports.taxonomy import DEFAULT_SEVERITY, Category
from stations.models import PollingStation
from tests.images import jpeg_bytes

ROOT = Path(__file__).resolve().parents[2]
MORNING = datetime(2023, 3, 19, 9, 15, tzinfo=UTC)
HEADER = [
    *("id", "election", "region", "district", "station", "category", "severity", "phase", "status"),
    *("occurred_at", "received_at", "description", "photos", "corroborations", "evidence"),
]
IDENTITY_HEADER = [*HEADER, "observer", "organization", "latitude", "longitude"]


def photo_upload(color=(200, 30, 30), taken="2023:03:19 15:10:00") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    return SimpleUploadedFile("photo.jpg", jpeg_bytes(color=color, exif=exif), content_type="image/jpeg")


def submit(observer, station, *, minutes=0, category=Category.BALLOT_STUFFING, **fields):
    report, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category=category,
        phase="voting",
        occurred_at=MORNING + timedelta(minutes=minutes),
        **fields,
    )
    return report


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def by_id(rows) -> dict[str, dict[str, str]]:
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def csv_url(query: str = "") -> str:
    return reverse("reports_export_csv") + (f"?{query}" if query else "")


@pytest.fixture
def coordinator(coordinator):
    coordinator.groups.add(ensure_groups()["Coordinator"])
    return coordinator


@pytest.fixture
def exporting_reviewer(reviewer):
    """A reviewer who was given the export permission by hand (no group gives it to reviewers)."""
    reviewer.user_permissions.add(Permission.objects.get(codename="export_incidentreport"))
    return reviewer


@pytest.fixture
def second_coordinator(make_member, organization):
    user = make_member("coordinator-a2", organization, role=Role.COORDINATOR, is_staff=True)
    user.groups.add(ensure_groups()["Coordinator"])
    return user


@pytest.fixture
def reports(observer, make_member, organization, station, other_observer, coordinator):
    """Two corroborating reports in organization A (one verified, one with a photo and a position)
    and one report in organization B."""
    second = make_member("observer-a2", organization, stations=[station])
    with_photo = submit(
        observer,
        station,
        description="Extra ballots in box 2",
        latitude=Decimal("51.128207"),
        longitude=Decimal("71.430411"),
        accuracy_m=12,
        photos=[photo_upload()],
    )
    verified = submit(second, station, minutes=25)
    report_verify(report=verified, by=coordinator)
    other_station = PollingStation.objects.get(number="999")
    elsewhere = submit(
        other_observer,
        other_station,
        category=Category.PROCEDURAL,
        description="B's report",
        photos=[photo_upload((20, 200, 20))],
    )
    return {"with_photo": with_photo, "verified": verified, "elsewhere": elsewhere}


def test_a_coordinator_gets_every_column_with_the_observer_and_the_position(client, coordinator, reports):
    client.force_login(coordinator)
    rows = csv_rows(client.get(csv_url()))
    assert rows[0] == IDENTITY_HEADER
    found = by_id(rows)
    assert set(found) == {str(reports["with_photo"].pk), str(reports["verified"].pk)}
    assert found[str(reports["with_photo"].pk)] == {
        "id": str(reports["with_photo"].pk),
        "election": "test-2023",
        "region": "Astana",
        "district": "1",
        "station": "101",
        "category": "ballot_stuffing",
        "severity": "5",
        "phase": "voting",
        "status": "submitted",
        "occurred_at": "2023-03-19T09:15:00+00:00",
        "received_at": reports["with_photo"].received_at.astimezone(UTC).isoformat(timespec="seconds"),
        "description": "Extra ballots in box 2",
        "photos": "1",
        "corroborations": "1",
        "evidence": "unverified",
        "observer": "observer-a",
        "organization": "Honest Count",
        "latitude": "51.128207",
        "longitude": "71.430411",
    }
    verified = found[str(reports["verified"].pk)]
    assert (verified["status"], verified["evidence"], verified["photos"]) == ("verified", "corroborated", "0")
    assert (verified["observer"], verified["latitude"]) == ("observer-a2", "")


def test_a_reviewer_with_the_export_permission_gets_no_identity_and_no_position(
    client, exporting_reviewer, reports
):
    client.force_login(exporting_reviewer)
    response = client.get(csv_url())
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0] == HEADER
    assert len(rows) == 3
    for secret in ("observer-a", "Honest Count", "51.128", "71.430"):
        assert secret not in body


def test_the_export_holds_only_the_users_organizations(client, coordinator, reports, other_organization):
    client.force_login(coordinator)
    assert str(reports["elsewhere"].pk) not in by_id(csv_rows(client.get(csv_url())))
    rows = csv_rows(client.get(csv_url(f"organization__id__exact={other_organization.pk}")))
    assert rows == [IDENTITY_HEADER]


def test_a_superuser_exports_every_organization(client, superuser, reports):
    client.force_login(superuser)
    found = by_id(csv_rows(client.get(csv_url())))
    assert set(found) == {str(report.pk) for report in reports.values()}
    assert found[str(reports["elsewhere"].pk)]["observer"] == "observer-b"


def test_reports_of_an_organization_the_user_only_reviews_are_not_exported(
    client, coordinator, reports, other_organization
):
    # Rights come from the role held in each organization: a reviewer there has no export right.
    from people.models import Membership

    Membership.objects.create(user=coordinator, organization=other_organization, role=Role.REVIEWER)
    client.force_login(coordinator)
    found = by_id(csv_rows(client.get(csv_url())))
    assert found[str(reports["with_photo"].pk)]["observer"] == "observer-a"
    assert str(reports["elsewhere"].pk) not in found


def test_the_changelist_filters_in_the_querystring_are_applied(client, coordinator, reports):
    client.force_login(coordinator)
    rows = csv_rows(client.get(csv_url("status__exact=verified")))
    assert [row[0] for row in rows[1:]] == [str(reports["verified"].pk)]
    rows = csv_rows(client.get(csv_url("q=ballots")))
    assert [row[0] for row in rows[1:]] == [str(reports["with_photo"].pk)]


def test_a_broken_querystring_goes_back_to_the_changelist_with_its_error_flag(client, coordinator, reports):
    client.force_login(coordinator)
    response = client.get(csv_url("no_such_field=1"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:reports_incidentreport_changelist") + "?e=1"


def test_the_file_is_named_after_the_election_and_read_as_utf8_by_spreadsheets(client, coordinator, reports):
    client.force_login(coordinator)
    response = client.get(csv_url())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="test-2023-20')
    assert disposition.endswith('.csv"')
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_made_inert(
    client, coordinator, make_member, organization, station, text
):
    observer = make_member("@x", organization, stations=[station])
    report = submit(observer, station, description=text)
    client.force_login(coordinator)
    row = by_id(csv_rows(client.get(csv_url())))[str(report.pk)]
    assert row["description"] == "'" + text
    assert row["observer"] == "'@x"


def test_the_query_count_does_not_grow_with_the_number_of_rows(client, coordinator, observer, station):
    client.force_login(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            csv_rows(client.get(csv_url()))
        return len(captured)

    submit(observer, station)
    one = queries()
    for minute in range(1, 20):
        submit(observer, station, minutes=minute)
    assert IncidentReport.objects.count() == 20
    assert queries() == one


def test_on_postgresql_the_rows_come_through_a_server_side_cursor(client, coordinator, reports, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors are a PostgreSQL feature; SQLite reads in chunks with fetchmany")
    monkeypatch.setattr(exports, "CSV_CHUNK_ROWS", 1)
    monkeypatch.setattr("reports.views.exports.CSV_BATCH_ROWS", 1)
    client.force_login(coordinator)
    chunks = iter(client.get(csv_url()).streaming_content)
    bom, header, first = next(chunks), next(chunks), next(chunks)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        assert cursor.fetchone()[0] == 1
    assert (bom, header.count(b"\n"), first.count(b"\n"), len(list(chunks))) == ("\ufeff".encode(), 1, 1, 1)


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("observer", 403), ("other_observer", 403), ("reviewer", 403), ("coordinator", 200)],
)
@pytest.mark.parametrize("url_name", ["reports_export_csv", "reports_export_photos"])
def test_only_users_with_the_export_permission_may_export(client, request, reports, who, status, url_name):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(url_name))
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith(reverse("admin:login") + "?next=")


def test_the_export_links_show_only_where_a_role_allows_exports(
    client, reports, coordinator, make_member, organization
):
    """The Coordinator group carries the export right, but a user who only reviews in every
    organization has nothing to export: no links, and the export itself refuses."""
    reviewing_only = make_member(
        "reviewer-in-coordinator-group", organization, role=Role.REVIEWER, is_staff=True
    )
    reviewing_only.groups.add(ensure_groups()["Coordinator"])
    changelist = reverse("admin:reports_incidentreport_changelist")
    export_link = reverse("reports_export_csv")

    client.force_login(coordinator)
    assert export_link in client.get(changelist).content.decode()
    client.force_login(reviewing_only)
    page = client.get(changelist)
    assert page.status_code == 200
    assert export_link not in page.content.decode()
    assert client.get(export_link).status_code == 403


# Photo ZIP


def request_zip(client, user, *, capture) -> ExportJob:
    """Ask for the ZIP of the user's whole list; the task runs in-process once the request commits."""
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("reports_export_photos"))
    assert response.status_code == 302
    job = ExportJob.objects.get(requested_by=user)
    assert response["Location"] == reverse("reports_export_job", args=[job.pk])
    return job


def opened_zip(client, job) -> zipfile.ZipFile:
    response = client.get(reverse("reports_export_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_photo_zip_holds_every_photo_with_its_seal_in_the_manifest(
    client, coordinator, observer, station, reports, django_capture_on_commit_callbacks
):
    second = submit(
        observer, station, minutes=5, photos=[photo_upload((0, 90, 200)), photo_upload((9, 9, 9))]
    )
    job = request_zip(client, coordinator, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total, job.percent) == (ExportStatus.DONE, 3, 3, 100)
    assert abs(job.expires_at - job.created_at - timedelta(hours=24)) < timedelta(seconds=1)

    archive = opened_zip(client, job)
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    photos = ReportPhoto.objects.filter(report__in=[reports["with_photo"], second])
    assert sorted(archive.namelist()) == sorted(
        ["manifest.csv", *(f"101/{photo.report_id}/{photo.pk}.jpg" for photo in photos)]
    )
    assert len(manifest) == 3
    for line in manifest:
        photo = ReportPhoto.objects.get(pk=line["photo_id"])
        stored = photo.image.read()
        assert archive.read(line["file"]) == stored
        assert line["sha256_file"] == hashlib.sha256(stored).hexdigest()
        assert line["sha256_seal"] == photo.sha256
        assert line["captured_at"] == photo.captured_at.astimezone(UTC).isoformat(timespec="seconds")
        assert (line["report_id"], line["station"], line["note"]) == (str(photo.report_id), "101", "")


def test_the_progress_page_refreshes_until_the_link_to_the_file_appears(
    client, coordinator, reports, django_capture_on_commit_callbacks
):
    job = request_zip(client, coordinator, capture=django_capture_on_commit_callbacks)
    page = client.get(reverse("reports_export_job", args=[job.pk])).content.decode()
    assert reverse("reports_export_download", args=[job.pk]) in page
    assert 'http-equiv="refresh"' not in page
    status = client.get(reverse("reports_export_status", args=[job.pk])).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 1, 1)
    assert status["download"] == reverse("reports_export_download", args=[job.pk])

    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress_done=0)
    page = client.get(reverse("reports_export_job", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert reverse("reports_export_download", args=[job.pk]) not in page
    assert client.get(reverse("reports_export_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(
    "url_name", ["reports_export_job", "reports_export_status", "reports_export_download"]
)
def test_another_user_cannot_see_an_export_that_is_not_theirs(
    client, coordinator, second_coordinator, superuser, reports, url_name, django_capture_on_commit_callbacks
):
    job = request_zip(client, coordinator, capture=django_capture_on_commit_callbacks)
    client.force_login(second_coordinator)
    assert client.get(reverse(url_name, args=[job.pk])).status_code == 404
    assert client.get(reverse(url_name, args=[uuid.uuid4()])).status_code == 404
    client.force_login(superuser)
    assert client.get(reverse(url_name, args=[job.pk])).status_code == 200


def test_the_photo_export_page_counts_what_the_filtered_list_holds(client, coordinator, reports):
    client.force_login(coordinator)
    page = client.get(reverse("reports_export_photos") + "?status__exact=submitted").content.decode()
    assert "Reports in this list: 1. Their photos: 1." in page
    assert 'href="/admin/reports/incidentreport/?status__exact=submitted"' in page


def test_running_the_task_again_leaves_a_finished_export_alone(
    client, coordinator, reports, django_capture_on_commit_callbacks
):
    job = request_zip(client, coordinator, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    tasks.export_photos_build(str(job.pk))
    again = ExportJob.objects.get(pk=job.pk)
    assert (again.attempt, again.file.name, again.finished_at) == (1, job.file.name, job.finished_at)
    assert again.file.storage.exists(job.file.name)


def test_a_running_export_whose_worker_died_is_built_again_and_a_live_one_is_left_alone(
    coordinator, reports, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = photo_exports.export_photos_request(user=coordinator, report_ids=[reports["with_photo"].pk])
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, attempt=1, progress_at=timezone.now()
    )
    tasks.export_photos_build(str(job.pk))
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING

    ExportJob.objects.filter(pk=job.pk).update(progress_at=timezone.now() - timedelta(hours=1))
    tasks.export_photos_build(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress_done) == (ExportStatus.DONE, 2, 1)


def test_the_zip_leaves_out_reports_the_requester_may_not_see_even_when_asked_for_them(coordinator, reports):
    job = photo_exports.export_photos_request(user=coordinator, report_ids=[r.pk for r in reports.values()])
    tasks.export_photos_build(str(job.pk))
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        names = zipfile.ZipFile(handle).namelist()
    assert names == [
        f"101/{reports['with_photo'].pk}/{reports['with_photo'].photos.get().pk}.jpg",
        "manifest.csv",
    ]


def test_a_list_too_long_for_one_zip_is_refused_with_a_message(client, coordinator, reports, monkeypatch):
    monkeypatch.setattr(photo_exports, "MAX_ZIP_REPORTS", 1)
    client.force_login(coordinator)
    response = client.post(reverse("reports_export_photos"))
    assert response.status_code == 400
    assert "at most 1 reports" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_sweep_queues_a_lost_export_again_and_deletes_expired_files(
    coordinator, reports, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        lost = photo_exports.export_photos_request(user=coordinator, report_ids=[reports["with_photo"].pk])
    ExportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        old = photo_exports.export_photos_request(user=coordinator, report_ids=[reports["with_photo"].pk])
    old.refresh_from_db()
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert photo_exports.export_jobs_sweep() == {"requeued": 1, "expired": 1}
    assert ExportJob.objects.get(pk=lost.pk).status == ExportStatus.DONE
    assert ExportJob.objects.get(pk=old.pk).file.name == ""
    assert not old.file.storage.exists(old.file.name)


# 200,000 reports


BULK_REPORTS = 200_000
BULK_STATIONS = 10_000
PEAK_BYTES = 40 * 2**20


# Rows made by the database itself: every station once per round, `i` numbering the reports.
BULK_ROUNDS = {
    "sqlite": (
        "WITH RECURSIVE round(r) AS (SELECT 0 UNION ALL SELECT r + 1 FROM round WHERE r + 1 < {rounds}), ",
        "lower(hex(randomblob(16)))",
        "datetime('2023-03-19 09:15:00', '+' || (n.i / 5) || ' seconds')",
    ),
    "postgresql": (
        "WITH round(r) AS (SELECT generate_series(0, {rounds} - 1)), ",
        "gen_random_uuid()",
        "TIMESTAMPTZ '2023-03-19 09:15:00+00' + n.i / 5 * INTERVAL '1 second'",
    ),
}
BULK_INSERT = (
    "station(k, id) AS (SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM stations_pollingstation "
    "WHERE election_id = %s), category(k, code, severity) AS (VALUES {categories}), "
    "n(i, station_id) AS (SELECT round.r * {stations} + station.k, station.id FROM round, station "
    "WHERE station.k < {stations}) "
    "INSERT INTO reports_incidentreport (id, observer_id, organization_id, election_id, station_id, "
    "category, severity, phase, occurred_at, description, status, question, received_at, updated_at, "
    "version) SELECT {new_id}, %s, %s, %s, n.station_id, category.code, category.severity, 'voting', "
    "{occurred_at}, 'Report number ' || n.i || ' from the bulk fixture', 'submitted', '', %s, %s, 1 "
    "FROM n JOIN category ON category.k = n.i %% {kinds}"
)


@pytest.fixture
def many_reports(election, make_station, organization, observer):
    """200,000 reports by one observer, spread over 10,000 stations as on a national election day.

    Generated by one INSERT ... SELECT, past report_submit and even bulk_create: through the
    service 200,000 reports take many minutes, and building them in Python costs more than the
    export this test measures. The spread matters: the corroboration count compares each report
    with the other reports of its station and category, so piling 200,000 reports onto a few
    stations would measure that comparison, not the streaming.
    """
    first = make_station("S-00000")
    PollingStation.objects.bulk_create(
        PollingStation(
            election=election,
            number=f"S-{index:05d}",
            region_id=first.region_id,
            district_id=first.district_id,
            registered_voters=1000,
        )
        for index in range(1, BULK_STATIONS)
    )
    rounds, new_id, occurred_at = BULK_ROUNDS[connection.vendor]
    categories = ", ".join(
        f"({k}, '{category.value}', {int(DEFAULT_SEVERITY[category])})" for k, category in enumerate(Category)
    )
    sql = rounds.format(rounds=BULK_REPORTS // BULK_STATIONS) + BULK_INSERT.format(
        categories=categories,
        new_id=new_id,
        occurred_at=occurred_at,
        stations=BULK_STATIONS,
        kinds=len(Category),
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [election.pk, observer.pk, organization.pk, election.pk, now, now])
    assert IncidentReport.objects.count() == BULK_REPORTS
    return BULK_REPORTS


def test_200000_reports_stream_as_csv_in_bounded_memory(client, coordinator, many_reports):
    client.force_login(coordinator)
    lines = chunks = 0
    tracemalloc.start()
    try:
        response = client.get(csv_url())
        assert isinstance(response, StreamingHttpResponse)
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            chunks += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == many_reports + 1
    assert chunks > 100
    assert peak < PEAK_BYTES, f"peak {peak / 2**20:.1f} MB"


# A real worker


# The celery next to this Python, so the worker runs in the same environment as the tests.
WORKER_COMMAND = [
    str(Path(sys.executable).parent / "celery"),
    *("-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", "celery"),
    *("--without-gossip", "--without-mingle", "--loglevel=info"),
]


def database_url(settings_dict) -> str:
    credentials = quote(settings_dict["USER"] or "")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"])
    host = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{settings_dict['NAME']}"


@pytest.fixture
def celery_worker(redis_url, transactional_db, tmp_path):
    """A `celery worker` process on the Redis broker, using the test database and photo folder;
    this process sends to the same broker for the duration of the test."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "a worker process cannot open the in-memory SQLite test database; "
            "this test runs on PostgreSQL (DATABASE_URL=postgres://...)"
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "tests-only-secret-key",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_CONN_MAX_AGE": "0",
        "DJANGO_MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "REDIS_URL": redis_url,
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        WORKER_COMMAND,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, redis_url
    reset_producers()
    try:
        yield worker, tmp_path / "worker.log"
    finally:
        conf.task_always_eager, conf.broker_url = saved
        reset_producers()
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def reset_producers() -> None:
    # The app keeps a connection pool for the broker it first sent to; drop it, as Celery itself
    # does after a fork, so that the next message goes to the broker now configured.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_a_real_worker_builds_the_zip_from_a_redis_queue(coordinator, reports, celery_worker):
    worker, log = celery_worker
    job = photo_exports.export_photos_request(user=coordinator, report_ids=[reports["with_photo"].pk])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and worker.poll() is None:
        job.refresh_from_db()
        if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            break
        time.sleep(0.25)
    assert job.status == ExportStatus.DONE, log.read_text()[-3000:]
    assert (job.progress_done, job.progress_total, job.attempt) == (1, 1, 1)
    with job.file.open("rb") as handle:
        archive = zipfile.ZipFile(handle)
        photo = reports["with_photo"].photos.get()
        assert archive.read(f"101/{photo.report_id}/{photo.pk}.jpg") == photo.image.read()
