"""The turnout x leader-share fingerprint (Klimek, Yegorov, Hanel & Thurner, PNAS 2012).

Ballot stuffing adds ballots for the leader, so where it happens turnout and the leader's share
rise together, and its extreme form leaves stations near 100 % turnout and 100 % for the leader.
Over the stations with numbers (registered, ballots and valid votes all above zero):

- corner: the share of stations with turnout >= 95 % and leader share >= 95 %, against a
  reference rate (0.5 %); p = P(X >= observed) for X ~ Bin(stations, reference), exact.
- correlation: Pearson's r of turnout and leader share, each station weighted by its registered
  voters; reported, never a flag (urban/rural structure alone moves it).
- slope (Sobyanin-Sukhovolsky): the weighted least-squares slope of y = turnout x leader share
  (the leader's votes per registered voter, with invalid ballots scaled out so that the slope and
  the share are on the same footing) on turnout, weighted by registered voters, minus the mean
  leader share with the same weights. Where the leader's share does not depend on turnout the slope
  equals that share and the difference is 0; ballots added for the leader pull the slope towards 1.
  Stations are resampled `bootstrap` times (500) for a 95 % percentile interval and a standard
  error; p = P(Z > (difference - 0.3) / standard error), the normal approximation, so that p can be
  small enough for Benjamini-Hochberg across many districts. The raw flag is p < alpha.
"""

from dataclasses import dataclass

import numpy as np

from counts.forensics.params import ForensicParams
from counts.forensics.results import NO_STATIONS, NO_VARIATION, TestResult, not_run
from counts.forensics.stats import (
    MOMENTS,
    binom_sf,
    normal_sf,
    slope_minus_share,
    slope_moments,
)

BLOCK = 2_000_000  # resampled station indices drawn at once


def corner_result(turnout: np.ndarray, share: np.ndarray, params: ForensicParams) -> TestResult:
    n = int(turnout.size)
    if n == 0:
        return not_run("corner", 0, NO_STATIONS, "No station has numbers.")
    corner = int(np.count_nonzero((turnout >= params.corner) & (share >= params.corner)))
    p = binom_sf(corner, n, params.corner_reference_rate)
    return TestResult(
        test="corner",
        ran=True,
        n=n,
        statistic=corner / n,
        p=p,
        raw_flag=p < params.alpha,
        details={
            "corner_stations": corner,
            "expected": n * params.corner_reference_rate,
            "reference_rate": params.corner_reference_rate,
        },
    )


@dataclass(frozen=True)
class SlopeBootstrap:
    """The summed MOMENTS of the stations and of each resample; adding two gives the union's,
    resampled within each part (a stratified bootstrap)."""

    stations: int
    sums: np.ndarray  # len(MOMENTS)
    replicates: np.ndarray  # resamples x len(MOMENTS)

    def __add__(self, other: "SlopeBootstrap") -> "SlopeBootstrap":
        return SlopeBootstrap(
            self.stations + other.stations, self.sums + other.sums, self.replicates + other.replicates
        )


def slope_bootstrap(
    turnout: np.ndarray, share: np.ndarray, weights: np.ndarray, rng: np.random.Generator, resamples: int
) -> SlopeBootstrap:
    moments = slope_moments(turnout, turnout * share, share, weights)
    n = moments.shape[0]
    replicates = np.zeros((resamples, len(MOMENTS)))
    if n:
        # A resample is a vector of how often each station was drawn; its sums are one product.
        step = max(1, BLOCK // n)
        for start in range(0, resamples, step):
            rows = min(step, resamples - start)
            picks = rng.integers(0, n, size=(rows, n)) + (np.arange(rows) * n)[:, None]
            times = np.bincount(picks.ravel(), minlength=rows * n).reshape(rows, n)
            # einsum rather than a BLAS product: one thread, and the same digits on every machine.
            replicates[start : start + rows] = np.einsum("rn,nk->rk", times.astype(float), moments)
    return SlopeBootstrap(stations=n, sums=moments.sum(axis=0), replicates=replicates)


def slope_result(boot: SlopeBootstrap, params: ForensicParams) -> TestResult:
    if boot.stations == 0:
        return not_run("slope", 0, NO_STATIONS, "No station has numbers.")
    difference = float(slope_minus_share(boot.sums))
    if np.isnan(difference):
        return not_run("slope", boot.stations, NO_VARIATION, "Turnout is the same at every station.")
    mean_share = float(boot.sums[5] / boot.sums[0])
    replicates = slope_minus_share(boot.replicates)
    replicates = replicates[np.isfinite(replicates)]
    sd = float(replicates.std(ddof=1)) if replicates.size > 1 else 0.0
    low, high = (
        (float(v) for v in np.percentile(replicates, [2.5, 97.5])) if replicates.size else (None, None)
    )
    excess = difference - params.slope_threshold
    z = excess / sd if sd > 0 else (np.inf if excess > 0 else -np.inf)
    p = normal_sf(z)
    return TestResult(
        test="slope",
        ran=True,
        n=boot.stations,
        statistic=difference,
        z=z,
        p=p,
        raw_flag=p < params.alpha,
        details={
            "slope": difference + mean_share,
            "mean_share": mean_share,
            "interval_95": [low, high],
            "bootstrap_sd": sd,
            "threshold": params.slope_threshold,
            "resamples": int(boot.replicates.shape[0]),
        },
    )
