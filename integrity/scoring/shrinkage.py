"""Empirical-Bayes beta-binomial shrinkage of district rates, one severity at a time.

Each district's true rate θ_d is taken to come from a Beta(alpha, beta) common to the election's
districts, fitted by the method of moments on the observed rates p_d = x_d / n_d, weighted by
n_d. With μ = Σx / Σn and S = Σ n_d (p_d - μ)², the expectation of S under the beta-binomial is
(D - 1)·μ(1 - μ) + τ²·(N - Σn_d²/N - (D - 1)), where τ² is the variance of the true rates; so

    τ² = (S - (D - 1)·μ(1 - μ)) / (N - Σn_d²/N - (D - 1)),    m = μ(1 - μ)/τ² - 1,

clipped to [strength_min, strength_max], and alpha = μm, beta = (1 - μ)m. When the rates vary no more
than binomial noise explains (τ² ≤ 0), m is the maximum: the districts look alike and each is
pulled hard towards the pooled rate. When τ² cannot be estimated at all (fewer than two districts
with observations, or only one station each), m is the minimum, so the prior barely speaks and
each district's own stations decide. x may be fractional (the weighted station indicators).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

# Keeps a Beta proper when nothing at all was reported (μ = 0): under a millionth of an event.
SHAPE_FLOOR = 1e-6


@dataclass(frozen=True)
class BetaPrior:
    mean: float  # μ, the pooled rate
    strength: float  # m = alpha + beta, in "stations' worth" of evidence
    alpha: float
    beta: float
    between_variance: float | None  # τ²; None when it cannot be estimated
    districts: int  # districts with at least one observed station
    rule: str  # "estimated", "clipped", "no extra variation" or "not estimable"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "BetaPrior":
        return cls(**data)


def fit_prior(x, n, *, strength_min: float = 2.0, strength_max: float = 1000.0) -> BetaPrior:
    """The Beta prior of one severity from the districts' event counts x and denominators n."""
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    keep = n > 0
    x, n = x[keep], n[keep]
    districts, total = int(keep.sum()), float(n.sum())
    mean = float(x.sum() / total) if total else 0.0
    noise = mean * (1 - mean)
    information = total - float((n**2).sum()) / total - (districts - 1) if total else 0.0
    if districts < 2 or information <= 0:
        return _prior(mean, strength_min, None, districts, "not estimable")
    spread = float((n * (x / n - mean) ** 2).sum())
    tau2 = (spread - (districts - 1) * noise) / information
    if tau2 <= 0 or noise == 0:
        return _prior(mean, strength_max, max(tau2, 0.0), districts, "no extra variation")
    raw = noise / tau2 - 1
    strength = float(np.clip(raw, strength_min, strength_max))
    return _prior(mean, strength, tau2, districts, "estimated" if strength == raw else "clipped")


def _prior(mean: float, strength: float, tau2: float | None, districts: int, rule: str) -> BetaPrior:
    return BetaPrior(
        mean=mean,
        strength=strength,
        alpha=max(mean * strength, SHAPE_FLOOR),
        beta=max((1 - mean) * strength, SHAPE_FLOOR),
        between_variance=tau2,
        districts=districts,
        rule=rule,
    )


def posterior(prior: BetaPrior, x, n) -> tuple[np.ndarray, np.ndarray]:
    """Posterior Beta shapes per district: Beta(alpha + x, beta + n - x); n = 0 leaves the prior."""
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    return prior.alpha + x, prior.beta + n - x
