"""The report list at national scale (a million reports on election night): a page count that does
not count every matching row, and a search the database answers from its indexes.

bench/coordinator_pages.py measures both.
"""

import json
from datetime import datetime, time, timedelta
from itertools import pairwise

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal

from reports.models.observations import IncidentReportQuerySet
from stations.models import PollingStation

# Up to this many matching rows the list counts them exactly (a bounded read); above, PostgreSQL's
# planner estimates them, since pages that deep are reached by filtering, not by paging.
EXACT_COUNT_UP_TO = 10_000
# An election's reports span a day or two; a list spanning more months lists its days the usual way.
MAX_DAYS_PROBED = 62


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        rows = self.object_list.order_by().values("pk")
        bounded = rows[: EXACT_COUNT_UP_TO + 1].count()
        if bounded <= EXACT_COUNT_UP_TO:
            return bounded
        if connections[rows.db].vendor != "postgresql":
            return rows.count()  # SQLite serves small missions: the exact count stays affordable
        return max(bounded, planned_rows(rows))


def planned_rows(queryset: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects `queryset` to return, without running it."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # a driver that does not decode json
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def search_reports(queryset: QuerySet, search_term: str) -> QuerySet:
    """Each word is an exact station number or a part of the description, as the admin's
    search_fields ["=station__number", "description"] say, but with the stations looked up first:
    `station_id IN (...) OR UPPER(description) LIKE ...` is two index reads on PostgreSQL (the
    station index and the trigram index of migration 0011), where an OR across the join to the
    stations reads every report."""
    for word in smart_split(search_term):
        if word[0] in "\"'" and word[0] == word[-1] and len(word) > 1:
            word = unescape_string_literal(word)
        stations = list(PollingStation.objects.filter(number=word).values_list("pk", flat=True))
        queryset = queryset.filter(Q(station_id__in=stations) | Q(description__icontains=word))
    return queryset


class ReportListQuerySet(IncidentReportQuerySet):
    """The list's rows, with the date hierarchy's days found by a few index reads instead of a
    DISTINCT over every matching report."""

    def aggregate(self, *args, **kwargs):
        """The date hierarchy asks for its bounds as one MIN/MAX aggregate, which PostgreSQL
        answers by reading every report in scope; two one-row reads in order use the time index."""
        if (
            args
            or set(kwargs) != {"first", "last"}
            or not all(
                type(kwargs[end]) in (Min, Max) and kwargs[end].name in ("Min", "Max") for end in kwargs
            )
        ):
            return super().aggregate(*args, **kwargs)
        # Kept for datetimes(), which the date hierarchy calls next on the same queryset.
        self.hierarchy_bounds = {end: self.bound(kwargs[end]) for end in ("first", "last")}
        return dict(self.hierarchy_bounds)

    def bound(self, aggregate):
        field = aggregate.source_expressions[0].name
        ordered = self.order_by(field if isinstance(aggregate, Min) else f"-{field}")
        return ordered.filter(**{f"{field}__isnull": False}).values_list(field, flat=True).first()

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        if kind != "day" or order != "ASC":
            return super().datetimes(field_name, kind, order, tzinfo)
        zone = tzinfo or timezone.get_current_timezone()
        bounds = getattr(self, "hierarchy_bounds", None) or self.aggregate(
            first=Min(field_name), last=Max(field_name)
        )
        if bounds["first"] is None:
            return []
        first, last = (bounds[end].astimezone(zone).date() for end in ("first", "last"))
        if (last - first).days > MAX_DAYS_PROBED:
            return super().datetimes(field_name, kind, order, tzinfo)
        starts = [
            datetime.combine(first + timedelta(days=n), time.min, tzinfo=zone)
            for n in range((last - first).days + 2)
        ]
        return [
            start
            for start, end in pairwise(starts)
            if self.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end}).exists()
        ]


def report_list_queryset(queryset: QuerySet) -> ReportListQuerySet:
    return ReportListQuerySet(model=queryset.model, query=queryset.query.chain(), using=queryset._db)


def facets_affordable(queryset: QuerySet) -> bool:
    """Whether the filter side bar's counts are cheap: each one counts every report in scope."""
    return queryset.order_by().values("pk")[: EXACT_COUNT_UP_TO + 1].count() <= EXACT_COUNT_UP_TO
