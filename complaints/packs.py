"""The complaint's PDF and evidence pack, built in the background with progress: requested by staff,
claimed by one run at a time (a run left by a dead worker is taken over), saved to the photo store."""

import io
import logging
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import tasks
from complaints.documents import complaint_pdf, complaint_photos, evidence_pack
from complaints.models import Complaint, ComplaintAction, ComplaintEvent, ComplaintPack, PackStatus
from core.errors import ApplicationError

logger = logging.getLogger(__name__)

# A running build whose progress has not moved for this long was left by a worker that died.
STALE_AFTER = timedelta(minutes=10)


class Superseded(Exception):
    """A newer run of the same build took it over; this run stops without writing."""


@transaction.atomic
def complaint_pack_request(*, complaint: Complaint, by: AbstractBaseUser) -> ComplaintPack:
    """Queue the PDF and evidence pack of the complaint's text as it stands."""
    pack = ComplaintPack.objects.create(complaint=complaint, requested_by=by)
    tasks.complaint_pack_build.delay_on_commit(str(pack.pk))
    return pack


def _claim(pack_id) -> int | None:
    now = timezone.now()
    claimable = Q(status=PackStatus.QUEUED) | Q(status=PackStatus.RUNNING, progress_at__lt=now - STALE_AFTER)
    with transaction.atomic():
        pack = ComplaintPack.objects.select_for_update().filter(claimable, pk=pack_id).first()
        if pack is None:
            return None
        pack.attempt += 1
        pack.status, pack.progress_done, pack.progress_total, pack.progress_at = PackStatus.RUNNING, 0, 0, now
        pack.save(update_fields=["attempt", "status", "progress_done", "progress_total", "progress_at"])
        return pack.attempt


def _advance(pack_id, attempt: int, **fields) -> None:
    """A conditional UPDATE: it writes only while this run is still the latest."""
    updated = ComplaintPack.objects.filter(pk=pack_id, attempt=attempt, status=PackStatus.RUNNING).update(
        progress_at=timezone.now(), **fields
    )
    if not updated:
        raise Superseded


def complaint_pack_build(*, pack_id) -> None:
    """Build the pack's PDF and ZIP. Safe to run twice: a finished or failed build is left alone, one
    a live run is building is left to it, and one whose run died is built again from the start."""
    attempt = _claim(pack_id)
    if attempt is None:
        return
    pack = ComplaintPack.objects.select_related(
        "complaint", "complaint__election", "complaint__station", "complaint__district", "complaint__template"
    ).get(pk=pack_id)
    try:
        _build(pack, attempt)
    except Superseded:
        logger.info("Complaint pack %s was taken over by a newer run; attempt %s stops.", pack_id, attempt)
    except Exception as exc:
        logger.exception("Complaint pack %s failed", pack_id)
        message = exc.message if isinstance(exc, ApplicationError) else _("The document failed; ask again.")
        ComplaintPack.objects.filter(pk=pack_id, attempt=attempt).update(
            status=PackStatus.FAILED, error=message, finished_at=timezone.now()
        )


def _build(pack: ComplaintPack, attempt: int) -> None:
    complaint = pack.complaint
    total = complaint.reports.filter(photos__isnull=False).values("photos").count()
    _advance(pack.pk, attempt, progress_total=total)
    photos = complaint_photos(
        complaint, lambda done: _advance(pack.pk, attempt, progress_done=min(done, total))
    )
    pdf = complaint_pdf(complaint, photos)
    archive = io.BytesIO()
    manifest = evidence_pack(archive, complaint, pdf, photos)
    stamp = f"{timezone.now():%Y%m%d-%H%M%S}"
    pack.pdf.save(f"complaint-{complaint.pk}-{stamp}.pdf", ContentFile(pdf), save=False)
    pack.archive.save(f"evidence-{complaint.pk}-{stamp}.zip", ContentFile(archive.getvalue()), save=False)
    try:
        with transaction.atomic():
            _advance(
                pack.pk,
                attempt,
                status=PackStatus.DONE,
                pdf=pack.pdf.name,
                archive=pack.archive.name,
                manifest_sha256=manifest["manifest_sha256"],
                progress_done=len(photos),
                progress_total=len(photos),
                finished_at=timezone.now(),
            )
            ComplaintEvent.record(
                complaint,
                actor=pack.requested_by,
                action=ComplaintAction.PACK,
                pack=str(pack.pk),
                pdf_sha256=manifest["pdf"]["sha256"],
                manifest_sha256=manifest["manifest_sha256"],
            )
    except Superseded:
        pack.pdf.delete(save=False)
        pack.archive.delete(save=False)
        raise


def complaint_packs_sweep() -> int:
    """The periodic repair: queue again the builds a lost message or a dead worker left behind."""
    stale = timezone.now() - STALE_AFTER
    stuck = ComplaintPack.objects.filter(
        Q(status=PackStatus.QUEUED, created_at__lt=stale)
        | Q(status=PackStatus.RUNNING, progress_at__lt=stale)
    ).values_list("pk", flat=True)
    requeued = 0
    for pack_id in stuck:
        tasks.complaint_pack_build.delay_on_commit(str(pack_id))
        requeued += 1
    return requeued
