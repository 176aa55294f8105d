"""The coordinator dashboard's numbers: one election, district by district, for the user's organizations.

Station counts are the public registry; check-ins and reports are cut to the user's organizations by
`scoped_for_staff`. Every number is a SQL aggregate, so the dashboard costs the same few queries
whatever the number of districts or reports.

Integrity scores are the election's published ones (integrity), computed from every
organization's observations, as partners see them: the same for every reader.
"""

import hashlib
from dataclasses import dataclass, fields
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncHour
from django.utils.translation import gettext as _

from console.charts import FunnelPoint
from core.errors import NotFound
from core.recent import Recent, recent_figures
from integrity.models import DistrictScore, DistrictScoreHistory, ScoreRun, ScoreRunStatus, StationIndicator
from people.selectors import scoped_for_staff, staff_organization_ids
from reports.models import CheckIn, IncidentReport, ReportStatus
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
# A sparkline shows the district's score over the last this many published runs.
HISTORY_POINTS = 50


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
    # District id → its published scores over the last HISTORY_POINTS runs, oldest first.
    history: dict[int, list[float]]
    # When the report figures (rows' report columns, the charts, the review time) were computed, and
    # whether they describe the reports as they are now (core/recent.py).
    figures_at: datetime | None = None
    figures_current: bool = True
    # Names the figures the rows show: their scope and when they were computed.
    figures_version: str = ""

    @property
    def queue(self) -> int:
        return self.totals.submitted + self.totals.needs_info


def dashboard_elections() -> QuerySet[Election]:
    """Every election, newest first: the first is the dashboard's default."""
    return Election.objects.order_by("-date", "-pk")


def dashboard_for_user(*, user: AbstractBaseUser, election: Election) -> Dashboard:
    checkins = scoped_for_staff(CheckIn.objects.filter(election=election), user)
    reports = scoped_for_staff(IncidentReport.objects.filter(election=election), user)
    districts = election_districts(election)
    recent, key = report_figures(election, reports, checkins, user, districts)
    figures = recent.value
    rows = district_rows(districts, figures["observed"], figures["by_district"])
    totals = DistrictRow(district=None)
    for row in rows:
        totals.add(row)
    per_hour = figures["per_hour"]
    return Dashboard(
        election=election,
        rows=rows,
        totals=totals,
        median_review=figures["median_review"],
        per_hour=per_hour,
        outside_hours=totals.reports - sum(count for _hour, count in per_hour),
        # Labels in the reader's language, put in here: the kept figures hold the codes, because a
        # lazy label read back from the cache costs milliseconds (a new class each) and would
        # carry the language of whoever computed them.
        per_category=[(code, Category(code).label, count) for code, count in figures["per_category"]],
        history=score_history(election, rows),
        figures_at=recent.computed_at,
        figures_current=recent.current,
        figures_version=f"{key}:{recent.computed_at.isoformat()}",
    )


def report_figures(
    election: Election,
    reports: QuerySet,
    checkins: QuerySet,
    user: AbstractBaseUser,
    districts: list[District],
) -> tuple[Recent, str]:
    """The dashboard's aggregates over the user's reports and check-ins, kept per election and scope
    (every reader who sees the same organizations shares them) with the state they were computed
    for: the latest change of a report and the latest check-in (index reads, in the same query as
    the organizations the user sees), and the districts' stations and sample as `districts` found
    them. While reports keep arriving the last figures are shown, at most
    settings.RECENT_FIGURES_SECONDS old, and refreshed in the background (core/recent.py). Returns
    them with the key they are kept under."""
    latest = Subquery(
        IncidentReport.objects.filter(election=election).order_by("-updated_at").values("updated_at")[:1]
    )
    checked_in = Subquery(
        CheckIn.objects.filter(election=election).order_by("-received_at").values("received_at")[:1]
    )
    if user.is_superuser:
        found = Election.objects.filter(pk=election.pk).annotate(latest=latest, checked_in=checked_in).get()
        marker = [("all", found.latest, found.checked_in)]
    else:
        marker = list(
            staff_organization_ids(user)
            .annotate(latest=latest, checked_in=checked_in)
            .order_by("organization_id")
            .values_list("organization_id", "latest", "checked_in")
        )
    scope = hashlib.sha256(repr([organization for organization, *_latest in marker]).encode()).hexdigest()[
        :32
    ]
    key = f"console-board:4:{election.pk}:{user.is_active and user.is_staff}:{scope}"
    registry = [
        (district.pk, district.station_count, district.sample_count, district.sample_ids)
        for district in districts
    ]
    state = hashlib.sha256(repr((marker, registry)).encode()).hexdigest()

    def compute() -> dict:
        return {
            "observed": observed_by_district(checkins),
            "by_district": reports_by_district(reports),
            "per_hour": reports_per_hour(election, reports),
            "per_category": reports_per_category(reports),
            "median_review": median_time_to_review(reports),
        }

    return recent_figures(key, state, compute), key


def election_districts(election: Election) -> list[District]:
    """The districts with their station counts (the registry, the same for every reader), region and
    score, in one query; `sample_ids` sums the ids of the sampled stations, so that a change of the
    sample changes the state of the figures."""
    return list(
        District.objects.filter(election=election)
        .with_station_counts()
        .annotate(sample_ids=Coalesce(Sum("stations__pk", filter=Q(stations__in_sample=True)), Value(0)))
        .select_related("region", "score")
        .order_by("number")
    )


