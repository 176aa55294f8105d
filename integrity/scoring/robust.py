"""The robust prior (method "3"): an ε-contaminated Beta, so that a few extreme districts move
nobody else.

The method-of-moments prior of method "2" (integrity.scoring.shrinkage.fit_prior) is pulled by
every district alike: one district whose every protocol copy differs lifts the pooled rate, and
with it the count risk of every honest district. Here each rate comes instead from

    θ_d ~ (1 - ε)·Beta(μm, (1 - μ)m) + ε·Beta(1, 1)

the "typical" Beta of the election's ordinary districts, contaminated by a wide uniform part
that can explain anything (Berger & Berliner, "Robust Bayes and empirical Bayes analysis with
ε-contaminated priors", Annals of Statistics 14, 1986). It is fitted by EM: the E-step gives each
district the probability r_d that the typical part produced its x_d of n_d (the two parts'
beta-binomial likelihoods), and the M-step refits μ, m by the method of moments weighted by
r_d·n_d and sets ε to the mean of 1 - r_d, kept within [5 %, 50 %]. A district the typical part
cannot explain gets r_d ≈ 0: it no longer counts in μ or m, and its own posterior leans on its
own stations, because the wide part, updated by its data, carries it. A district with little
evidence is explained well by both parts and stays shrunk towards the typical district.

The fit starts from the weighted median of the district rates and a tight typical part, so the
bulk of the districts defines "typical" even when a third of them are extreme; where the
ordinary districts truly differ, the M-step widens the typical part (m falls) and takes them
back. A district's posterior, a mixture of two Betas, is handed on as the Beta with the same mean
and variance (integrity.scoring.shrinkage.posterior), so the draws, intervals and stored priors
keep their form.
"""

import math

import numpy as np

# ε stays within these bounds: at least a 1-in-20 chance that a district is unlike the others, so
# that a single extreme district is always recognised, and never more than an even chance.
CONTAMINATION_MIN = 0.05
CONTAMINATION_MAX = 0.5
# The wide part: uniform on [0, 1].
WIDE_ALPHA = WIDE_BETA = 1.0
ITERATIONS = 500
TOLERANCE = 1e-10


def log_beta(a, b) -> np.ndarray:
    """log B(a, b) elementwise, for positive (possibly fractional) shapes."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    lgamma = np.vectorize(math.lgamma, otypes=[float])
    return lgamma(a) + lgamma(b) - lgamma(a + b) if a.size else np.zeros(a.shape)


def log_marginal(x, n, alpha, beta) -> np.ndarray:
    """log P(x | n) under Beta(alpha, beta), without the binomial coefficient (the same for both
    parts, so it cancels from every comparison); x may be fractional."""
    return log_beta(alpha + x, beta + n - x) - log_beta(alpha, beta)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def weighted_moments(x: np.ndarray, n: np.ndarray, typical: np.ndarray) -> tuple[float, float | None]:
    """μ and τ² of the typical part by the beta-binomial method of moments with weights r_d·n_d.

    With v_d = r_d·n_d, V = Σ v_d and c_d = v_d - v_d²/V, the weighted spread S = Σ v_d(p_d - μ)²
    has expectation μ(1 - μ)·Σ c_d/n_d + τ²·Σ c_d(1 - 1/n_d); with every r_d = 1 this is method
    "2"'s formula. τ² is None when it cannot be estimated."""
    v = typical * n
    total = float(v.sum())
    if total <= 0:
        return float(x.sum() / n.sum()), None
    p = x / n
    mean = float((v * p).sum() / total)
    c = v - v**2 / total
    information = float((c * (1 - 1 / n)).sum())
    if information <= 1e-12:
        return mean, None
    spread = float((v * (p - mean) ** 2).sum())
    return mean, (spread - mean * (1 - mean) * float((c / n).sum())) / information


def strength_of(mean: float, tau2: float | None, lowest: float, highest: float) -> tuple[float, str]:
    if tau2 is None:
        return lowest, "not estimable"
    noise = mean * (1 - mean)
    if tau2 <= 0 or noise == 0:
        return highest, "no extra variation"
    raw = noise / tau2 - 1
    strength = float(np.clip(raw, lowest, highest))
    return strength, "estimated" if strength == raw else "clipped"


def typical_share(x, n, mean: float, strength: float, contamination: float, floor: float) -> np.ndarray:
    """r_d: the probability that the typical part produced each district's x_d of n_d."""
    alpha, beta = max(mean * strength, floor), max((1 - mean) * strength, floor)
    typical = math.log(1 - contamination) + log_marginal(x, n, alpha, beta)
    wide = math.log(contamination) + log_marginal(x, n, WIDE_ALPHA, WIDE_BETA)
    return 1 / (1 + np.exp(np.clip(wide - typical, -700, 700)))


def fit_mixture(x, n, *, strength_min: float, strength_max: float, floor: float):
    """EM for (μ, m, ε) over districts with n_d > 0. Returns the typical part's mean, strength,
    τ², the rule that set the strength, ε and the final r_d."""
    mean = weighted_median(x / n, n)
    strength, contamination, rule, tau2 = strength_max, CONTAMINATION_MIN, "no extra variation", 0.0
    typical = np.ones_like(x)
    for _ in range(ITERATIONS):
        typical = typical_share(x, n, mean, strength, contamination, floor)
        new_mean, tau2 = weighted_moments(x, n, typical)
        new_strength, rule = strength_of(new_mean, tau2, strength_min, strength_max)
        new_contamination = float(np.clip(1 - typical.mean(), CONTAMINATION_MIN, CONTAMINATION_MAX))
        moved = max(
            abs(new_mean - mean),
            abs(new_strength - strength) / strength,
            abs(new_contamination - contamination),
        )
        mean, strength, contamination = new_mean, new_strength, new_contamination
        if moved < TOLERANCE:
            break
    typical = typical_share(x, n, mean, strength, contamination, floor)
    return mean, strength, tau2, rule, contamination, typical
