"""The distributions and estimators the tests need, in numpy and the standard library only.

Tail probabilities are computed in log space or by the upper continued fraction, so that the
very small p-values of a blatant anomaly stay exact enough for Benjamini-Hochberg to rank them.
"""

import math

import numpy as np


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _gamma_p_series(a: float, x: float) -> float:
    total = term = 1.0 / a
    denominator = a
    for _ in range(10_000):
        denominator += 1.0
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * 1e-16:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_q_fraction(a: float, x: float) -> float:
    # Modified Lentz evaluation of the continued fraction for Q(a, x), valid for x >= a + 1.
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h * math.exp(-x + a * math.log(x) - math.lgamma(a))


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for X ~ χ²(df): the regularized upper incomplete gamma Q(df/2, x/2)."""
    if x <= 0:
        return 1.0
    a, half = df / 2.0, x / 2.0
    if half < a + 1.0:
        return max(0.0, 1.0 - _gamma_p_series(a, half))
    return _gamma_q_fraction(a, half)


def binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Bin(n, p), summed exactly in log space over k..n."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    log_first = (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )
    j = np.arange(k, n, dtype=float)
    # log pmf(j + 1) - log pmf(j) = log((n - j) / (j + 1)) + log(p / (1 - p))
    steps = np.log((n - j) / (j + 1)) + math.log(p) - math.log1p(-p)
    log_pmf = log_first + np.concatenate(([0.0], np.cumsum(steps)))
    top = log_pmf.max()
    return float(min(1.0, math.exp(top) * np.exp(log_pmf - top).sum()))


def benjamini_hochberg(p_values, q: float) -> tuple[np.ndarray, np.ndarray]:
    """The step-up procedure of Benjamini & Hochberg (1995): which hypotheses are rejected at false
    discovery rate q, and the adjusted p-values (reject exactly where adjusted <= q)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return adjusted <= q, adjusted


def weighted_correlation(x, y, w) -> float | None:
    """Pearson's r with weights w; None when either variable does not vary."""
    x, y, w = (np.asarray(a, dtype=float) for a in (x, y, w))
    total = w.sum()
    if total <= 0:
        return None
    dx = x - (w @ x) / total
    dy = y - (w @ y) / total
    var_x, var_y = w @ (dx * dx), w @ (dy * dy)
    if var_x <= 0 or var_y <= 0:
        return None
    return float((w @ (dx * dy)) / math.sqrt(var_x * var_y))


# The six weighted sums the slope and the mean share are made of, one column each; a bootstrap
# replicate is the same sums over resampled stations, so it needs no second pass over the data.
MOMENTS = ("w", "wx", "wy", "wxx", "wxy", "ws")


def slope_moments(x, y, share, w) -> np.ndarray:
    """Stations x MOMENTS: the per-station terms of the weighted regression of y on x."""
    x, y, share, w = (np.asarray(a, dtype=float) for a in (x, y, share, w))
    return np.column_stack((w, w * x, w * y, w * x * x, w * x * y, w * share))


def slope_minus_share(sums: np.ndarray) -> np.ndarray:
    """From summed MOMENTS (last axis): the weighted least-squares slope of y on x minus the
    weighted mean share; NaN where x does not vary."""
    w, wx, wy, wxx, wxy, ws = np.moveaxis(np.asarray(sums, dtype=float), -1, 0)
    spread = w * wxx - wx * wx
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(spread > 0, (w * wxy - wx * wy) / spread, np.nan)
        return slope - ws / w


def weighted_slope(x, y, w) -> float | None:
    """The weighted least-squares slope of y on x; None when x does not vary."""
    sums = slope_moments(x, y, np.zeros(len(x)), w).sum(axis=0)
    value = slope_minus_share(sums)
    return None if np.isnan(value) else float(value)
