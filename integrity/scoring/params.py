"""The weights and thresholds of the integrity score, as one frozen value that can be stored."""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

# The values of reports.taxonomy.Severity, mildest first; kept as plain numbers so that this
# package imports nothing from Django.
SEVERITIES = (1, 3, 5)
EVIDENCE_LEVELS = ("rejected", "unverified", "verified", "corroborated", "documented")

# "verified" (a reviewer accepted it, but there is no photo and no independent second observer) is
# not weighed in DESIGN.md. It sits between "unverified" (0.3) and "corroborated" (0.7): a
# reviewer's check is more than the observer's word alone and less than an independent witness.
DEFAULT_EVIDENCE_WEIGHTS = {
    "rejected": 0.0,
    "unverified": 0.3,
    "verified": 0.5,
    "corroborated": 0.7,
    "documented": 1.0,
}
DEFAULT_SEVERITY_WEIGHTS = {5: 1.0, 3: 0.4, 1: 0.1}

BAND_CODES = ("A", "B", "C", "D")
# Say what the evidence shows, never who did what: a band describes the problems found, and
# "found" is meant literally (by observers, in the count, in the statistics).
BAND_LABELS = {
    "A": "no serious problems found",
    "B": "some problems found",
    "C": "serious problems found",
    "D": "grave problems found",
}


@dataclass(frozen=True)
class ScoreParams:
    """Every weight and threshold of the method; `as_dict()` is stored with each published score."""

    evidence_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_EVIDENCE_WEIGHTS))
    severity_weights: Mapping[int, float] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_WEIGHTS))
    dedup_minutes: float = 60.0
    prior_strength_min: float = 2.0
    prior_strength_max: float = 1000.0
    draws: int = 2000
    min_sample_stations: int = 5
    forensic_points: float = 5.0
    # κ: the count risk's weight in the headline (method "3"); 1 in the runs made before it existed.
    count_weight: float = 1.0
    forensic_max_flags: float = 4.0
    # Lower edges of bands A, B and C; below the last is D.
    bands: tuple[float, float, float] = (85.0, 70.0, 50.0)
    coverage_sample_share: float = 0.10
    coverage_a_stations: int = 30
    coverage_b_stations: int = 15
    coverage_c_stations: int = 5

    def __post_init__(self) -> None:
        evidence = {str(k): float(v) for k, v in self.evidence_weights.items()}
        severity = {int(k): float(v) for k, v in self.severity_weights.items()}
        if set(evidence) != set(EVIDENCE_LEVELS) or not all(0 <= v <= 1 for v in evidence.values()):
            raise ValueError(f"Evidence weights must give each of {EVIDENCE_LEVELS} a weight in [0, 1].")
        if set(severity) != set(SEVERITIES) or not all(v >= 0 for v in severity.values()):
            raise ValueError(f"Severity weights must give each of {SEVERITIES} a weight of at least 0.")
        if not 0 < self.prior_strength_min <= self.prior_strength_max:
            raise ValueError("The prior strength must satisfy 0 < minimum <= maximum.")
        if not 0 <= self.count_weight <= 10:
            raise ValueError("The count weight lies between 0 and 10.")
        if self.draws < 2:
            raise ValueError("At least 2 Monte Carlo draws are needed for an interval.")
        if list(self.bands) != sorted(self.bands, reverse=True) or len(self.bands) != 3:
            raise ValueError("Bands must be three lower edges, highest first, e.g. (85, 70, 50).")
        object.__setattr__(self, "evidence_weights", MappingProxyType(evidence))
        object.__setattr__(self, "severity_weights", MappingProxyType(severity))
        object.__setattr__(self, "bands", tuple(float(b) for b in self.bands))

    @classmethod
    def from_settings(cls) -> "ScoreParams":
        # The package's only contact with Django, made when asked so that importing it needs none.
        from django.conf import settings

        return cls(
            evidence_weights=settings.SCORE_EVIDENCE_WEIGHTS,
            severity_weights=settings.SCORE_SEVERITY_WEIGHTS,
            dedup_minutes=settings.SCORE_DEDUP_MINUTES,
            prior_strength_min=settings.SCORE_PRIOR_STRENGTH_MIN,
            prior_strength_max=settings.SCORE_PRIOR_STRENGTH_MAX,
            draws=settings.SCORE_DRAWS,
            min_sample_stations=settings.SCORE_MIN_SAMPLE_STATIONS,
            forensic_points=settings.SCORE_FORENSIC_POINTS,
            count_weight=settings.SCORE_COUNT_WEIGHT,
            forensic_max_flags=settings.SCORE_FORENSIC_MAX_FLAGS,
            bands=settings.SCORE_BANDS,
            coverage_sample_share=settings.SCORE_COVERAGE_SAMPLE_SHARE,
            coverage_a_stations=settings.SCORE_COVERAGE_A_STATIONS,
            coverage_b_stations=settings.SCORE_COVERAGE_B_STATIONS,
            coverage_c_stations=settings.SCORE_COVERAGE_C_STATIONS,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with severity keys as strings; `from_dict` reads it back."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["evidence_weights"] = dict(self.evidence_weights)
        data["severity_weights"] = {str(k): v for k, v in self.severity_weights.items()}
        data["bands"] = list(self.bands)
        if data["count_weight"] == 1.0:
            # Absent from the runs made before the weight existed: their digests stay as they were.
            del data["count_weight"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ScoreParams":
        return cls(**{**data, "bands": tuple(data["bands"])})

    @property
    def weight_vector(self) -> tuple[float, ...]:
        """Severity weights in the order of SEVERITIES."""
        return tuple(self.severity_weights[s] for s in SEVERITIES)


def band_of(score: float, params: ScoreParams) -> str:
    for code, lower in zip(BAND_CODES, params.bands, strict=False):
        if score >= lower:
            return code
    return BAND_CODES[-1]
