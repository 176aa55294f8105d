"""From incident reports to station indicators: one number per station and severity.

A report weighs π by its evidence level (ScoreParams.evidence_weights). Reports of the same
station and category are one incident when they chain in time: sorted by time, a report joins the
previous one's incident when it follows it by at most `dedup_minutes` (single linkage, so a steady
trickle of reports every 50 minutes stays one incident however long it lasts). An incident weighs
the largest π among its reports and takes the severity of its most severe report with π > 0, so a
rejected report can neither add weight nor raise the severity.

The station indicator for severity s is Y_s = 1 - Π(1 - π) over the station's incidents of that
severity: the probability that at least one of them happened if each report were an independent
chance of being true. A station counts once, at its worst severity: in the class of its most
severe incident with π > 0, with that class's Y, and 0 in the milder classes. This keeps one
station from adding to R_P several times over; the milder incidents still show in `y_by_severity`.
"""

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from integrity.scoring.params import EVIDENCE_LEVELS, SEVERITIES, ScoreParams


@dataclass(frozen=True)
class ReportInput:
    station_id: Hashable
    category: str
    severity: int
    occurred_at: datetime | float  # an aware datetime or epoch seconds
    evidence: str  # one of EVIDENCE_LEVELS


@dataclass(frozen=True)
class ReportColumns:
    """The same reports as parallel arrays (or sequences): the fast path for a national recompute.

    Integer station ids and integer category codes (any numbering, e.g. the index in
    Category.values) are used as they are; other ids and categories are encoded first, which
    costs about half a second a million. Evidence is level names or their index in
    EVIDENCE_LEVELS; times are epoch seconds or aware datetimes.
    """

    station_id: np.ndarray
    category: np.ndarray
    severity: np.ndarray
    occurred_at: np.ndarray
    evidence: np.ndarray

    def __post_init__(self) -> None:
        times = np.asarray(self.occurred_at)
        if times.dtype == object:
            times = np.array([_epoch(value) for value in times.tolist()], dtype=float)
        object.__setattr__(self, "station_id", _array(self.station_id))
        object.__setattr__(self, "category", _array(self.category))
        object.__setattr__(self, "severity", np.asarray(self.severity, dtype=np.int64))
        object.__setattr__(self, "occurred_at", times.astype(float))
        object.__setattr__(self, "evidence", _array(self.evidence))
        if (
            len(
                {len(self.station_id), len(self.category), len(self.severity), len(times), len(self.evidence)}
            )
            > 1
        ):
            raise ValueError("Report columns must all have the same length.")

    @classmethod
    def from_reports(cls, reports: Iterable[ReportInput]) -> "ReportColumns":
        rows = list(reports)
        return cls(
            station_id=[r.station_id for r in rows],
            category=[r.category for r in rows],
            severity=[r.severity for r in rows],
            occurred_at=[_epoch(r.occurred_at) for r in rows],
            evidence=[r.evidence for r in rows],
        )

    def __len__(self) -> int:
        return len(self.station_id)


@dataclass(frozen=True)
class StationIndicator:
    station_id: Hashable
    severity: int | None  # the worst severity with Y > 0, None when every report was rejected
    y: float  # Y at that severity: what the station adds to its district's count
    y_by_severity: dict[int, float]  # before the worst-severity rule
    incidents: int
    reports: int


def _epoch(value: datetime | float) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("Report times must be aware datetimes or epoch seconds.")
        return value.timestamp()
    return float(value)


def _array(values: Sequence) -> np.ndarray:
    array = np.asarray(values)
    return array.astype(np.int64) if array.dtype.kind in "iub" else array


def _codes(array: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], list]]:
    """Small non-negative integer codes, equal exactly where the values are, and their decoder."""
    if array.dtype.kind in "iu":
        lowest = int(array.min())
        shifted = array.astype(np.int64) - lowest
        if int(shifted.max()).bit_length() <= 32:
            return shifted, lambda codes: (codes + lowest).tolist()
        values, inverse = np.unique(array, return_inverse=True)
        return inverse.astype(np.int64), lambda codes: values[codes].tolist()
    lookup: dict = {}
    codes = np.fromiter((lookup.setdefault(v, len(lookup)) for v in array.tolist()), np.int64, len(array))
    values = list(lookup)
    return codes, lambda codes: [values[c] for c in codes.tolist()]


def evidence_codes(evidence: np.ndarray) -> np.ndarray:
    """Each report's index in EVIDENCE_LEVELS; an unknown level is an error, never a weight of 0."""
    if evidence.dtype.kind in "iu":
        codes = evidence.astype(np.int64)
        if len(codes) and not 0 <= codes.min() <= codes.max() < len(EVIDENCE_LEVELS):
            raise ValueError(f"Evidence codes must index {EVIDENCE_LEVELS}.")
        return codes
    codes = np.full(len(evidence), -1, dtype=np.int64)
    for code, level in enumerate(EVIDENCE_LEVELS):
        codes[evidence == level] = code
    if (codes < 0).any():
        unknown = sorted({str(v) for v in evidence[codes < 0].tolist()})
        raise ValueError(f"Unknown evidence level(s) {unknown}; expected one of {EVIDENCE_LEVELS}.")
    return codes


