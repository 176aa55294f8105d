"""The coordinator dashboard in the admin: coverage, reports and the review queue per district of one
election, with links into the filtered admin lists; each district's integrity score with its
intervals, band, coverage grade and history; and charts drawn here as inline SVG."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.formats import date_format, number_format
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from console.board import (
    CHART_HOURS,
    QUEUE,
    SEVERITIES,
    STATUSES,
    Dashboard,
    DistrictRow,
    dashboard_elections,
    dashboard_for_user,
    district_score,
    serious_rate_points,
)
from console.charts import shared_floor
from console.views.charts import bar, funnel_chart, label, sparkline_chart, svg
from console.views.counts import count_context
from core.links import path_to, path_with_query
from integrity.models import Band, Coverage, DistrictScoreFields
from integrity.scoring.explain import band_range
from reports.models import ReportStatus
from stations.models import District

PERMISSION = "reports.view_incidentreport"
# The district tables are kept drawn, under names of what they show, for this long at most (the
# names of the districts in them are not part of those names).
FRAGMENT_SECONDS = 300


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    elections = list(dashboard_elections())
    slug = request.GET.get("election")
    election = next((e for e in elections if e.slug == slug), None) if slug else next(iter(elections), None)
    if slug and election is None:
        raise Http404(_("No such election."))
    context = {
        **admin.site.each_context(request),
        "title": _("Coordinator dashboard"),
        "elections": elections,
        "election": election,
    }
    if election is not None:
        data = dashboard_for_user(user=request.user, election=election)
        floor, paths = shared_floor(data.history.values()), changelist_paths()
        context.update(
            data=data,
            columns=column_headings(),
            # The tables' rows are drawn only when the page's kept copy of them is out of date.
            rows=SimpleLazyObject(
                lambda: [(scored_row(row, data, floor), table_row(row, data, paths)) for row in data.rows]
            ),
            fragment_seconds=FRAGMENT_SECONDS,
            figures_version=data.figures_version,
            scores_version=scores_version(data, floor),
            language=get_language(),
            history_floor=f"{floor:.0f}",
            totals=table_row(data.totals, data, paths),
            queue_url=changelist(
                "reports_incidentreport",
                election__id__exact=election.pk,
                status__in=",".join(QUEUE),
            ),
            median_review=duration_text(data.median_review),
            hour_chart=hour_chart(data),
            category_chart=category_chart(data),
            funnel_chart=cache(lambda: funnel_chart(serious_rate_points(data.rows, url=district_url))),
            **count_context(request, election, data),
        )
    return TemplateResponse(request, "console/dashboard.html", context)


def scores_version(data: Dashboard, floor: float) -> str:
    """Names what the scores table and the funnel plot show, the same for every reader: the
    published scores (their latest run and its time) and the scale of the history lines."""
    scores = [score for row in data.rows if (score := district_score(row.district)) is not None]
    latest = max(((score.run_id, score.computed_at.isoformat()) for score in scores), default=None)
    return f"{len(data.rows)}:{len(scores)}:{latest}:{floor:.3f}"


def district_url(district: District) -> str:
    return path_to("admin_dashboard_district", district.pk)


# --- The table ---------------------------------------------------------------------------------


def changelist(model: str, **params) -> str:
    return path_with_query(f"admin:{model}_changelist", **params)


class Cells(list):
    """A table row's (text, link) per column, rendered as its <td>s in one piece: 300 districts by 11
    columns through the template language cost more than all the dashboard's queries."""

    def __str__(self) -> SafeString:
        # The template language turns what is not text into text first: this is the HTML.
        return mark_safe(  # noqa: S308 (each text and link is escaped here)
            "".join(
                f'<td class="number"><a href="{escape(url)}">{escape(text)}</a></td>'
                if url
                else f'<td class="number">{escape(text)}</td>'
                for text, url in self
            )
        )

    __html__ = __str__


def column_headings() -> list[str]:
    return [
        _("Stations"),
        _("Observed"),
        _("In sample"),
        _("Sample observed"),
        _("Coverage"),
        *[status.label for status in STATUSES],
        *[_("Verified S%(severity)d") % {"severity": severity} for severity in SEVERITIES],
    ]


