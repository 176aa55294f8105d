"""The Monte Carlo draws behind the intervals, in the two ways the method has drawn them.

Method "2" (the current one) gives every district its own random stream, seeded by the run's seed
and the district's id: a district's draws are the same whether it is scored with the whole
election or alone, so one district can be scored in milliseconds against the prior of the last
full run and still give exactly the published numbers when nothing changed. The process risk of
the draws is summed severity by severity in a fixed order, never by a matrix product whose
rounding could depend on how many districts are in the batch.

Method "1" drew every district from one `np.random.default_rng(seed)` in the districts' order. It
is kept so that the scores published with it still re-run to the last digit.
"""

import hashlib
from collections.abc import Hashable, Sequence

import numpy as np

from integrity.scoring.districts import DistrictInput

PER_DISTRICT, ONE_STREAM = "2", "1"
# Method "3" draws as "2" does; it differs in the prior (integrity.scoring.robust).
ROBUST = "3"


def theta_and_count_draws(
    inputs: Sequence[DistrictInput], alpha: np.ndarray, beta: np.ndarray, draws: int, seed: int, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Draws of θ (districts x severities x draws) and of R_C (districts x draws)."""
    if method == ONE_STREAM:
        rng = np.random.default_rng(seed)
        theta = rng.beta(alpha[..., None], beta[..., None], size=(*alpha.shape, draws))
        return theta, _one_stream_count_draws(inputs, rng, draws)
    if method not in (PER_DISTRICT, ROBUST):
        raise ValueError(f"Unknown scoring method {method!r}.")
    theta = np.empty((*alpha.shape, draws))
    count = np.empty((len(inputs), draws))
    for d, item in enumerate(inputs):
        rng = district_rng(seed, item.district_id)
        theta[d] = rng.beta(alpha[d][:, None], beta[d][:, None], size=(alpha.shape[1], draws))
        count[d] = _count_draws(item, rng, draws)
    return theta, count


def process_risk(theta: np.ndarray, weights: Sequence[float], method: str) -> np.ndarray:
    """R_P = min(1, Σ_s w_s θ_s), over the severities axis (the second)."""
    if method == ONE_STREAM:
        if theta.ndim == 3:
            return np.minimum(1.0, np.einsum("dsk,s->dk", theta, np.array(weights)))
        return np.minimum(1.0, theta @ np.array(weights))
    total = np.zeros(theta.shape[:1] + theta.shape[2:])
    for k, weight in enumerate(weights):
        total = total + weight * theta[:, k]
    return np.minimum(1.0, total)


def district_rng(seed: int, district_id: Hashable) -> np.random.Generator:
    """The random stream of one district in a run: a function of the seed and the id only."""
    if isinstance(district_id, int) and not isinstance(district_id, bool) and district_id >= 0:
        key = district_id
    else:
        key = int.from_bytes(hashlib.sha256(repr(district_id).encode()).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))


def _count_draws(item: DistrictInput, rng: np.random.Generator, draws: int) -> np.ndarray:
    risk = item.count_risk
    if risk.draws is not None:
        given = np.array(risk.draws)
        return given if len(given) == draws else rng.choice(given, size=draws, replace=True)
    if risk.sd:
        strength = risk.mean * (1 - risk.mean) / risk.sd**2 - 1
        return rng.beta(risk.mean * strength, (1 - risk.mean) * strength, draws)
    return np.full(draws, risk.mean)


def _one_stream_count_draws(
    inputs: Sequence[DistrictInput], rng: np.random.Generator, draws: int
) -> np.ndarray:
    values = np.repeat(np.array([[item.count_risk.mean] for item in inputs]), draws, axis=1)
    with_sd = [d for d, item in enumerate(inputs) if item.count_risk.draws is None and item.count_risk.sd]
    if with_sd:
        mean = values[with_sd, 0]
        sd = np.array([inputs[d].count_risk.sd for d in with_sd])
        strength = mean * (1 - mean) / sd**2 - 1
        shape = (len(with_sd), draws)
        values[with_sd] = rng.beta((mean * strength)[:, None], ((1 - mean) * strength)[:, None], shape)
    for d, item in enumerate(inputs):
        if item.count_risk.draws is not None:
            given = np.array(item.count_risk.draws)
            values[d] = given if len(given) == draws else rng.choice(given, size=draws, replace=True)
    return values
