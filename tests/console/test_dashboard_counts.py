"""The count and the forensics on the coordinator dashboard and a district's page: official turnout
against the observers' estimate with its intervals and the 99 % flag, the shortfall δ, the differing
protocol copies (listed only to their organization's staff, counted for everyone else), the latest
forensic tests with their pictures, what the pages say when there is nothing to show, and query
counts that do not grow with the districts."""

import re
from datetime import datetime
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from counts.dashboard import count_board
from counts.forensic_runs import forensics_run
from counts.models import ProtocolCopy, TurnoutCount
from counts.results import ChoiceSpec, contest_define, results_import
from people.models import Organization, Role
from stations.models import District
from tests.images import jpeg_bytes
from tests.reports.test_review_admin import in_group

pytestmark = pytest.mark.django_db

AT = datetime(2023, 3, 19, 18, 0, tzinfo=ZoneInfo("Asia/Almaty"))  # before the polls close at 20:00
HEADER = "station_number,registered,ballots_issued,ballots_in_boxes,invalid,amanat,auyl"
SVG_NS = "{http://www.w3.org/2000/svg}"
# Per district: the official line of every station (ballots, amanat, auyl; 1,000 registered) and
# the observers' last turnout count at the four stations of the random sample (of six).
OFFICIAL = {1: (500, 250, 250), 2: (300, 240, 60)}
OBSERVED = {1: (480, 520, 490, 510), 2: (100, 120, 110, 110)}
# Protocol copies: (district, station index, organization, ballots, amanat, auyl). District 1's
# copy agrees with the official result; district 2's three copies all differ from it.
COPIES = [
    (1, 0, "A", 500, 250, 250),
    (2, 0, "A", 100, 50, 50),
    (2, 1, "A", 120, 60, 60),
    (2, 2, "B", 110, 56, 54),
]


