"""Digit tests on the vote counts: the leader's votes at every station with numbers (or, with
`digit_choices="all"`, every choice's votes).

- last digit (Beber & Scacco, Political Analysis 2012): in counts of 100 or more the last digit
  is close to uniform; people who invent numbers are not. χ² of the ten digit frequencies against
  N/10 each, 9 degrees of freedom. Counts below 100 are left out: their last digit is pulled by
  the size of the station and the popularity of the choice.
- second digit (Mebane's 2BL test): in counts of 10 or more the mean second digit under Benford's
  second-digit law is 4.187; z = (mean - 4.187) / (sd / √N) with sd = 2.873, the law's own, two-sided.

Each runs on at least `digit_min_counts` (50) counts, so that every expected frequency of the χ²
is at least 5. Both weigh half in F: vote counts follow neither law exactly (Deckert, Myagkov &
Ordeshook 2011), so a digit anomaly alone is weak evidence.

That is the "law" null (`digit_null="law"`, the runs made before simulated nulls). Honest counts
squeezed into a narrow range do not follow Benford's second-digit law, and counts just above 100
favour low last digits, so the law flags honest districts. The default null is "simulated": as
the integer test does, each count is recounted `digit_draws` times from its own station,

    count* ~ Bin(valid, count / valid)

and the district's digits are compared with those of its own honest recounts (Mebane 2006 built
the 2BL expectation the same way, from binomial counts). The last digit's expected frequencies
are the recounts' mean frequencies, and its χ² is referred to the scaled χ² whose mean and
variance match the recounts' own χ² values (Satterthwaite 1946); the second digit's mean is
compared with the recounts' means, z = (mean - null mean) / null sd, two-sided. The counts
tested are chosen on the observed values (≥ 100, ≥ 10); a recount of a count near 10 that falls
below it has no second digit and is left out of that recount's mean.
"""

import math
from dataclasses import dataclass

import numpy as np

from counts.forensics.params import ForensicParams
from counts.forensics.results import FEW_COUNTS, NO_VARIATION, TestResult, not_run
from counts.forensics.stats import chi2_sf, normal_sf

# Recounts are drawn in blocks of at most this many count-draws, so memory stays flat.
BLOCK = 2_000_000

# Benford's law for the second significant digit d: Σ_{k=1..9} log10(1 + 1/(10k + d)).
SECOND_DIGIT_P = np.array([sum(math.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)])
SECOND_DIGIT_MEAN = float(np.arange(10) @ SECOND_DIGIT_P)  # 4.18739…
SECOND_DIGIT_SD = math.sqrt(float(np.arange(10) ** 2 @ SECOND_DIGIT_P) - SECOND_DIGIT_MEAN**2)


def second_digits(counts) -> np.ndarray:
    """The second significant digit of each count (all counts must be at least 10)."""
    x = np.array(counts, dtype=np.int64)
    while (big := x >= 100).any():
        x[big] //= 10
    return x % 10


@dataclass(frozen=True)
class DigitSimulation:
    """Observed digits of the tested counts and those of each honest recount; adding two gives
    the union's (the national test adds up the districts')."""

    last_observed: np.ndarray  # 10 digit frequencies of the counts >= last_digit_min_count
    last_null: np.ndarray  # draws x 10
    second_observed: np.ndarray  # (sum of second digits, how many) of the counts >= second_digit_min_count
    second_null: np.ndarray  # draws x 2, the same per recount

    def __add__(self, other: "DigitSimulation") -> "DigitSimulation":
        return DigitSimulation(
            self.last_observed + other.last_observed,
            self.last_null + other.last_null,
            self.second_observed + other.second_observed,
            self.second_null + other.second_null,
        )


