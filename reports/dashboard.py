"""The coordinator dashboard's numbers: one election, district by district, for the user's organizations.

Station counts are the public registry; check-ins and reports are cut to the user's organizations by
`scoped_for_staff`. Every number is a SQL aggregate, so the dashboard costs the same few queries
whatever the number of districts or reports.
"""

from dataclasses import dataclass, fields
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncHour

from reports.models import CheckIn, IncidentReport, ReportStatus
from reports.selectors import scoped_for_staff
from reports.taxonomy import Category, Severity
from stations.models import District, Election

STATUSES = (ReportStatus.SUBMITTED, ReportStatus.NEEDS_INFO, ReportStatus.VERIFIED, ReportStatus.REJECTED)
QUEUE = (ReportStatus.SUBMITTED, ReportStatus.NEEDS_INFO)
REVIEWED = (ReportStatus.VERIFIED, ReportStatus.REJECTED)
SEVERITIES = (Severity.S5, Severity.S3, Severity.S1)
# A reopened report keeps its old reviewed_at: only a standing decision counts as reviewed.
REVIEWED_Q = Q(status__in=REVIEWED, reviewed_at__isnull=False)
# The count runs past midnight, so the hourly chart covers election day and the night after it.
CHART_HOURS = 30


@dataclass
class DistrictRow:
    """One line of the table; `district` is None on the totals line."""

    district: District | None
    stations: int = 0
    observed: int = 0
    sample: int = 0
    sample_observed: int = 0
    submitted: int = 0
    needs_info: int = 0
    verified: int = 0
    rejected: int = 0
    s5: int = 0
    s3: int = 0
    s1: int = 0
    reviewed: int = 0

    @property
    def reports(self) -> int:
        return self.submitted + self.needs_info + self.verified + self.rejected

    @property
    def coverage(self) -> float | None:
        """Share of the random sample observed, in percent; None without a sample."""
        return 100 * self.sample_observed / self.sample if self.sample else None

    def add(self, other: "DistrictRow") -> None:
        for field in fields(self):
            if field.name != "district":
                setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


@dataclass
class Dashboard:
    election: Election
    rows: list[DistrictRow]
    totals: DistrictRow
    median_review: timedelta | None
    # (start of the hour in the election's zone, reports), CHART_HOURS of them from local midnight.
    per_hour: list[tuple[datetime, int]]
    outside_hours: int
    # (category code, label, reports), most reported first; categories without reports are left out.
    per_category: list[tuple[str, str, int]]

    @property
    def queue(self) -> int:
        return self.totals.submitted + self.totals.needs_info


def dashboard_elections() -> QuerySet[Election]:
    """Every election, newest first: the first is the dashboard's default."""
    return Election.objects.order_by("-date", "-pk")


def dashboard_for_user(*, user: AbstractBaseUser, election: Election) -> Dashboard:
    checkins = scoped_for_staff(CheckIn.objects.filter(election=election), user)
    reports = scoped_for_staff(IncidentReport.objects.filter(election=election), user)
    rows = district_rows(election, checkins, reports)
    totals = DistrictRow(district=None)
    for row in rows:
        totals.add(row)
    per_hour = reports_per_hour(election, reports)
    return Dashboard(
        election=election,
        rows=rows,
        totals=totals,
        median_review=median_time_to_review(reports),
        per_hour=per_hour,
        outside_hours=totals.reports - sum(count for _hour, count in per_hour),
        per_category=reports_per_category(reports),
    )


def district_rows(election: Election, checkins: QuerySet, reports: QuerySet) -> list[DistrictRow]:
    """Two queries: the districts with their station counts, and the reports grouped by district."""
    observed = Q(stations__in=checkins.values("station_id"))
    districts = (
        District.objects.filter(election=election)
        .with_station_counts()
        .annotate(
            observed_count=Count("stations", filter=observed),
            sample_observed_count=Count("stations", filter=observed & Q(stations__in_sample=True)),
        )
        .select_related("region", "score")
        .order_by("number")
    )
    counts = {
        **{status: Count("pk", filter=Q(status=status)) for status in STATUSES},
        **{
            f"s{severity}": Count("pk", filter=Q(status=ReportStatus.VERIFIED, severity=severity))
            for severity in SEVERITIES
        },
        "reviewed": Count("pk", filter=REVIEWED_Q),
    }
    by_district = {
        row.pop("station__district_id"): row
        for row in reports.order_by().values("station__district_id").annotate(**counts)
    }
    return [
        DistrictRow(
            district=district,
            stations=district.station_count,
            observed=district.observed_count,
            sample=district.sample_count,
            sample_observed=district.sample_observed_count,
            **by_district.get(district.pk, {}),
        )
        for district in districts
    ]


def median_time_to_review(reports: QuerySet) -> timedelta | None:
    """The median of reviewed_at - received_at over reviewed reports, found in SQL: one query that
    returns only the middle one or two durations, however many reports there are."""
    review_time = ExpressionWrapper(F("reviewed_at") - F("received_at"), output_field=DurationField())
    middle = list(
        reports.filter(REVIEWED_Q)
        .order_by()
        .annotate(
            review_time=review_time,
            position=Window(RowNumber(), order_by=[review_time.asc(), F("pk").asc()]),
            reviewed=Window(Count("pk")),
        )
        .filter(position__gte=(F("reviewed") + 1) / 2, position__lte=F("reviewed") / 2 + 1)
        .values_list("review_time", flat=True)
    )
    if not middle:
        return None
    return sum(middle, timedelta()) / len(middle)


def chart_start(election: Election) -> datetime:
    """Local midnight of election day, in UTC, so that adding hours is exact across a DST change."""
    return datetime.combine(election.date, time.min, tzinfo=ZoneInfo(election.timezone)).astimezone(UTC)


def reports_per_hour(election: Election, reports: QuerySet) -> list[tuple[datetime, int]]:
    zone = ZoneInfo(election.timezone)
    start = chart_start(election)
    hours = [start + timedelta(hours=index) for index in range(CHART_HOURS)]
    counted = dict(
        reports.filter(occurred_at__gte=hours[0], occurred_at__lt=hours[-1] + timedelta(hours=1))
        .annotate(hour=TruncHour("occurred_at", tzinfo=zone))
        .order_by()
        .values("hour")
        .annotate(count=Count("pk"))
        .values_list("hour", "count")
    )
    # Aware datetimes compare as instants, whichever zone the database handed them back in.
    return [(hour.astimezone(zone), counted.get(hour, 0)) for hour in hours]


def reports_per_category(reports: QuerySet) -> list[tuple[str, str, int]]:
    counted = dict(
        reports.order_by().values("category").annotate(count=Count("pk")).values_list("category", "count")
    )
    listed = [(code, label, counted[code]) for code, label in Category.choices if counted.get(code)]
    return sorted(listed, key=lambda item: -item[2])
