"""What observers send: a checklist's answers at a station, their photos, and the incident reports
that critical answers became."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from checklists.models.definitions import ChecklistVersion
from core.models import StoredPhoto
from core.storage import photo_storage
from people.models import Organization
from reports.models import IncidentReport
from stations.models import Election, PollingStation


class Source(models.TextChoices):
    PHONE = "phone", _("Phone")
    PAPER = "paper", _("Paper, entered twice")


class Submission(models.Model):
    """One observer's answers to one version of a checklist at a station."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="submissions")
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checklist_submissions"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="checklist_submissions"
    )
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="checklist_submissions")
    station = models.ForeignKey(
        PollingStation, on_delete=models.CASCADE, related_name="checklist_submissions"
    )
    answered_at = models.DateTimeField(_("answered at"))
    answers = models.JSONField(_("answers"), default=dict)
    # The consistency rules the answers break: kept and shown, never a reason to refuse them.
    flags = models.JSONField(_("inconsistencies"), default=list, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    # Paper returns arrive through the same service, then are marked (checklists.double_entry).
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.PHONE)

    class Meta:
        ordering = ["-answered_at"]
        verbose_name = _("checklist submission")
        verbose_name_plural = _("checklist submissions")
        indexes = [
            models.Index(fields=["election", "station"], name="submission_station_idx"),
            models.Index(fields=["organization", "-answered_at"], name="submission_org_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.version} at {self.station_id} {self.answered_at:%Y-%m-%d %H:%M}"


def photo_path(photo: "SubmissionPhoto", filename: str) -> str:
    return f"checklists/{photo.submission_id}/{filename}"


class SubmissionPhoto(StoredPhoto):
    """The answer to a photo question, stored as report photos are: re-encoded without metadata."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="photos")
    question = models.SlugField(_("question"), max_length=40)
    image = models.FileField(storage=photo_storage, upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(storage=photo_storage, upload_to=photo_path, max_length=200)

    class Meta:
        ordering = ["submission", "question"]
        verbose_name = _("checklist photo")
        verbose_name_plural = _("checklist photos")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="checklist_photo_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} {self.sha256[:12]}"


class CriticalAnswer(models.Model):
    """A critical answer and the incident report it became."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="critical_answers")
    question = models.SlugField(_("question"), max_length=40)
    report = models.OneToOneField(IncidentReport, on_delete=models.CASCADE, related_name="checklist_answer")

    class Meta:
        ordering = ["submission", "question"]
        verbose_name = _("critical answer")
        verbose_name_plural = _("critical answers")
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="critical_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question} → {self.report_id}"
