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

That is method "2"'s prior. Method "3" fits a robust one (`fit_robust_prior`, explained in
integrity.scoring.robust): the same Beta for the typical district, contaminated by a wide part
with weight ε, so that extreme districts move nobody else. A prior with ε = 0 is method "2"'s.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from integrity.scoring import robust

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
    # Method "3": the weight ε of the wide part Beta(wide_alpha, wide_beta), and how many districts
    # the typical part does not explain (r_d < ½). Absent from priors stored by method "2".
    contamination: float = 0.0
    wide_alpha: float = robust.WIDE_ALPHA
    wide_beta: float = robust.WIDE_BETA
    outlying: int = 0

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


def fit_robust_prior(x, n, *, strength_min: float = 2.0, strength_max: float = 1000.0) -> BetaPrior:
    """Method "3": the ε-contaminated prior of one severity, fitted by EM (integrity.scoring.robust)."""
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    keep = n > 0
    x, n = x[keep], n[keep]
    districts = int(keep.sum())
    if districts < 2:
        mean = float(x.sum() / n.sum()) if districts else 0.0
        return _prior(mean, strength_min, None, districts, "not estimable")
    mean, strength, tau2, rule, contamination, typical = robust.fit_mixture(
        x, n, strength_min=strength_min, strength_max=strength_max, floor=SHAPE_FLOOR
    )
    prior = _prior(mean, strength, None if tau2 is None else max(tau2, 0.0), districts, rule)
    return BetaPrior(
        **{**prior.as_dict(), "contamination": contamination, "outlying": int((typical < 0.5).sum())}
    )


def posterior(prior: BetaPrior, x, n) -> tuple[np.ndarray, np.ndarray]:
    """Posterior Beta shapes per district: Beta(alpha + x, beta + n - x); n = 0 leaves the prior.

    With a contaminated prior the posterior is a mixture of the two parts' posteriors, weighted by
    how well each explains x of n; it is returned as the Beta with the same mean and variance."""
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    alpha, beta = prior.alpha + x, prior.beta + n - x
    if not prior.contamination:
        return alpha, beta
    wide_alpha, wide_beta = prior.wide_alpha + x, prior.wide_beta + n - x
    log_odds = (
        np.log(prior.contamination / (1 - prior.contamination))
        + robust.log_marginal(x, n, prior.wide_alpha, prior.wide_beta)
        - robust.log_marginal(x, n, prior.alpha, prior.beta)
    )
    wide = 1 / (1 + np.exp(-np.clip(log_odds, -700, 700)))
    mean = (1 - wide) * _mean(alpha, beta) + wide * _mean(wide_alpha, wide_beta)
    second = (1 - wide) * _second_moment(alpha, beta) + wide * _second_moment(wide_alpha, wide_beta)
    variance = np.maximum(second - mean**2, 1e-300)
    strength = mean * (1 - mean) / variance - 1
    return np.maximum(mean * strength, SHAPE_FLOOR), np.maximum((1 - mean) * strength, SHAPE_FLOOR)


def _mean(alpha, beta):
    return alpha / (alpha + beta)


def _second_moment(alpha, beta):
    return alpha * (alpha + 1) / ((alpha + beta) * (alpha + beta + 1))
