"""The count in the integrity score, end to end: official results, observers' turnout counts and
the forensic tests change a district's published score through `scores_recompute`."""

from datetime import timedelta

import numpy as np
import pytest

from counts.models import Contest, TurnoutCount
from counts.results import ChoiceSpec, contest_define, results_import
from integrity.models import DistrictScore
from integrity.services import scores_recompute
from reports.models import CheckIn
from tests.counts.test_forensic_runs import country, load

pytestmark = pytest.mark.django_db

HEADER = "station_number,registered,ballots_issued,ballots_in_boxes,invalid,amanat,auyl"
BANDS = "ABCD"


@pytest.fixture
def district(election, organization, observer, make_station):
    """100 stations with turnout at 25 %; observers at the 50 of the random sample check in and
    count the truth before the polls close."""
    election.refresh_from_db()
    contest_define(
        election=election,
        code="party_list",
        name="Party list",
        kind="party_list",
        choices=[ChoiceSpec("amanat", "Amanat"), ChoiceSpec("auyl", "Auyl")],
    )
    rng = np.random.default_rng(3)
    close = election.polls_close_at
    stations = []
    for n in range(100):
        registered = int(rng.integers(800, 1200))
        truth = round(registered * (0.25 + rng.normal(0, 0.02)))
        station = make_station(f"s{n}", registered_voters=registered, in_sample=n < 50)
        stations.append((station, registered, truth))
        if n < 50:
            common = {
                "observer": observer,
                "organization": organization,
                "election": election,
                "station": station,
            }
            CheckIn.objects.create(kind="arrival", at=close - timedelta(hours=10), **common)
            TurnoutCount.objects.create(
                counted_at=close - timedelta(minutes=10), voters=truth, method="tally", **common
            )
    return stations


def official(election, stations, *, inflate: bool):
    lines = []
    for n, (station, registered, truth) in enumerate(stations):
        issued = truth + (round(0.15 * registered) if inflate and n % 2 else 0)
        lines.append(f"{station.number},{registered},{issued},{issued},0,{issued},0")
    contest = Contest.objects.get(election=election, code="party_list")
    results_import(contest=contest, data="\n".join([HEADER, *lines, ""]).encode(), filename="official.csv")


def published(election) -> DistrictScore:
    scores_recompute(election_id=election.pk)
    return DistrictScore.objects.get(election=election)


def test_official_turnout_inflated_at_half_the_stations_drops_the_district_at_least_one_band(
    election, district
):
    official(election, district, inflate=False)
    honest = published(election)
    official(election, district, inflate=True)
    inflated = published(election)
    assert honest.components["count_measured"] is True
    assert honest.count_risk < 0.05
    assert 0.2 <= inflated.count_risk <= 0.3
    honest_band = BANDS.index(honest.band or honest.band_high)
    inflated_band = BANDS.index(inflated.band or inflated.band_high)
    assert inflated_band >= honest_band + 1
    assert inflated.score < honest.score - 15


def test_without_official_results_or_counts_the_count_risk_is_not_measured(election, district):
    score = published(election)
    assert score.count_risk == 0
    assert score.components["count_measured"] is False
    assert score.components["forensics_tested"] is False


def test_forensic_flags_after_an_import_take_points_off_the_flagged_district_only(
    election, tmp_path, organization, observer, django_capture_on_commit_callbacks
):
    election.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        load(country(tmp_path, whole_percent_district=4), election)
    for station in election.stations.filter(number__endswith="0"):  # observed: 10 % of each district
        CheckIn.objects.create(
            observer=observer,
            organization=organization,
            election=election,
            station=station,
            kind="arrival",
            at=election.polls_close_at - timedelta(hours=8),
        )
    scores_recompute(election_id=election.pk)
    scores = {
        s.district.number: s
        for s in DistrictScore.objects.filter(election=election).select_related("district")
    }
    assert scores[4].forensic_flags >= 1
    assert scores[4].components["forensics_tested"] is True
    assert all(
        scores[n].forensic_flags == 0 and scores[n].components["forensics_tested"] for n in scores if n != 4
    )
    assert scores[4].score <= max(s.score for n, s in scores.items() if n != 4) - 4.5
