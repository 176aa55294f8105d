"""The coordinator dashboard in the admin: coverage, reports and the review queue per district of one
election, with links into the filtered admin lists and two charts drawn here as inline SVG."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.dashboard import (
    CHART_HOURS,
    QUEUE,
    SEVERITIES,
    STATUSES,
    Dashboard,
    DistrictRow,
    dashboard_elections,
    dashboard_for_user,
)
from reports.models import ReportStatus

PERMISSION = "reports.view_incidentreport"


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
        context.update(
            data=data,
            columns=column_headings(),
            rows=[(row, table_row(row, data)) for row in data.rows],
            totals=table_row(data.totals, data),
            queue_url=changelist(
                "reports_incidentreport",
                election__id__exact=election.pk,
                status__in=",".join(QUEUE),
            ),
            median_review=duration_text(data.median_review),
            hour_chart=hour_chart(data),
            category_chart=category_chart(data),
        )
    return TemplateResponse(request, "admin/reports/dashboard.html", context)


# --- The table ---------------------------------------------------------------------------------


def changelist(model: str, **params) -> str:
    return f"{reverse(f'admin:{model}_changelist')}?{urlencode(params)}"


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


def table_row(row: DistrictRow, data: Dashboard) -> list[tuple[str, str | None]]:
    """(text, link) per column; a district's links filter by district, the totals' by election."""
    if row.district is not None:
        where = {"station__district__id__exact": row.district.pk}
        stations_where = {"district__id__exact": row.district.pk}
    else:
        where = stations_where = {"election__id__exact": data.election.pk}
    in_sample = {"in_sample__exact": 1}
    coverage = "—" if row.coverage is None else f"{number_format(round(row.coverage, 1), 1)} %"
    return [
        (str(row.stations), changelist("stations_pollingstation", **stations_where)),
        (str(row.observed), changelist("reports_checkin", **where)),
        (str(row.sample), changelist("stations_pollingstation", **stations_where, **in_sample)),
        (str(row.sample_observed), changelist("reports_checkin", **where, station__in_sample__exact=1)),
        (coverage, None),
        *[
            (str(getattr(row, status)), changelist("reports_incidentreport", **where, status__exact=status))
            for status in STATUSES
        ],
        *[
            (
                str(getattr(row, f"s{severity}")),
                changelist(
                    "reports_incidentreport",
                    **where,
                    status__exact=ReportStatus.VERIFIED.value,
                    severity__exact=int(severity),
                ),
            )
            for severity in SEVERITIES
        ],
    ]


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


# --- The charts --------------------------------------------------------------------------------

BAR = 'style="fill: var(--primary, #417690)"'
TEXT = 'style="fill: var(--body-fg, #333)" font-size="11"'


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
