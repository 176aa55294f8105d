"""Every threshold and weight of the forensic tests, as one frozen value that can be stored."""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

# The tests in the order they are reported; each has a weight in F.
TESTS = ("integer", "corner", "slope", "last_digit", "second_digit")
# DESIGN.md: a flag of the integer, corner or slope test counts 1, a digit test half.
DEFAULT_WEIGHTS = {"integer": 1.0, "corner": 1.0, "slope": 1.0, "last_digit": 0.5, "second_digit": 0.5}
TURNOUT_BASES = ("in_boxes", "issued")
DIGIT_CHOICES = ("leader", "all")
# What the digit tests compare with: each district's own honest recounts, or the digit laws
# (uniform last digit, Benford's second digit) as runs made before the recounts did.
DIGIT_NULLS = ("simulated", "law")


@dataclass(frozen=True)
class ForensicParams:
    """Defaults follow DESIGN.md and the papers; docs/methodology.md ("Election forensics") says
    why each is what it is."""

    # A district is tested only with at least this many stations with numbers.
    min_stations: int = 100
    # Benjamini-Hochberg false-discovery rate across the districts of an election, per test.
    fdr_q: float = 0.05
    # Raw flag level of the tests that flag on a p-value (corner, slope, both digit tests).
    alpha: float = 0.05
    # Integer percentages (Kobak, Shpilkin & Pshenichnikov 2016).
    integer_draws: int = 200
    integer_min_registered: int = 100
    integer_max_rate: float = 0.99
    integer_window: float = 0.05  # percentage points either side of a whole percent
    integer_z: float = 3.0
    turnout_basis: str = "in_boxes"
    # Fingerprint (Klimek, Yegorov, Hanel & Thurner 2012).
    corner: float = 0.95
    corner_reference_rate: float = 0.005
    slope_threshold: float = 0.3
    bootstrap: int = 500
    # Digits (Beber & Scacco 2012; Mebane's second-digit test).
    last_digit_min_count: int = 100
    second_digit_min_count: int = 10
    digit_min_counts: int = 50
    digit_choices: str = "leader"  # whose votes: the leader's, or every choice's
    digit_null: str = "simulated"
    digit_draws: int = 200  # honest recounts per count for the simulated null
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def __post_init__(self) -> None:
        weights = {str(k): float(v) for k, v in self.weights.items()}
        if set(weights) != set(TESTS) or not all(v >= 0 for v in weights.values()):
            raise ValueError(f"Forensic weights must give each of {TESTS} a weight of at least 0.")
        if self.turnout_basis not in TURNOUT_BASES:
            raise ValueError(f"The turnout basis must be one of {TURNOUT_BASES}.")
        if self.integer_draws < 200:
            raise ValueError("The integer-percentage null needs at least 200 draws.")
        if self.bootstrap < 100:
            raise ValueError("The slope's bootstrap needs at least 100 resamples.")
        if not (0 < self.fdr_q < 1 and 0 < self.alpha < 1 and 0 < self.corner_reference_rate < 1):
            raise ValueError("The false-discovery rate, alpha and the corner reference rate lie in (0, 1).")
        if not 0 < self.integer_window < 0.5:
            raise ValueError("The integer window is a number of percentage points in (0, 0.5).")
        if self.digit_choices not in DIGIT_CHOICES:
            raise ValueError(f"The digit tests run on the votes of one of {DIGIT_CHOICES}.")
        if self.digit_null not in DIGIT_NULLS or self.digit_draws < 200:
            raise ValueError(f"The digit null is one of {DIGIT_NULLS}, with at least 200 recounts.")
        if self.min_stations < 1 or self.digit_min_counts < 10:
            raise ValueError("A district needs at least 1 station and a digit test at least 10 counts.")
        if min(self.last_digit_min_count, self.second_digit_min_count) < 10:
            raise ValueError("The digit tests need counts of at least 10 (two digits).")
        object.__setattr__(self, "weights", MappingProxyType(weights))

    def as_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["weights"] = dict(self.weights)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ForensicParams":
        """Parameters stored before the digit tests had a simulated null read as the law's null."""
        return cls(**{"digit_null": "law", **data})
