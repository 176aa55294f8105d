"""The ZIP of the photos of the reports a coordinator filtered, built in the background: requested
with the list fixed, claimed by one run at a time (a run left by a dead worker is taken over), with a
manifest of each photo's seals, and swept away when it expires.

It reads only what `reports_for_staff` lets the user see.
"""

import csv
import hashlib
import logging
import re
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound
from core.storage import photo_storage
from reports import tasks
from reports.exports import can_export, neutralise, utc_iso
from reports.models import ExportJob, ReportPhoto
from reports.models.exports import ExportKind, ExportStatus, export_path
from reports.selectors import reports_for_staff

logger = logging.getLogger(__name__)

MAX_ZIP_REPORTS = 20_000
PROGRESS_EVERY = 25
# A running job whose progress has not moved for this long was left by a worker that died.
STALE_AFTER = timedelta(minutes=10)
COPY_BLOCK = 1 << 20
UNSAFE_PATH = re.compile(r"[^\w.-]+")

MANIFEST_COLUMNS = [
    "file",
    "report_id",
    "photo_id",
    "station",
    "sha256_seal",
    "sha256_file",
    "captured_at",
    "note",
]


class Superseded(Exception):
    """A newer run of the same job took it over; this run stops without writing."""


@transaction.atomic
def export_photos_request(*, user: AbstractBaseUser, report_ids: Sequence, query: str = "") -> ExportJob:
    """Queue a ZIP of the photos of these reports; the list is fixed now, the file built by a task."""
    if not can_export(user):
        raise NotFound()
    ids = list(dict.fromkeys(str(pk) for pk in report_ids))
    if len(ids) > MAX_ZIP_REPORTS:
        raise ApplicationError(
            _("A photo export takes at most %(max)s reports; this list has more. Narrow the filters.")
            % {"max": f"{MAX_ZIP_REPORTS:,}"}
        )
    if not ids:
        raise ApplicationError(_("No reports match these filters."))
    job = ExportJob.objects.create(
        requested_by=user, kind=ExportKind.PHOTOS_ZIP, query=query, report_ids=ids, report_count=len(ids)
    )
    tasks.export_photos_build.delay_on_commit(str(job.pk))
    return job