def changelist_paths() -> tuple[str, str, str]:
    """The admin lists the table links to: stations, check-ins, incident reports."""
    return tuple(
        path_to(f"admin:{model}_changelist")
        for model in ("stations_pollingstation", "reports_checkin", "reports_incidentreport")
    )


def table_row(row: DistrictRow, data: Dashboard, paths: tuple[str, str, str] | None = None) -> Cells:
    """(text, link) per column; a district's links filter by district, the totals' by election.
    `paths`: changelist_paths(), found once for a whole table."""
    if row.district is not None:
        where = urlencode({"station__district__id__exact": row.district.pk})
        stations_where = urlencode({"district__id__exact": row.district.pk})
    else:
        where = stations_where = urlencode({"election__id__exact": data.election.pk})
    stations, checkins, reports = paths or changelist_paths()
    coverage = "—" if row.coverage is None else f"{number_format(round(row.coverage, 1), 1)} %"
    return Cells(
        [
            (str(row.stations), f"{stations}?{stations_where}"),
            (str(row.observed), f"{checkins}?{where}"),
            (str(row.sample), f"{stations}?{stations_where}&in_sample__exact=1"),
            (str(row.sample_observed), f"{checkins}?{where}&station__in_sample__exact=1"),
            (coverage, None),
            *[
                (str(getattr(row, status)), f"{reports}?{where}&status__exact={status}")
                for status in STATUSES
            ],
            *[
                (
                    str(getattr(row, f"s{severity}")),
                    f"{reports}?{where}&status__exact={ReportStatus.VERIFIED.value}&severity__exact={int(severity)}",
                )
                for severity in SEVERITIES
            ],
        ]
    )


# --- Integrity scores --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreSummary:
    """A published score in words and figures, for a table cell; "—" where there is no figure."""

    score: str
    interval_80: str
    interval_95: str
    band: str  # "B", or "between A and B" when the 80 % interval spans two bands
    band_meaning: str  # what the band or bands mean
    coverage: str  # the grade with its rule
    coverage_reason: str  # what the district's grade rests on


@dataclass(frozen=True)
class ScoredRow:
    """A district's line beside its numbers: where its page is, its score and its sparkline."""

    district: District
    url: str
    summary: ScoreSummary | None  # None before the first recompute
    sparkline: SafeString | None


def scored_row(row: DistrictRow, data: Dashboard, floor: float) -> ScoredRow:
    """`floor`: the lower end of the scale every district's sparkline shares."""
    district = row.district
    scores = data.history.get(district.pk, [])
    return ScoredRow(
        district=district,
        url=district_url(district),
        summary=score_summary(district_score(district)),
        sparkline=sparkline_chart(f"history-{district.pk}", str(district), scores, low=floor),
    )


def score_summary(score: DistrictScoreFields | None) -> ScoreSummary | None:
    if score is None:
        return None
    # The label through the enum, not get_coverage_display(), which rebuilds the choices per call.
    coverage = str(Coverage(score.coverage).label)
    if score.score is None:
        return ScoreSummary("—", "—", "—", "—", "", coverage, coverage_reason(score))
    return ScoreSummary(
        score=f"{score.score:.0f}",
        interval_80=interval_text(score.interval_80_low, score.interval_80_high),
        interval_95=interval_text(score.interval_95_low, score.interval_95_high),
        band=band_text(score),
        band_meaning="; ".join(str(Band(code).label) for code in bands_of(score)),
        coverage=coverage,
        coverage_reason=coverage_reason(score),
    )