def report_weights(evidence: np.ndarray, params: ScoreParams) -> np.ndarray:
    """π for each report, from level names or codes."""
    table = np.array([params.evidence_weights[level] for level in EVIDENCE_LEVELS])
    return table[evidence_codes(np.asarray(evidence))]


def _severity_levels(severity: np.ndarray) -> np.ndarray:
    """Each report's index in SEVERITIES."""
    table = np.full(max(SEVERITIES) + 1, -1, dtype=np.int64)
    table[list(SEVERITIES)] = np.arange(len(SEVERITIES))
    levels = table[np.clip(severity, 0, max(SEVERITIES))]
    if (levels < 0).any() or (severity > max(SEVERITIES)).any():
        raise ValueError(f"Severities must be among {SEVERITIES}.")
    return levels


def _sorted(*columns: np.ndarray, by: int) -> list[np.ndarray]:
    """The columns sorted together by the first `by` of them; the others ride along. When their
    bits fit in 63, they are packed into one integer and sorted as such: far quicker than an
    argsort and five gathers. Columns that come sorted (as the gathering hands them over) are
    only checked, not sorted again."""
    widths = [max(int(c.max()).bit_length(), 1) for c in columns]
    if sum(widths) > 63:
        order = np.lexsort(columns[:by][::-1])
        return [c[order] for c in columns]
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, width in zip(columns, widths, strict=True):
        key = (key << width) | column
    head = key >> sum(widths[by:])
    if (head[1:] < head[:-1]).any():
        key.sort()
    unpacked = []
    for width in reversed(widths):
        unpacked.append(key & ((1 << width) - 1))
        key = key >> width
    return unpacked[::-1]


def station_indicators(
    reports: Iterable[ReportInput] | ReportColumns, params: ScoreParams
) -> dict[Hashable, StationIndicator]:
    """Y per station and severity, vectorised: no Python loop over reports."""
    columns = reports if isinstance(reports, ReportColumns) else ReportColumns.from_reports(reports)
    if len(columns) == 0:
        return {}
    if not np.isfinite(columns.occurred_at).all():
        raise ValueError("Report times must be finite.")
    # Times are compared to the millisecond, so sorting and gap tests agree exactly.
    ms = np.round(columns.occurred_at * 1000).astype(np.int64)
    ms -= ms.min()
    (station, decode), (category, _) = _codes(columns.station_id), _codes(columns.category)
    station, category, ms, level, evidence = _sorted(
        station, category, ms, _severity_levels(columns.severity), evidence_codes(columns.evidence), by=3
    )
    pi = np.array([params.evidence_weights[e] for e in EVIDENCE_LEVELS])[evidence]

    new_station = np.r_[True, station[1:] != station[:-1]]
    new_incident = new_station | np.r_[True, category[1:] != category[:-1]]
    new_incident[1:] |= np.diff(ms) > round(params.dedup_minutes * 60_000)
    starts = np.flatnonzero(new_incident)
    incident_pi = np.maximum.reduceat(pi, starts)
    incident_level = np.maximum.reduceat(np.where(pi > 0, level, 0), starts)
    report_station = np.cumsum(new_station) - 1
    incident_station = report_station[starts]

    # 1 - Π(1 - π) through a sum of logarithms; π = 1 gives log 0 = -inf and so Y = 1.
    stations, width = int(report_station[-1]) + 1, len(SEVERITIES)
    with np.errstate(divide="ignore"):
        logs = np.log1p(-incident_pi)
    sums = np.bincount(incident_station * width + incident_level, weights=logs, minlength=stations * width)
    y = 1.0 - np.exp(sums.reshape(stations, width))
    ids = decode(station[new_station])
    return _indicators(ids, y, np.bincount(incident_station), np.bincount(report_station))


def _indicators(ids: list, y: np.ndarray, incidents: np.ndarray, reports: np.ndarray) -> dict:
    positive = y > 0
    worst = len(SEVERITIES) - 1 - np.argmax(positive[:, ::-1], axis=1)
    worst_y = np.where(positive.any(axis=1), y[np.arange(len(y)), worst], 0.0)
    rows = zip(
        ids, worst.tolist(), worst_y.tolist(), y.tolist(), incidents.tolist(), reports.tolist(), strict=True
    )
    return {
        station_id: StationIndicator(
            station_id=station_id,
            severity=SEVERITIES[level] if value > 0 else None,
            y=value,
            y_by_severity=dict(zip(SEVERITIES, by_level, strict=True)),
            incidents=n_incidents,
            reports=n_reports,
        )
        for station_id, level, value, by_level, n_incidents, n_reports in rows
    }
