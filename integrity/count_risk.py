"""The count risk R_C of a district (DESIGN.md, "Integrity score", 2), from plain numbers.

    θ_prot  the share of stations whose observer's protocol copy differs from the official result,
            shrunk across the election's districts (the same empirical-Bayes beta-binomial as the
            process risk);
    δ       max(0, (T_official - T̂)/T_official), T̂ the PVT estimate of turnout;
    R_C     max(θ_prot, δ).

Both parts are uncertain, so R_C is handed to the score as a mean and a standard deviation worked
out from draws of each part: θ_prot from its Beta posterior, T̂ from the normal approximation of
the ratio estimator. The draws use a fixed seed, so the same numbers always give the same R_C.
"""

from collections.abc import Hashable, Mapping

import numpy as np

from counts.districts import CountEvidence
from integrity.scoring import CountRisk
from integrity.scoring.shrinkage import fit_prior, posterior

RISK_DRAWS = 20_000
RISK_SEED = 2023_03_19


def count_risks(
    evidence: Mapping[Hashable, CountEvidence], *, strength_min: float = 2.0, strength_max: float = 1000.0
) -> dict[Hashable, CountRisk]:
    """R_C for each district with something to compare; districts without are left out (R_C = 0,
    shown as "not yet measured")."""
    ids = list(evidence)
    x = np.array([evidence[d].protocols_differing for d in ids], dtype=float)
    n = np.array([evidence[d].protocols_compared for d in ids], dtype=float)
    prior = fit_prior(x, n, strength_min=strength_min, strength_max=strength_max)
    alpha, beta = posterior(prior, x, n)
    rng = np.random.default_rng(RISK_SEED)
    risks = {}
    for k, district_id in enumerate(ids):
        item = evidence[district_id]
        parts = []
        if item.protocols_compared:
            parts.append(rng.beta(alpha[k], beta[k], RISK_DRAWS))
        if item.has_turnout:
            observed = rng.normal(item.observed_turnout, item.observed_turnout_se or 0.0, RISK_DRAWS)
            parts.append(np.maximum(0.0, (item.official_turnout - observed) / item.official_turnout))
        if parts:
            risks[district_id] = as_count_risk(np.clip(np.maximum.reduce(parts), 0.0, 1.0))
    return risks


def as_count_risk(draws: np.ndarray) -> CountRisk:
    """A mean and sd the score can draw a Beta from; a fixed value when there is no spread."""
    mean, sd = float(draws.mean()), float(draws.std())
    if sd > 0 and sd**2 < mean * (1 - mean) * 0.999:
        return CountRisk(mean=mean, sd=sd)
    return CountRisk(mean=mean)
