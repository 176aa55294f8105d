"""District scores: posterior rates, process risk, the headline, intervals, bands and coverage.

    R_P = min(1, Σ_s w_s θ_s)        (w: S5 1.0, S3 0.4, S1 0.1)
    S   = clip(100·(1 - R_P)·(1 - min(1, κ·R_C)) - points·min(F, max_flags), 0, 100)

κ is the count weight (`count_weight`, 3 by default; 1 in runs made before it existed).

The headline is S at the posterior means; its intervals come from Monte Carlo draws of every
district's posterior Betas (and of R_C when it has a distribution), each district from its own
random stream of the seed (integrity.scoring.draws), so the same inputs, parameters and seed give
the same numbers to the last digit, whether a district is scored with the others or alone.

The prior of each severity is fitted over all the districts (`fit_priors`); a district scored
alone is given the priors of the last full run instead.
"""

import hashlib
import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from integrity.scoring.districts import DistrictInput
from integrity.scoring.draws import ONE_STREAM, PER_DISTRICT, ROBUST, process_risk, theta_and_count_draws
from integrity.scoring.explain import explain
from integrity.scoring.params import SEVERITIES, ScoreParams, band_of
from integrity.scoring.shrinkage import BetaPrior, fit_prior, fit_robust_prior, posterior

# Bumped whenever the maths changes, so a stored digest never vouches for different code. "1" drew
# all districts from one random stream; "2" gives each district its own (integrity.scoring.draws);
# "3" fits the robust, ε-contaminated prior (integrity.scoring.robust) instead of "2"'s.
METHOD_VERSION = ROBUST
METHODS = (ONE_STREAM, PER_DISTRICT, ROBUST)
INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class SeverityEstimate:
    severity: int
    events: float  # x, the weighted count of stations at this worst severity
    prior: BetaPrior
    alpha: float  # posterior shapes
    beta: float
    mean: float  # θ, the posterior mean rate
    interval_80: tuple[float, float]


@dataclass(frozen=True)
class DistrictScoreResult:
    district_id: Hashable
    n: int
    sample_used: bool
    coverage: str  # "A", "B", "C" or INSUFFICIENT
    severities: dict[int, SeverityEstimate]
    process_risk: float | None  # R_P at the posterior means
    process_risk_interval_80: tuple[float, float] | None
    count_risk: float  # R_C
    count_risk_interval_80: tuple[float, float] | None  # None when R_C is a fixed value
    forensic_flags: float  # F
    forensic_penalty: float  # points taken off for F
    score: float | None  # S; None when the coverage is insufficient
    interval_80: tuple[float, float] | None
    interval_95: tuple[float, float] | None
    band: str | None  # named only when the 80 % interval sits inside one band
    band_range: tuple[str, str] | None  # bands of the interval's upper and lower ends
    seed: int
    explanation: dict[str, str]


def coverage_grade(item: DistrictInput, params: ScoreParams) -> str:
    """DESIGN.md's rule read literally: A needs the random sample (used, and at least 10 % of the
    district's stations) and n >= 30; B needs n >= 15; C n >= 5; fewer is insufficient data."""
    if (
        item.sample_used
        and item.sample_share >= params.coverage_sample_share
        and item.n >= params.coverage_a_stations
    ):
        return "A"
    if item.n >= params.coverage_b_stations:
        return "B"
    if item.n >= params.coverage_c_stations:
        return "C"
    return INSUFFICIENT


def headline(process_risk, count_risk, forensic_flags, params: ScoreParams):
    """S from R_P, R_C and F; works on numbers and on numpy arrays alike."""
    penalty = params.forensic_points * np.minimum(forensic_flags, params.forensic_max_flags)
    count = np.minimum(1.0, params.count_weight * count_risk) if params.count_weight != 1 else count_risk
    return np.clip(100 * (1 - process_risk) * (1 - count) - penalty, 0, 100)


@dataclass(frozen=True)
class _Fit:
    """The district-by-severity arrays of one run, before they are cut into results."""

    priors: list[BetaPrior]
    alpha: np.ndarray  # districts x severities
    beta: np.ndarray
    theta: np.ndarray
    theta_80: np.ndarray  # 2 x districts x severities
    process: np.ndarray  # districts
    process_80: np.ndarray  # 2 x districts
    count: np.ndarray
    count_80: np.ndarray
    flags: np.ndarray
    score: np.ndarray
    score_q: np.ndarray  # percentiles 2.5, 10, 90, 97.5 x districts


def fit_priors(
    inputs: Sequence[DistrictInput], params: ScoreParams, method: str = METHOD_VERSION
) -> dict[int, BetaPrior]:
    """The prior of each severity across the districts: robust (method "3"), or by the plain
    method of moments (methods "1" and "2")."""
    n = np.array([item.n for item in inputs], dtype=float)
    fit = fit_robust_prior if method == ROBUST else fit_prior
    return {
        s: fit(
            [item.events[s] for item in inputs],
            n,
            strength_min=params.prior_strength_min,
            strength_max=params.prior_strength_max,
        )
        for s in SEVERITIES
    }


