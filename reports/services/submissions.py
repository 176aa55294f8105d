"""The only writers of observers' data: check-ins, incident reports, photos, tokens."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.intake import check_choice, check_time, existing_row, insert_together, read_photo, single_insert
from core.photos import ProcessedPhoto
from core.review import MAX_NOTE
from core.signals import evidence_changed
from people.selectors import station_for_new_row
from reports.models import CheckIn, IncidentReport, ReportEvent, ReportPhoto, ReportStatus
from reports.models.observations import MAX_DESCRIPTION, EventAction
from reports.selectors import report_get_for_observer
from reports.taxonomy import DEFAULT_SEVERITY, Category, CheckInKind, Phase, Severity

MAX_PHOTOS_PER_REPORT = 6
PHOTO_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.NEEDS_INFO)


def checkin_create(
    *,
    observer: AbstractBaseUser,
    id,
    station_id,
    kind: str,
    at: datetime,
    all_clear: bool = False,
    note: str = "",
) -> tuple[CheckIn, bool]:
    """Record that the observer was at a station. Returns (check-in, created)."""
    station, organization_id, existing = station_for_new_row(
        CheckIn, pk=id, observer=observer, station_id=station_id
    )
    if existing:
        return existing, False
    check_choice(kind, CheckInKind, "kind")
    check_time(at, station.election, "at")
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": MAX_NOTE}, field="note"
        )
    try:
        with single_insert():
            checkin = CheckIn.objects.create(
                id=id,
                observer=observer,
                organization_id=organization_id,
                election=station.election,
                station=station,
                kind=kind,
                at=at,
                all_clear=all_clear,
                note=note,
            )
    except IntegrityError:
        # The same request arrived twice at once; the other one won.
        return CheckIn.objects.get(pk=id, observer=observer), False
    evidence_changed.send(sender=CheckIn, election_id=station.election_id, arrived=True)
    return checkin, True


def check_position(latitude: Decimal | None, longitude: Decimal | None, accuracy_m: int | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ApplicationError(_("Give both latitude and longitude, or neither."), field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ApplicationError(_("The position is out of range."), field="latitude")
    if accuracy_m is not None and accuracy_m < 0:
        raise ApplicationError(_("The accuracy cannot be negative."), field="accuracy_m")


def _store_photo(report: IncidentReport, processed: ProcessedPhoto, *, photo_id=None) -> ReportPhoto:
    photo = ReportPhoto(
        report=report,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.image),
        sha256=processed.sha256_received,
        captured_at=processed.captured_at,
    )
    if photo_id is not None:
        photo.id = photo_id
    photo.image.save(f"{photo.id}.jpg", ContentFile(processed.image), save=False)
    photo.thumbnail.save(f"{photo.id}-thumb.jpg", ContentFile(processed.thumbnail), save=False)
    photo.save()
    return photo


def report_submit(
    *,
    observer: AbstractBaseUser,
    id,
    station_id,
    category: str,
    phase: str,
    occurred_at: datetime,
    description: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy_m: int | None = None,
    photos: Sequence[UploadedFile] = (),
    severity: int | None = None,
) -> tuple[IncidentReport, bool]:
    """File an incident report with its photos, all or nothing. Returns (report, created).

    `severity` is the category's default unless given (a checklist's critical answer sets its own)."""
    station, organization_id, existing = station_for_new_row(
        IncidentReport, pk=id, observer=observer, station_id=station_id
    )
    if existing:
        return existing, False
    check_choice(category, Category, "category")
    check_choice(phase, Phase, "phase")
    if severity is not None and severity not in Severity.values:
        raise ApplicationError(_("%(value)s is not a valid choice.") % {"value": severity}, field="severity")
    check_time(occurred_at, station.election, "occurred_at")
    if len(description) > MAX_DESCRIPTION:
        raise ApplicationError(
            _("The description is longer than %(max)d characters.") % {"max": MAX_DESCRIPTION},
            field="description",
        )
    check_position(latitude, longitude, accuracy_m)
    if len(photos) > MAX_PHOTOS_PER_REPORT:
        raise ApplicationError(
            _("A report takes at most %(max)d photos.") % {"max": MAX_PHOTOS_PER_REPORT}, field="photos"
        )
    # Decoding is the slow part: do it before taking any database lock.
    received = [read_photo(upload, election=station.election) for upload in photos]
    processed = list({photo.sha256_received: photo for photo in received}.values())
    report = IncidentReport(
        id=id,
        observer=observer,
        organization_id=organization_id,
        election=station.election,
        station=station,
        category=category,
        severity=severity or DEFAULT_SEVERITY[category],
        phase=phase,
        occurred_at=occurred_at,
        description=description,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m,
    )
    submitted = ReportEvent(
        report=report, actor=observer, action=EventAction.SUBMIT, data={"photos": len(processed)}
    )
    try:
        if processed:
            with transaction.atomic():
                insert_together(report, submitted)
                for item in processed:
                    _store_photo(report, item)
        else:
            # The phone's most frequent write: one statement, one round trip.
            insert_together(report, submitted)
    except IntegrityError:
        return IncidentReport.objects.get(pk=id, observer=observer), False
    evidence_changed.send(sender=IncidentReport, election_id=station.election_id, arrived=True)
    return report, True


def photo_attach(
    *, observer: AbstractBaseUser, report_id, id, upload: UploadedFile
) -> tuple[ReportPhoto, bool]:
    """Add a photo to one's own report. The same photo sent twice is stored once."""
    report = report_get_for_observer(user=observer, report_id=report_id)
    if existing := existing_row(ReportPhoto, pk=id, owner="report__observer", observer=observer):
        return existing, False
    if report.status not in PHOTO_STATUSES:
        raise ApplicationError(
            _("This report has been reviewed; send a new report with the photo."), field="photo"
        )
    processed = read_photo(upload, election=report.election, field="photo")
    if same := report.photos.filter(sha256=processed.sha256_received).first():
        return same, False
    try:
        with transaction.atomic():
            # Lock the report so two uploads at once cannot both pass the limit.
            IncidentReport.objects.select_for_update().get(pk=report.pk)
            if report.photos.count() >= MAX_PHOTOS_PER_REPORT:
                raise ApplicationError(
                    _("A report takes at most %(max)d photos.") % {"max": MAX_PHOTOS_PER_REPORT},
                    field="photo",
                )
            photo = _store_photo(report, processed, photo_id=id)
            ReportEvent.record(report, actor=observer, action=EventAction.PHOTO, sha256=photo.sha256)
    except IntegrityError:
        found = ReportPhoto.objects.filter(pk=id).first() or report.photos.get(
            sha256=processed.sha256_received
        )
        return found, False
    return photo, True
