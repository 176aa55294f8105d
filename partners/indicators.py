"""Station indicators as partners may see them: worked out from shared reports alone.

The scores' own indicators (integrity.models.StationIndicator) weigh every report, unverified ones
and those of organizations that do not share included, so a station's Y, worst severity or count
of incidents would tell a partner that such reports exist. Here the same methodology (evidence
levels, incidents chained within the window, Y = 1 - Π(1 - π) at the worst severity) runs on
the reports partners may read, with corroboration among those reports only. The published
district score stays what it is: an aggregate over all evidence, by design.
"""

from collections.abc import Hashable, Iterable, Mapping

import numpy as np

from integrity.columns import integer_columns
from integrity.gather import (
    CATEGORY_SHIFT,
    KIND,
    SEVERITY_SHIFT,
    VERIFIED_WITH_PHOTO,
    EpochMicroseconds,
    ReportRows,
)
from integrity.scoring import ReportColumns, ScoreParams, station_indicators
from integrity.scoring import StationIndicator as Indicator
from integrity.scoring.evidence import VERIFIED
from partners.selectors import shared_reports

COLUMNS = ["station_id", "observer_id", "at", "kind"]


def shared_rows(*, election_id: int, station_ids: Iterable[int] | None = None) -> ReportRows:
    """The shared reports of the election (or of these stations: ids, or a query of them) as
    columns, in one query."""
    reports = shared_reports().filter(election_id=election_id)
    if station_ids is not None:
        reports = reports.filter(station_id__in=station_ids)
    queryset = reports.order_by().values(
        "station_id", "observer_id", at=EpochMicroseconds("occurred_at"), kind=KIND
    )
    station, observer, at, kind = integer_columns(queryset, COLUMNS)
    review = kind % SEVERITY_SHIFT
    return ReportRows(
        station_id=station,
        category=kind // CATEGORY_SHIFT,
        severity=kind % CATEGORY_SHIFT // SEVERITY_SHIFT,
        occurred_at=at,
        observer_id=observer,
        review=np.minimum(review, VERIFIED),
        photo=review == VERIFIED_WITH_PHOTO,
    )


def indicators_for_partners(
    *, election_id: int, station_ids: Iterable[int] | None = None
) -> Mapping[Hashable, Indicator]:
    """Each station's indicator from shared reports, by station id; a station without any has none."""
    rows = shared_rows(election_id=election_id, station_ids=station_ids)
    if not len(rows):
        return {}
    columns = ReportColumns(
        station_id=rows.station_id,
        category=rows.category,
        severity=rows.severity,
        occurred_at=rows.occurred_at / 1e6,
        evidence=rows.evidence(),
    )
    return station_indicators(columns, ScoreParams.from_settings())
