"""The forensic tests on a real election (Albania 2017, tests/data/albania2017: 5,362 stations in
12 districts) as published, and with fraud planted in it. Pure numpy: no database."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from counts.forensics import TESTS, ForensicParams, analyse_election
from counts.forensics.digits import second_digits
from counts.forensics.integer import within_whole_percent
from integrity.scoring.headline import headline
from integrity.scoring.params import ScoreParams

ALBANIA = Path(__file__).resolve().parents[1] / "data" / "albania2017" / "albania.csv"
PARTIES = [
    "lsi", "ps", "pkd", "sfida", "pr", "pd", "pbdksh", "adk", "psd",
    "ad", "frd", "pds", "pdiu", "aak", "mega", "pksh", "apd", "libra",
]  # fmt: skip
LEADER = PARTIES.index("ps")


@pytest.fixture(scope="module")
def albania() -> dict:
    with ALBANIA.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))

    def column(name):
        return np.array([int(row[name]) for row in rows], dtype=np.int64)

    ballots = column("ballotsCast")
    return {
        "registered": column("zgjedhes"),
        "ballots_issued": ballots,
        "ballots_in_boxes": ballots.copy(),
        "valid": column("validVotes"),
        "votes": np.column_stack([column(party) for party in PARTIES]),
        "choices": PARTIES,
        "districts": np.array([row["qarku"] for row in rows]),
    }


@pytest.fixture(scope="module")
def published(albania):
    return analyse_election(**albania, seed=2017)


def copy(data: dict) -> dict:
    return {key: value.copy() if isinstance(value, np.ndarray) else value for key, value in data.items()}


def test_the_published_results_raise_no_flag(published):
    national = published.national
    assert published.leader == "ps"
    assert [d.district for d in published.districts][:3] == ["Berat", "Diber", "Durres"]
    assert len(published.districts) == 12 and national.stations == 5356
    # The reference figures: integer-percentage z about -1.6, nothing in the corner, r about 0.
    assert -2.1 < national.tests["integer"].z < -1.1
    assert abs(national.tests["integer"].z) < 3 and not national.tests["integer"].flagged
    assert national.tests["corner"].details["corner_stations"] == 0
    assert all(d.tests["corner"].details["corner_stations"] == 0 for d in published.districts)
    assert abs(national.correlation) < 0.05
    assert abs(national.tests["slope"].statistic) < 0.05
    assert national.flags == 0
    assert [d.flags for d in published.districts] == [0.0] * 12
    # Against its own recounts Diber's second digits are unremarkable (p about 0.07)...
    diber = published.district("Diber").tests["second_digit"]
    assert diber.details["null"] == "simulated" and 0.05 < diber.p < 0.1 and not diber.flagged
    printed = json.loads(json.dumps(published.as_dict(), allow_nan=False))
    assert printed["districts"][0]["district"] == "Berat" and printed["districts"][0]["stations"] == 305


def test_against_the_law_diber_s_second_digits_are_off_but_twelve_districts_make_it_unremarkable(albania):
    law = analyse_election(**albania, seed=2017, params=ForensicParams(digit_null="law"))
    diber = law.district("Diber").tests["second_digit"]
    assert diber.raw_flag and diber.p < 0.05 < diber.p_adjusted and not diber.flagged
    assert [d.flags for d in law.districts] == [0.0] * 12


def test_every_albanian_district_is_big_enough_and_the_smallest_can_be_cut_below_the_minimum(
    albania, published
):
    assert all(d.tests[name].ran for d in published.districts for name in TESTS)
    data = copy(albania)
    keep = (data["districts"] != "Kukes") | (np.cumsum(data["districts"] == "Kukes") <= 99)
    cut = analyse_election(
        **{key: value[keep] if key != "choices" else value for key, value in data.items()}, seed=1
    )
    kukes = cut.district("Kukes")
    assert kukes.stations == 99 and kukes.flags == 0
    assert {t.reason for t in kukes.tests.values()} == {"few_stations"}


def plant_whole_percent_turnouts(data: dict, district: str, share: float, seed: int) -> np.ndarray:
    """Move `share` of the district's stations to the nearest ballot count whose turnout is within
    0.05 points of a whole percent (valid ballots move with it); returns the stations moved."""
    rng = np.random.default_rng(seed)
    stations = np.flatnonzero(data["districts"] == district)
    picked = rng.choice(stations, size=int(len(stations) * share), replace=False)
    ballots, registered, valid = data["ballots_in_boxes"], data["registered"], data["valid"]
    for i in picked:
        options = np.arange(1, int(0.99 * registered[i]) + 1)
        options = options[within_whole_percent(options, registered[i], 0.05)]
        new = options[np.argmin(np.abs(options - ballots[i]))]
        valid[i] += new - ballots[i]
        ballots[i] = new
    data["ballots_issued"] = ballots.copy()
    return picked


def test_whole_percent_turnouts_planted_in_one_district_flag_that_district_only(albania):
    data = copy(albania)
    plant_whole_percent_turnouts(data, "Tirane", 0.10, seed=8)
    result = analyse_election(**data, seed=2017)
    tirane = result.district("Tirane").tests["integer"]
    assert tirane.z > 5 and tirane.flagged
    assert tirane.details["observed"] > tirane.details["expected"] + 5 * tirane.details["null_sd"]
    others = [d for d in result.districts if d.district != "Tirane"]
    assert not any(d.tests["integer"].flagged for d in others)
    assert max(d.tests["integer"].z for d in others) < 3


def plant_ballot_stuffing(data: dict, seed: int) -> None:
    """After Klimek et al. (2012): 5 % of stations pushed to the extreme corner (turnout 96-100 %,
    at most 3 % of the valid votes left to the other parties, no invalid ballots), and 20 %
    incremental: 10-50 % of the voters who stayed home added as ballots for the leader."""
    rng = np.random.default_rng(seed)
    registered, ballots, valid, votes = (
        data[k] for k in ("registered", "ballots_in_boxes", "valid", "votes")
    )
    order = rng.permutation(len(registered))
    extreme, incremental = order[: len(order) // 20], order[len(order) // 20 : len(order) // 4]

    ballots[extreme] = np.rint(registered[extreme] * rng.uniform(0.96, 1.0, extreme.size)).astype(np.int64)
    others = votes[extreme].sum(axis=1) - votes[extreme, LEADER]
    kept = np.minimum(1.0, rng.uniform(0, 0.03, extreme.size) * ballots[extreme] / np.maximum(others, 1))
    rest = np.floor(votes[extreme] * kept[:, None]).astype(np.int64)
    rest[:, LEADER] = 0
    rest[:, LEADER] = ballots[extreme] - rest.sum(axis=1)
    votes[extreme], valid[extreme] = rest, ballots[extreme]

    extra = np.rint(
        rng.uniform(0.1, 0.5, incremental.size) * (registered[incremental] - ballots[incremental])
    )
    extra = extra.astype(np.int64)
    ballots[incremental] += extra
    valid[incremental] += extra
    votes[incremental, LEADER] += extra
    data["ballots_issued"] = ballots.copy()


def test_ballot_stuffing_flags_the_corner_and_the_slope(albania):
    data = copy(albania)
    plant_ballot_stuffing(data, seed=9)
    result = analyse_election(**data, seed=2017)
    national = result.national.tests
    assert national["corner"].flagged and national["corner"].statistic > 0.04
    assert national["slope"].flagged and national["slope"].details["interval_95"][0] > 0.3
    assert result.national.correlation > 0.3
    assert all(d.tests["corner"].flagged for d in result.districts)
    assert sum(d.tests["slope"].flagged for d in result.districts) >= 9
    assert not result.national.tests["integer"].flagged


def plant_second_digit_zeros(data: dict, district: str, share: float, seed: int) -> None:
    """Set the second digit of the leader's count to 0 at `share` of the district's stations (the
    count, its valid votes and its ballots all lose the same votes): made-up round numbers."""
    rng = np.random.default_rng(seed)
    stations = np.flatnonzero((data["districts"] == district) & (data["votes"][:, LEADER] >= 10))
    picked = rng.choice(stations, size=int(len(stations) * share), replace=False)
    counts = data["votes"][picked, LEADER]
    scale = 10 ** (np.floor(np.log10(counts)).astype(np.int64) - 1)
    cut = second_digits(counts) * scale
    data["votes"][picked, LEADER] -= cut
    data["valid"][picked] -= cut
    data["ballots_in_boxes"][picked] -= cut
    data["ballots_issued"] = data["ballots_in_boxes"].copy()


def test_a_second_digit_flag_alone_moves_no_headline_score_by_more_than_two_and_a_half_points(albania):
    data = copy(albania)
    plant_second_digit_zeros(data, "Fier", 0.4, seed=3)
    result = analyse_election(**data, seed=2017)
    fier = result.district("Fier")
    assert [name for name in TESTS if fier.tests[name].flagged] == ["second_digit"]
    assert fier.flags == 0.5
    params = ScoreParams()
    without = fier.flags - 0.5
    moves = [
        headline(process, count, without, params) - headline(process, count, fier.flags, params)
        for process in (0.0, 0.05, 0.2, 0.5, 0.9, 1.0)
        for count in (0.0, 0.1, 0.4, 1.0)
    ]
    assert max(moves) == pytest.approx(2.5) and min(moves) >= 0
    # Whatever else a district is flagged for, the half-weight flag moves its score by at most 2.5.
    for other in (0.0, 1.0, 2.5, 3.5, 4.0, 6.0):
        assert 0 <= headline(0.1, 0.05, other, params) - headline(0.1, 0.05, other + 0.5, params) <= 2.5
