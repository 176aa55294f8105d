"""The report list and the dashboard at national scale keep their answers: the dashboard's cached
report figures follow every review, the date hierarchy lists each day with reports, and the
search finds a station's reports and words of a description."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.board import dashboard_for_user
from reports.models import IncidentReport
from reports.services import report_verify
from reports.templatetags.report_list import PeriodWalk
from tests.reports.test_review_admin import in_group, submit

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:reports_incidentreport_changelist"


@pytest.fixture(autouse=True)
def election_is_today(election):
    # The services accept times from the eve of election day on: make it today.
    election.date = timezone.localdate()
    election.save()


@pytest.fixture
def reviewer(reviewer):
    return in_group(reviewer, "Reviewer")


def test_the_dashboards_cached_figures_follow_a_review_at_once(observer, station, reviewer):
    report = submit(observer, station)
    before = dashboard_for_user(user=reviewer, election=station.election).totals
    report_verify(report=report, by=reviewer)
    after = dashboard_for_user(user=reviewer, election=station.election).totals
    assert (before.submitted, before.verified) == (1, 0)
    assert (after.submitted, after.verified) == (0, 1)


def test_the_date_hierarchy_lists_each_day_with_reports_and_only_those(client, observer, station, reviewer):
    now = timezone.localtime()
    yesterday_noon = now.replace(hour=12, minute=0) - timedelta(days=1)
    for minutes in (1, (now - yesterday_noon) // timedelta(minutes=1)):
        submit(observer, station, minutes=minutes)
    client.force_login(reviewer)
    response = client.get(reverse(CHANGELIST))
    days = [
        timezone.localtime(at).date() for at in IncidentReport.objects.values_list("occurred_at", flat=True)
    ]
    listed = response.context["cl"].queryset.datetimes("occurred_at", "day")
    assert [at.date() for at in listed] == sorted(set(days))
    assert len(listed) == 2 and listed[1].date() - listed[0].date() == timedelta(days=1)
    # The page's links (found by walking the time index) are Django's, one per day with reports.
    toplinks = response.content.decode().split('<nav class="toplinks">')[1].split("</nav>")[0]
    linked = re.findall(
        r"occurred_at__day=(\d+)&amp;occurred_at__month=(\d+)&amp;occurred_at__year=(\d+)", toplinks
    )
    assert [(int(d), int(m), int(y)) for d, m, y in linked] == [(at.day, at.month, at.year) for at in listed]


@pytest.mark.parametrize("kind", ["day", "month", "year"])
def test_the_walk_finds_the_periods_querysets_datetimes_finds(observer, station, reviewer, kind):
    now = timezone.localtime()
    for days in (0, 1, 2, 40, 45, 400):
        report = submit(observer, station)
        IncidentReport.objects.filter(pk=report.pk).update(occurred_at=now - timedelta(days=days))
    reports = IncidentReport.objects.all()
    assert PeriodWalk(reports).datetimes("occurred_at", kind) == list(reports.datetimes("occurred_at", kind))


def test_the_search_finds_a_stations_reports_and_words_of_a_description(client, observer, station, reviewer):
    submit(observer, station, description="Carousel voters arrived by bus.")
    submit(observer, station, description="Nothing unusual.")
    client.force_login(reviewer)
    by_station = client.get(reverse(CHANGELIST), {"q": station.number})
    by_word = client.get(reverse(CHANGELIST), {"q": "carousel"})
    assert len(by_station.context["cl"].result_list) == 2
    assert [r.description for r in by_word.context["cl"].result_list] == ["Carousel voters arrived by bus."]