def score_districts(
    inputs: Sequence[DistrictInput],
    params: ScoreParams,
    seed: int,
    *,
    priors: dict[int, BetaPrior] | None = None,
    method: str = METHOD_VERSION,
) -> list[DistrictScoreResult]:
    """Scores for all districts at once: arrays of districts x severities x draws, no loop over
    reports. The priors are fitted over `inputs` unless given; `method` is for re-running scores
    published with an earlier one."""
    if method not in METHODS:
        raise ValueError(f"Unknown scoring method {method!r}; known: {METHODS}.")
    if not inputs:
        return []
    fit = _fit(inputs, params, seed, priors or fit_priors(inputs, params, method), method)
    return [_result(d, item, fit, params, seed) for d, item in enumerate(inputs)]


def _fit(
    inputs: Sequence[DistrictInput], params: ScoreParams, seed: int, priors: dict[int, BetaPrior], method: str
) -> _Fit:
    n = np.array([item.n for item in inputs], dtype=float)
    x = np.array([[item.events[s] for s in SEVERITIES] for item in inputs], dtype=float)
    shapes = [posterior(priors[s], x[:, k], n) for k, s in enumerate(SEVERITIES)]
    alpha = np.stack([a for a, _ in shapes], axis=1)
    beta = np.stack([b for _, b in shapes], axis=1)
    theta_draws, count_draws = theta_and_count_draws(inputs, alpha, beta, params.draws, seed, method)

    weights = params.weight_vector
    theta = alpha / (alpha + beta)
    process = process_risk(theta, weights, method)
    process_draws = process_risk(theta_draws, weights, method)
    count = np.array([item.count_risk.mean for item in inputs])
    flags = np.array([item.forensic_flags for item in inputs])
    return _Fit(
        priors=[priors[s] for s in SEVERITIES],
        alpha=alpha,
        beta=beta,
        theta=theta,
        theta_80=np.percentile(theta_draws, [10, 90], axis=2),
        process=process,
        process_80=np.percentile(process_draws, [10, 90], axis=1),
        count=count,
        count_80=np.percentile(count_draws, [10, 90], axis=1),
        flags=flags,
        score=headline(process, count, flags, params),
        score_q=np.percentile(
            headline(process_draws, count_draws, flags[:, None], params), [2.5, 10, 90, 97.5], axis=1
        ),
    )


def _pair(values: np.ndarray) -> tuple[float, float]:
    return float(values[0]), float(values[1])


def _estimates(d: int, item: DistrictInput, fit: _Fit) -> dict[int, SeverityEstimate]:
    return {
        s: SeverityEstimate(
            severity=s,
            events=item.events[s],
            prior=fit.priors[k],
            alpha=float(fit.alpha[d, k]),
            beta=float(fit.beta[d, k]),
            mean=float(fit.theta[d, k]),
            interval_80=_pair(fit.theta_80[:, d, k]),
        )
        for k, s in enumerate(SEVERITIES)
    }


def _result(d: int, item: DistrictInput, fit: _Fit, params: ScoreParams, seed: int) -> DistrictScoreResult:
    coverage = coverage_grade(item, params)
    scored = coverage != INSUFFICIENT
    q = fit.score_q[:, d]
    interval_80 = (float(q[1]), float(q[2]))
    band_range = (band_of(interval_80[1], params), band_of(interval_80[0], params))
    result = DistrictScoreResult(
        district_id=item.district_id,
        n=item.n,
        sample_used=item.sample_used,
        coverage=coverage,
        severities=_estimates(d, item, fit),
        process_risk=float(fit.process[d]) if scored else None,
        process_risk_interval_80=_pair(fit.process_80[:, d]) if scored else None,
        count_risk=float(fit.count[d]),
        count_risk_interval_80=None if item.count_risk.is_fixed else _pair(fit.count_80[:, d]),
        forensic_flags=float(fit.flags[d]),
        forensic_penalty=float(params.forensic_points * min(fit.flags[d], params.forensic_max_flags)),
        score=float(fit.score[d]) if scored else None,
        interval_80=interval_80 if scored else None,
        interval_95=(float(q[0]), float(q[3])) if scored else None,
        band=band_range[0] if scored and band_range[0] == band_range[1] else None,
        band_range=band_range if scored else None,
        seed=seed,
        explanation={},
    )
    return replace(result, explanation=explain(item, result, params))


def inputs_digest(
    inputs: Sequence[DistrictInput], params: ScoreParams, seed: int, *, method: str = METHOD_VERSION
) -> str:
    """SHA-256 of a canonical JSON of everything a score depends on, the method's version included."""
    payload = {
        "method": method,
        "inputs": [item.as_dict() for item in inputs],
        "params": params.as_dict(),
        "seed": seed,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
