"""The count for partners: district estimates against the official figures, and verified protocol
copies of sharing organizations beside the official results, with nothing of the observers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from counts.models import ProtocolCopy, TurnoutCount
from counts.results import ChoiceSpec, contest_define, results_import
from reports.models import ReportStatus
from stations.models import PollingStation
from tests.partners.conftest import SECRETS, assert_no_secret_in

pytestmark = pytest.mark.django_db

ESTIMATES = "/api/v1/elections/test-2023/count-estimates/"
COMPARISONS = "/api/v1/elections/test-2023/protocol-comparisons/"
HEADER = "station_number,registered,ballots_issued,ballots_in_boxes,invalid,amanat,auyl"


@pytest.fixture
def contest(election):
    return contest_define(
        election=election,
        code="party_list",
        name="Party list",
        kind="party_list",
        choices=[ChoiceSpec("amanat", "Amanat"), ChoiceSpec("auyl", "Auyl")],
    )


@pytest.fixture
def copy(election, contest):
    def make(observer, station, *, status=ReportStatus.VERIFIED, amanat=400, note=""):
        return ProtocolCopy.objects.create(
            observer=observer,
            organization=observer.memberships.get().organization,
            election=election,
            station=station,
            contest=contest,
            registered=1000,
            received=1000,
            issued=600,
            cancelled=400,
            in_boxes=600,
            invalid=10,
            valid=400 + 190 + (amanat - 400),
            votes={"amanat": amanat, "auyl": 190},
            image="p.jpg",
            thumbnail="t.jpg",
            width=1,
            height=1,
            size_bytes=1,
            sha256="c" * 64,
            status=status,
            review_note=note,
            reviewed_at=timezone.now() if status == ReportStatus.VERIFIED else None,
        )

    return make


@pytest.fixture
def counted(election, contest, station, secret_observer, unsharing_observer, copy, make_station):
    """Official results at four stations; copies in every state a partner must not see, one that
    matches and one that differs; a turnout count at the observer's station."""
    extra = [make_station(f"x{n}") for n in range(2)]
    their_station = PollingStation.objects.get(number="555")
    lines = [f"{s.number},1000,600,600,10,400,190" for s in [station, *extra, their_station]]
    results_import(contest=contest, data="\n".join([HEADER, *lines, ""]).encode(), filename="o.csv")
    copy(secret_observer, station, amanat=380, note=SECRETS["review_note"])  # differs
    copy(secret_observer, extra[0])  # matches
    copy(secret_observer, extra[1], status=ReportStatus.SUBMITTED, amanat=1)
    copy(secret_observer, extra[1], status=ReportStatus.REJECTED, amanat=2)
    copy(unsharing_observer, their_station, amanat=3)
    TurnoutCount.objects.create(
        observer=secret_observer,
        organization=secret_observer.memberships.get().organization,
        election=election,
        station=station,
        counted_at=timezone.now() - timedelta(days=1),
        voters=500,
        method="tally",
    )
    return station


@pytest.mark.parametrize(("url", "scope"), [(ESTIMATES, "scores:read"), (COMPARISONS, "incidents:read")])
def test_each_count_endpoint_needs_its_own_scope(partner_api, api, counted, url, scope):
    assert api.get(url).status_code == 401
    other = "incidents:read" if scope == "scores:read" else "scores:read"
    refused = partner_api(other).get(url)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "scope_missing"
    assert partner_api(scope).get(url).status_code == 200


def test_only_verified_copies_of_sharing_organizations_are_compared_for_partners(partner_api, counted):
    response = partner_api("incidents:read").get(COMPARISONS)
    assert response.status_code == 200
    rows = {row["station"]["number"]: row for row in response.json()["results"]}
    assert set(rows) == {counted.number, "x0"}
    assert rows[counted.number]["differences"] == [
        {"field": "valid", "observed": 570, "official": 590},
        {"field": "amanat", "observed": 380, "official": 400},
    ]
    assert rows["x0"]["differences"] == []
    assert rows["x0"]["official_imported"] is True


def test_no_observer_identity_or_review_note_in_the_count_endpoints(partner_api, counted):
    client = partner_api()
    for url in (ESTIMATES, COMPARISONS):
        response = client.get(url)
        assert response.status_code == 200
        assert_no_secret_in(response.content.decode())


def test_the_district_estimates_set_the_observers_turnout_against_the_official_one(partner_api, counted):
    data = partner_api("scores:read").get(ESTIMATES).json()
    assert data["election"] == "test-2023"
    assert data["turnout_contest"] == "party_list"
    (district,) = (d for d in data["districts"] if d["number"] == counted.district.number)
    assert district["official_turnout"] == pytest.approx(0.6)
    assert district["protocols_compared"] >= 2
    assert district["protocols_differing"] >= 1
    assert {share["choice"] for share in district["shares"]} == {"amanat", "auyl"}


def test_comparisons_filter_by_district_and_keep_their_query_count_whatever_the_page(
    partner_api, counted, copy, secret_observer, make_station, django_assert_num_queries
):
    client = partner_api("incidents:read")
    assert client.get(COMPARISONS, {"district": 3}).json()["results"] == []
    assert client.get(COMPARISONS, {"district": "x"}).status_code == 400
    # The key (its last use is written once a minute), the election, the page, its official results.
    with django_assert_num_queries(4):
        assert len(client.get(COMPARISONS).json()["results"]) == 2
    for n in range(30):
        copy(secret_observer, make_station(f"y{n}"))
    with django_assert_num_queries(4):
        assert len(client.get(COMPARISONS).json()["results"]) == 32


def test_it_computes_the_district_estimates_only_from_copies_and_counts_partners_may_see(
    partner_api, counted, election, unsharing_observer
):
    """District 1 holds a verified shared copy that differs, one that matches, and an unverified
    one that differs; district 3 only a copy and a turnout count of an organization that does
    not share: none of what partners may not see moves a number."""
    their_station = PollingStation.objects.get(number="555")
    TurnoutCount.objects.create(
        observer=unsharing_observer,
        organization=unsharing_observer.memberships.get().organization,
        election=election,
        station=their_station,
        counted_at=timezone.now() - timedelta(days=1),
        voters=590,
        method="tally",
    )

    data = partner_api("scores:read").get(ESTIMATES).json()

    districts = {d["number"]: d for d in data["districts"]}
    ours, theirs = districts[counted.district.number], districts[their_station.district.number]
    assert (ours["protocols_compared"], ours["protocols_differing"]) == (2, 1)
    assert (theirs["protocols_compared"], theirs["protocols_differing"]) == (0, 0)
    assert theirs["observed_turnout"] is None
    assert all(share["observed"] is None for share in theirs["shares"])
    # The shares of district 1 come from the two verified copies: 380 and 400 votes of 570 and 590.
    amanat = next(share for share in ours["shares"] if share["choice"] == "amanat")
    assert amanat["observed"]["estimate"] == pytest.approx((380 + 400) / (570 + 590))
