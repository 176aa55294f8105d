"""Gathering: from the database to the scoring inputs of a whole election, or of one district.

Set-based, and the database only reads: one query brings every report of the election as four
integer columns (station, observer, time in microseconds since 1970, and a small code that packs
the category, the severity and the review state, with whether a verified report has a photo),
aggregated so that each column arrives as one text that numpy parses (integrity.columns).
The evidence levels, which IncidentReportQuerySet.with_evidence() works out with a correlated
subquery per report, are computed from these columns with vectorised numpy
(integrity.scoring.evidence), and so are the station indicators. One query brings the stations with
their district and sample flag, one the stations with a check-in or a checklist
answered. No Python loop runs over reports.

Rejected reports are gathered too: they weigh nothing, but they count in a station's reports and
leave its severity empty when all of its reports were rejected.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, Q, Value, When

from checklists.models import Submission
from integrity.columns import integer_columns
from integrity.count_inputs import CountInputs, count_inputs
from integrity.scoring import (
    DistrictInput,
    ReportColumns,
    ScoreParams,
    StationInput,
    district_inputs,
    station_indicators,
)
from integrity.scoring import StationIndicator as Indicator
from integrity.scoring.evidence import REJECTED, UNREVIEWED, VERIFIED, evidence_levels
from reports.models import CheckIn, IncidentReport, ReportPhoto, ReportStatus
from reports.models.observations import CORROBORATION_WINDOW
from reports.taxonomy import Category
from stations.models import PollingStation

# Categories as small integers, numbered in the order of their names, so that rows read through
# the (election, station, category, time) index arrive sorted. A category the code no longer
# knows gets a code of its own rather than a NULL, which would shift the columns.
CATEGORIES = tuple(sorted(Category.values))
CATEGORY_CODE = Case(
    *(When(category=value, then=Value(code)) for code, value in enumerate(CATEGORIES)),
    default=Value(len(CATEGORIES)),
    output_field=IntegerField(),
)
# A verified report with a photo is documented: one more review state, for the gathering only.
VERIFIED_WITH_PHOTO = VERIFIED + 1
REVIEW_CODE = Case(
    When(status=ReportStatus.REJECTED, then=Value(REJECTED)),
    When(~Q(status=ReportStatus.VERIFIED), then=Value(UNREVIEWED)),
    When(Exists(ReportPhoto.objects.filter(report_id=OuterRef("pk"))), then=Value(VERIFIED_WITH_PHOTO)),
    default=Value(VERIFIED),
    output_field=IntegerField(),
)
# kind = category · 256 + severity · 4 + review state
SEVERITY_SHIFT, CATEGORY_SHIFT = 4, 256
KIND = CATEGORY_CODE * Value(CATEGORY_SHIFT) + F("severity") * Value(SEVERITY_SHIFT) + REVIEW_CODE
WINDOW_MICROSECONDS = CORROBORATION_WINDOW // timedelta(microseconds=1)


class EpochMicroseconds(Func):
    """Microseconds since 1970 as an exact integer, computed by the database: corroboration
    compares times to the microsecond, as with_evidence() does in SQL."""

    output_field = IntegerField()
    # date_part on whole seconds and on the seconds field: two exact doubles, not a numeric.
    template = (
        "(CAST(date_part('epoch', date_trunc('second', %(expressions)s)) AS bigint) * 1000000"
        " + MOD(CAST(date_part('microseconds', %(expressions)s) AS bigint), 1000000))"
    )

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: whole seconds, then six digits or none.
        # The seconds are read from the first 19 characters alone, as SQLite's date functions round
        # to the millisecond (59.9995 s and later would become the next second). unixepoch() came
        # with SQLite 3.38; strftime's "%s" ("%%%%" survives two formattings) before it.
        if connection.Database.sqlite_version_info >= (3, 38):
            seconds = "unixepoch(substr(%(expressions)s, 1, 19))"
        else:
            seconds = "CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)"
        template = f"({seconds} * 1000000 + CAST(substr(%(expressions)s, 21, 6) AS INTEGER))"
        return self.as_sql(compiler, connection, template=template, **extra_context)


@dataclass(frozen=True)
class ReportRows:
    """The reports as the database holds them, as parallel arrays sorted by station, category and
    time; `occurred_at` in microseconds since 1970."""

    station_id: np.ndarray
    category: np.ndarray  # index in CATEGORIES
    severity: np.ndarray
    occurred_at: np.ndarray
    observer_id: np.ndarray
    review: np.ndarray  # REJECTED, UNREVIEWED or VERIFIED
    photo: np.ndarray  # verified with at least one photo

    def __len__(self) -> int:
        return len(self.station_id)

    def evidence(self) -> np.ndarray:
        """Each report's index in EVIDENCE_LEVELS."""
        return evidence_levels(
            station=self.station_id,
            category=self.category,
            occurred_at=self.occurred_at,
            observer=self.observer_id,
            review=self.review,
            photo=self.photo,
            window=WINDOW_MICROSECONDS,
        )