def interval_text(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"{low:.0f}\u2013{high:.0f}"


def bands_of(score: DistrictScoreFields) -> list[str]:
    if score.band:
        return [score.band]
    return sorted({score.band_high, score.band_low} - {""}, key=Band.values.index)


def band_text(score: DistrictScoreFields) -> str:
    """The band, or "between A and B", best first, in the words the recompute command prints."""
    if score.band:
        return score.band
    if score.band_high and score.band_low:
        return band_range(score.band_high, score.band_low, gettext=_)
    return "—"


def coverage_reason(score: DistrictScoreFields) -> str:
    values = {"n": score.n, "minimum": settings.SCORE_COVERAGE_C_STATIONS}
    if score.coverage == Coverage.INSUFFICIENT:
        text = ngettext(
            "only %(n)d station observed, fewer than the %(minimum)d a score needs",
            "only %(n)d stations observed, fewer than the %(minimum)d a score needs",
            score.n,
        )
    elif score.sample_used:
        text = ngettext(
            "%(n)d station of the random sample observed",
            "%(n)d stations of the random sample observed",
            score.n,
        )
    else:
        text = ngettext(
            "%(n)d station observed, not a random sample",
            "%(n)d stations observed, not a random sample",
            score.n,
        )
    return text % values


def duration_text(duration: timedelta | None) -> str:
    if duration is None:
        return "—"
    minutes = round(duration.total_seconds() / 60)
    if minutes < 1:
        return _("under a minute")
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


# --- The charts ---------------------------------------------------------------------------------


def hour_chart(data: Dashboard) -> SafeString:
    """Columns, one per hour from midnight of election day, labelled every third hour."""
    step, plot_top, plot_height, left = 22, 16, 150, 8
    width, height = left * 2 + step * CHART_HOURS, plot_top + plot_height + 36
    highest = max((count for _hour, count in data.per_hour), default=0) or 1
    body = [
        f'<line x1="{left}" x2="{width - left}" y1="{plot_top + plot_height}" '
        f'y2="{plot_top + plot_height}" stroke="currentColor" stroke-width="1"/>'
    ]
    for index, (hour, count) in enumerate(data.per_hour):
        x, tall = left + index * step, plot_height * count / highest
        span = f"{date_format(hour, 'j M')} {hour:%H}:00\u2013{hour + timedelta(hours=1):%H}:00"
        tip = ngettext("%(span)s: %(count)d report", "%(span)s: %(count)d reports", count)
        body.append(
            bar(x + 2, plot_top + plot_height - tall, step - 4, tall, tip % {"span": span, "count": count})
        )
        if count:
            body.append(label(x + step / 2, plot_top + plot_height - tall - 3, str(count)))
        if index % 3 == 0:
            body.append(label(x + step / 2, plot_top + plot_height + 14, f"{hour:%H}"))
    body.append(label(width / 2, height - 4, _("Hour, %(zone)s time") % {"zone": data.election.timezone}))
    counted = [f"{hour:%H}:00 {count}" for hour, count in data.per_hour if count]
    desc = _("Reports by the hour they occurred, from midnight of election day (%(zone)s): %(list)s.") % {
        "zone": data.election.timezone,
        "list": ", ".join(counted) or _("none"),
    }
    return svg("per-hour", width, height, _("Reports per hour"), desc, body)


def category_chart(data: Dashboard) -> SafeString:
    """Horizontal bars, one per category reported, the most reported first."""
    row, label_width, plot_width = 22, 330, 300
    width, height = label_width + plot_width + 40, row * max(len(data.per_category), 1) + 8
    highest = max((count for _code, _label, count in data.per_category), default=0) or 1
    body = []
    if not data.per_category:
        body.append(label(8, row - 6, _("No reports yet."), anchor="start"))
    for index, (_code, name, count) in enumerate(data.per_category):
        y, long = 4 + index * row, plot_width * count / highest
        tip = ngettext("%(category)s: %(count)d report", "%(category)s: %(count)d reports", count)
        body.append(label(label_width - 8, y + row - 8, name, anchor="end"))
        body.append(bar(label_width, y + 3, long, row - 6, tip % {"category": name, "count": count}))
        body.append(label(label_width + long + 4, y + row - 8, str(count), anchor="start"))
    listed = [f"{name} {count}" for _code, name, count in data.per_category]
    desc = _("Reports by category, the most reported first: %(list)s.") % {
        "list": ", ".join(listed) or _("none")
    }
    return svg("per-category", width, height, _("Reports per category"), desc, body)
