"""What observers send: check-ins, incident reports, their photos, and the audit trail."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.audit import AppendOnlyModel
from core.models import StoredPhoto
from core.review import MAX_NOTE, ReportStatus
from core.storage import photo_storage
from people.models import Organization
from reports.taxonomy import Category, CheckInKind, Phase, Severity
from stations.models import Election, PollingStation

MAX_DESCRIPTION = 5000


class CheckIn(models.Model):
    """An observer was at a station: the denominator of every rate, "all clear" included."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkins")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="checkins")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="checkins")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(_("kind"), max_length=16, choices=CheckInKind.choices)
    at = models.DateTimeField(_("time"))
    all_clear = models.BooleanField(_("all clear"), default=False)
    note = models.TextField(_("note"), max_length=MAX_NOTE, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CheckInKind.values), name="checkin_kind_valid")
        ]
        indexes = [
            models.Index(fields=["election", "station"], name="checkin_election_station_idx"),
            # The dashboard's figures are kept until a check-in arrives: the latest is one index read.
            models.Index(fields=["election", "received_at"], name="checkin_election_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


CORROBORATION_WINDOW = timedelta(minutes=60)


class Evidence(models.TextChoices):
    """How strong a report is as evidence; the integrity score weighs reports by this."""

    REJECTED = "rejected", _("rejected")
    UNVERIFIED = "unverified", _("unverified")
    VERIFIED = "verified", _("verified")
    CORROBORATED = "corroborated", _("corroborated")
    DOCUMENTED = "documented", _("documented")


class IncidentReportQuerySet(models.QuerySet):
    def for_observer_list(self) -> "IncidentReportQuerySet":
        return self.select_related("station", "station__district").annotate(
            photo_count=models.Count("photos")
        )

    def corroborating(self, report: "IncidentReport") -> "IncidentReportQuerySet":
        """Reports of the same category at the same station within 60 minutes, by other observers."""
        return self.filter(
            election_id=report.election_id,
            station_id=report.station_id,
            category=report.category,
            occurred_at__gte=report.occurred_at - CORROBORATION_WINDOW,
            occurred_at__lte=report.occurred_at + CORROBORATION_WINDOW,
        ).exclude(Q(observer_id=report.observer_id) | Q(status=ReportStatus.REJECTED))

    def count_corroborating(self) -> Coalesce:
        """How many of these reports corroborate the outer query's report (same station and
        category within the window, by another observer), as an expression to annotate it with."""
        others = (
            self.filter(
                election_id=OuterRef("election_id"),
                station_id=OuterRef("station_id"),
                category=OuterRef("category"),
                occurred_at__gte=OuterRef("occurred_at") - CORROBORATION_WINDOW,
                occurred_at__lte=OuterRef("occurred_at") + CORROBORATION_WINDOW,
            )
            .exclude(observer_id=OuterRef("observer_id"))
            .order_by()
            .values("station_id")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return Coalesce(Subquery(others), 0)

    def with_corroborations(self) -> "IncidentReportQuerySet":
        witnesses = IncidentReport.objects.exclude(status=ReportStatus.REJECTED)
        return self.annotate(corroborations=witnesses.count_corroborating())

    def with_duplicate_photos(self) -> "IncidentReportQuerySet":
        """How many of a report's photos are byte-for-byte the same as a photo of another report."""
        shared = ReportPhoto.objects.filter(sha256=OuterRef("sha256")).exclude(
            report_id=OuterRef("report_id")
        )
        duplicates = (
            ReportPhoto.objects.filter(report_id=OuterRef("pk"))
            .filter(Exists(shared))
            .order_by()
            .values("report_id")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(duplicate_photos=Coalesce(Subquery(duplicates), 0))

    def with_evidence(self) -> "IncidentReportQuerySet":
        """The evidence level in SQL: documented (verified with a photo), corroborated (verified and
        independently corroborated), verified, unverified or rejected."""
        has_photo = Exists(ReportPhoto.objects.filter(report_id=OuterRef("pk")))
        queryset = self if "corroborations" in self.query.annotations else self.with_corroborations()
        verified = Q(status=ReportStatus.VERIFIED)
        return queryset.annotate(
            evidence=Case(
                When(Q(status=ReportStatus.REJECTED), then=Value(Evidence.REJECTED)),
                When(verified & Q(has_photo), then=Value(Evidence.DOCUMENTED)),
                When(verified & Q(corroborations__gt=0), then=Value(Evidence.CORROBORATED)),
                When(verified, then=Value(Evidence.VERIFIED)),
                default=Value(Evidence.UNVERIFIED),
                output_field=models.CharField(),
            )
        )


class IncidentReport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="reports")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="reports")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="reports")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION, blank=True)
    # A reviewer's redaction (names, phone numbers of private people) for partners; `description`
    # stays the observer's original, for staff. Empty: not redacted, partners see `description`.
    # Empty unless a reviewer redacted it; a database default too, so rows written outside the ORM
    # (bulk loads, benchmarks) need not name it.
    public_description = models.TextField(
        _("description shown to partners"), max_length=MAX_DESCRIPTION, blank=True, default="", db_default=""
    )
    # Exact position is private to the observer's organization; partners never see it.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    question = models.TextField(_("reviewer's question"), blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped by every review step: a reviewer's write based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    objects = IncidentReportQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        permissions = [
            ("review_incidentreport", _("Can verify, reject and question reports")),
            ("reopen_incidentreport", _("Can reopen reviewed reports")),
            ("export_incidentreport", _("Can export reports and their photos")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="report_category_valid"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="report_phase_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="report_severity_valid"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="report_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="report_longitude_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["observer", "-occurred_at"], name="report_observer_idx"),
            # The time is in the index so that corroboration (same station and category within an
            # hour) is a short range scan; its prefix serves lookups by station and category.
            models.Index(
                fields=["election", "station", "category", "occurred_at"], name="report_station_time_idx"
            ),
            models.Index(fields=["organization", "status"], name="report_org_status_idx"),
            # The partner API lists verified incidents newest first: with this index a page is
            # read in order instead of sorting every verified report (bench/partner_api.py).
            models.Index(
                fields=["-occurred_at", "-id"],
                condition=Q(status="verified"),
                name="report_verified_time_idx",
            ),
            # The coordinators' report list, newest first: a page is read from the index, not
            # sorted out of every report in scope (bench/coordinator_pages.py). Migration 0011 also
            # adds, on PostgreSQL only, a trigram index on UPPER(description) for the list's search.
            models.Index(fields=["-occurred_at", "-id"], name="report_time_idx"),
            # The dashboard's cache key: the latest change to an election's reports, read directly.
            models.Index(fields=["election", "updated_at"], name="report_election_changed_idx"),
            # Partners poll with `since`: the few verified reports changed lately, found directly.
            models.Index(
                fields=["updated_at"],
                condition=Q(status="verified"),
                name="report_verified_changed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} at {self.station.number}"


def photo_path(photo: "ReportPhoto", filename: str) -> str:
    return f"reports/{photo.report_id}/{filename}"


class ReportPhoto(StoredPhoto):
    """A photo as stored: re-encoded without any metadata. The received original is never kept."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(storage=photo_storage, upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(storage=photo_storage, upload_to=photo_path, max_length=200)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["received_at"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.UniqueConstraint(fields=["report", "sha256"], name="photo_content_unique_per_report"),
        ]

    def __str__(self) -> str:
        return f"photo {self.sha256[:12]}"


class EventAction(models.TextChoices):
    SUBMIT = "submit", _("submitted")
    PHOTO = "photo", _("photo added")
    VERIFY = "verify", _("verified")
    REJECT = "reject", _("rejected")
    ASK = "ask", _("question asked")
    ANSWER = "answer", _("question answered")
    REOPEN = "reopen", _("reopened")
    SEVERITY = "severity", _("severity changed")
    CLAIM = "claim", _("taken for review")
    RELEASE = "release", _("released")
    REDACT = "redact", _("redacted for partners")


class ReportEvent(AppendOnlyModel):
    """One step in a report's life. Append-only: written by services, never changed or removed."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=EventAction.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        constraints = [
            models.CheckConstraint(condition=Q(action__in=EventAction.values), name="event_action_valid")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, report: IncidentReport, *, actor, action: str, note: str = "", **data) -> "ReportEvent":
        return cls.objects.create(report=report, actor=actor, action=action, note=note, data=data)
