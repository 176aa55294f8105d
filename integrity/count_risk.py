"""The count risk R_C of a district (DESIGN.md, "Integrity score", 2), from plain numbers.

    θ_prot  the share of stations whose observer's protocol copy differs materially from the
            official result (counts.comparison.MATERIAL_VOTES),
            shrunk across the election's districts with the same robust prior as the process risk
            (integrity.scoring.robust), so that districts whose copies differ wholesale do not lift
            the honest districts' rate;
    δ       max(0, (T_official - T̂)/T_official), T̂ the PVT estimate of turnout, counted only as
            far as the gap is more than sampling error (below);
    R_C     max(θ_prot, δ).

The turnout gap is pooled the same robust way as θ_prot (integrity.scoring.robust): a district is
either typical, its official turnout the true one (δ = 0), or, with prior weight ε, inflated by an
unknown share δ ~ U(0, 1). The PVT's T̂ ~ N(T, SE²) gives each its likelihood, N(T̂; T_official,
SE²) against the mean of that density over T in [0, T_official], so each district gets the
posterior weight w that its official turnout was inflated; ε is fitted by EM across the districts
(5 % to 50 %). δ's draws are the PVT's gap with probability w and 0 otherwise: a gap of one
standard error is sampling (w ≈ 0.01), one of five is not (w > 0.99).

Both parts are uncertain, so R_C is handed to the score as a mean and a standard deviation worked
out from draws of each part: θ_prot from its Beta posterior, T̂ from the normal approximation of
the ratio estimator. The draws use a fixed seed, so the same numbers always give the same R_C.
"""

import math
from collections.abc import Hashable, Mapping

import numpy as np

from counts.districts import CountEvidence
from integrity.scoring import CountRisk
from integrity.scoring.robust import CONTAMINATION_MAX, CONTAMINATION_MIN, ITERATIONS, TOLERANCE
from integrity.scoring.shrinkage import fit_robust_prior, posterior

RISK_DRAWS = 20_000
RISK_SEED = 2023_03_19


def count_risks(
    evidence: Mapping[Hashable, CountEvidence], *, strength_min: float = 2.0, strength_max: float = 1000.0
) -> dict[Hashable, CountRisk]:
    """R_C for each district with something to compare; districts without are left out (R_C = 0,
    shown as "not yet measured")."""
    ids = list(evidence)
    x = np.array([material_differences(evidence[d]) for d in ids], dtype=float)
    n = np.array([evidence[d].protocols_compared for d in ids], dtype=float)
    prior = fit_robust_prior(x, n, strength_min=strength_min, strength_max=strength_max)
    alpha, beta = posterior(prior, x, n)
    inflated = inflated_weights({d: item for d, item in evidence.items() if item.has_turnout})
    rng = np.random.default_rng(RISK_SEED)
    risks = {}
    for k, district_id in enumerate(ids):
        item = evidence[district_id]
        parts = []
        if item.protocols_compared:
            parts.append(rng.beta(alpha[k], beta[k], RISK_DRAWS))
        if item.has_turnout:
            observed = rng.normal(item.observed_turnout, item.observed_turnout_se or 0.0, RISK_DRAWS)
            gap = np.maximum(0.0, (item.official_turnout - observed) / item.official_turnout)
            parts.append(np.where(rng.random(RISK_DRAWS) < inflated[district_id], gap, 0.0))
        if parts:
            risks[district_id] = as_count_risk(np.clip(np.maximum.reduce(parts), 0.0, 1.0))
    return risks


def inflated_weights(evidence: Mapping[Hashable, CountEvidence]) -> dict[Hashable, float]:
    """w per district: the posterior probability that its official turnout was inflated, with the
    prior weight ε fitted by EM across the districts."""
    logs = {d: _log_likelihoods(item) for d, item in evidence.items()}
    contamination = CONTAMINATION_MIN
    for _ in range(ITERATIONS):
        weights = {d: _weight(pair, contamination) for d, pair in logs.items()}
        updated = float(
            np.clip(np.mean(list(weights.values()) or [0.0]), CONTAMINATION_MIN, CONTAMINATION_MAX)
        )
        if abs(updated - contamination) < TOLERANCE:
            break
        contamination = updated
    return {d: _weight(pair, contamination) for d, pair in logs.items()}


def _log_likelihoods(item: CountEvidence) -> tuple[float, float]:
    """log densities of T̂ if the official turnout is the true one, and if it was inflated by a
    share U(0, 1) of itself (the true turnout uniform on [0, T_official])."""
    official, observed, se = item.official_turnout, item.observed_turnout, item.observed_turnout_se or 0.0
    if se <= 0:
        # An exact count: any gap is real, and no gap is none.
        return (0.0, -math.inf) if observed >= official else (-math.inf, 0.0)
    z = (observed - official) / se
    typical = -0.5 * z * z - math.log(se * math.sqrt(2 * math.pi))
    inside = _normal_cdf((official - observed) / se) - _normal_cdf(-observed / se)
    return typical, math.log(max(inside, 1e-300) / official)


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _weight(logs: tuple[float, float], contamination: float) -> float:
    typical, inflated = logs
    if inflated == -math.inf:
        return 0.0
    if typical == -math.inf:
        return 1.0
    odds = math.log(contamination / (1 - contamination)) + inflated - typical
    return 1 / (1 + math.exp(-min(max(odds, -700.0), 700.0)))


def material_differences(item: CountEvidence) -> int:
    return item.protocols_differing if item.protocols_material is None else item.protocols_material


def as_count_risk(draws: np.ndarray) -> CountRisk:
    """A mean and sd the score can draw a Beta from; a fixed value when there is no spread."""
    mean, sd = float(draws.mean()), float(draws.std())
    if sd > 0 and sd**2 < mean * (1 - mean) * 0.999:
        return CountRisk(mean=mean, sd=sd)
    return CountRisk(mean=mean)
