"""Exports built in the background: a ZIP of the photos of the reports a coordinator filtered."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import photo_storage

EXPORT_LIFETIME = timedelta(hours=24)


def export_path(job: "ExportJob", filename: str) -> str:
    return f"exports/{job.id}/{filename}"


def export_expiry():
    return timezone.now() + EXPORT_LIFETIME


class ExportKind(models.TextChoices):
    PHOTOS_ZIP = "photos_zip", _("ZIP of photos")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One requested export. The reports are fixed when it is requested, so the file shows exactly
    what the list showed then; the task re-checks the requester's access while building it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind.choices)
    query = models.TextField(_("list filters"), blank=True)
    report_ids = models.JSONField(_("reports"), default=list)
    # Kept apart so that the progress page, polled every 2 s, need not load the list of ids.
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    # Each run of the task takes the next attempt number; a run that is no longer the latest
    # stops at its next progress update instead of writing over the newer one.
    attempt = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(_("photos done"), default=0)
    progress_total = models.PositiveIntegerField(_("photos in all"), default=0)
    # The last sign of life of the run building it: a running job that stays silent was orphaned.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    # On the private photo storage: downloaded only through a permission-checked view.
    file = models.FileField(storage=photo_storage, upload_to=export_path, max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), default=export_expiry)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ExportKind.values), name="export_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="export_status_valid"),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")), name="export_progress_in_range"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_status_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return self.progress_done * 100 // self.progress_total if self.progress_total else 0

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def downloadable(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file) and not self.expired
