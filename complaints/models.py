"""Formal complaints drafted from verified reports: the organization's templates, the complaint as
filed with a commission and what the commission answered, its audit trail, and its PDF and evidence
pack."""

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.placeholders import validate_template_text
from core.audit import AppendOnlyModel
from core.storage import photo_storage
from people.models import Organization
from reports.models import IncidentReport
from stations.models import District, Election, PollingStation


class Language(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")
    # For the mission's own records; commissions take complaints in Kazakh or Russian.
    ENGLISH = "en", _("English")


class Addressee(models.TextChoices):
    PRECINCT = "precinct", _("precinct election commission")
    DISTRICT = "district", _("district election commission")
    CENTRAL = "central", _("Central Election Commission")


# An appeal goes to the next commission up.
APPEAL_TO = {Addressee.PRECINCT: Addressee.DISTRICT, Addressee.DISTRICT: Addressee.CENTRAL}


class DeadlineRule(models.TextChoices):
    ELECTION_DAY = "election_day", _("on election day")
    HOURS = "hours", _("within a number of hours")
    DAYS = "days", _("within a number of days")


class DeadlineFrom(models.TextChoices):
    FACTS = "facts", _("of the facts")
    FILING = "filing", _("of filing")


class ComplaintTemplate(models.Model):
    """An organization's wording of a complaint to one kind of commission, per election and language."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="complaint_templates"
    )
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="complaint_templates")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    addressee_kind = models.CharField(_("addressee"), max_length=16, choices=Addressee.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), validators=[validate_template_text])
    legal_basis = models.TextField(
        _("legal basis"), blank=True, help_text=_("The articles of the election law the complaint rests on.")
    )
    requested_action = models.TextField(_("requested action"), blank=True)
    deadline_rule = models.CharField(
        _("answer deadline"), max_length=16, choices=DeadlineRule.choices, default=DeadlineRule.DAYS
    )
    deadline_amount = models.PositiveSmallIntegerField(
        _("hours or days"), default=5, help_text=_("Ignored when the answer is due on election day.")
    )
    deadline_from = models.CharField(
        _("counted from"), max_length=8, choices=DeadlineFrom.choices, default=DeadlineFrom.FILING
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["election", "addressee_kind", "language"]
        verbose_name = _("complaint template")
        verbose_name_plural = _("complaint templates")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "election", "language", "addressee_kind"],
                name="complaint_template_unique",
            ),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="template_language_valid"),
            models.CheckConstraint(
                condition=Q(addressee_kind__in=Addressee.values), name="template_addressee_valid"
            ),
            models.CheckConstraint(
                condition=Q(deadline_rule__in=DeadlineRule.values), name="template_deadline_rule_valid"
            ),
            models.CheckConstraint(
                condition=Q(deadline_from__in=DeadlineFrom.values), name="template_deadline_from_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def deadline(self, *, facts_at: datetime, filed_at: datetime) -> datetime:
        """When the commission's answer is due, for a complaint filed at `filed_at`."""
        if self.deadline_rule == DeadlineRule.ELECTION_DAY:
            # Due by the end of election day, local time; a complaint filed later, by the end of its day.
            zone = self.election.polls_close_at.tzinfo
            day = max(self.election.date, filed_at.astimezone(zone).date())
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        start = facts_at if self.deadline_from == DeadlineFrom.FACTS else filed_at
        unit = "hours" if self.deadline_rule == DeadlineRule.HOURS else "days"
        return start + timedelta(**{unit: self.deadline_amount})


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    FILED = "filed", _("filed")
    ANSWERED = "answered", _("answered")
    APPEALED = "appealed", _("appealed")
    CLOSED = "closed", _("closed")


class FiledHow(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    POST = "post", _("by post")
    EMAIL = "email", _("by e-mail")
    ONLINE = "online", _("online")


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")
    NO_ANSWER = "no_answer", _("no answer")


def complaint_path(complaint: "Complaint", filename: str) -> str:
    return f"complaints/{complaint.pk}/{filename}"


class ComplaintQuerySet(models.QuerySet):
    def overdue(self, now: datetime | None = None) -> "ComplaintQuerySet":
        """Filed, not answered, and the commission's deadline has passed."""
        return self.filter(status=Status.FILED, deadline_at__lt=now or timezone.now())

    def for_list(self) -> "ComplaintQuerySet":
        return self.select_related("organization", "election", "station", "district")


class Complaint(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="complaints")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="complaints")
    # Empty for a complaint about several stations of a district, addressed to its commission.
    station = models.ForeignKey(
        PollingStation, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="complaints")
    template = models.ForeignKey(
        ComplaintTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    addressee_kind = models.CharField(_("addressee"), max_length=16, choices=Addressee.choices)
    addressee_name = models.CharField(_("addressed to"), max_length=300)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    reports = models.ManyToManyField(IncidentReport, related_name="complaints", verbose_name=_("reports"))
    # The observer who signs it, only with their recorded consent; otherwise empty, and the
    # organization's representative signs.
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("observer complainant"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=300)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    filed_how = models.CharField(_("filed how"), max_length=16, choices=FiledHow.choices, blank=True)
    filed_to = models.CharField(_("filed with"), max_length=300, blank=True)
    incoming_number = models.CharField(_("incoming number"), max_length=100, blank=True)
    stamped_copy = models.FileField(
        _("stamped copy"), storage=photo_storage, upload_to=complaint_path, max_length=200, blank=True
    )
    deadline_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    answer_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    answer_scan = models.FileField(
        _("answer scan"), storage=photo_storage, upload_to=complaint_path, max_length=200, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    appeal_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal",
        verbose_name=_("appeal of"),
    )

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [("file_complaint", _("Can file complaints, record answers and appeal"))]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="complaint_status_valid"),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="complaint_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(addressee_kind__in=Addressee.values), name="complaint_addressee_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", *Outcome.values]), name="complaint_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(filed_how__in=["", *FiledHow.values]), name="complaint_filed_how_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(filed_at__isnull=False, deadline_at__isnull=False),
                name="complaint_filed_has_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline_at"], name="complaint_overdue_idx"),
            models.Index(fields=["organization", "status"], name="complaint_org_status_idx"),
        ]

    def __str__(self) -> str:
        where = self.station.number if self.station_id else self.district.name
        return f"{self.get_addressee_kind_display()} {where} ({self.get_status_display()})"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == Status.FILED and self.deadline_at is not None and self.deadline_at < timezone.now()
        )


