"""The only writers of observers' data: check-ins, incident reports, photos, tokens."""

import secrets
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.errors import ApplicationError, NotFound
from reports.models import CheckIn, IncidentReport, ObserverToken, ReportEvent, ReportPhoto, ReportStatus
from reports.models.observations import MAX_DESCRIPTION, MAX_NOTE, EventAction
from reports.photos import MAX_PHOTO_BYTES, PhotoRejected, ProcessedPhoto, process_photo
from reports.selectors import report_get_for_observer, station_get_for_observer
from reports.taxonomy import DEFAULT_SEVERITY, Category, CheckInKind, Phase
from stations.models import Election

MAX_PHOTOS_PER_REPORT = 6
FUTURE_TOLERANCE = timedelta(minutes=5)
PHOTO_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.NEEDS_INFO)


def check_time(value: datetime, election: Election, field: str) -> None:
    """No more than 5 minutes ahead of the server's clock, and not before the eve of election day."""
    if timezone.is_naive(value):
        raise ApplicationError(_("Give the time with its time zone."), field=field)
    if value > timezone.now() + FUTURE_TOLERANCE:
        raise ApplicationError(_("This time is in the future; check the phone's clock."), field=field)
    eve = datetime.combine(election.date - timedelta(days=1), time.min, tzinfo=ZoneInfo(election.timezone))
    if value < eve:
        raise ApplicationError(_("This time is before the day before the election."), field=field)


def check_choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise ApplicationError(_("%(value)s is not a valid choice.") % {"value": value}, field=field)


def _existing(model, *, pk, owner: str, observer):
    """The row a retried request already created, or None; someone else's id is refused."""
    try:
        owner_id = model.objects.filter(pk=pk).values_list(owner, flat=True).first()
    except ValidationError:
        raise ApplicationError(_("The id must be a UUID."), field="id") from None
    if owner_id is None:
        return None
    if owner_id != observer.pk:
        raise ApplicationError(_("This id is already in use; the app must generate a new one."), field="id")
    return model.objects.get(pk=pk)


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
    if existing := _existing(CheckIn, pk=id, owner="observer", observer=observer):
        return existing, False
    station, organization = station_get_for_observer(user=observer, station_id=station_id)
    check_choice(kind, CheckInKind, "kind")
    check_time(at, station.election, "at")
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": MAX_NOTE}, field="note"
        )
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                id=id,
                observer=observer,
                organization=organization,
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
    return checkin, True


def check_position(latitude: Decimal | None, longitude: Decimal | None, accuracy_m: int | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ApplicationError(_("Give both latitude and longitude, or neither."), field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ApplicationError(_("The position is out of range."), field="latitude")
    if accuracy_m is not None and accuracy_m < 0:
        raise ApplicationError(_("The accuracy cannot be negative."), field="accuracy_m")


def read_photo(upload: UploadedFile, *, election: Election, field: str = "photos") -> ProcessedPhoto:
    """Decode, strip and re-encode an upload; the received bytes are never stored.

    A camera that records no time zone wrote the station's local time, so read it there.
    """
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ApplicationError(_("The photo is larger than 20 MB."), field=field)
    try:
        return process_photo(
            upload.read(), filename=upload.name or "", default_tz=ZoneInfo(election.timezone)
        )
    except PhotoRejected as exc:
        raise ApplicationError(f"{upload.name}: {exc}" if upload.name else str(exc), field=field) from None


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
) -> tuple[IncidentReport, bool]:
    """File an incident report with its photos, all or nothing. Returns (report, created)."""
    if existing := _existing(IncidentReport, pk=id, owner="observer", observer=observer):
        return existing, False
    station, organization = station_get_for_observer(user=observer, station_id=station_id)
    check_choice(category, Category, "category")
    check_choice(phase, Phase, "phase")
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
    try:
        with transaction.atomic():
            report = IncidentReport.objects.create(
                id=id,
                observer=observer,
                organization=organization,
                election=station.election,
                station=station,
                category=category,
                severity=DEFAULT_SEVERITY[category],
                phase=phase,
                occurred_at=occurred_at,
                description=description,
                latitude=latitude,
                longitude=longitude,
                accuracy_m=accuracy_m,
            )
            ReportEvent.record(report, actor=observer, action=EventAction.SUBMIT, photos=len(processed))
            for item in processed:
                _store_photo(report, item)
    except IntegrityError:
        return IncidentReport.objects.get(pk=id, observer=observer), False
    return report, True


def photo_attach(
    *, observer: AbstractBaseUser, report_id, id, upload: UploadedFile
) -> tuple[ReportPhoto, bool]:
    """Add a photo to one's own report. The same photo sent twice is stored once."""
    report = report_get_for_observer(user=observer, report_id=report_id)
    if existing := _existing(ReportPhoto, pk=id, owner="report__observer", observer=observer):
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


def token_issue(*, user: AbstractBaseUser) -> tuple[ObserverToken, str]:
    """A new bearer token for the user's phone. The key is returned once and stored only hashed."""
    if not user.is_active:
        raise NotFound()
    key = secrets.token_urlsafe(32)
    token = ObserverToken.objects.create(
        user=user,
        key_hash=ObserverToken.hash_key(key),
        prefix=key[:8],
        expires_at=timezone.now() + timedelta(days=settings.OBSERVER_TOKEN_DAYS),
    )
    return token, key


def token_revoke(*, token: ObserverToken) -> ObserverToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
