"""Integer percentages (Kobak, Shpilkin & Pshenichnikov, Annals of Applied Statistics 2016).

People who make numbers up like round ones. A station "hits" when its turnout or its leader's
share lies within `integer_window` (0.05) percentage points of a whole percent. The test counts
hits among the stations it can judge (ballots > 0, registered >= 100, turnout <= 99 %, leader
share <= 99 %) and compares the count with what honest counting of the same stations would give:
each station is recounted `integer_draws` times from its own numbers,

    ballots* ~ Bin(registered, t)         t = ballots / registered
    valid*   = round(ballots* · v)        v = valid / ballots, the station's valid rate, held fixed
    leader*  ~ Bin(valid*, s)             s = leader / valid

and the hits of every draw are counted the same way. Small stations have round percentages by
arithmetic alone (with 200 voters every tenth count is a whole percent); the recount has the same
arithmetic, so it is the station's own chance of a hit that is compared, not a fixed 10 %.

z = (observed - null mean) / null sd, and p = P(Z > z) by the normal approximation: an empirical p
could not go below 1/(draws + 1), which Benjamini-Hochberg across 200 districts could never reject.
"""

from dataclasses import dataclass

import numpy as np

from counts.forensics.params import ForensicParams
from counts.forensics.results import NO_STATIONS, NO_VARIATION, TestResult, not_run
from counts.forensics.stats import normal_sf

# Draws are made in blocks of at most this many station-draws, so memory stays flat.
BLOCK = 2_000_000


def _near_whole(percent: np.ndarray, window: float) -> np.ndarray:
    # Works in place on `percent`, a scratch array; NaN and infinity (nothing to divide by) are never near.
    with np.errstate(invalid="ignore"):
        percent -= np.rint(percent)
        # The small tolerance keeps an exact edge (50.05 %) inside despite the float arithmetic.
        return np.abs(percent, out=percent) <= window + 1e-9


def within_whole_percent(numerator, denominator, window: float) -> np.ndarray:
    """Where numerator/denominator, in percent, lies within `window` points of a whole number."""
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = 100.0 * np.asarray(numerator, dtype=float) / np.asarray(denominator, dtype=float)
    return _near_whole(percent, window)


def _hits(ballots, per_ballot, leader, valid, params: ForensicParams) -> np.ndarray:
    """Stations (or draws) whose turnout or leader share is a whole percent, at most the cap.
    `per_ballot` is 100 / registered, so that the turnout needs a product, not a division."""
    cap = 100.0 * params.integer_max_rate
    turnout = ballots * per_ballot
    hit = turnout <= cap
    hit &= _near_whole(turnout, params.integer_window)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.divide(leader * 100.0, valid)  # no valid votes in a draw: NaN, never a hit
        share_hit = share <= cap
        share_hit &= _near_whole(share, params.integer_window)
    return np.logical_or(hit, share_hit, out=hit)


def integer_eligible(ballots, registered, leader, valid, params: ForensicParams) -> np.ndarray:
    ballots, registered, leader, valid = (np.asarray(a) for a in (ballots, registered, leader, valid))
    return (
        (ballots > 0)
        & (valid > 0)
        & (registered >= params.integer_min_registered)
        & (ballots <= params.integer_max_rate * registered)
        & (leader <= params.integer_max_rate * valid)
    )


@dataclass(frozen=True)
class IntegerSimulation:
    """Observed hits and the hits of each honest recount; adding two gives the union's."""

    stations: int
    observed: int
    null: np.ndarray  # hits per draw

    def __add__(self, other: "IntegerSimulation") -> "IntegerSimulation":
        return IntegerSimulation(
            self.stations + other.stations, self.observed + other.observed, self.null + other.null
        )


def integer_simulate(
    ballots, registered, leader, valid, rng: np.random.Generator, params: ForensicParams
) -> IntegerSimulation:
    ballots, registered, leader, valid = (
        np.asarray(a, dtype=np.int64) for a in (ballots, registered, leader, valid)
    )
    keep = integer_eligible(ballots, registered, leader, valid, params)
    b, n, lead, val = ballots[keep], registered[keep], leader[keep], valid[keep]
    draws = params.integer_draws
    null = np.zeros(draws, dtype=np.int64)
    turnout, valid_rate, share, per_ballot = b / n, val / b, lead / val, 100.0 / n
    step = max(1, BLOCK // draws)
    for start in range(0, b.size, step):
        part = slice(start, start + step)
        b_star = rng.binomial(n[part], turnout[part], size=(draws, turnout[part].size))
        valid_star = np.rint(b_star * valid_rate[part]).astype(np.int64)
        leader_star = rng.binomial(valid_star, share[part])
        null += _hits(b_star, per_ballot[part], leader_star, valid_star, params).sum(axis=1)
    observed = int(_hits(b, per_ballot, lead, val, params).sum())
    return IntegerSimulation(stations=int(b.size), observed=observed, null=null)


def integer_result(simulation: IntegerSimulation, params: ForensicParams) -> TestResult:
    if simulation.stations == 0:
        return not_run(
            "integer", 0, NO_STATIONS, "No station has at least 100 voters and turnout and share below 99 %."
        )
    mean = float(simulation.null.mean())
    sd = float(simulation.null.std(ddof=1))
    if sd == 0:
        return not_run(
            "integer",
            simulation.stations,
            NO_VARIATION,
            "Every honest recount gives the same number of whole percentages: nothing to compare.",
        )
    excess = simulation.observed - mean
    z = excess / sd
    return TestResult(
        test="integer",
        ran=True,
        n=simulation.stations,
        statistic=excess,
        z=z,
        p=normal_sf(z),
        raw_flag=z > params.integer_z,
        details={
            "observed": simulation.observed,
            "expected": mean,
            "null_sd": sd,
            "excess": excess,
            "draws": int(simulation.null.size),
        },
    )
