"""Observers' numbers against the official ones: differing protocols, the turnout estimate of each
district, and the count risk they give the score."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from counts.comparison import last_turnout_counts, protocol_comparisons
from counts.districts import count_summary
from counts.models import ProtocolCopy, TurnoutCount
from counts.results import ChoiceSpec, contest_define, results_import
from integrity.count_risk import CountEvidence, count_risks
from integrity.scoring import DistrictInput, ScoreParams, score_districts
from reports.models import ReportStatus

pytestmark = pytest.mark.django_db

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
def copy(election, organization, observer, contest):
    def make(station, *, status=ReportStatus.SUBMITTED, minutes=0, **numbers):
        values = {
            "registered": 1000,
            "received": 1000,
            "issued": 600,
            "cancelled": 400,
            "in_boxes": 600,
            "invalid": 10,
            "valid": 590,
            "votes": {"amanat": 400, "auyl": 190},
        }
        copy = ProtocolCopy.objects.create(
            observer=observer,
            organization=organization,
            election=election,
            station=station,
            contest=contest,
            status=status,
            image="p.jpg",
            thumbnail="t.jpg",
            width=1,
            height=1,
            size_bytes=1,
            sha256="a" * 64,
            **{**values, **numbers},
        )
        ProtocolCopy.objects.filter(pk=copy.pk).update(
            received_at=copy.received_at + timedelta(minutes=minutes)
        )
        return copy

    return make


def official(contest, *lines):
    results_import(contest=contest, data="\n".join([HEADER, *lines, ""]).encode(), filename="official.csv")


def count(election, organization, observer, station, voters, at):
    return TurnoutCount.objects.create(
        observer=observer,
        organization=organization,
        election=election,
        station=station,
        counted_at=at,
        voters=voters,
        method="tally",
    )


def test_a_protocol_copy_differs_from_the_official_result_field_by_field(
    station, make_station, contest, copy
):
    other = make_station("2")
    official(contest, f"{station.number},1000,600,600,10,400,190", "2,1000,600,600,10,380,210")
    copy(station)
    copy(other)
    same, changed = protocol_comparisons(contest)
    assert (same.station_id, same.differs) == (station.pk, False)
    assert changed.station_id == other.pk
    assert [(d.field, d.observed, d.official) for d in changed.differences] == [
        ("amanat", 400, 380),
        ("auyl", 190, 210),
    ]


def test_the_verified_copy_speaks_for_its_station_and_a_rejected_one_never(station, contest, copy):
    official(contest, f"{station.number},1000,600,600,10,400,190")
    verified = copy(station, status=ReportStatus.VERIFIED, minutes=0)
    copy(station, minutes=5, valid=580, votes={"amanat": 390, "auyl": 190})  # later, unverified
    (comparison,) = protocol_comparisons(contest)
    assert comparison.protocol_id == str(verified.pk)
    assert not comparison.differs
    ProtocolCopy.objects.filter(pk=verified.pk).update(status=ReportStatus.REJECTED)
    (comparison,) = protocol_comparisons(contest)
    assert comparison.differs
    assert [d.field for d in comparison.differences] == ["valid", "amanat"]


def test_only_the_last_turnout_count_before_the_polls_close_counts(election, organization, observer, station):
    election.refresh_from_db()
    close = election.polls_close_at
    count(election, organization, observer, station, 300, close - timedelta(hours=3))
    count(election, organization, observer, station, 550, close - timedelta(minutes=5))
    count(election, organization, observer, station, 900, close + timedelta(minutes=30))
    assert last_turnout_counts(election.pk, close) == {station.pk: 550}


def test_the_polls_close_in_the_election_s_own_time_zone(election):
    election.refresh_from_db()
    election.timezone = "Asia/Almaty"  # UTC+5 since 2024, UTC+6 in 2023
    assert election.polls_close_at.astimezone(UTC) == datetime(2023, 3, 19, 14, 0, tzinfo=UTC)


def inflated_district(election, organization, observer, make_station, contest, *, stations=100, sample=50):
    """Turnout is 25 % everywhere; the official figure adds 15 points at half the stations, and the
    observers at the sampled stations count the truth."""
    election.refresh_from_db()
    rng = np.random.default_rng(5)
    close = election.polls_close_at
    lines = []
    for n in range(1, stations + 1):
        registered = int(rng.integers(800, 1200))
        truth = round(registered * (0.25 + rng.normal(0, 0.02)))
        issued = truth + (round(0.15 * registered) if n % 2 else 0)
        station = make_station(f"s{n}", registered_voters=registered, in_sample=n <= sample)
        lines.append(f"s{n},{registered},{issued},{issued},0,{issued},0")
        if n <= sample:
            count(election, organization, observer, station, truth, close - timedelta(minutes=10))
    official(contest, *lines)


def test_an_official_turnout_inflated_at_half_the_stations_gives_a_shortfall_between_a_fifth_and_three_tenths(
    election, organization, observer, make_station, contest
):
    inflated_district(election, organization, observer, make_station, contest)
    summary = count_summary(election)
    (district,) = summary.districts.values()
    assert summary.sample_used
    assert district.official_turnout == pytest.approx(0.325, abs=0.01)
    assert district.turnout.estimate == pytest.approx(0.25, abs=0.01)
    assert district.turnout_outside_99
    evidence = district.evidence()
    assert 0.2 <= evidence.shortfall <= 0.3
    (risk,) = count_risks({district.district_id: evidence}).values()
    assert 0.2 <= risk.mean <= 0.3


def test_the_inflated_district_drops_at_least_one_band(
    election, organization, observer, make_station, contest
):
    inflated_district(election, organization, observer, make_station, contest)
    (district,) = count_summary(election).districts.values()
    (risk,) = count_risks({district.district_id: district.evidence()}).values()
    clean = DistrictInput(
        district_id=district.district_id,
        stations=100,
        observed=50,
        sample_observed=50,
        sample_used=True,
        n=50,
        events={5: 0.0, 3: 0.0, 1: 0.0},
    )
    inflated = DistrictInput(**{**clean.__dict__, "count_risk": risk})
    params = ScoreParams()
    (before,) = score_districts([clean], params, seed=1)
    (after,) = score_districts([inflated], params, seed=1)
    order = "ABCD"
    assert before.band == "A"
    assert order.index(after.band_range[0]) >= order.index(before.band) + 1


def test_a_district_without_anything_to_compare_has_no_count_risk():
    risks = count_risks(
        {
            1: CountEvidence(),
            2: CountEvidence(protocols_compared=20, protocols_differing=0),
            3: CountEvidence(protocols_compared=20, protocols_differing=10),
        }
    )
    assert set(risks) == {2, 3}
    assert risks[2].mean < risks[3].mean
    assert 0 < risks[3].mean < 0.5  # shrunk from the raw 50 % towards the pooled 25 %


def test_the_count_risk_is_the_same_every_time_for_the_same_numbers():
    evidence = {1: CountEvidence(5, 1, 0.5, 0.45, 0.02), 2: CountEvidence(8, 0, 0.4, 0.41, 0.02)}
    assert count_risks(evidence) == count_risks(evidence)
