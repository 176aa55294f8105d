"""The integrity scores on the coordinator dashboard: each district's score with both intervals, band
or band range and coverage grade; the district page with the parts of its score, its stations and
its history; the funnel plot and the sparklines; who may see what, and query counts that do not
grow with the districts, the stations or the history."""

import io
import re
from datetime import date, datetime
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from console.board import dashboard_for_user, district_detail_for_user
from integrity.models import DistrictScore, DistrictScoreHistory
from integrity.scoring.explain import band_range
from integrity.services import scores_recompute
from people.roles import ensure_groups
from reports.models import CheckIn, IncidentReport
from stations.models import District, Election

pytestmark = pytest.mark.django_db

AT = datetime(2023, 3, 19, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
SVG_NS = "{http://www.w3.org/2000/svg}"
SEVERITY = {"ballot_stuffing": 5, "intimidation": 3, "vote_buying": 3, "procedural": 1}
# District: stations, how many of them organization A observed, and reports as (station index,
# category, status, organization). 1 and 2 have wide intervals across bands; 3 has too
# few stations observed for a score; 4 is large and quiet. In 1, organization B's report counts
# in the score, and the rejected report at station 4 weighs nothing.
LAYOUT = {
    1: (
        12,
        10,
        [
            (0, "ballot_stuffing", "verified", "A"),
            (1, "ballot_stuffing", "submitted", "A"),
            (2, "intimidation", "verified", "A"),
            (3, "vote_buying", "submitted", "B"),
            (4, "ballot_stuffing", "rejected", "A"),
        ],
    ),
    2: (6, 6, [(0, "ballot_stuffing", "verified", "A"), (1, "ballot_stuffing", "verified", "A")]),
    3: (4, 3, [(0, "procedural", "submitted", "A")]),
    4: (40, 40, [(0, "procedural", "verified", "A")]),
}
# Dashboard: the 7 queries it makes without scores (its cache empty), and the published history.
SCORED_DASHBOARD_QUERIES = 8
# The district with its score and run, its station indicators, its history.
DISTRICT_QUERIES = 3


@pytest.fixture
def election(db):
    return Election.objects.create(
        slug="test-2023", name="Test election 2023", date=date(2023, 3, 19), timezone="Asia/Almaty"
    )


def staff(make_member, organization, username: str, group: str, role: str):
    ensure_groups()
    user = make_member(username, organization, role=role, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def coordinator_a(make_member, organization):
    return staff(make_member, organization, "coordinator-a", "Coordinator", "coordinator")


@pytest.fixture
def coordinator_b(make_member, other_organization):
    return staff(make_member, other_organization, "coordinator-b", "Coordinator", "coordinator")


def build(make_station, people: dict, layout: dict, prefix: str = "") -> dict[int, list]:
    """The stations of `layout`, checked in by organization A, with their reports."""
    stations = {}
    observer, organization = people["A"]
    for district, (total, observed, incidents) in layout.items():
        made = [make_station(f"{prefix}{district}-{i:02d}", district=district) for i in range(total)]
        seen = {"observer": observer, "organization": organization, "kind": "arrival", "at": AT}
        CheckIn.objects.bulk_create(CheckIn(election=s.election, station=s, **seen) for s in made[:observed])
        for index, category, status, who in incidents:
            by, of = people[who]
            IncidentReport.objects.create(
                observer=by,
                organization=of,
                election=made[index].election,
                station=made[index],
                category=category,
                severity=SEVERITY[category],
                status=status,
                phase="voting",
                occurred_at=AT,
            )
        stations[district] = made
    return stations


@pytest.fixture
def people(make_member, organization, other_organization):
    return {
        "A": (make_member("observer-a", organization), organization),
        "B": (make_member("observer-b", other_organization), other_organization),
    }


@pytest.fixture
def scene(election, make_station, people):
    """LAYOUT, scored twice: once as submitted, once after the submitted S5 report is verified."""
    stations = build(make_station, people, LAYOUT)
    scores_recompute(election_id=election.pk)
    IncidentReport.objects.filter(station=stations[1][1]).update(status="verified")
    scores_recompute(election_id=election.pk)
    return stations


def district(number: int) -> District:
    return District.objects.get(number=number)


def district_url(number: int) -> str:
    return reverse("admin_dashboard_district", args=[district(number).pk])


def row_html(content: str, number: int) -> str:
    """The row of a district in the table of scores, found by the link to its page."""
    table = re.search(r'<table class="dashboard-table" id="district-scores">.*?</table>', content, re.DOTALL)
    link = f'href="{district_url(number)}"'
    return next(row for row in re.findall(r"<tr>.*?</tr>", table.group(0), re.DOTALL) if link in row)


def svgs(content: str) -> dict[str, ElementTree.Element]:
    found = re.findall(r'<svg xmlns="[^"]+" role="img".*?</svg>', content, re.DOTALL)
    charts = [ElementTree.fromstring(chart) for chart in found]
    return {chart.get("aria-labelledby").split()[0].removesuffix("-title"): chart for chart in charts}


def test_a_band_range_is_worded_best_band_first_whichever_order_it_is_given_in():
    assert band_range("B", "A") == band_range("A", "B") == "between A and B"
    assert band_range("D", "C", describe=str.lower) == "between c and d"


def test_the_dashboard_and_the_command_word_a_band_range_alike(client, scene, election, coordinator_a):
    straddling = DistrictScore.objects.get(district__number=1)
    # Ten stations with two result-changing reports: the robust prior lets the district's own
    # evidence speak, so its interval reaches from A down into C.
    assert (straddling.band, straddling.band_high, straddling.band_low) == ("", "A", "C")
    out = io.StringIO()

    call_command("recompute_scores", "--election", election.slug, stdout=out)
    client.force_login(coordinator_a)
    page = client.get(reverse("admin_dashboard")).content.decode()

    command_line = next(line for line in out.getvalue().splitlines() if line.startswith("  1 "))
    assert "between A and C" in command_line
    assert (
        '<td class="band" title="A: no serious problems found; C: serious problems found">'
        "between A and C</td>" in (row_html(page, 1))
    )


def test_each_district_shows_its_score_both_intervals_band_and_coverage_grade(client, scene, coordinator_a):
    client.force_login(coordinator_a)

    page = client.get(reverse("admin_dashboard")).content.decode()

    for number in (1, 2, 4):
        score = DistrictScore.objects.get(district__number=number)
        row = row_html(page, number)
        assert f'<td class="number score"><strong>{score.score:.0f}</strong></td>' in row
        assert f"{score.interval_80_low:.0f}\u2013{score.interval_80_high:.0f}" in row
        assert f"{score.interval_95_low:.0f}\u2013{score.interval_95_high:.0f}" in row
        assert (
            score.interval_95_low <= score.interval_80_low <= score.interval_80_high <= score.interval_95_high
        )
    quiet = row_html(page, 4)
    assert '<td class="band" title="A: no serious problems found">A</td>' in quiet
    assert "B: at least 15 stations observed" in quiet
    assert "40 stations observed, not a random sample" in quiet
    assert "C: at least 5 stations observed" in row_html(page, 2)
    too_few = row_html(page, 3)
    assert "insufficient data" in too_few
    assert "only 3 stations observed, fewer than the 5 a score needs" in too_few
    assert '<td class="number score"><strong>\u2014</strong></td>' in too_few


def test_the_funnel_plot_has_a_dot_per_district_the_pooled_rate_and_both_limits(client, scene, coordinator_a):
    client.force_login(coordinator_a)

    funnel = svgs(client.get(reverse("admin_dashboard")).content.decode())["funnel"]

    assert funnel.get("role") == "img"
    assert funnel.find(f"{SVG_NS}title").text == "Funnel plot of result-changing incidents"
    scores = DistrictScore.objects.order_by("district__number")
    events = [score.components["severities"]["5"]["events"] for score in scores]
    pooled = sum(events) / sum(score.n for score in scores)
    desc = funnel.find(f"{SVG_NS}desc").text
    assert f"Pooled rate {100 * pooled:.1f} %." in desc
    links = funnel.findall(f"{SVG_NS}a")
    assert [link.get("href") for link in links] == [district_url(number) for number in (1, 2, 3, 4)]
    tips = [link.find(f"{SVG_NS}circle/{SVG_NS}title").text for link in links]
    rate = 100 * events[0] / scores[0].n
    assert tips[0] == f"1. District 1: {rate:.1f} % of 10 stations, within the 95 % limits"
    assert tips[2].startswith("3. District 3: 0.0 % of 3 stations")
    dashes = sorted(line.get("stroke-dasharray") for line in funnel.iter(f"{SVG_NS}polyline"))
    assert dashes == ["2 3", "2 3", "6 4", "6 4"]  # 99.8 % and 95 %, lower and upper


def test_a_district_far_above_the_pooled_rate_falls_outside_the_99_8_percent_limit(
    client, election, make_station, people, coordinator_a
):
    # Four districts of 40 observed stations; ten verified S5 reports (Y 0.5 each) in one of them.
    # p0 = 5 / 160 = 0.03125; at n = 40, 0.03125 + 3.09 * sqrt(0.03125 * 0.96875 / 40) = 0.1162,
    # below district 4's 5 / 40 = 0.125.
    loud = [(index, "ballot_stuffing", "verified", "A") for index in range(10)]
    build(make_station, people, {1: (40, 40, []), 2: (40, 40, []), 3: (40, 40, []), 4: (40, 40, loud)})
    scores_recompute(election_id=election.pk)
    client.force_login(coordinator_a)

    funnel = svgs(client.get(reverse("admin_dashboard")).content.decode())["funnel"]

    tips = [circle.find(f"{SVG_NS}title").text for circle in funnel.iter(f"{SVG_NS}circle")]
    assert tips[3] == "4. District 4: 12.5 % of 40 stations, above the 99.8 % limit"
    assert tips[0] == "1. District 1: 0.0 % of 40 stations, within the 95 % limits"
    assert "Outside the limits: 4. District 4: 12.5 % of 40 stations, above the 99.8 % limit." in (
        funnel.find(f"{SVG_NS}desc").text
    )


def test_a_sparkline_shows_each_scored_districts_history_oldest_first(client, scene, coordinator_a):
    client.force_login(coordinator_a)

    content = client.get(reverse("admin_dashboard")).content.decode()

    charts = svgs(content)
    first = DistrictScore.objects.get(district__number=1)
    history = list(
        DistrictScoreHistory.objects.filter(district=first.district)
        .order_by("run_id")
        .values_list("score", flat=True)
    )
    assert len(history) == 2 and history[-1] == first.score != history[0]
    line = charts[f"history-{first.district_id}"]
    assert len(line.find(f"{SVG_NS}polyline").get("points").split()) == 2
    # Every line shares one scale, from the lowest score on the page rounded down to a multiple of 10.
    lowest = DistrictScoreHistory.objects.filter(score__isnull=False).order_by("score").first().score
    floor = int(lowest // 10 * 10)
    assert line.find(f"{SVG_NS}desc").text == (
        f"Scores from oldest to newest, on a scale from {floor} to 100: {history[0]:.0f}, {history[1]:.0f}."
    )
    assert f"on one scale from {floor} to 100 for every district" in content
    assert line.find(f"{SVG_NS}circle") is not None  # the latest, marked
    assert f"history-{district(3).pk}" not in charts  # no score, so no line


def test_no_sparkline_and_no_funnel_before_there_is_enough_to_draw(
    client, election, make_station, people, coordinator_a
):
    build(make_station, people, LAYOUT)
    client.force_login(coordinator_a)
    page = client.get(reverse("admin_dashboard")).content.decode()
    assert "No district has a score with observed stations yet." in page
    assert "funnel" not in svgs(page)

    scores_recompute(election_id=district(1).election_id)
    charts = svgs(client.get(reverse("admin_dashboard")).content.decode())

    assert "funnel" in charts
    assert not [name for name in charts if name.startswith("history-")]  # one run is a single point


def test_the_district_page_shows_the_parts_of_the_score_in_plain_words(client, scene, coordinator_a):
    client.force_login(coordinator_a)
    score = DistrictScore.objects.get(district__number=1)

    response = client.get(district_url(1))

    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.score, summary.band) == (f"{score.score:.0f}", "between A and C")
    assert summary.interval_95 == f"{score.interval_95_low:.0f}\u2013{score.interval_95_high:.0f}"
    parts = {part.symbol: part for part in response.context["components"]}
    assert list(parts) == [("R", "P"), ("θ", "5"), ("θ", "3"), ("θ", "1"), ("R", "C"), ("F", ""), ("S", "")]
    assert parts[("R", "P")].value == f"{100 * score.process_risk:.1f} %"
    theta = score.components["severities"]["5"]
    assert parts[("θ", "5")].value == f"{100 * theta['theta']:.1f} %"
    assert f"{theta['events']:.2f} of the 10 stations counted" in parts[("θ", "5")].explanation
    for unmeasured in (parts[("R", "C")], parts[("F", "")]):
        assert unmeasured.value == "not yet measured"
        assert unmeasured.explanation.startswith("Not yet measured:")
    content = response.content.decode()
    assert escape("S5) weighing 1.0, a serious one (S3) 0.4 and a procedural one (S1) 0.1") in content
    assert "2,000 random draws" in content
    assert "C: at least 5 stations observed (10 stations observed, not a random sample)" in content


def test_the_district_page_lists_its_stations_with_incidents_and_opens_their_reports(
    client, scene, coordinator_a
):
    client.force_login(coordinator_a)

    response = client.get(district_url(1))

    listed = {
        indicator.station.number: (indicator, cells) for indicator, cells in response.context["stations"]
    }
    # Station 4's only report was rejected: it weighs nothing and is not listed.
    assert list(listed) == ["1-00", "1-01", "1-02", "1-03"]
    s5, _cells = listed["1-00"]
    assert (s5.severity, s5.y, listed["1-00"][1]["by_severity"]) == (5, 0.5, ["0.50", "0.00", "0.00"])
    # Organization B's report counts in the score, but A's coordinator sees none of B's reports.
    other, _other_cells = listed["1-03"]
    assert (other.severity, other.y, other.your_reports) == (3, pytest.approx(0.3), 0)
    for number, (indicator, cells) in listed.items():
        changelist = client.get(cells["reports_url"])
        assert changelist.status_code == 200
        assert changelist.context["cl"].result_count == indicator.your_reports, number
    assert listed["1-00"][0].your_reports == 1


def test_the_district_page_shows_the_history_newest_first_and_its_sparkline(client, scene, coordinator_a):
    client.force_login(coordinator_a)

    response = client.get(district_url(1))

    history = DistrictScoreHistory.objects.filter(district__number=1).order_by("-run_id")
    assert [row.pk for row, _summary in response.context["history"]] == [row.pk for row in history]
    assert [summary.score for _row, summary in response.context["history"]] == [
        f"{r.score:.0f}" for r in history
    ]
    assert "history" in svgs(response.content.decode())


def test_a_district_without_a_score_says_so(client, election, make_station, coordinator_a):
    make_station("1-00", district=1)
    client.force_login(coordinator_a)

    response = client.get(district_url(1))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Not computed yet." in content
    assert "No history yet." in content
    assert response.context["components"] == []


def test_an_insufficient_district_shows_why_and_no_parts(client, scene, coordinator_a):
    client.force_login(coordinator_a)

    response = client.get(district_url(3))

    assert response.context["components"] == []
    assert "insufficient data (only 3 stations observed, fewer than the 5 a score needs)" in (
        response.content.decode()
    )


def test_who_may_open_a_district_page(client, scene, make_member, organization, coordinator_b, superuser):
    url = district_url(1)
    login = f"{reverse('admin:login')}?next={url}"
    assert client.get(url).url == login
    client.force_login(get_user_model().objects.get(username="observer-a"))
    assert (client.get(url).status_code, client.get(url).url) == (302, login)
    client.force_login(make_member("clerk", organization, role="coordinator", is_staff=True))
    assert client.get(url).status_code == 403
    client.force_login(staff(make_member, organization, "reviewer-a", "Reviewer", "reviewer"))
    assert client.get(url).status_code == 200
    client.force_login(coordinator_b)
    yours = {i.station.number: i.your_reports for i, _cells in client.get(url).context["stations"]}
    assert yours == {"1-00": 0, "1-01": 0, "1-02": 0, "1-03": 1}
    client.force_login(superuser)
    assert client.get(url).context["stations"][-1][0].your_reports == 1
    missing = reverse("admin_dashboard_district", args=[District.objects.order_by("-pk").first().pk + 1])
    assert client.get(missing).status_code == 404
    assert client.get("/admin/dashboard/district/one/").status_code == 404


def scored_districts(election, make_station, people, numbers: range) -> None:
    """Districts of 5 observed stations with one S5 report each, scored three times with three
    seeds (the history keeps a score only when it reads differently)."""
    layout = {number: (5, 5, [(0, "ballot_stuffing", "verified", "A")]) for number in numbers}
    build(make_station, people, layout)
    for seed in range(3):
        scores_recompute(election_id=election.pk, seed=seed)


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.mark.parametrize("districts", [1, 12])
def test_the_scored_dashboards_numbers_take_the_same_queries_for_1_and_12_districts(
    election, make_station, people, coordinator_a, django_assert_num_queries, districts
):
    scored_districts(election, make_station, people, range(1, districts + 1))

    with django_assert_num_queries(SCORED_DASHBOARD_QUERIES):
        data = dashboard_for_user(user=coordinator_a, election=election)

    assert len(data.history) == districts and all(len(scores) == 3 for scores in data.history.values())


def test_the_scored_dashboard_page_takes_as_many_queries_for_12_districts_as_for_1(
    client, election, make_station, people, coordinator_a
):
    client.force_login(coordinator_a)
    url = reverse("admin_dashboard")
    scored_districts(election, make_station, people, range(1, 2))
    client.get(url)  # the report figures are cached from now on, as on the later loads
    one = queries_of(lambda: client.get(url))

    scored_districts(election, make_station, people, range(2, 13))
    response = client.get(url)

    assert queries_of(lambda: client.get(url)) == one
    charts = svgs(response.content.decode())
    assert len(charts["funnel"].findall(f"{SVG_NS}a")) == 12
    assert len([name for name in charts if name.startswith("history-")]) == 12


def test_the_district_page_takes_the_same_queries_whatever_its_stations_and_history(
    client, election, make_station, people, coordinator_a, django_assert_num_queries
):
    client.force_login(coordinator_a)
    build(make_station, people, {1: (5, 5, [(0, "ballot_stuffing", "verified", "A")])})
    scores_recompute(election_id=election.pk)
    url, pk = district_url(1), district(1).pk
    small = queries_of(lambda: client.get(url))
    with django_assert_num_queries(DISTRICT_QUERIES):
        district_detail_for_user(user=coordinator_a, district_id=pk)

    more = [(index, "ballot_stuffing", "verified", "A") for index in range(25)]
    build(make_station, people, {1: (25, 25, more)}, prefix="x")
    for seed in range(5):
        scores_recompute(election_id=election.pk, seed=seed)

    with django_assert_num_queries(DISTRICT_QUERIES):
        detail = district_detail_for_user(user=coordinator_a, district_id=pk)
    assert (len(detail.indicators), len(detail.history)) == (26, 6)
    assert queries_of(lambda: client.get(url)) == small
