"""Gathering: from the database to the scoring inputs of a whole election, or of one district.

Set-based: one query brings every report of the election as five columns (station, category code,
severity, time as epoch seconds, evidence level, the last worked out in SQL by `with_evidence`),
which go into a numpy array as they are; one query brings the stations with their district and
sample flag, one the stations with a check-in. No Python loop runs over reports: the rows are
only copied into arrays, and reports.scoring does the rest with vectorised code.

Rejected reports are gathered too: they weigh nothing, but they count in a station's reports and
leave its severity empty when all of its reports were rejected.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import chain

import numpy as np
from django.db import connections
from django.db.models import Case, FloatField, Func, IntegerField, Value, When

from reports.models import CheckIn, Evidence, IncidentReport
from reports.scoring import (
    DistrictInput,
    ReportColumns,
    ScoreParams,
    StationInput,
    district_inputs,
    station_indicators,
)
from reports.scoring import StationIndicator as Indicator
from reports.taxonomy import Category
from stations.models import PollingStation

# Categories as small integers in SQL: integers travel and sort faster than text.
CATEGORY_CODE = Case(
    *(When(category=value, then=Value(code)) for code, value in enumerate(Category.values)),
    output_field=IntegerField(),
)


# Rows are fetched in chunks, so that a million reports never exist as a million tuples at once.
FETCH_ROWS = 20_000
EVIDENCE_WIDTH = max(len(level) for level in Evidence.values)
REPORT_ROW = np.dtype(
    [
        ("station", np.int64),
        ("category", np.int64),
        ("severity", np.int64),
        ("at", np.float64),
        ("evidence", f"U{EVIDENCE_WIDTH}"),
    ]
)


class Epoch(Func):
    """Seconds since 1970 as a float, computed by the database: no datetime object per report."""

    output_field = FloatField()
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)"

    def as_sqlite(self, compiler, connection, **extra_context):
        # 2440587.5 is the Julian day of 1970-01-01 00:00 UTC; SQLite keeps times to the millisecond.
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


@dataclass(frozen=True)
class Gathered:
    inputs: list[DistrictInput]  # in the order of the districts' ids
    indicators: Mapping[Hashable, Indicator]  # by station id, stations with reports only


def report_columns(election_id: int, *, district_id: int | None = None) -> ReportColumns:
    """Every report of the election (or of one district) as columns, in one query."""
    reports = IncidentReport.objects.filter(election_id=election_id)
    if district_id is not None:
        reports = reports.filter(station__district_id=district_id)
    queryset = (
        reports.order_by()
        .with_evidence()
        .annotate(category_code=CATEGORY_CODE, at=Epoch("occurred_at"))
        .values_list("station_id", "category_code", "severity", "at", "evidence")
    )
    # The ORM writes the query; the rows go from the cursor straight into one structured array,
    # skipping the ORM's per-row converters, which would take longer than the query itself.
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        chunks = iter(partial(cursor.fetchmany, FETCH_ROWS), [])
        rows = np.fromiter(chain.from_iterable(chunks), dtype=REPORT_ROW)
    return ReportColumns(
        station_id=rows["station"],
        category=rows["category"],
        severity=rows["severity"],
        occurred_at=rows["at"],
        evidence=rows["evidence"],
    )


def station_inputs(election_id: int, *, district_id: int | None = None) -> list[StationInput]:
    """The election's stations with district, sample flag and whether an observer checked in."""
    checkins = CheckIn.objects.filter(election_id=election_id)
    stations = PollingStation.objects.filter(election_id=election_id)
    if district_id is not None:
        checkins = checkins.filter(station__district_id=district_id)
        stations = stations.filter(district_id=district_id)
    observed = set(checkins.order_by().values_list("station_id", flat=True).distinct())
    rows = stations.order_by("district_id", "pk").values_list("pk", "district_id", "in_sample")
    return [StationInput(pk, district, pk in observed, sample) for pk, district, sample in rows]


def gather(election_id: int, params: ScoreParams, *, district_id: int | None = None) -> Gathered:
    """The district inputs of an election (or of one district) and its station indicators."""
    indicators = station_indicators(report_columns(election_id, district_id=district_id), params)
    stations = station_inputs(election_id, district_id=district_id)
    return Gathered(inputs=district_inputs(stations, indicators, params), indicators=indicators)
