"""What the tests return: frozen values whose `as_dict()` is ready for `json.dumps(allow_nan=False)`."""

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from counts.forensics.params import TESTS, ForensicParams

# Why a test did not run; the codes are stable (the dashboard translates them), the notes are English.
FEW_STATIONS = "few_stations"
NO_VARIATION = "no_variation"
FEW_COUNTS = "few_counts"
NO_STATIONS = "no_stations"


def plain(value: Any) -> Any:
    """numpy scalars to Python ones, non-finite floats to None, containers recursively."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class TestResult:
    """One test in one district (or nationally). `flagged` is the flag that counts in F: the raw
    flag confirmed by Benjamini-Hochberg across districts (nationally, the raw flag)."""

    __test__ = False  # not a pytest test class, whatever its name

    test: str
    ran: bool
    n: int  # stations (or vote counts, for the digit tests) the test used
    statistic: float | None = None
    z: float | None = None
    p: float | None = None
    p_adjusted: float | None = None
    raw_flag: bool = False
    flagged: bool = False
    reason: str | None = None  # a code from this module when the test did not run
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def as_dict(self) -> dict[str, Any]:
        return plain(
            {
                "ran": self.ran,
                "n": self.n,
                "statistic": self.statistic,
                "z": self.z,
                "p": self.p,
                "p_adjusted": self.p_adjusted,
                "raw_flag": self.raw_flag,
                "flagged": self.flagged,
                "reason": self.reason,
                "note": self.note,
                **self.details,
            }
        )


def not_run(test: str, n: int, reason: str, note: str) -> TestResult:
    """Never a flag: a test that did not run says why."""
    return TestResult(test=test, ran=False, n=n, reason=reason, note=note)


@dataclass(frozen=True)
class DistrictForensics:
    district: Hashable  # the caller's label (a district number) or "national"
    name: str
    stations: int  # stations with numbers
    tests: Mapping[str, TestResult]
    correlation: float | None  # voter-weighted r of turnout and leader share; information only
    flags: float  # F, the weighted count of flagged tests

    def __post_init__(self) -> None:
        object.__setattr__(self, "tests", MappingProxyType(dict(self.tests)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "district": plain(self.district),
            "name": self.name,
            "stations": int(self.stations),
            "F": float(self.flags),
            "correlation": plain(self.correlation),
            **{name: self.tests[name].as_dict() for name in TESTS},
        }


def with_flags(tests: Mapping[str, TestResult], params: ForensicParams) -> float:
    return float(sum(params.weights[name] for name, result in tests.items() if result.flagged))


@dataclass(frozen=True)
class ElectionForensics:
    leader: str
    seed: int
    params: ForensicParams
    districts: tuple[DistrictForensics, ...]
    national: DistrictForensics

    def district(self, label: Hashable) -> DistrictForensics:
        for item in self.districts:
            if item.district == label:
                return item
        raise KeyError(label)

    def as_dict(self) -> dict[str, Any]:
        return {
            "leader": self.leader,
            "seed": self.seed,
            "params": self.params.as_dict(),
            "districts": [item.as_dict() for item in self.districts],
            "national": self.national.as_dict(),
        }


def confirm(result: TestResult, rejected: bool, adjusted: float) -> TestResult:
    return replace(result, p_adjusted=float(adjusted), flagged=bool(result.raw_flag and rejected))