def export_job_get_for_user(*, user: AbstractBaseUser, job_id) -> ExportJob:
    """A job its requester (or a superuser) may see; anyone else's is as missing as no job."""
    jobs = ExportJob.objects.defer("report_ids")
    if not user.is_superuser:
        jobs = jobs.filter(requested_by=user)
    try:
        return jobs.get(pk=job_id)
    except (ExportJob.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such export.")) from None


def _claim(job_id) -> int | None:
    """Take the job for this run and return the run's attempt number, or None when there is
    nothing to do: done, failed, missing, or still being built by a live run."""
    now = timezone.now()
    claimable = Q(status=ExportStatus.QUEUED) | Q(
        status=ExportStatus.RUNNING, progress_at__lt=now - STALE_AFTER
    )
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(claimable, pk=job_id).first()
        if job is None:
            return None
        job.attempt += 1
        job.status = ExportStatus.RUNNING
        job.progress_done = job.progress_total = 0
        job.progress_at = now
        job.save(update_fields=["attempt", "status", "progress_done", "progress_total", "progress_at"])
        return job.attempt


def _advance(job_id, attempt: int, **fields) -> None:
    """A conditional UPDATE: it writes only while this run is still the job's latest."""
    updated = ExportJob.objects.filter(pk=job_id, attempt=attempt, status=ExportStatus.RUNNING).update(
        progress_at=timezone.now(), **fields
    )
    if not updated:
        raise Superseded


def job_photos(job: ExportJob) -> QuerySet:
    """The photos of the job's reports that its requester may still see, in archive order."""
    reports = reports_for_staff(job.requested_by).filter(pk__in=job.report_ids)
    return ReportPhoto.objects.filter(report__in=reports).order_by(
        "report__station__number", "report_id", "received_at", "pk"
    )


def export_photos_build(*, job_id) -> None:
    """Build the job's ZIP: photos as `<station>/<report>/<photo>.jpg` plus manifest.csv.

    Safe to run twice: a finished or failed job is left alone, a job another live run is
    building is left to it, and a job whose run died is built again from the start.
    """
    attempt = _claim(job_id)
    if attempt is None:
        return
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        _build(job, attempt)
    except Superseded:
        logger.info("Export %s was taken over by a newer run; attempt %s stops.", job_id, attempt)
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        message = exc.message if isinstance(exc, ApplicationError) else _("The export failed; ask again.")
        ExportJob.objects.filter(pk=job_id, attempt=attempt).update(
            status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
        )


def _build(job: ExportJob, attempt: int) -> None:
    if not can_export(job.requested_by):
        raise ApplicationError(_("The person who asked for this export may no longer export."))
    # A photo that arrives while the archive is being written waits for the next export.
    photos = job_photos(job).filter(received_at__lt=timezone.now())
    total = photos.count()
    _advance(job.pk, attempt, progress_total=total)
    storage = photo_storage()
    with tempfile.TemporaryFile() as archive_file:
        written = _write_zip(
            archive_file, photos, lambda done: _advance(job.pk, attempt, progress_done=min(done, total))
        )
        filename = f"photos-{job.created_at:%Y%m%d-%H%M%S}.zip"
        name = storage.save(export_path(job, filename), File(archive_file, name=filename))
    try:
        _advance(
            job.pk,
            attempt,
            status=ExportStatus.DONE,
            file=name,
            progress_done=written,
            progress_total=written,
            finished_at=timezone.now(),
        )
    except Superseded:
        storage.delete(name)
        raise


def archive_name(station: str, report_id, photo_id) -> str:
    # Only letters, digits, "_", "." and "-", never leading "." or "-": no path tricks, no formulas.
    folder = UNSAFE_PATH.sub("_", station).lstrip(".-") or "_"
    return f"{folder}/{report_id}/{photo_id}.jpg"


def _copy_into(archive: zipfile.ZipFile, name: str, source) -> str:
    """Copy an open file into the archive block by block; return the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with archive.open(name, "w") as entry:
        while block := source.read(COPY_BLOCK):
            digest.update(block)
            entry.write(block)
    return digest.hexdigest()


def _write_zip(target, photos: QuerySet, on_progress) -> int:
    """Write the archive into `target` and return how many photos it lists. Photos are JPEGs
    already, so they are stored as they are; only the manifest is compressed."""
    storage = photo_storage()
    rows = photos.values_list("pk", "report_id", "report__station__number", "image", "sha256", "captured_at")
    with (
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive,
        tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as manifest,
    ):
        writer = csv.writer(manifest)
        writer.writerow(MANIFEST_COLUMNS)
        photo_rows = rows.iterator(chunk_size=500)
        done = 0
        for done, (photo_id, report_id, station, image, seal, captured_at) in enumerate(photo_rows, 1):
            name, sha256_file, note = archive_name(station, report_id, photo_id), "", ""
            try:
                with storage.open(image, "rb") as source:
                    sha256_file = _copy_into(archive, name, source)
            except FileNotFoundError:
                # Listed, not silently dropped: whoever checks the evidence sees what is missing.
                name, note = "", "missing from storage"
            writer.writerow(
                [
                    name,
                    report_id,
                    photo_id,
                    neutralise(station),
                    seal,
                    sha256_file,
                    utc_iso(captured_at),
                    note,
                ]
            )
            if done % PROGRESS_EVERY == 0:
                on_progress(done)
        manifest.seek(0)
        info = zipfile.ZipInfo("manifest.csv", date_time=timezone.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as entry:
            while block := manifest.read(COPY_BLOCK):
                entry.write(block.encode())
    return done


def export_jobs_sweep() -> dict[str, int]:
    """The periodic repair: queue again what a lost message or a dead worker left behind, and
    delete the files of expired exports."""
    now = timezone.now()
    stuck = ExportJob.objects.filter(
        Q(status=ExportStatus.QUEUED, created_at__lt=now - STALE_AFTER)
        | Q(status=ExportStatus.RUNNING, progress_at__lt=now - STALE_AFTER),
        expires_at__gt=now,
    ).values_list("pk", flat=True)
    requeued = 0
    for job_id in stuck:
        tasks.export_photos_build.delay_on_commit(str(job_id))
        requeued += 1
    expired = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(file=""):
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        expired += 1
    return {"requeued": requeued, "expired": expired}
