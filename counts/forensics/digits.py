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
"""

import math

import numpy as np

from counts.forensics.params import ForensicParams
from counts.forensics.results import FEW_COUNTS, TestResult, not_run
from counts.forensics.stats import chi2_sf, normal_sf

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
    p = min(1.0, 2 * normal_sf(abs(z)))
    return TestResult(
        test="second_digit",
        ran=True,
        n=n,
        statistic=mean,
        z=z,
        p=p,
        raw_flag=p < params.alpha,
        details={"expected": SECOND_DIGIT_MEAN, "digits": np.bincount(digits, minlength=10).tolist()},
    )
