"""The parallel vote tabulation estimates against values worked out by hand, and against the truth
of a real election (Albania 2017, tests/data/albania2017)."""

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from counts.estimators import (
    Z_95,
    Stratum,
    ratio_estimate,
    stratified_ratio_estimate,
    turnout_shortfall,
)

ALBANIA = Path(__file__).resolve().parents[1] / "data" / "albania2017" / "albania.csv"


def test_the_ratio_estimate_and_its_error_match_the_hand_computed_values():
    # p = 100/400 = 0.25; residuals 5, 0, -5 → s² = 50/2 = 25; m̄ = 400/3; f = 3/10:
    # Var = (1 - f)/(k·m̄²)·s² = 0.7·25·9/(3·160,000) = 0.000328125.
    estimate = ratio_estimate([30, 50, 20], [100, 200, 100], population=10)
    assert estimate.estimate == pytest.approx(0.25)
    assert estimate.standard_error == pytest.approx(math.sqrt(0.000328125))
    assert estimate.margin_95 == pytest.approx(Z_95 * math.sqrt(0.000328125))
    assert (
        estimate.interval_99[0]
        < estimate.interval_95[0]
        < 0.25
        < estimate.interval_95[1]
        < estimate.interval_99[1]
    )
    assert (estimate.stations, estimate.population) == (3, 10)


def test_the_finite_population_correction_removes_the_error_when_every_station_is_counted():
    estimate = ratio_estimate([30, 50, 20], [100, 200, 100], population=3)
    assert estimate.estimate == pytest.approx(0.25)
    assert estimate.standard_error == 0


def test_the_stratified_estimate_weighs_each_stratum_by_its_stations():
    # Stratum 1: 2 of 4 stations, a = 10, 30; m = 100, 100. Stratum 2: 2 of 8, a = 60, 40; m = 100, 100.
    # Totals: 4/2·40 + 8/2·100 = 480 over 4/2·200 + 8/2·200 = 1,200 → p = 0.4.
    # Residuals: -30, -10 (s² = (900 + 100)/1 = 1,000); 20, 0 (s² = 400).
    # Var = [4²·(1 - ½)/2·1,000 + 8²·(1 - ¼)/2·400] / 1,200² = (4,000 + 9,600)/1,440,000.
    estimate = stratified_ratio_estimate(
        [
            Stratum(np.array([10.0, 30.0]), np.array([100.0, 100.0]), population=4),
            Stratum(np.array([60.0, 40.0]), np.array([100.0, 100.0]), population=8),
        ]
    )
    assert estimate.estimate == pytest.approx(0.4)
    assert estimate.standard_error == pytest.approx(math.sqrt(13_600 / 1_440_000))
    assert (estimate.stations, estimate.population) == (4, 12)


def test_no_estimate_without_two_stations_or_with_nothing_to_divide_by():
    assert ratio_estimate([30], [100], population=10) is None
    assert ratio_estimate([], [], population=10) is None
    assert ratio_estimate([0, 0], [0, 0], population=10) is None


def test_a_stratum_with_one_sampled_station_is_left_out_rather_than_given_no_variance():
    alone = Stratum(np.array([90.0]), np.array([100.0]), population=50)
    pair = Stratum(np.array([30.0, 50.0]), np.array([100.0, 100.0]), population=5)
    assert stratified_ratio_estimate([alone, pair]) == stratified_ratio_estimate([pair])


def test_inconsistent_samples_are_refused():
    with pytest.raises(ValueError, match="numerator and a denominator"):
        ratio_estimate([1, 2, 3], [10, 20], population=10)
    with pytest.raises(ValueError, match="more sampled stations"):
        ratio_estimate([1, 2, 3], [10, 20, 30], population=2)


def test_the_official_figure_is_flagged_only_outside_the_99_percent_interval():
    estimate = ratio_estimate([30, 50, 20], [100, 200, 100], population=10)
    low, high = estimate.interval_99
    assert not estimate.outside_99(0.25)
    assert not estimate.outside_99(high - 1e-9)
    assert estimate.outside_99(high + 1e-6)
    assert estimate.outside_99(low - 1e-6)


def test_the_turnout_shortfall_is_the_share_of_the_official_figure_that_observers_did_not_count():
    assert turnout_shortfall(official=0.40, observed=0.30) == pytest.approx(0.25)
    assert turnout_shortfall(official=0.30, observed=0.40) == 0
    assert turnout_shortfall(official=0.0, observed=0.1) == 0


def albania_columns(*names: str) -> list[np.ndarray]:
    with ALBANIA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [np.array([float(row[name]) for row in rows]) for name in names]


def test_on_albania_2017_the_95_percent_interval_covers_the_true_turnout_in_95_of_100_samples():
    ballots, registered = albania_columns("ballotsCast", "zgjedhes")
    truth = ballots.sum() / registered.sum()
    rng = np.random.default_rng(20170625)
    covered = 0
    for _ in range(1000):
        sample = rng.choice(len(ballots), size=500, replace=False)
        estimate = ratio_estimate(ballots[sample], registered[sample], population=len(ballots))
        low, high = estimate.interval_95
        covered += low <= truth <= high
    assert 0.93 <= covered / 1000 <= 0.97


def test_on_albania_2017_a_party_share_interval_covers_the_official_share():
    votes, valid = albania_columns("ps", "validVotes")
    truth = votes.sum() / valid.sum()
    rng = np.random.default_rng(7)
    sample = rng.choice(len(votes), size=500, replace=False)
    estimate = ratio_estimate(votes[sample], valid[sample], population=len(votes))
    assert estimate.margin_99 < 0.03
    assert not estimate.outside_99(truth)