def observed_by_district(checkins: QuerySet) -> dict[int, tuple[int, int]]:
    """District id → (stations with a check-in, of them in the sample)."""
    stations = Count("station_id", distinct=True)
    return {
        district: (observed, sample_observed)
        for district, observed, sample_observed in checkins.order_by()
        .values("station__district_id")
        .annotate(
            observed=stations,
            sample_observed=Count("station_id", distinct=True, filter=Q(station__in_sample=True)),
        )
        .values_list("station__district_id", "observed", "sample_observed")
    }


def district_rows(districts: list[District], observed: dict, by_district: dict) -> list[DistrictRow]:
    """A row per district: its stations from the registry beside the kept check-in and report figures."""
    return [
        DistrictRow(
            district=district,
            stations=district.station_count,
            observed=observed.get(district.pk, (0, 0))[0],
            sample=district.sample_count,
            sample_observed=observed.get(district.pk, (0, 0))[1],
            **by_district.get(district.pk, {}),
        )
        for district in districts
    ]


def reports_by_district(reports: QuerySet) -> dict[int, dict[str, int]]:
    """District id → the reports per status, the verified ones per severity and the reviewed ones."""
    counts = {
        **{status: Count("pk", filter=Q(status=status)) for status in STATUSES},
        **{
            f"s{severity}": Count("pk", filter=Q(status=ReportStatus.VERIFIED, severity=severity))
            for severity in SEVERITIES
        },
        "reviewed": Count("pk", filter=REVIEWED_Q),
    }
    return {
        row.pop("station__district_id"): row
        for row in reports.order_by().values("station__district_id").annotate(**counts)
    }


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


def reports_per_category(reports: QuerySet) -> list[tuple[str, int]]:
    """(category code, reports), most reported first, in the taxonomy's order among equals."""
    counted = dict(
        reports.order_by().values("category").annotate(count=Count("pk")).values_list("category", "count")
    )
    listed = [(code, counted[code]) for code in Category.values if counted.get(code)]
    return sorted(listed, key=lambda item: -item[1])


# --- Integrity scores ----------------------------------------------------------------------------


def district_score(district: District) -> DistrictScore | None:
    """The district's current score, read from `select_related`; None before the first recompute."""
    try:
        return district.score
    except DistrictScore.DoesNotExist:
        return None


def published_runs(election: Election) -> QuerySet[ScoreRun]:
    """The election's last HISTORY_POINTS published runs: each wrote one history row per district."""
    runs = ScoreRun.objects.filter(election=election, status=ScoreRunStatus.FINISHED)
    return runs.order_by("-pk").values("pk")[:HISTORY_POINTS]


def score_history(election: Election, rows: list[DistrictRow]) -> dict[int, list[float]]:
    """Every district's scores over the last published runs, oldest first, in one query; a run that
    found too few stations for a score adds no point. Scores and their history are published
    together, so without a current score there is no history to ask for (and no query)."""
    if not any(district_score(row.district) for row in rows):
        return {}
    history: dict[int, list[float]] = {}
    runs = Subquery(published_runs(election))
    found = (
        DistrictScoreHistory.objects.filter(run_id__in=runs, score__isnull=False)
        .order_by("district_id", "run_id")
        .values_list("district_id", "score")
    )
    for district_id, score in found:
        history.setdefault(district_id, []).append(score)
    return history


def serious_rate_points(rows: list[DistrictRow], url=None) -> list[FunnelPoint]:
    """Per district with a score: the stations its score counted (n) and, among them, the stations
    whose worst incident is result-changing (S5), each weighed by its indicator Y as the score
    weighs it. `url(district)` links a point to the district."""
    points = []
    for row in rows:
        score = district_score(row.district)
        if score is None or not score.n:
            continue
        events = score.components.get("severities", {}).get(str(int(Severity.S5)), {}).get("events", 0.0)
        link = url(row.district) if url else None
        points.append(FunnelPoint(label=str(row.district), n=score.n, events=events, url=link))
    return points


@dataclass
class DistrictDetail:
    district: District
    score: DistrictScore | None
    # Stations with an incident, worst first; `your_reports` counts the user's organizations' reports.
    indicators: list[StationIndicator]
    history: list[DistrictScoreHistory]  # oldest first, the last HISTORY_POINTS


def district_detail_for_user(*, user: AbstractBaseUser, district_id: int) -> DistrictDetail:
    """A district with its score, station indicators and history: three queries whatever its size.
    Districts are the public registry, as on the dashboard; a missing one is NotFound."""
    try:
        district = (
            District.objects.select_related("election", "region", "score", "score__run")
            .defer("score__run__inputs")
            .get(pk=district_id)
        )
    except District.DoesNotExist:
        raise NotFound(_("No such district.")) from None
    yours = (
        scoped_for_staff(IncidentReport.objects.filter(station_id=OuterRef("station_id")), user)
        .order_by()
        .values("station_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    indicators = (
        StationIndicator.objects.filter(station__district=district, severity__isnull=False)
        .select_related("station")
        .annotate(your_reports=Coalesce(Subquery(yours), Value(0)))
        .order_by("-severity", "-y", "station__number")
    )
    history = DistrictScoreHistory.objects.filter(district=district).order_by("-run_id")[:HISTORY_POINTS]
    return DistrictDetail(
        district=district,
        score=district_score(district),
        indicators=list(indicators),
        history=list(reversed(history)),
    )
