"""The arithmetic of the dashboard's score charts, free of Django and of SVG: a funnel plot's
binomial control limits and layout, and a sparkline's points. console/views/charts.py draws them.

A funnel plot puts each district's rate against the number of stations it rests on. Under the
hypothesis that every district shares the pooled rate p0, a district of n stations falls outside
p0 ± z·sqrt(p0(1 - p0)/n) with probability about 5 % for z = 1.96 and 0.2 % for z = 3.09; the limits
narrow as n grows, which is the funnel. A dot outside them is worth a look, not proof of anything.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z_95 = 1.96
Z_998 = 3.09
LIMITS = (Z_95, Z_998)
# Points along each limit curve, closer together at small n, where the curves bend most.
CURVE_POINTS = 60

Point = tuple[float, float]


def control_limits(p0: float, n: float, z: float) -> tuple[float, float]:
    """The binomial control limits p0 ± z·sqrt(p0(1 - p0)/n), clipped to [0, 1]."""
    if not 0 <= p0 <= 1:
        raise ValueError(f"A pooled rate lies in [0, 1], not {p0}.")
    if n <= 0:
        raise ValueError("Control limits need at least one station.")
    half = z * math.sqrt(p0 * (1 - p0) / n)
    return max(0.0, p0 - half), min(1.0, p0 + half)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least `value`."""
    if value <= 0:
        raise ValueError(f"A scale ends above 0, not at {value}.")
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if round(step * power, 12) >= value:
            return round(step * power, 12)
    raise AssertionError("unreachable: 10 times the power is above the value")


def ticks(high: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """About `count` evenly spaced round values from 0 to `high`; whole numbers only if asked."""
    step = nice_ceiling(high / count)
    if whole:
        step = max(1.0, math.ceil(step))
    return [round(k * step, 12) for k in range(int(high / step + 1e-9) + 1)]


@dataclass(frozen=True)
class Scale:
    """Maps data values in [low, high] onto drawing positions from `start` to `end`; on a y axis
    `end` is above `start`, so the numbers decrease."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


@dataclass(frozen=True)
class FunnelPoint:
    """One district: `events` stations with the incident (fractional when weighed) among `n`."""

    label: str
    n: int
    events: float
    url: str | None = None

    @property
    def rate(self) -> float:
        return self.events / self.n


@dataclass(frozen=True)
class PlacedPoint:
    point: FunnelPoint
    x: float
    y: float
    # "above" or "below" the widest limit it crosses, and which one (Z_95 or Z_998); "" and None inside.
    side: str
    z: float | None


@dataclass(frozen=True)
class Funnel:
    pooled: float  # p0
    x: Scale  # stations observed
    y: Scale  # rate
    points: list[PlacedPoint]
    # For each z: the lower and the upper limit as polylines in drawing positions.
    limits: dict[float, tuple[list[Point], list[Point]]]
    x_ticks: list[float]
    y_ticks: list[float]


def pooled_rate(points: Sequence[FunnelPoint]) -> float:
    """All events over all stations: the rate every district would share if none stood out."""
    stations = sum(point.n for point in points)
    return sum(point.events for point in points) / stations if stations else 0.0


def outside(point: FunnelPoint, p0: float) -> tuple[str, float | None]:
    """Whether the point lies above or below the limits, naming the widest one it crosses."""
    for z in sorted(LIMITS, reverse=True):
        low, high = control_limits(p0, point.n, z)
        if point.rate > high:
            return "above", z
        if point.rate < low:
            return "below", z
    return "", None


def funnel(points: Sequence[FunnelPoint], *, box: tuple[float, float, float, float]) -> Funnel | None:
    """The funnel plot of the points with n > 0 inside `box` (left, top, right, bottom); None
    when there is no such point. The axes start at 0; the rate axis reaches the highest dot and
    the 99.8 % upper limit at the largest n, so every dot and the funnel's narrow end show."""
    plotted = [point for point in points if point.n > 0]
    if not plotted:
        return None
    left, top, right, bottom = box
    p0 = pooled_rate(plotted)
    n_high = nice_ceiling(max(point.n for point in plotted))
    highest = max(max(point.rate for point in plotted), control_limits(p0, n_high, Z_998)[1])
    rate_high = min(1.0, nice_ceiling(max(highest * 1.1, 0.01)))
    x, y = Scale(0, n_high, left, right), Scale(0, rate_high, bottom, top)
    placed = [PlacedPoint(point, x(point.n), y(point.rate), *outside(point, p0)) for point in plotted]
    return Funnel(
        pooled=p0,
        x=x,
        y=y,
        points=placed,
        limits={z: limit_curves(p0, z, n_high, x, y) for z in LIMITS},
        x_ticks=ticks(n_high, whole=True),
        y_ticks=ticks(rate_high),
    )


def limit_curves(p0: float, z: float, n_high: float, x: Scale, y: Scale) -> tuple[list[Point], list[Point]]:
    """The lower and upper limits from n = 1 to n_high. Parts above the plot are left to the
    drawing to clip."""
    lower, upper = [], []
    for k in range(CURVE_POINTS + 1):
        n = 1 + (n_high - 1) * (k / CURVE_POINTS) ** 2
        low, high = control_limits(p0, n, z)
        lower.append((x(n), y(low)))
        upper.append((x(n), y(high)))
    return lower, upper


def shared_floor(series: Iterable[Sequence[float]], step: float = 10, high: float = 100) -> float:
    """The lower end of a score scale shared by several sparklines: the lowest score rounded down
    to a multiple of `step` (and at least one step below `high`). One scale lets the lines of
    different districts compare; starting it near the lowest score lets a drop of a few points show."""
    lowest = min((value for values in series for value in values), default=0.0)
    return max(0.0, min(step * math.floor(lowest / step), high - step))


def sparkline(
    values: Sequence[float], *, width: float, height: float, low: float = 0, high: float = 100, pad: float = 2
) -> list[Point]:
    """The points of a polyline through `values`, oldest on the left, on a fixed scale from `low`
    to `high` (values beyond it are drawn at its edge); none for fewer than two values."""
    if len(values) < 2:
        return []
    x = Scale(0, len(values) - 1, pad, width - pad)
    y = Scale(low, high, height - pad, pad)
    return [(x(index), y(min(max(value, low), high))) for index, value in enumerate(values)]