@pytest.fixture(autouse=True)
def empty_cache():
    """The count is cached per election; each test starts without it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def coordinators(make_member, organization, other_organization):
    return {
        "A": in_group(
            make_member("coordinator-a", organization, role=Role.COORDINATOR, is_staff=True), "Coordinator"
        ),
        "B": in_group(
            make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True),
            "Coordinator",
        ),
    }


def define_party_list(election):
    election.refresh_from_db()  # the date as a date, for the time the polls close
    return contest_define(
        election=election,
        code="party_list",
        name="Party list",
        kind="party_list",
        choices=[ChoiceSpec("amanat", "Amanat"), ChoiceSpec("auyl", "Auyl")],
    )


@pytest.fixture
def contest(election):
    return define_party_list(election)


def build_stations(make_station, districts, *, sample: bool = True) -> dict[int, list]:
    return {
        number: [
            make_station(f"{number}-{index}", district=number, in_sample=sample and index < 4)
            for index in range(6)
        ]
        for number in districts
    }


def import_results(contest, stations: dict[int, list]) -> None:
    lines = [HEADER]
    for number, made in stations.items():
        ballots, amanat, auyl = OFFICIAL[(number - 1) % 2 + 1]
        lines += [f"{station.number},1000,{ballots},{ballots},0,{amanat},{auyl}" for station in made]
    results_import(contest=contest, data="\n".join(lines).encode(), filename="results.csv")


def count_turnout(people, stations: dict[int, list]) -> None:
    observer, organization = people["A"]
    for number, made in stations.items():
        for station, voters in zip(made, OBSERVED[(number - 1) % 2 + 1], strict=False):
            TurnoutCount.objects.create(
                observer=observer,
                organization=organization,
                election=station.election,
                station=station,
                counted_at=AT,
                voters=voters,
                method="tally",
            )


def copy_protocol(people, contest, station, who: str, ballots: int, amanat: int, auyl: int) -> ProtocolCopy:
    observer, organization = people[who]
    copy = ProtocolCopy(
        observer=observer,
        organization=organization,
        election=station.election,
        station=station,
        contest=contest,
        registered=1000,
        received=1000,
        issued=ballots,
        cancelled=1000 - ballots,
        in_boxes=ballots,
        invalid=0,
        valid=ballots,
        votes={"amanat": amanat, "auyl": auyl},
        width=64,
        height=48,
        size_bytes=100,
        sha256="c" * 64,
    )
    copy.image.save("protocol.jpg", ContentFile(jpeg_bytes()), save=False)
    copy.thumbnail.save("thumb.jpg", ContentFile(jpeg_bytes(size=(16, 12))), save=False)
    copy.save()
    return copy


def observers(make_member, organization, other_organization) -> dict:
    return {
        "A": (make_member("observer-a", organization), organization),
        "B": (make_member("observer-b", other_organization), other_organization),
    }


@pytest.fixture
def people(make_member, organization, other_organization):
    return observers(make_member, organization, other_organization)


@pytest.fixture
def scene(contest, make_station, people):
    """Two districts of six stations, four in the random sample: district 1 counted as published,
    district 2 published at 30 % turnout where observers counted 11 %."""
    stations = build_stations(make_station, (1, 2))
    import_results(contest, stations)
    count_turnout(people, stations)
    copies = {
        (district, index): copy_protocol(people, contest, stations[district][index], who, *numbers)
        for district, index, who, *numbers in COPIES
    }
    return stations, copies


def dashboard_page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("admin_dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def district_page(client, user, number: int, **params) -> str:
    client.force_login(user)
    response = client.get(
        reverse("admin_dashboard_district", args=[District.objects.get(number=number).pk]), params
    )
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, tag: str, id_: str) -> str:
    found = re.search(rf'<{tag}[^>]* id="{id_}".*?</{tag}>', page, re.DOTALL)
    assert found, f"no <{tag} id={id_}>"
    return found.group(0)


def row_of(table: str, text: str) -> str:
    return next(row for row in re.findall(r"<tr[^>]*>.*?</tr>", table, re.DOTALL) if text in row)


def cells(row: str) -> dict[str, str]:
    """The text of each cell by its class."""
    found = re.findall(r'<td class="(?:number )?([\w-]+)">(.*?)</td>', row, re.DOTALL)
    return {name: re.sub(r"<[^>]+>", "", text).strip() for name, text in found}


# --- The table of the dashboard ------------------------------------------------------------------


def test_each_district_shows_official_turnout_against_the_estimate_with_its_interval(
    client, scene, coordinators
):
    table = section(dashboard_page(client, coordinators["A"]), "table", "count-integrity-table")

    honest = cells(row_of(table, "1. District 1"))
    # District 1: 480, 520, 490, 510 of 1,000 at four of six stations: p̂ = 0.5, and
    # SE = √(6²·(1 - 4/6)/4 · (20² + 20² + 10² + 10²)/3) / (6/4 · 4,000) = 0.00527.
    assert honest["official-turnout"] == "50.0 %"
    assert honest["observed-turnout"].startswith("50.0 %") and "4 stations" in honest["observed-turnout"]
    assert honest["interval-95"] == "49.0 %\u201351.0 %"
    assert honest["outside-99"] == "within the 99 % interval"
    assert (honest["shortfall"], honest["compared"], honest["differing"]) == ("0.0 %", "1", "0")

    inflated = cells(row_of(table, "2. District 2"))
    # District 2: 100, 120, 110, 110: p̂ = 0.11, SE = √(3 · 200/3)/6,000 = 0.00236; δ = (0.3 - 0.11)/0.3.
    assert inflated["official-turnout"] == "30.0 %"
    assert inflated["observed-turnout"].startswith("11.0 %")
    assert inflated["interval-95"] == "10.5 %\u201311.5 %"
    assert inflated["outside-99"] == "outside the 99 % interval"
    assert (inflated["shortfall"], inflated["compared"], inflated["differing"]) == ("63.3 %", "3", "3")
    assert 'class="count-flagged"' in row_of(table, "2. District 2")
    assert 'class="count-flagged"' not in row_of(table, "1. District 1")


def test_the_national_line_is_the_stratified_estimate(client, scene, coordinators):
    table = section(dashboard_page(client, coordinators["A"]), "table", "count-integrity-table")

    national = cells(row_of(table, "All districts (stratified estimate)"))
    # Both districts weigh 6/4: p̂ = 1.5·(2,000 + 440)/(1.5·8,000) = 0.305, and the spread
    # between the districts around it gives SE = √(3·153,100 + 3·152,300)/3 / 12,000 = 0.0461.
    assert national["official-turnout"] == "40.0 %"
    assert national["observed-turnout"].startswith("30.5 %") and "8 stations" in national["observed-turnout"]
    assert national["interval-95"] == "21.5 %\u201339.5 %"
    assert national["outside-99"] == "within the 99 % interval"
    # δ = (0.40 - 0.305)/0.40 = 23.75 %.
    assert (national["shortfall"], national["compared"], national["differing"]) == ("23.8 %", "4", "3")


def test_estimates_without_a_random_sample_say_so(client, contest, make_station, people, coordinators):
    stations = build_stations(make_station, (1,), sample=False)
    import_results(contest, stations)
    count_turnout(people, stations)

    page = dashboard_page(client, coordinators["A"])

    assert "These estimates do not use a random sample" in page
    assert cells(row_of(section(page, "table", "count-integrity-table"), "1. District 1"))["compared"] == "0"


def test_a_random_sample_is_not_warned_about(client, scene, coordinators):
    assert "do not use a random sample" not in dashboard_page(client, coordinators["A"])


def test_without_official_results_or_observers_numbers_the_page_says_so_instead_of_a_table(
    client, contest, make_station, people, coordinators
):
    stations = build_stations(make_station, (1,))
    page = dashboard_page(client, coordinators["A"])
    assert 'id="count-no-results"' in page and 'id="count-no-observations"' in page
    assert "count-integrity-table" not in page
    assert "import_results --election test-2023" in page

    import_results(contest, stations)
    page = dashboard_page(client, coordinators["A"])
    assert 'id="count-no-results"' not in page
    assert "Observers have sent no turnout counts or protocol copies for this election yet" in page
    assert "count-integrity-table" not in page

    count_turnout(people, stations)
    page = dashboard_page(client, coordinators["A"])
    assert "count-no-" not in page
    assert "count-integrity-table" in page


def test_an_election_without_contests_says_there_is_nothing_to_compare_or_test(
    client, election, coordinators
):
    page = dashboard_page(client, coordinators["A"])

    assert 'id="count-no-results"' in page and 'id="count-no-observations"' in page
    assert "This election has no contests yet" in page
    assert "A statistical anomaly is not proof of fraud." in page


# --- A district's page ---------------------------------------------------------------------------


def test_the_district_page_shows_turnout_with_both_intervals_and_each_choices_share(
    client, scene, coordinators
):
    page = district_page(client, coordinators["A"], 2)

    turnout = section(page, "dl", "count-turnout")
    assert '<dd class="official-turnout">30.0 %</dd>' in turnout
    assert '<dd class="interval-95">10.5 %\u201311.5 %</dd>' in turnout
    assert '<dd class="interval-99">10.4 %\u201311.6 %</dd>' in turnout  # ± 2.576 · 0.00236
    assert "outside the 99 % interval" in turnout
    assert '<dd class="shortfall">63.3 %</dd>' in turnout
    shares = section(page, "table", "count-shares")
    amanat = row_of(shares, "Amanat")
    # Official 240/300; the copies at the three sampled stations give (50 + 60 + 56)/(100 + 120 + 110).
    assert ">80.0 %<" in amanat and ">50.3 %<" in amanat
    assert "outside the 99 % interval" in amanat and 'class="count-flagged"' in amanat
    assert ">20.0 %<" in row_of(shares, "Auyl")


def test_a_coordinator_sees_their_differing_copies_line_by_line_with_the_photo(client, scene, coordinators):
    _stations, copies = scene
    page = district_page(client, coordinators["A"], 2)

    listed = page.split('id="differing-copies-table"')[1].split('id="forensics"')[0]
    assert listed.count('class="differing-copy"') == 2
    for key in ((2, 0), (2, 1)):
        change = reverse("admin:counts_protocolcopy_change", args=[copies[key].pk])
        thumbnail = reverse("admin:counts_protocolcopy_thumbnail", args=[copies[key].pk])
        assert f'<a href="{change}" class="protocol-thumbnail"><img src="{thumbnail}"' in listed
    first = next(part for part in listed.split('class="differing-copy"') if ">2-0</a>" in part)
    lines = re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="number">(\d+)</td><td class="number">(\d+)</td>', first
    )
    assert lines == [
        ("ballots issued", "100", "300"),
        ("ballots in the boxes", "100", "300"),
        ("valid ballots", "100", "300"),
        ("Amanat", "50", "240"),
        ("Auyl", "50", "60"),
    ]
    assert "3 of the 3 stations whose protocol copy was compared differ" in page
    assert "1 differing copy was sent by another organization" in section(page, "p", "other-copies")


def test_another_organizations_differing_copies_are_only_counted(client, scene, coordinators):
    _stations, copies = scene
    page = district_page(client, coordinators["B"], 2)

    for key in ((2, 0), (2, 1)):
        assert str(copies[key].pk) not in page
    assert ">2-0</a>" not in page and ">2-1</a>" not in page
    assert page.count('class="differing-copy"') == 1
    assert str(copies[(2, 2)].pk) in page
    assert "2 differing copies were sent by other organizations" in page
    for key in ((2, 0), (2, 1)):
        assert (
            client.get(reverse("admin:counts_protocolcopy_thumbnail", args=[copies[key].pk])).status_code
            == 404
        )


def test_a_coordinator_without_differing_copies_of_their_own_sees_no_list(client, scene, make_member):
    third = Organization.objects.create(name="Third Watch", slug="third-watch")
    stranger = in_group(
        make_member("coordinator-c", third, role=Role.COORDINATOR, is_staff=True), "Coordinator"
    )

    page = district_page(client, stranger, 2)

    assert "differing-copies-table" not in page and "protocolcopy" not in page.split('id="count"')[1]
    assert "3 differing copies were sent by other organizations" in page


def test_a_superuser_sees_every_organizations_differing_copies(client, scene, superuser):
    page = district_page(client, superuser, 2)

    assert page.count('class="differing-copy"') == 3
    assert 'id="other-copies"' not in page


def test_a_district_without_differing_copies_lists_none(client, scene, coordinators):
    page = district_page(client, coordinators["A"], 1)

    assert "0 of the 1 station whose protocol copy was compared differs" in page
    assert "differing-copies-table" not in page and 'id="other-copies"' not in page


# --- Forensics -----------------------------------------------------------------------------------


def svgs(page: str) -> list[ElementTree.Element]:
    return [
        ElementTree.fromstring(found)
        for found in re.findall(r'<svg xmlns="[^"]+" role="img".*?</svg>', page, re.DOTALL)
    ]


def titled(page: str, title: str) -> ElementTree.Element:
    return next(svg for svg in svgs(page) if svg.find(f"{SVG_NS}title").text == title)


def test_without_a_run_the_page_says_how_to_get_one(client, scene, coordinators):
    page = dashboard_page(client, coordinators["A"])

    no_run = section(page, "p", "forensics-no-run")
    assert "python manage.py forensics --election test-2023 --contest party_list" in no_run
    assert "after every results import" in no_run
    assert "A statistical anomaly is not proof of fraud." in page and "docs/methodology.md" in page


def test_tests_that_did_not_run_say_why(client, scene, coordinators, contest):
    forensics_run(contest=contest)  # 6 stations per district: too few for any test

    page = dashboard_page(client, coordinators["A"])

    table = section(page, "table", "forensics-table")
    row = row_of(table, "2. District 2")
    assert row.count("not run") == 5
    assert row.count("fewer than 100 stations with numbers") == 5
    national = row_of(table, "All stations")
    assert "fewer than 50 vote counts to test" in national  # 12 leader counts for the digit tests
    assert "with Amanat as the leader" in section(page, "caption", "forensics-caption")
    assert "A statistical anomaly is not proof of fraud." in page


def test_a_flagged_test_shows_with_its_figure_and_f(client, scene, coordinators, contest):
    run = forensics_run(contest=contest)
    district = next(item for item in run.results["districts"] if item["district"] == 2)
    district["integer"].update(
        ran=True, z=8.19, p=1e-16, p_adjusted=1e-15, raw_flag=True, flagged=True, reason=None
    )
    district["corner"].update(ran=True, p=0.4, p_adjusted=0.62, reason=None)
    district["F"] = 1.0
    run.save(update_fields=["results"])

    page = dashboard_page(client, coordinators["A"])

    row = row_of(section(page, "table", "forensics-table"), "2. District 2")
    assert re.search(r'test-integer flagged"><strong>flagged</strong><div class="help">z = 8.19</div>', row)
    assert re.search(r'test-corner clear">not flagged<div class="help">p = 0.620</div>', row)
    assert '<td class="number flags">1</td>' in row
    link = reverse("admin_dashboard_district", args=[District.objects.get(number=2).pk])
    assert f'href="{link}?contest=party_list#forensics"' in row
    district_row = row_of(
        section(district_page(client, coordinators["A"], 2), "table", "forensics-table"), "District 2"
    )
    assert "<strong>flagged</strong>" in district_row and "z = 8.19" in district_row


def test_the_national_pictures_are_inline_and_a_districts_page_has_its_own(
    client, scene, coordinators, contest
):
    forensics_run(contest=contest)

    page = dashboard_page(client, coordinators["A"])
    fingerprint = titled(page, "Fingerprint: Party list, all districts")
    distributions = titled(page, "Distributions: Party list, all districts")
    assert "12 stations" in fingerprint.find(f"{SVG_NS}desc").text
    assert "12 stations" in distributions.find(f"{SVG_NS}desc").text
    assert fingerprint.get("role") == "img"

    own = titled(district_page(client, coordinators["A"], 2), "Fingerprint: Party list, 2. District 2")
    assert "6 stations" in own.find(f"{SVG_NS}desc").text
    # One cell: every station of district 2 at 30 % turnout and 80 % for the leader.
    assert len([rect for rect in own.iter(f"{SVG_NS}rect") if rect.get("fill") == "#08306b"]) == 1


def test_a_districts_pictures_follow_a_new_results_file_and_not_the_observers_copies(
    client, scene, coordinators, contest, people
):
    stations, _copies = scene
    title = "Fingerprint: Party list, 2. District 2"

    def darkest_cells() -> list[tuple[str, str]]:
        own = titled(district_page(client, coordinators["A"], 2), title)
        return [(r.get("x"), r.get("y")) for r in own.iter(f"{SVG_NS}rect") if r.get("fill") == "#08306b"]

    first, key = darkest_cells(), count_board(contest.election).results_key
    copy_protocol(people, contest, stations[2][0], "B", 100, 50, 50)
    assert count_board(contest.election).results_key == key
    assert darkest_cells() == first
    # A new file: district 2 at 90 % turnout, half for the leader.
    lines = [HEADER, *(f"{s.number},1000,500,500,0,250,250" for s in stations[1])]
    lines += [f"{s.number},1000,900,900,0,450,450" for s in stations[2]]
    results_import(contest=contest, data="\n".join(lines).encode(), filename="results-2.csv")
    assert count_board(contest.election).results_key != key
    assert len(darkest_cells()) == 1 and darkest_cells() != first


def test_the_other_contests_are_a_link_away_and_an_unknown_one_is_not_found(
    client, scene, coordinators, contest, election
):
    contest_define(election=election, code="smd", name="Single-mandate", kind="candidates", choices=[])
    page = dashboard_page(client, coordinators["A"])
    assert '<strong aria-current="true">Party list</strong>' in page
    assert f'href="?election={election.slug}&amp;contest=smd#forensics"' in page

    smd = dashboard_page(client, coordinators["A"], contest="smd")
    assert "--contest smd" in section(smd, "p", "forensics-no-run")
    assert client.get(reverse("admin_dashboard"), {"contest": "nope"}).status_code == 404
    number = District.objects.get(number=2).pk
    assert (
        client.get(reverse("admin_dashboard_district", args=[number]), {"contest": "nope"}).status_code == 404
    )


def test_chart_and_picture_text_is_escaped(client, scene, coordinators, contest):
    contest.name = "<script>alert(1)</script>"
    contest.save()
    forensics_run(contest=contest)

    page = dashboard_page(client, coordinators["A"])

    assert "<script>alert(1)</script>" not in page
    assert escape("<script>alert(1)</script>") in page


# --- The cache and the queries -------------------------------------------------------------------


def test_the_cache_is_used_until_the_data_changes(scene, election, people, django_assert_num_queries):
    stations, _copies = scene
    election.refresh_from_db()
    first = count_board(election)
    with django_assert_num_queries(1):
        assert count_board(election) == first
    observer, organization = people["A"]
    TurnoutCount.objects.create(
        observer=observer,
        organization=organization,
        election=election,
        station=stations[2][3],
        counted_at=AT.replace(hour=19),
        voters=300,
        method="tally",
    )

    changed = count_board(election)

    assert changed.key != first.key
    district = District.objects.get(number=2).pk
    assert changed.table.districts[district].turnout.observed.estimate == pytest.approx(630 / 4000)


def queries_of(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return len(context.captured_queries)


# Session, user, permissions, elections, the dashboard's own 2 (the key of its cached report figures,
# the districts), then the count's key.
WARM_DASHBOARD = 8
# Once the cache is empty: the check-ins and the four report aggregates, the contests and their choices,
# count_summary's nine for one contest, the forensic runs, and the pictures (the contest, its
# choices, results, districts, latest run and the leader's name).
COLD_DASHBOARD = WARM_DASHBOARD + 5 + 2 + 9 + 1 + 6


@pytest.mark.parametrize("districts", [1, 12])
def test_the_pages_take_the_same_queries_for_1_and_12_districts(
    client, contest, make_station, people, coordinators, districts
):
    stations = build_stations(make_station, range(1, districts + 1))
    import_results(contest, stations)
    count_turnout(people, stations)
    for made in stations.values():
        copy_protocol(people, contest, made[0], "A", 100, 50, 50)
        copy_protocol(people, contest, made[1], "B", 100, 50, 50)
    forensics_run(contest=contest)
    client.force_login(coordinators["A"])
    dashboard = reverse("admin_dashboard")
    district = reverse("admin_dashboard_district", args=[District.objects.get(number=1).pk])

    assert (queries_of(client, dashboard), queries_of(client, dashboard)) == (COLD_DASHBOARD, WARM_DASHBOARD)
    # Session, user, permissions, the district's score, indicators and history, the count's key and
    # the user's differing copies, the complaints filed there (the user's organizations' and all
    # organizations' counts, the latest few); once the cache is empty, the district's pictures too:
    # the contest, its latest run and the leader's name (the stations' numbers, read for the
    # dashboard's pictures, are kept in the process).
    cold, warm = queries_of(client, district), queries_of(client, district)
    assert (cold - warm, warm) == (3, 12)
