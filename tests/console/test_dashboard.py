"""The coordinator dashboard: its numbers per district, the review times, the charts, the links, who may
open it, and a query count that does not grow with the districts."""

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import escape

from console.board import CHART_HOURS, dashboard_for_user
from console.views.dashboard import label, svg
from people.roles import ensure_groups
from reports.models import CheckIn, IncidentReport
from stations.models import District, Election, PollingStation, Region

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+6 in March 2023
SVG_NS = "{http://www.w3.org/2000/svg}"
# Selector, cache empty: districts with station counts, the key of the figures' cache, stations
# with a check-in per district, reports per district, median, reports per hour, per category.
DASHBOARD_QUERIES = 7
# Once the report figures are cached: their key and the districts with their station counts.
WARM_DASHBOARD_QUERIES = 2
# Session, user (with whether they have an authenticator app), user and group permissions, the
# elections, then the dashboard's own queries (its figures cached by the call before) and the key
# of the count's cache (counts.dashboard).
VIEW_QUERIES = 5 + WARM_DASHBOARD_QUERIES + 1


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def dashboard_url(**params) -> str:
    return reverse("admin_dashboard") + (f"?{urlencode(params)}" if params else "")


def admin_list(model: str, **params) -> str:
    return f"{reverse(f'admin:{model}_changelist')}?{urlencode(params)}"


