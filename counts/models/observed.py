"""What observers count themselves: voters so far, and their copy of the station's protocol.

Both carry an id made on the phone, as reports do, so a retried send finds the row it created."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.audit import AppendOnlyModel
from core.review import MAX_NOTE, ReportStatus
from core.storage import photo_storage
from counts.models.contests import Contest
from people.models import Organization
from stations.models import Election, PollingStation


class TurnoutMethod(models.TextChoices):
    TALLY = "tally", _("I counted every voter")
    VOTER_LIST = "voter_list", _("signatures in the voter list")
    ANNOUNCED = "announced", _("figure announced by the commission")


class TurnoutCount(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="turnout_counts"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="turnout_counts")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="turnout_counts")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="turnout_counts")
    counted_at = models.DateTimeField(_("counted at"))
    voters = models.PositiveIntegerField(_("voters so far"))
    method = models.CharField(_("method"), max_length=16, choices=TurnoutMethod.choices)
    note = models.TextField(_("note"), max_length=MAX_NOTE, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-counted_at"]
        verbose_name = _("turnout count")
        verbose_name_plural = _("turnout counts")
        constraints = [
            models.CheckConstraint(condition=Q(method__in=TurnoutMethod.values), name="turnout_method_valid"),
        ]
        indexes = [
            models.Index(fields=["election", "station", "counted_at"], name="turnout_station_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.station.number}: {self.voters} at {self.counted_at:%H:%M}"


def protocol_photo_path(protocol: "ProtocolCopy", filename: str) -> str:
    return f"protocols/{protocol.pk}/{filename}"


class ProtocolCopy(models.Model):
    """The observer's copy of a station's protocol, with its photo as the evidence.

    `failures` lists the arithmetic rules (counts.arithmetic) the copy breaks: a copy that does
    not add up is kept and flagged, never refused."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="protocol_copies"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="protocol_copies")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="protocol_copies")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="protocol_copies")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="protocol_copies")
    registered = models.PositiveIntegerField(_("registered voters"))
    received = models.PositiveIntegerField(_("ballots received"))
    issued = models.PositiveIntegerField(_("ballots issued"))
    cancelled = models.PositiveIntegerField(_("ballots cancelled"))
    lost = models.PositiveIntegerField(_("ballots lost"), default=0)
    in_boxes = models.PositiveIntegerField(_("ballots in the boxes"))
    invalid = models.PositiveIntegerField(_("invalid ballots"))
    valid = models.PositiveIntegerField(_("valid ballots"))
    votes = models.JSONField(_("votes"), default=dict)
    failures = models.JSONField(_("arithmetic rules broken"), default=list, blank=True)
    note = models.TextField(_("note"), max_length=MAX_NOTE, blank=True)
    # The photo of the protocol, re-encoded without metadata like a report's photos.
    image = models.FileField(storage=photo_storage, upload_to=protocol_photo_path, max_length=200)
    thumbnail = models.FileField(storage=photo_storage, upload_to=protocol_photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(_("SHA-256 as received"), max_length=64)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), max_length=MAX_NOTE, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("protocol copy")
        verbose_name_plural = _("protocol copies")
        permissions = [
            ("review_protocolcopy", _("Can verify and reject protocol copies")),
            ("reopen_protocolcopy", _("Can reopen reviewed protocol copies")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="protocol_status_valid"),
        ]
        indexes = [
            models.Index(fields=["election", "contest", "station"], name="protocol_station_idx"),
            models.Index(fields=["organization", "status"], name="protocol_org_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contest.code} {self.station.number}"


class ProtocolAction(models.TextChoices):
    VERIFY = "verify", _("verified")
    REJECT = "reject", _("rejected")
    REOPEN = "reopen", _("reopened")


class ProtocolEvent(AppendOnlyModel):
    """One review step of a protocol copy. Append-only: written by services, never changed."""

    protocol = models.ForeignKey(ProtocolCopy, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=ProtocolAction.choices)
    status_from = models.CharField(max_length=16, choices=ReportStatus.choices)
    status_to = models.CharField(max_length=16, choices=ReportStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("protocol review step")
        verbose_name_plural = _("protocol review steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ProtocolAction.values), name="protocol_event_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
