"""Parallel vote tabulation (PVT): estimates from the observers' counts at a random sample of stations.

Pure functions over numpy arrays; no database. The ratio estimator (Cochran, Sampling Techniques,
§6.11, the combined ratio estimator over strata) estimates a ratio of two totals — turnout is the
ballots counted over the registered voters, a party's share its votes over the valid votes — from
the sampled stations' numerators `a` and denominators `m`:

    p̂ = Σ_h N_h·ā_h / Σ_h N_h·m̄_h
    Var(p̂) = Σ_h N_h²·(1 - f_h)/k_h · s²_h / (Σ_h N_h·m̄_h)²,   s²_h = Σ(a - p̂·m)² / (k_h - 1)

with N_h the stations of stratum h, k_h those sampled and f_h = k_h/N_h (the finite-population
correction). With one stratum it is DESIGN.md's Var = (1 - f)/(k·m̄²)·Σ(a - p̂m)²/(k - 1).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Two-sided normal quantiles.
Z_95 = 1.959963984540054
Z_99 = 2.5758293035489004


@dataclass(frozen=True)
class Stratum:
    """One stratum's sampled stations (numerator and denominator per station) and its size."""

    a: np.ndarray
    m: np.ndarray
    population: int  # stations in the stratum, sampled or not


@dataclass(frozen=True)
class RatioEstimate:
    estimate: float
    standard_error: float
    stations: int  # sampled stations that reported
    population: int  # stations in the population

    @property
    def margin_95(self) -> float:
        return Z_95 * self.standard_error

    @property
    def margin_99(self) -> float:
        return Z_99 * self.standard_error

    @property
    def interval_95(self) -> tuple[float, float]:
        return (self.estimate - self.margin_95, self.estimate + self.margin_95)

    @property
    def interval_99(self) -> tuple[float, float]:
        return (self.estimate - self.margin_99, self.estimate + self.margin_99)

    def outside_99(self, official: float) -> bool:
        """The official figure is not one this sample could plausibly have come from."""
        low, high = self.interval_99
        return not low <= official <= high


def ratio_estimate(a: Sequence[float], m: Sequence[float], population: int) -> RatioEstimate | None:
    """The ratio estimate from one simple random sample; None when it cannot be made."""
    return stratified_ratio_estimate([Stratum(np.asarray(a, float), np.asarray(m, float), population)])


def stratified_ratio_estimate(strata: Sequence[Stratum]) -> RatioEstimate | None:
    """The combined ratio estimate over strata sampled independently (e.g. districts).

    None when no stratum has two sampled stations or the denominators add up to nothing: a
    margin of error needs a spread, and a spread needs two stations. A stratum with fewer than two
    sampled stations cannot contribute a variance, so it is left out of both the estimate and its
    error rather than counted with a variance of zero."""
    usable = [s for s in strata if len(s.a) >= 2]
    for stratum in usable:
        if len(stratum.a) != len(stratum.m):
            raise ValueError("Each sampled station needs both a numerator and a denominator.")
        if len(stratum.a) > stratum.population:
            raise ValueError("A stratum cannot have more sampled stations than stations.")
    if not usable:
        return None
    weights = np.array([s.population / len(s.a) for s in usable])
    total_a = sum(w * s.a.sum() for w, s in zip(weights, usable, strict=True))
    total_m = sum(w * s.m.sum() for w, s in zip(weights, usable, strict=True))
    if total_m <= 0:
        return None
    p = total_a / total_m
    variance = 0.0
    for stratum in usable:
        k, n = len(stratum.a), stratum.population
        residuals = stratum.a - p * stratum.m
        s2 = float(residuals @ residuals) / (k - 1)
        variance += n * n * (1 - k / n) / k * s2
    return RatioEstimate(
        estimate=float(p),
        standard_error=float(np.sqrt(variance) / total_m),
        stations=sum(len(s.a) for s in usable),
        population=sum(s.population for s in usable),
    )


def turnout_shortfall(official: float, observed: float) -> float:
    """δ of the count risk: by how much the official turnout exceeds what observers counted, as a
    share of the official figure; 0 when the official figure is not above the observed one."""
    if official <= 0:
        return 0.0
    return max(0.0, (official - observed) / official)