class ComplaintAction(models.TextChoices):
    DRAFT = "draft", _("drafted")
    EDIT = "edit", _("text edited")
    FILE = "file", _("filed")
    ANSWER = "answer", _("answer recorded")
    APPEAL = "appeal", _("appealed")
    CLOSE = "close", _("closed")
    PACK = "pack", _("PDF and evidence pack generated")


class ComplaintEvent(AppendOnlyModel):
    """One step in a complaint's life, with who took it. Append-only: text edits keep both texts."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=ComplaintAction.choices)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ComplaintAction.values), name="complaint_event_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, complaint: Complaint, *, actor, action: str, **data) -> "ComplaintEvent":
        return cls.objects.create(complaint=complaint, actor=actor, action=action, data=data)


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def pack_path(pack: "ComplaintPack", filename: str) -> str:
    return f"complaints/{pack.complaint_id}/packs/{pack.id}/{filename}"


class ComplaintPack(models.Model):
    """The complaint's PDF and its ZIP evidence pack, built in the background from the complaint as
    it stands when the build runs; the audit trail keeps the digests of what was built."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="packs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PackStatus.choices, default=PackStatus.QUEUED
    )
    # Each run takes the next attempt; a run that is no longer the latest stops without writing.
    attempt = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(_("photos done"), default=0)
    progress_total = models.PositiveIntegerField(_("photos in all"), default=0)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), storage=photo_storage, upload_to=pack_path, max_length=200, blank=True)
    archive = models.FileField(
        _("evidence pack"), storage=photo_storage, upload_to=pack_path, max_length=200, blank=True
    )
    manifest_sha256 = models.CharField(_("manifest digest"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint document")
        verbose_name_plural = _("complaint documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PackStatus.values), name="complaint_pack_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint} {self.get_status_display()}"