def staff_in_group(make_member, organization, username: str, group: str, role: str):
    ensure_groups()
    user = make_member(username, organization, role=role, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def check_in(observer, organization, station, kind: str = "arrival") -> CheckIn:
    return CheckIn.objects.create(
        observer=observer,
        organization=organization,
        election=station.election,
        station=station,
        kind=kind,
        at=local("2023-03-19T07:30"),
    )


def report(
    observer,
    organization,
    station,
    *,
    at,
    status="submitted",
    severity=1,
    category="other",
    review_minutes=None,
) -> IncidentReport:
    """A report received five minutes after it occurred, reviewed `review_minutes` after receipt."""
    row = IncidentReport.objects.create(
        observer=observer,
        organization=organization,
        election=station.election,
        station=station,
        category=category,
        severity=severity,
        phase="voting",
        occurred_at=at,
        status=status,
    )
    received = at + timedelta(minutes=5)
    reviewed = None if review_minutes is None else received + timedelta(minutes=review_minutes)
    IncidentReport.objects.filter(pk=row.pk).update(received_at=received, reviewed_at=reviewed)
    return row


@pytest.fixture
def election(db):
    """The test election, in Almaty's zone whatever the default zone is set to."""
    return Election.objects.create(
        slug="test-2023", name="Test election 2023", date=date(2023, 3, 19), timezone="Asia/Almaty"
    )


# Organization, station, kind. B's check-in must not count as observed for A.
CHECKINS = [
    ("A", "101", "arrival"),
    ("A", "101", "opening"),
    ("A", "103", "arrival"),
    ("A", "202", "arrival"),
]
CHECKINS += [("B", "102", "arrival")]
# Organization, station, when it occurred (Almaty time unless an offset is given), status, severity,
# category, minutes from receipt to review.
REPORTS = [
    # The eve in UTC is already election morning in Almaty: 05:30 local.
    ("A", "101", "2023-03-18T23:30:00+00:00", "submitted", 5, "ballot_stuffing", None),
    ("A", "101", "2023-03-19T08:10", "needs_info", 3, "intimidation", None),
    ("A", "103", "2023-03-19T08:50", "verified", 5, "ballot_stuffing", 10),
    ("A", "101", "2023-03-19T14:00", "verified", 3, "vote_buying", 30),
    # During the count, after midnight.
    ("A", "104", "2023-03-20T01:15", "rejected", 1, "other", 60),
    ("A", "202", "2023-03-19T14:59", "verified", 1, "procedural", 20),
    # The evening before election day: outside the hourly chart.
    ("A", "201", "2023-03-18T23:00", "submitted", 5, "count_manipulation", None),
    # Reopened: it keeps its old reviewed_at, but that is no longer a decision.
    ("A", "201", "2023-03-19T20:00", "submitted", 5, "ballot_stuffing", 500),
    ("B", "102", "2023-03-19T08:20", "verified", 5, "ballot_stuffing", 1000),
]


@pytest.fixture
def scene(election, make_station, make_member, organization, other_organization):
    """Two districts; organization A's check-ins and reports, and one of each from organization B."""
    s = {
        number: make_station(number, district=int(number[0]), in_sample=number in ("101", "102", "201"))
        for number in ("101", "102", "103", "104", "201", "202")
    }
    people = {
        "A": (make_member("observer-a", organization, stations=s.values()), organization),
        "B": (make_member("observer-b", other_organization, stations=[s["102"]]), other_organization),
    }
    for who, number, kind in CHECKINS:
        check_in(*people[who], s[number], kind=kind)
    for who, number, at, status, severity, category, minutes in REPORTS:
        when = datetime.fromisoformat(at) if "+" in at else local(at)
        fields = {"status": status, "severity": severity, "category": category, "review_minutes": minutes}
        report(*people[who], s[number], at=when, **fields)
    return s


@pytest.fixture
def reviewer_a(make_member, organization):
    return staff_in_group(make_member, organization, "reviewer-a", "Reviewer", "reviewer")


NUMBERS = "stations observed sample sample_observed submitted needs_info verified rejected s5 s3 s1 reviewed"


def numbers(row) -> tuple[int, ...]:
    return tuple(getattr(row, name) for name in NUMBERS.split())


def test_a_reviewer_counts_their_organizations_checkins_and_reports_per_district(scene, reviewer_a, election):
    data = dashboard_for_user(user=reviewer_a, election=election)

    assert [row.district.number for row in data.rows] == [1, 2]
    assert [numbers(row) for row in [*data.rows, data.totals]] == [
        # stations, observed, sample, sample observed, 4 statuses, verified S5/S3/S1, reviewed
        (4, 2, 2, 1, 1, 1, 2, 1, 1, 1, 0, 3),
        (2, 1, 1, 0, 2, 0, 1, 0, 0, 0, 1, 1),
        (6, 3, 3, 1, 3, 1, 3, 1, 1, 1, 1, 4),
    ]
    assert (data.rows[0].coverage, data.rows[1].coverage, data.totals.coverage) == (50.0, 0.0, 100 / 3)
    assert data.queue == 4


def test_the_kept_figures_follow_a_change_of_the_sample_and_a_new_checkin(
    scene, reviewer_a, election, organization
):
    before = dashboard_for_user(user=reviewer_a, election=election).rows[1]
    # As many stations in the sample as before, but another one: the observed 202 instead of 201.
    PollingStation.objects.filter(pk=scene["201"].pk).update(in_sample=False)
    PollingStation.objects.filter(pk=scene["202"].pk).update(in_sample=True)
    after_sample = dashboard_for_user(user=reviewer_a, election=election).rows[1]
    check_in(get_user_model().objects.get(username="observer-a"), organization, scene["201"])
    after_checkin = dashboard_for_user(user=reviewer_a, election=election).rows[1]

    # District 2: (stations, observed, sample, sample observed)
    assert numbers(before)[:4] == (2, 1, 1, 0)
    assert numbers(after_sample)[:4] == (2, 1, 1, 1)
    assert numbers(after_checkin)[:4] == (2, 2, 1, 1)


def test_a_superuser_counts_every_organization(scene, superuser, election):
    data = dashboard_for_user(user=superuser, election=election)

    assert (data.rows[0].observed, data.rows[0].sample_observed, data.rows[0].coverage) == (3, 2, 100.0)
    assert (data.rows[0].verified, data.rows[0].s5, data.totals.reports) == (3, 2, 9)


def test_the_median_time_to_review_is_over_standing_decisions_of_the_users_organizations(
    scene, reviewer_a, superuser, election
):
    # A: 10, 20, 30 and 60 minutes; the reopened report's 500 does not count; B adds 1000.
    assert dashboard_for_user(user=reviewer_a, election=election).median_review == timedelta(minutes=25)
    assert dashboard_for_user(user=superuser, election=election).median_review == timedelta(minutes=30)


def test_the_median_time_to_review_is_empty_before_any_decision(election, reviewer_a):
    assert dashboard_for_user(user=reviewer_a, election=election).median_review is None


def test_reports_are_counted_by_the_hour_they_occurred_in_the_elections_time_zone(
    scene, reviewer_a, election
):
    data = dashboard_for_user(user=reviewer_a, election=election)

    hours = [hour for hour, _count in data.per_hour]
    assert len(hours) == CHART_HOURS
    assert hours[0] == local("2023-03-19T00:00") and hours[0].tzinfo == ALMATY
    assert hours[-1] == local("2023-03-20T05:00")
    counted = {hour.strftime("%d %H"): count for hour, count in data.per_hour if count}
    assert counted == {"19 05": 1, "19 08": 2, "19 14": 2, "19 20": 1, "20 01": 1}
    assert data.outside_hours == 1


def test_reports_are_counted_per_category_most_reported_first(scene, reviewer_a, election):
    data = dashboard_for_user(user=reviewer_a, election=election)

    assert data.per_category[0] == ("ballot_stuffing", "Ballot stuffing", 3)
    assert {code: count for code, _label, count in data.per_category} == {
        "ballot_stuffing": 3,
        "intimidation": 1,
        "vote_buying": 1,
        "other": 1,
        "procedural": 1,
        "count_manipulation": 1,
    }


def test_a_user_outside_the_staff_counts_no_checkins_or_reports(scene, election):
    outsider = get_user_model().objects.create_user("outsider", password="pw-for-tests-only")

    data = dashboard_for_user(user=outsider, election=election)

    assert (data.totals.stations, data.totals.sample) == (6, 3)
    assert (data.totals.observed, data.totals.reports, data.per_category) == (0, 0, [])


def test_the_page_shows_the_reviewers_numbers_with_links_into_the_admin_lists(
    client, scene, reviewer_a, election
):
    client.force_login(reviewer_a)

    response = client.get(dashboard_url())

    assert response.status_code == 200
    content = response.content.decode()
    district = District.objects.get(election=election, number=1)
    verified = admin_list(
        "reports_incidentreport", station__district__id__exact=district.pk, status__exact="verified"
    )
    s5 = admin_list(
        "reports_incidentreport",
        station__district__id__exact=district.pk,
        status__exact="verified",
        severity__exact=5,
    )
    checkins = admin_list("reports_checkin", station__district__id__exact=district.pk)
    queue = admin_list(
        "reports_incidentreport", election__id__exact=election.pk, status__in="submitted,needs_info"
    )
    assert f'<a href="{escape(verified)}">2</a>' in content
    assert f'<a href="{escape(s5)}">1</a>' in content
    assert f'<a href="{escape(checkins)}">2</a>' in content
    assert f'<a href="{escape(queue)}">4 reports</a>' in content
    assert "50.0 %" in content
    assert "25 minutes" in content


def test_the_kept_tables_of_the_page_follow_a_new_checkin_and_other_readers_scopes(
    client, scene, reviewer_a, superuser, election, organization
):
    district = District.objects.get(election=election, number=1)
    checkins = escape(admin_list("reports_checkin", station__district__id__exact=district.pk))
    client.force_login(reviewer_a)
    before = client.get(dashboard_url()).content.decode()
    check_in(get_user_model().objects.get(username="observer-a"), organization, scene["104"])
    after = client.get(dashboard_url()).content.decode()
    client.force_login(superuser)
    everyone = client.get(dashboard_url()).content.decode()

    assert f'<a href="{checkins}">2</a>' in before
    assert f'<a href="{checkins}">3</a>' in after
    # Organization B's check-in at 102 counts for the superuser only.
    assert f'<a href="{checkins}">4</a>' in everyone


def test_every_number_opens_an_admin_list_with_as_many_rows(client, scene, superuser):
    client.force_login(superuser)
    page = client.get(dashboard_url())
    cells = [cell for _row, row_cells in page.context["rows"] for cell in row_cells] + page.context["totals"]

    for text, url in cells:
        if url is None:
            continue
        listing = client.get(url)
        assert listing.status_code == 200, url
        if "checkin" not in url:  # the check-in list has a row per check-in, not per station
            assert listing.context["cl"].result_count == int(text), url


def test_the_charts_are_well_formed_accessible_svg(client, scene, reviewer_a):
    client.force_login(reviewer_a)

    content = client.get(dashboard_url()).content.decode()

    charts = [
        ElementTree.fromstring(found)
        for found in re.findall(r'<svg xmlns="[^"]+" role="img".*?</svg>', content, re.DOTALL)
    ]
    assert len(charts) == 2
    hours, categories = charts
    for chart in charts:
        assert chart.get("role") == "img"
        title_id, desc_id = chart.get("aria-labelledby").split()
        assert chart.find(f"{SVG_NS}title").get("id") == title_id
        assert chart.find(f"{SVG_NS}desc").get("id") == desc_id
    assert hours.find(f"{SVG_NS}title").text == "Reports per hour"
    assert "05:00 1, 08:00 2, 14:00 2, 20:00 1, 01:00 1" in hours.find(f"{SVG_NS}desc").text
    bars = [rect.find(f"{SVG_NS}title").text for rect in hours.iter(f"{SVG_NS}rect")]
    assert len(bars) == CHART_HOURS
    assert bars[5] == "19 Mar 05:00\u201306:00: 1 report"
    category_bars = [rect.find(f"{SVG_NS}title").text for rect in categories.iter(f"{SVG_NS}rect")]
    assert category_bars[0] == "Ballot stuffing: 3 reports"
    assert len(category_bars) == 6


def test_chart_text_is_escaped():
    chart = ElementTree.fromstring(svg("x", 10, 10, 'A & <B> "c"', "d", [label(0, 0, "<script>")]))

    assert chart.find(f"{SVG_NS}title").text == 'A & <B> "c"'
    assert chart.find(f"{SVG_NS}text").text == "<script>"


def test_the_newest_election_is_shown_unless_another_is_chosen(client, scene, superuser, election):
    older = Election.objects.create(slug="test-2019", name="Test election 2019", date="2019-06-09")
    client.force_login(superuser)

    assert client.get(dashboard_url()).context["election"] == election
    chosen = client.get(dashboard_url(election="test-2019"))
    assert chosen.context["election"] == older
    assert chosen.context["data"].totals.stations == 0
    assert '<option value="test-2019" selected>' in chosen.content.decode()
    assert client.get(dashboard_url(election="no-such-election")).status_code == 404


def test_the_page_says_so_when_there_is_no_election(client, superuser):
    client.force_login(superuser)

    assert "No elections yet." in client.get(dashboard_url()).content.decode()


def test_anonymous_and_observers_are_sent_to_the_admin_login(client, scene, election):
    login = f"{reverse('admin:login')}?next={dashboard_url()}"
    assert client.get(dashboard_url()).url == login

    client.force_login(get_user_model().objects.get(username="observer-a"))
    response = client.get(dashboard_url())

    assert (response.status_code, response.url) == (302, login)


def test_staff_without_the_permission_to_view_reports_are_refused(client, make_member, organization):
    client.force_login(make_member("clerk", organization, role="coordinator", is_staff=True))

    assert client.get(dashboard_url()).status_code == 403


@pytest.mark.parametrize(("group", "role"), [("Reviewer", "reviewer"), ("Coordinator", "coordinator")])
def test_staff_of_an_organization_see_its_numbers_only(client, scene, make_member, organization, group, role):
    client.force_login(staff_in_group(make_member, organization, f"{role}-x", group, role))

    response = client.get(dashboard_url())

    assert response.status_code == 200
    assert response.context["data"].totals.verified == 3
    assert response.context["data"].rows[0].observed == 2


def test_a_superuser_sees_every_organizations_numbers(client, scene, superuser):
    client.force_login(superuser)

    response = client.get(dashboard_url())

    assert (response.context["data"].totals.verified, response.context["data"].totals.observed) == (4, 4)
    assert "66.7 %" in response.content.decode()  # two of the three sample stations, rounded


def build_districts(election, count: int, observer, organization) -> None:
    """`count` districts with a station each, a check-in there and a report of every status."""
    region = Region.objects.create(election=election, name="Region")
    for number in range(1, count + 1):
        district = District.objects.create(election=election, number=number, name=f"D{number}", region=region)
        station = PollingStation.objects.create(
            election=election, number=f"{number}-1", region=region, district=district, in_sample=True
        )
        check_in(observer, organization, station)
        for status in ("submitted", "needs_info", "verified", "rejected"):
            review = 15 if status in ("verified", "rejected") else None
            report(
                observer,
                organization,
                station,
                at=local("2023-03-19T10:00"),
                status=status,
                severity=5,
                review_minutes=review,
            )


@pytest.mark.parametrize("districts", [1, 10])
def test_the_dashboard_takes_the_same_queries_for_1_and_10_districts(
    client, election, make_member, organization, reviewer_a, django_assert_num_queries, districts
):
    observer = make_member("observer-q", organization)
    build_districts(election, districts, observer, organization)
    client.force_login(reviewer_a)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        data = dashboard_for_user(user=reviewer_a, election=election)
    with django_assert_num_queries(VIEW_QUERIES):
        response = client.get(dashboard_url())

    assert len(data.rows) == len(response.context["rows"]) == districts
    assert (data.totals.observed, data.totals.reports, data.totals.s5) == (
        districts,
        4 * districts,
        districts,
    )


def test_the_admin_start_page_leads_reviewers_to_the_dashboard_and_nobody_else(
    client, reviewer_a, make_member, organization
):
    client.force_login(reviewer_a)
    assert reverse("admin_dashboard") in client.get(reverse("admin:index")).content.decode()
    bare = make_member("staff-without-rights", organization, role="reviewer", is_staff=True)
    client.force_login(bare)
    assert reverse("admin_dashboard") not in client.get(reverse("admin:index")).content.decode()


def test_each_district_shows_its_integrity_score_and_coverage_once_computed(
    client, scene, superuser, election
):
    from integrity.services import scores_recompute

    client.force_login(superuser)
    assert "not computed yet" in client.get(dashboard_url()).content.decode()
    scores_recompute(election_id=election.pk)
    page = client.get(dashboard_url()).content.decode()
    assert "not computed yet" not in page
    assert "insufficient data" in page
