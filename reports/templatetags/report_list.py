"""The report list's date hierarchy, without reading every report.

Django's date hierarchy lists the years, months or days that have reports with a DISTINCT over a
truncated time of every report in the list: a second with a million reports, on every load of the
list. Here the same links are found by walking down the time index: the first report, then the
first report from the next day (month, year) on, and so on, two or three index reads for an
election that lasted a day or two, whatever the number of reports.
"""

import copy
from datetime import datetime, timedelta

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import QuerySet
from django.utils import timezone

register = template.Library()

# The most links one level of the hierarchy can have: 31 days, 12 months, or years of reports.
MOST_PERIODS = 100


@register.inclusion_tag("admin/date_hierarchy.html")
def report_date_hierarchy(cl):
    """Django's date hierarchy for the change list `cl`, with the periods found by PeriodWalk."""
    walked = copy.copy(cl)
    walked.queryset = PeriodWalk(cl.queryset)
    return date_hierarchy(walked)


class PeriodWalk:
    """The change list's queryset as Django's date hierarchy uses it: an aggregate (the first and
    last time, two index reads) and `datetimes(field, kind)`."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def aggregate(self, *args, **kwargs):
        return self.queryset.aggregate(*args, **kwargs)

    def datetimes(self, field: str, kind: str) -> list[datetime]:
        """The start of each year, month or day (in the current time zone) with a report in the
        queryset, in order, as QuerySet.datetimes gives them."""
        times = self.queryset.order_by(field).values_list(field, flat=True)
        found: list[datetime] = []
        first = times.first()
        while first is not None and len(found) < MOST_PERIODS:
            period = start_of(timezone.localtime(first), kind)
            found.append(period)
            first = times.filter(**{f"{field}__gte": start_of_next(period, kind)}).first()
        return found


def start_of(moment: datetime, kind: str) -> datetime:
    if kind == "year":
        naive = datetime(moment.year, 1, 1)
    elif kind == "month":
        naive = datetime(moment.year, moment.month, 1)
    else:
        naive = datetime(moment.year, moment.month, moment.day)
    return timezone.make_aware(naive, moment.tzinfo)


def start_of_next(period: datetime, kind: str) -> datetime:
    if kind == "year":
        naive = datetime(period.year + 1, 1, 1)
    elif kind == "month":
        naive = datetime(period.year + period.month // 12, period.month % 12 + 1, 1)
    else:
        naive = datetime.combine(period.date() + timedelta(days=1), datetime.min.time())
    return timezone.make_aware(naive, period.tzinfo)
