"""The dashboard's charts as inline SVG drawn on the server: no script, readable by screen readers
(role="img", a title and a description listing the values) and with a <title> tooltip on every
mark. The arithmetic of the score charts is in console/charts.py."""

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from console.charts import Z_95, Z_998, Funnel, FunnelPoint, PlacedPoint, Point, funnel, sparkline

BAR = 'style="fill: var(--primary, #417690)"'
TEXT = 'style="fill: var(--body-fg, #333)" font-size="11"'
QUIET = "var(--body-quiet-color, #666)"
# Dots by where they lie: inside the limits, outside the 95 % ones, outside the 99.8 % ones.
DOT_FILL = {None: "var(--secondary, #417690)", Z_95: "#b35c00", Z_998: "var(--error-fg, #ba2121)"}
DOT_RADIUS = {None: 5, Z_95: 6, Z_998: 7}
LIMIT_DASH = {Z_95: "6 4", Z_998: "2 3"}


def svg(name: str, width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    """An accessible inline SVG: screen readers read the title and the description, which lists every
    value, and each bar has its own title for a pointer hovering over it."""
    return mark_safe(  # noqa: S308 -- every text below passed through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width: {width}px" aria-labelledby="{name}-title {name}-desc">'
        f'<title id="{name}-title">{escape(title)}</title><desc id="{name}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def bar(x: float, y: float, width: float, height: float, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" {BAR}>'
        f"<title>{escape(tip)}</title></rect>"
    )


def label(x: float, y: float, text: str, anchor: str = "middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {TEXT}>{escape(text)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, style: str = "") -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {style}/>'


def polyline(points: Sequence[Point], style: str) -> str:
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline points="{coordinates}" fill="none" {style}/>'


def percent(value: float, digits: int = 1) -> str:
    return f"{number_format(round(100 * value, digits), digits)} %"


# --- The funnel plot ---------------------------------------------------------------------------

FUNNEL_WIDTH, FUNNEL_HEIGHT = 640, 360
FUNNEL_BOX = (64, 12, FUNNEL_WIDTH - 16, FUNNEL_HEIGHT - 48)  # left, top, right, bottom


def funnel_chart(points: Sequence[FunnelPoint]) -> SafeString | None:
    """Rate of stations with result-changing incidents against stations counted, one dot per
    district, with the pooled rate and the 95 % and 99.8 % limits; None with nothing to plot."""
    plot = funnel(points, box=FUNNEL_BOX)
    if plot is None:
        return None
    left, top, right, bottom = FUNNEL_BOX
    body = [
        f'<defs><clipPath id="funnel-area"><rect x="{left}" y="{top}" width="{right - left}" '
        f'height="{bottom - top}"/></clipPath></defs>',
        *funnel_axes(plot),
        f'<g clip-path="url(#funnel-area)" stroke="{QUIET}" stroke-width="1.2">',
        line(left, plot.y(plot.pooled), right, plot.y(plot.pooled), 'stroke-width="2"'),
        *[
            polyline(curve, f'stroke-dasharray="{LIMIT_DASH[z]}"')
            for z, curves in plot.limits.items()
            for curve in curves
        ],
        "</g>",
    ]
    # Each district's words once, for its dot's tooltip and for the description.
    texts = [point_text(placed) for placed in plot.points]
    body.extend(funnel_dot(placed, text) for placed, text in zip(plot.points, texts, strict=True))
    return svg(
        "funnel",
        FUNNEL_WIDTH,
        FUNNEL_HEIGHT,
        _("Funnel plot of result-changing incidents"),
        funnel_desc(plot.pooled, plot.points, texts),
        body,
    )


def funnel_axes(plot: Funnel) -> list[str]:
    left, top, right, bottom = FUNNEL_BOX
    digits = 0 if all(round(100 * tick, 6).is_integer() for tick in plot.y_ticks) else 1
    body = [
        line(left, bottom, right, bottom, 'stroke="currentColor"'),
        line(left, top, left, bottom, 'stroke="currentColor"'),
    ]
    for tick in plot.x_ticks:
        body.append(line(plot.x(tick), bottom, plot.x(tick), bottom + 4, 'stroke="currentColor"'))
        body.append(label(plot.x(tick), bottom + 16, number_format(int(tick))))
    for tick in plot.y_ticks:
        body.append(line(left - 4, plot.y(tick), left, plot.y(tick), 'stroke="currentColor"'))
        body.append(label(left - 7, plot.y(tick) + 4, percent(tick, digits), anchor="end"))
    body.append(label((left + right) / 2, FUNNEL_HEIGHT - 8, _("Stations counted in the score (n)")))
    middle = (top + bottom) / 2
    axis_label = _("Share with result-changing incidents")
    body.append(
        f'<text x="14" y="{middle:.1f}" text-anchor="middle" transform="rotate(-90 14 {middle:.1f})" '
        f"{TEXT}>{escape(axis_label)}</text>"
    )
    return body


def where(placed: PlacedPoint) -> str:
    if placed.z is None:
        # xgettext:no-python-format
        return _("within the 95 % limits")
    limit = percent(0.998) if placed.z == Z_998 else percent(0.95, 0)
    if placed.side == "above":
        return _("above the %(limit)s limit") % {"limit": limit}
    return _("below the %(limit)s limit") % {"limit": limit}


def point_text(placed: PlacedPoint) -> str:
    point = placed.point
    return ngettext(
        "%(district)s: %(rate)s of %(n)d station, %(where)s",
        "%(district)s: %(rate)s of %(n)d stations, %(where)s",
        point.n,
    ) % {"district": point.label, "rate": percent(point.rate), "n": point.n, "where": where(placed)}


def funnel_dot(placed: PlacedPoint, text: str) -> str:
    dot = (
        f'<circle cx="{placed.x:.1f}" cy="{placed.y:.1f}" r="{DOT_RADIUS[placed.z]}" '
        f'style="fill: {DOT_FILL[placed.z]}; fill-opacity: 0.85" stroke="white" stroke-width="1">'
        f"<title>{escape(text)}</title></circle>"
    )
    if placed.point.url is None:
        return dot
    return f'<a href="{escape(placed.point.url)}">{dot}</a>'


def funnel_desc(pooled: float, points: Sequence[PlacedPoint], texts: Sequence[str]) -> str:
    """`texts`: each point's words (point_text), in the same order."""
    outside = [text for placed, text in zip(points, texts, strict=True) if placed.z is not None]
    summary = (
        _("Outside the limits: %(list)s.") % {"list": "; ".join(outside)}
        if outside
        # xgettext:no-python-format
        else _("Every district lies within the 95 % limits.")
    )
    listed = "; ".join(texts)
    return _(
        "One dot per district: the share of the stations counted in its score whose worst incident "
        "is result-changing (S5), weighed by evidence, against the number of stations counted. "
        "Pooled rate %(pooled)s. %(summary)s All districts: %(list)s."
    ) % {"pooled": percent(pooled), "summary": summary, "list": listed}


# --- Sparklines --------------------------------------------------------------------------------

SPARK_WIDTH, SPARK_HEIGHT = 96, 24


def sparkline_chart(
    name: str,
    district: str,
    scores: Sequence[float],
    *,
    low: float = 0,
    width: int = SPARK_WIDTH,
    height: int = SPARK_HEIGHT,
) -> SafeString | None:
    """The score over the last published runs, oldest on the left, the latest marked, on a scale
    from `low` to 100. None for fewer than two scores."""
    points = sparkline(scores, width=width, height=height, low=low, pad=3)
    if not points:
        return None
    last_x, last_y = points[-1]
    body = [
        polyline(points, 'style="stroke: var(--secondary, #417690)" stroke-width="1.5"'),
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" style="fill: var(--error-fg, #ba2121)"/>',
    ]
    title = ngettext(
        "%(district)s: score over the last %(count)d recompute, latest %(latest)s",
        "%(district)s: score over the last %(count)d recomputes, latest %(latest)s",
        len(scores),
    ) % {"district": district, "count": len(scores), "latest": f"{scores[-1]:.0f}"}
    desc = _("Scores from oldest to newest, on a scale from %(low)s to 100: %(list)s.") % {
        "low": f"{low:.0f}",
        "list": ", ".join(f"{score:.0f}" for score in scores),
    }
    return svg(name, width, height, title, desc, body)