def digit_simulate(counts, totals, rng: np.random.Generator, params: ForensicParams) -> DigitSimulation:
    """Recount each count `digit_draws` times as Bin(total, count / total)."""
    counts = np.asarray(counts, dtype=np.int64).ravel()
    totals = np.maximum(np.asarray(totals, dtype=np.int64).ravel(), counts)
    last = counts >= params.last_digit_min_count
    second = counts >= params.second_digit_min_count
    draws = params.digit_draws
    last_null, second_null = np.zeros((draws, 10), dtype=np.int64), np.zeros((draws, 2), dtype=np.int64)
    share = np.divide(counts, totals, out=np.zeros(counts.size), where=totals > 0)
    step = max(1, BLOCK // draws)
    for start in range(0, counts.size, step):
        part = slice(start, start + step)
        star = rng.binomial(totals[part], share[part], size=(draws, counts[part].size))
        last_null += _digit_frequencies(star, last[part])
        second_null += _second_sums(star, second[part])
    return DigitSimulation(
        last_observed=np.bincount(counts[last] % 10, minlength=10),
        last_null=last_null,
        second_observed=_second_sums(counts[None, :], second)[0],
        second_null=second_null,
    )


def _digit_frequencies(star: np.ndarray, used: np.ndarray) -> np.ndarray:
    digits = star[:, used] % 10
    return np.stack([(digits == d).sum(axis=1) for d in range(10)], axis=1)


def _second_sums(star: np.ndarray, used: np.ndarray) -> np.ndarray:
    values = star[:, used]
    defined = values >= 10
    digits = np.where(defined, values, 10)
    while (big := digits >= 100).any():
        digits = np.where(big, digits // 10, digits)
    digits = np.where(defined, digits % 10, 0)
    return np.stack([digits.sum(axis=1), defined.sum(axis=1)], axis=1)


def _few(test: str, n: int, minimum: int, params: ForensicParams) -> TestResult:
    return not_run(
        test,
        n,
        FEW_COUNTS,
        f"{n} vote counts of at least {minimum}; the test needs {params.digit_min_counts}.",
    )


def last_digit_result(counts, params: ForensicParams) -> TestResult:
    counts = np.asarray(counts, dtype=np.int64).ravel()
    used = counts[counts >= params.last_digit_min_count]
    n = int(used.size)
    if n < params.digit_min_counts:
        return _few("last_digit", n, params.last_digit_min_count, params)
    observed = np.bincount(used % 10, minlength=10)
    expected = n / 10
    chi2 = float(((observed - expected) ** 2).sum() / expected)
    p = chi2_sf(chi2, 9)
    return TestResult(
        test="last_digit",
        ran=True,
        n=n,
        statistic=chi2,
        p=p,
        raw_flag=p < params.alpha,
        details={"digits": observed.tolist(), "df": 9},
    )


def second_digit_result(counts, params: ForensicParams) -> TestResult:
    counts = np.asarray(counts, dtype=np.int64).ravel()
    used = counts[counts >= params.second_digit_min_count]
    n = int(used.size)
    if n < params.digit_min_counts:
        return _few("second_digit", n, params.second_digit_min_count, params)
    digits = second_digits(used)
    mean = float(digits.mean())
    z = (mean - SECOND_DIGIT_MEAN) / (SECOND_DIGIT_SD / math.sqrt(n))
    details = {"expected": SECOND_DIGIT_MEAN, "digits": np.bincount(digits, minlength=10).tolist()}
    return _second_digit(n, mean, z, details, params)


def _second_digit(n: int, mean: float, z: float, details: dict, params: ForensicParams) -> TestResult:
    """The two-sided test of a mean second digit's z, whichever null gave it."""
    p = min(1.0, 2 * normal_sf(abs(z)))
    return TestResult(
        test="second_digit",
        ran=True,
        n=n,
        statistic=mean,
        z=z,
        p=p,
        raw_flag=p < params.alpha,
        details=details,
    )


def last_digit_simulated(simulation: DigitSimulation, params: ForensicParams) -> TestResult:
    observed = simulation.last_observed
    n = int(observed.sum())
    if n < params.digit_min_counts:
        return _few("last_digit", n, params.last_digit_min_count, params)
    expected = simulation.last_null.mean(axis=0)
    if (expected <= 0).any():
        return _no_variation("last_digit", n, "Some last digit never occurs in the honest recounts.")
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    null = ((simulation.last_null - expected) ** 2 / expected).sum(axis=1)
    mean, variance = float(null.mean()), float(null.var(ddof=1))
    if variance <= 0:
        return _no_variation("last_digit", n, "Every honest recount gives the same last digits.")
    scale, df = variance / (2 * mean), 2 * mean**2 / variance
    p = chi2_sf(chi2 / scale, df)
    return TestResult(
        test="last_digit",
        ran=True,
        n=n,
        statistic=chi2,
        p=p,
        raw_flag=p < params.alpha,
        details={
            "digits": observed.tolist(),
            "expected": [round(float(e), 3) for e in expected],
            "null": "simulated",
            "df": df,
            "scale": scale,
            "draws": int(simulation.last_null.shape[0]),
        },
    )


def second_digit_simulated(simulation: DigitSimulation, params: ForensicParams) -> TestResult:
    total, n = (int(v) for v in simulation.second_observed)
    if n < params.digit_min_counts:
        return _few("second_digit", n, params.second_digit_min_count, params)
    sums, counts = simulation.second_null[:, 0], simulation.second_null[:, 1]
    null = sums / np.maximum(counts, 1)
    null_mean, null_sd = float(null.mean()), float(null.std(ddof=1))
    if null_sd <= 0:
        return _no_variation("second_digit", n, "Every honest recount gives the same second digits.")
    mean = total / n
    details = {"expected": null_mean, "null_sd": null_sd, "null": "simulated", "draws": int(null.size)}
    return _second_digit(n, mean, (mean - null_mean) / null_sd, details, params)


def _no_variation(test: str, n: int, note: str) -> TestResult:
    return not_run(test, n, NO_VARIATION, note)
