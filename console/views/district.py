"""A district's page in the coordinator dashboard: its integrity score with both intervals, what the
score is made of with one plain sentence per part, the stations behind it and its history."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.board import district_detail_for_user
from console.charts import shared_floor
from console.views.charts import percent, sparkline_chart
from console.views.complaints import district_complaints_context
from console.views.counts import district_count_context
from console.views.dashboard import PERMISSION, changelist, interval_text, score_summary
from core.errors import NotFound
from integrity.models import DistrictScore, StationIndicator

NOT_MEASURED = gettext_lazy("not yet measured")
SEVERITY_WORDS = {
    5: gettext_lazy("result-changing (S5)"),
    3: gettext_lazy("serious (S3)"),
    1: gettext_lazy("procedural (S1)"),
}
SEVERITY_NAMES = {
    5: gettext_lazy("Result-changing incidents (S5)"),
    3: gettext_lazy("Serious incidents (S3)"),
    1: gettext_lazy("Procedural incidents (S1)"),
}


def district_dashboard(request: HttpRequest, district_id: int) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    try:
        detail = district_detail_for_user(user=request.user, district_id=district_id)
    except NotFound as error:
        raise Http404(error.message) from None
    district = detail.district
    scores = [row.score for row in detail.history if row.score is not None]
    floor = shared_floor([scores])
    context = {
        **admin.site.each_context(request),
        "title": str(district),
        "district": district,
        "dashboard_url": f"{reverse('admin_dashboard')}?{urlencode({'election': district.election.slug})}",
        "score": detail.score,
        "summary": score_summary(detail.score),
        "components": score_components(detail.score),
        "stations": [(indicator, station_cells(indicator)) for indicator in detail.indicators],
        "history": [(row, score_summary(row)) for row in reversed(detail.history)],
        "sparkline": sparkline_chart("history", str(district), scores, low=floor, width=320, height=80),
        "history_floor": f"{floor:.0f}",
        **district_count_context(request, district),
        **district_complaints_context(request, district),
    }
    return TemplateResponse(request, "console/dashboard_district.html", context)


@dataclass(frozen=True)
class Component:
    """One line of "what the score is made of"; `symbol` is a letter and its subscript."""

    symbol: tuple[str, str]
    name: str
    value: str
    interval: str
    explanation: str
    part_of_above: bool = False


def score_components(score: DistrictScore | None) -> list[Component]:
    """R_P with its θ per severity, R_C, F and the headline S, each with one plain sentence.
    Count risk and forensic flags read "not yet measured" while they are zero by default: zero
    there means nobody looked, not that nothing was found."""
    if score is None or score.score is None:
        return []
    parts, params = score.components or {}, score.run.params or {}
    return [
        process_risk(score, params),
        *[severity_rate(score, parts, severity) for severity in (5, 3, 1)],
        count_risk(score, parts),
        forensic_flags(score, params),
        headline(score, params),
    ]


def process_risk(score: DistrictScore, params: dict) -> Component:
    weights = params.get("severity_weights") or settings.SCORE_SEVERITY_WEIGHTS
    weight = {int(severity): number_format(value) for severity, value in weights.items()}
    interval = (score.components or {}).get("process_risk_interval_80") or (None, None)
    return Component(
        symbol=("R", "P"),
        name=_("Process risk"),
        value=percent(score.process_risk),
        interval=percent_interval(*interval),
        explanation=_(
            "The share of the counted stations with incidents, a result-changing one (S5) weighing "
            "%(w5)s, a serious one (S3) %(w3)s and a procedural one (S1) %(w1)s, each incident "
            "weighed by how well it is evidenced, and a district with few stations drawn towards "
            "the rate of all districts."
        )
        % {"w5": weight[5], "w3": weight[3], "w1": weight[1]},
    )


def severity_rate(score: DistrictScore, parts: dict, severity: int) -> Component:
    estimate = parts.get("severities", {}).get(str(severity), {})
    interval = estimate.get("interval_80") or (None, None)
    return Component(
        symbol=("θ", str(severity)),
        name=str(SEVERITY_NAMES[severity]),
        value=percent(estimate.get("theta", 0.0)),
        interval=percent_interval(*interval),
        explanation=_(
            "The estimated share of stations whose worst incident is %(severity)s: %(events)s of "
            "the %(n)d stations counted, weighed by evidence, drawn towards all districts' rate."
        )
        % {
            "severity": SEVERITY_WORDS[severity],
            "events": number_format(round(estimate.get("events", 0.0), 2), 2),
            "n": score.n,
        },
        part_of_above=True,
    )


def measured(parts: dict, marker: str, zero: bool) -> bool:
    """Whether a part of the score was looked at; runs published before the markers existed
    count a zero as not looked at."""
    return parts.get(marker, not zero)


def count_risk(score: DistrictScore, parts: dict) -> Component:
    interval = parts.get("count_risk_interval_80")
    if not measured(parts, "count_measured", score.count_risk == 0 and interval is None):
        return Component(
            symbol=("R", "C"),
            name=_("Count risk"),
            value=str(NOT_MEASURED),
            interval="—",
            explanation=_(
                "Not yet measured: observers' protocol copies and turnout counts are not yet "
                "compared with the official results, so this part takes nothing off the score, "
                "which says nothing either way about the count."
            ),
        )
    return Component(
        symbol=("R", "C"),
        name=_("Count risk"),
        value=percent(score.count_risk),
        interval=percent_interval(*interval) if interval else "—",
        explanation=_(
            "How far the official results depart from the observers' protocol copies and from "
            "the turnout they counted themselves."
        ),
    )


def forensic_flags(score: DistrictScore, params: dict) -> Component:
    if (
        measured(score.components or {}, "forensics_tested", score.forensic_flags == 0)
        and score.forensic_flags == 0
    ):
        return Component(
            symbol=("F", ""),
            name=_("Forensic flags"),
            value="0",
            interval="—",
            explanation=_(
                "Statistical tests of the official per-station numbers ran in this district and "
                "raised no flag after false-discovery control."
            ),
        )
    if score.forensic_flags == 0:
        return Component(
            symbol=("F", ""),
            name=_("Forensic flags"),
            value=str(NOT_MEASURED),
            interval="—",
            explanation=_(
                "Not yet measured: no statistical test of official per-station numbers has run "
                "in this district (no official results yet, or fewer than 100 stations with "
                "numbers), so this part takes nothing off, which says nothing either way."
            ),
        )
    points = (score.components or {}).get("forensic_penalty", 0.0)
    return Component(
        symbol=("F", ""),
        name=_("Forensic flags"),
        value=number_format(round(score.forensic_flags, 2), 2),
        interval="—",
        explanation=_(
            "Statistical tests of the official per-station numbers raised these flags, taking "
            "%(points)s points off the score (at most %(cap)s flags count)."
        )
        % {
            "points": number_format(points),
            "cap": number_format(params.get("forensic_max_flags", settings.SCORE_FORENSIC_MAX_FLAGS)),
        },
    )


def headline(score: DistrictScore, params: dict) -> Component:
    intervals = _("80 %%: %(i80)s; 95 %%: %(i95)s") % {
        "i80": interval_text(score.interval_80_low, score.interval_80_high),
        "i95": interval_text(score.interval_95_low, score.interval_95_high),
    }
    return Component(
        symbol=("S", ""),
        name=_("Score"),
        value=f"{score.score:.0f}",
        interval=intervals,
        explanation=_(
            "Out of 100, higher meaning fewer problems found: 100 × (1 − R_P) × (1 − R_C), less "  # noqa: RUF001
            "%(points)s points per forensic flag; the intervals come from %(draws)s random draws "
            "of the estimates above."
        )
        % {
            "points": number_format(params.get("forensic_points", settings.SCORE_FORENSIC_POINTS)),
            "draws": number_format(params.get("draws", settings.SCORE_DRAWS), force_grouping=True),
        },
    )


def percent_interval(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"{percent(low)}\u2013{percent(high)}"


def station_cells(indicator: StationIndicator) -> dict:
    """Y at the station per severity, and the user's organizations' reports there as a link."""
    by_severity = indicator.y_by_severity or {}
    return {
        "y": number_format(round(indicator.y, 2), 2),
        "by_severity": [number_format(round(by_severity.get(str(s), 0.0), 2), 2) for s in (5, 3, 1)],
        "reports_url": changelist("reports_incidentreport", station__id__exact=indicator.station_id),
    }
