"""From stations to district inputs: the fractional event counts x and the denominators n.

n is the number of observed stations (an observer checked in). The random sample is preferred:
a district with at least `min_sample_stations` observed stations of the random sample is counted
on those alone, x and n both, because a sample's rate is unbiased while observers elsewhere go
where they expect trouble (or where it is easy to go). Otherwise all observed stations count, and
`sample_used` says so. Incidents at stations without a check-in are left out of x, as their
station is out of n, and are counted in `reported_unobserved` so that the gap stays visible.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from integrity.scoring.indicators import StationIndicator
from integrity.scoring.params import SEVERITIES, ScoreParams


@dataclass(frozen=True)
class StationInput:
    station_id: Hashable
    district_id: Hashable
    observed: bool  # an observer checked in
    in_sample: bool = False


@dataclass(frozen=True)
class CountRisk:
    """R_C of one district: a point value (held fixed), or a distribution as (mean, sd) or draws.

    Zero until the count capabilities exist. A (mean, sd) is drawn from the Beta distribution with
    that mean and standard deviation; draws are used as they are when there are exactly as many
    as the score's draws, and resampled with replacement otherwise.
    """

    mean: float = 0.0
    sd: float | None = None
    draws: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if self.draws is not None:
            object.__setattr__(self, "draws", tuple(float(d) for d in self.draws))
            if not self.draws or not all(0 <= d <= 1 for d in self.draws):
                raise ValueError("Count-risk draws must be a non-empty list of values in [0, 1].")
            if abs(self.mean - float(np.mean(self.draws))) > 1e-9:
                raise ValueError("A count risk given as draws has their mean as its value (use from_draws).")
        if not 0 <= self.mean <= 1:
            raise ValueError(f"A count risk must lie in [0, 1], not {self.mean}.")
        if self.sd is not None and (
            self.sd < 0 or (self.sd and not self.sd**2 < self.mean * (1 - self.mean))
        ):
            raise ValueError(f"No Beta distribution has mean {self.mean} and sd {self.sd}.")

    @classmethod
    def from_draws(cls, draws: Iterable[float]) -> "CountRisk":
        values = tuple(float(d) for d in draws)
        return cls(mean=float(np.mean(values)) if values else 0.0, draws=values)

    @property
    def is_fixed(self) -> bool:
        return self.draws is None and not self.sd

    def as_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "sd": self.sd, "draws": None if self.draws is None else list(self.draws)}


@dataclass(frozen=True)
class DistrictInput:
    """Everything the district maths needs; stored with a published score so it can re-run."""

    district_id: Hashable
    stations: int  # all polling stations of the district
    observed: int  # stations with a check-in
    sample_observed: int  # observed stations of the random sample
    sample_used: bool
    n: int  # the denominator used: sample_observed or observed
    events: Mapping[int, float] = field(default_factory=dict)  # x: Σ Y per severity
    count_risk: CountRisk = field(default_factory=CountRisk)
    forensic_flags: float = 0.0  # F, a weighted count of flags; zero until forensics exist
    reported_unobserved: int = 0

    def __post_init__(self) -> None:
        events = {int(s): float(self.events.get(s, self.events.get(str(s), 0.0))) for s in SEVERITIES}
        object.__setattr__(self, "events", events)
        if sum(events.values()) > self.n + 1e-9 or min(events.values()) < 0:
            raise ValueError(f"District {self.district_id}: events must lie between 0 and n = {self.n}.")
        if self.forensic_flags < 0:
            raise ValueError(f"District {self.district_id}: forensic flags cannot be negative.")

    @property
    def sample_share(self) -> float:
        """Observed sample stations as a share of all the district's stations."""
        return self.sample_observed / self.stations if self.stations else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "district_id": self.district_id,
            "stations": self.stations,
            "observed": self.observed,
            "sample_observed": self.sample_observed,
            "sample_used": self.sample_used,
            "n": self.n,
            "events": {str(s): v for s, v in self.events.items()},
            "count_risk": self.count_risk.as_dict(),
            "forensic_flags": self.forensic_flags,
            "reported_unobserved": self.reported_unobserved,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DistrictInput":
        risk = data.get("count_risk") or {}
        return cls(**{**data, "count_risk": CountRisk(**risk)})


def district_inputs(
    stations: Iterable[StationInput],
    indicators: Mapping[Hashable, StationIndicator],
    params: ScoreParams,
    *,
    count_risk: Mapping[Hashable, CountRisk] | None = None,
    forensic_flags: Mapping[Hashable, float] | None = None,
) -> list[DistrictInput]:
    """One DistrictInput per district, in the order districts first appear in `stations`."""
    tally: dict[Hashable, dict[str, Any]] = {}
    for station in stations:
        counts = tally.setdefault(station.district_id, _empty_tally())
        counts["stations"] += 1
        indicator = indicators.get(station.station_id)
        incident = indicator is not None and indicator.severity is not None
        if not station.observed:
            counts["reported_unobserved"] += int(incident)
            continue
        for scope in ("all", "sample") if station.in_sample else ("all",):
            counts[scope]["n"] += 1
            if incident:
                counts[scope]["events"][indicator.severity] += indicator.y
    count_risk, forensic_flags = count_risk or {}, forensic_flags or {}
    return [
        _district_input(district_id, counts, params, count_risk, forensic_flags)
        for district_id, counts in tally.items()
    ]


def _empty_tally() -> dict[str, Any]:
    def scope() -> dict[str, Any]:
        return {"n": 0, "events": dict.fromkeys(SEVERITIES, 0.0)}

    return {"stations": 0, "reported_unobserved": 0, "all": scope(), "sample": scope()}


def _district_input(district_id, counts, params, count_risk, forensic_flags) -> DistrictInput:
    sample_used = counts["sample"]["n"] >= params.min_sample_stations
    chosen = counts["sample" if sample_used else "all"]
    return DistrictInput(
        district_id=district_id,
        stations=counts["stations"],
        observed=counts["all"]["n"],
        sample_observed=counts["sample"]["n"],
        sample_used=sample_used,
        n=chosen["n"],
        events=chosen["events"],
        count_risk=count_risk.get(district_id, CountRisk()),
        forensic_flags=float(forensic_flags.get(district_id, 0.0)),
        reported_unobserved=counts["reported_unobserved"],
    )