@dataclass(frozen=True)
class Gathered:
    inputs: list[DistrictInput]  # in the order of the districts' ids
    indicators: Mapping[Hashable, Indicator]  # by station id, stations with reports only
    # Districts whose count risk was measured (observers' numbers to compare), and those the
    # forensic tests ran in: elsewhere R_C and F are zero because nobody looked.
    count_measured: frozenset = frozenset()
    forensics_tested: frozenset = frozenset()


def report_rows(election_id: int, *, district_id: int | None = None) -> ReportRows:
    """Every report of the election (or of one district) as plain columns, in one query."""
    reports = IncidentReport.objects.filter(election_id=election_id)
    if district_id is not None:
        reports = reports.filter(station__district_id=district_id)
    queryset = reports.order_by().values(
        "station_id", "observer_id", at=EpochMicroseconds("occurred_at"), kind=KIND
    )
    station, observer, at, kind = integer_columns(queryset, ["station_id", "observer_id", "at", "kind"])
    review = kind % SEVERITY_SHIFT
    columns = (
        station,
        kind // CATEGORY_SHIFT,
        kind % CATEGORY_SHIFT // SEVERITY_SHIFT,
        at,
        observer,
        np.minimum(review, VERIFIED),
        review == VERIFIED_WITH_PHOTO,
    )
    order = _order(station, columns[1], at)
    return ReportRows(*(column[order] for column in columns))


def _order(station: np.ndarray, category: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The order by station, category and time; next to free when the rows came sorted."""
    if not len(station):
        return np.arange(0)
    parts = [station - station.min(), category, at - at.min()]
    widths = [max(int(part.max()).bit_length(), 1) for part in parts]
    if sum(widths) > 63:
        return np.lexsort(parts[::-1])
    key = (parts[0] << (widths[1] + widths[2])) | (parts[1] << widths[2]) | parts[2]
    return np.argsort(key)


def report_columns(election_id: int, *, district_id: int | None = None) -> ReportColumns:
    """Every report of the election (or of one district) with its evidence level, as columns."""
    rows = report_rows(election_id, district_id=district_id)
    return ReportColumns(
        station_id=rows.station_id,
        category=rows.category,
        severity=rows.severity,
        occurred_at=rows.occurred_at / 1e6,
        evidence=rows.evidence(),
    )


def station_inputs(election_id: int, *, district_id: int | None = None) -> list[StationInput]:
    """The election's stations with district, sample flag and whether an observer was there: a
    check-in, or a checklist answered (an "all fine" checklist is a clean observation; its critical
    answers are reports, counted as reports are)."""
    checkins = CheckIn.objects.filter(election_id=election_id)
    checklists = Submission.objects.filter(election_id=election_id)
    stations = PollingStation.objects.filter(election_id=election_id)
    if district_id is not None:
        checkins = checkins.filter(station__district_id=district_id)
        checklists = checklists.filter(station__district_id=district_id)
        stations = stations.filter(district_id=district_id)
    # One query for both: a UNION, which removes the repeats too.
    answered = checklists.order_by().values_list("station_id", flat=True)
    observed = set(checkins.order_by().values_list("station_id", flat=True).union(answered))
    rows = stations.order_by("district_id", "pk").values_list("pk", "district_id", "in_sample")
    return [StationInput(pk, district, pk in observed, sample) for pk, district, sample in rows]


def gather(
    election_id: int,
    params: ScoreParams,
    *,
    district_id: int | None = None,
    count: CountInputs | None = None,
) -> Gathered:
    """The district inputs of an election (or of one district) and its station indicators.

    The count risk and forensic flags come from the count (`integrity.count_inputs`) unless `count`
    is given, as scoring one district does with those of the last published run."""
    indicators = station_indicators(report_columns(election_id, district_id=district_id), params)
    stations = station_inputs(election_id, district_id=district_id)
    if count is None:
        count = count_inputs(
            election_id, strength_min=params.prior_strength_min, strength_max=params.prior_strength_max
        )
    inputs = district_inputs(
        stations, indicators, params, count_risk=count.count_risk, forensic_flags=count.forensic_flags
    )
    return Gathered(
        inputs=inputs,
        indicators=indicators,
        count_measured=frozenset(count.count_risk),
        forensics_tested=frozenset(count.forensic_flags),
    )
