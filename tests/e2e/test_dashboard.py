"""A coordinator signs in, opens the dashboard with computed integrity scores, reads the funnel plot
and a district's intervals, and drills down to the district's page and a station's reports."""

import os
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from integrity.models import DistrictScore
from integrity.scoring.explain import band_range
from integrity.services import scores_recompute
from people.models import Role
from people.roles import ensure_groups
from reports.models import CheckIn, IncidentReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
AT = datetime(2023, 3, 19, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
# District: stations, stations observed, stations with a verified ballot-stuffing report.
LAYOUT = {1: (12, 10, 2), 2: (6, 6, 1), 3: (4, 3, 0), 4: (40, 40, 0)}


@pytest.fixture
def scored(election, make_station, make_member, organization):
    """A coordinator as the demo's (staff, in the Coordinator group), and the election's scores
    computed twice, so that each scored district has a history of two points."""
    election.date, election.timezone = date(2023, 3, 19), "Asia/Almaty"
    election.save()
    observer = make_member("observer-1", organization)
    for number, (total, observed, stuffed) in LAYOUT.items():
        stations = [make_station(f"{number}-{index:02d}", district=number) for index in range(total)]
        for station in stations[:observed]:
            CheckIn.objects.create(
                observer=observer,
                organization=organization,
                election=election,
                station=station,
                kind="arrival",
                at=AT,
            )
        for station in stations[:stuffed]:
            IncidentReport.objects.create(
                observer=observer,
                organization=organization,
                election=election,
                station=station,
                category="ballot_stuffing",
                severity=5,
                phase="voting",
                occurred_at=AT,
                status="submitted",
            )
    scores_recompute(election_id=election.pk)
    IncidentReport.objects.update(status="verified")
    scores_recompute(election_id=election.pk)
    ensure_groups()
    coordinator = make_member("coordinator", organization, role=Role.COORDINATOR, is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Coordinator"))
    return election


def test_the_coordinator_reads_the_scores_the_funnel_plot_and_a_districts_page(
    live_server, laptop_page, scored
):
    page = laptop_page
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_title(re.compile("Log in"))
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Coordinator dashboard").first.click()

    first = DistrictScore.objects.get(district__number=1)
    row = page.locator("#district-scores tbody tr").filter(has=page.get_by_role("link", name="1. District 1"))
    expect(row.locator("td.score")).to_have_text(f"{first.score:.0f}")
    expect(row.locator("td.interval-80")).to_have_text(
        f"{first.interval_80_low:.0f}\u2013{first.interval_80_high:.0f}"
    )
    expect(row.locator("td.interval-95")).to_have_text(
        f"{first.interval_95_low:.0f}\u2013{first.interval_95_high:.0f}"
    )
    expect(row.locator("td.history svg[role=img] polyline")).to_have_count(1)
    insufficient = page.locator("#district-scores tbody tr").nth(2)
    expect(insufficient.locator("td.coverage-grade")).to_contain_text("only 3 stations observed")

    funnel = page.locator("#funnel-plot svg[role=img]")
    expect(funnel).to_be_visible()
    expect(funnel.locator("title").first).to_have_text("Funnel plot of result-changing incidents")
    expect(funnel.locator("circle")).to_have_count(4)
    expect(funnel.locator("polyline")).to_have_count(4)
    rate = 100 * first.components["severities"]["5"]["events"] / first.n
    expect(funnel.locator("circle title").first).to_contain_text(
        f"1. District 1: {rate:.1f} % of 10 stations"
    )
    box = funnel.bounding_box()
    assert box["width"] > 400 and box["height"] > 200
    if os.environ.get("DASHBOARD_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["DASHBOARD_SCREENSHOTS"], "dashboard.png"), full_page=True
        )

    funnel.locator("a").first.click()
    expect(page.locator("h1")).to_have_text("1. District 1")
    expect(page.locator("#score-summary .interval-95")).to_have_text(
        f"{first.interval_95_low:.0f}\u2013{first.interval_95_high:.0f}"
    )
    expect(page.locator("#score-summary .band")).to_contain_text(
        first.band or band_range(first.band_high, first.band_low)
    )
    components = page.locator("#score-components tbody tr")
    expect(components).to_have_count(7)
    expect(components.filter(has_text="Count risk")).to_contain_text("not yet measured")
    expect(components.filter(has_text="Forensic flags")).to_contain_text("not yet measured")
    expect(page.locator("#score-history tbody tr")).to_have_count(2)
    expect(page.locator("#score-history-chart svg[role=img] circle")).to_have_count(1)
    stations = page.locator("#station-indicators tbody tr")
    expect(stations).to_have_count(2)
    if os.environ.get("DASHBOARD_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["DASHBOARD_SCREENSHOTS"], "district.png"), full_page=True
        )

    stations.first.get_by_role("link", name="1").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list tbody tr")).to_contain_text("1-00")
