"""The forensic statistics against values worked out by hand, and the rules of the aggregation.
Pure numpy: no database."""

import json
import math

import numpy as np
import pytest

from counts.forensics import ForensicParams, analyse_election, fingerprint_histogram, percent_distributions
from counts.forensics.digits import (
    SECOND_DIGIT_MEAN,
    SECOND_DIGIT_SD,
    last_digit_result,
    second_digit_result,
    second_digits,
)
from counts.forensics.fingerprint import corner_result, slope_bootstrap, slope_result
from counts.forensics.integer import integer_eligible, integer_result, integer_simulate, within_whole_percent
from counts.forensics.stats import benjamini_hochberg, binom_sf, chi2_sf, normal_sf, weighted_correlation

PARAMS = ForensicParams()


def test_the_normal_and_chi_square_tails_match_the_tables():
    assert normal_sf(1.959963984540054) == pytest.approx(0.025, abs=1e-12)
    assert normal_sf(-1.0) == pytest.approx(0.8413447460685429)
    # χ²(9) critical values from the tables, both sides of the series/continued-fraction switch.
    assert chi2_sf(16.919, 9) == pytest.approx(0.05, abs=1e-4)
    assert chi2_sf(21.666, 9) == pytest.approx(0.01, abs=1e-4)
    assert chi2_sf(2.088, 9) == pytest.approx(0.99, abs=1e-4)
    # With 2 degrees of freedom the tail is exactly exp(-x/2).
    for x in (0.5, 3.0, 40.0, 200.0):
        assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-10)
    assert chi2_sf(0.0, 9) == 1.0


def test_the_binomial_tail_is_exact():
    assert binom_sf(8, 10, 0.5) == pytest.approx((45 + 10 + 1) / 1024, rel=1e-12)
    below = sum(math.comb(200, j) * 0.005**j * 0.995 ** (200 - j) for j in range(3))
    assert binom_sf(3, 200, 0.005) == pytest.approx(1 - below, rel=1e-9)
    assert binom_sf(0, 200, 0.005) == 1.0
    assert binom_sf(201, 200, 0.005) == 0.0
    # Far in the tail it stays positive and ordered, so that districts can still be ranked.
    assert 0 < binom_sf(60, 500, 0.005) < binom_sf(50, 500, 0.005) < 1e-40


def test_benjamini_hochberg_rejects_the_first_four_of_the_papers_fifteen_p_values():
    # Benjamini & Hochberg (1995), section 4: 15 comparisons at q = 0.05; Bonferroni would keep 3.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459]
    p += [0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]
    rejected, _ = benjamini_hochberg(p, 0.05)
    assert rejected.tolist() == [True] * 4 + [False] * 11


def test_benjamini_hochberg_adjusts_a_small_vector_as_worked_by_hand():
    # Sorted 0.005, 0.01, 0.03, 0.04 times m/rank = 0.02, 0.02, 0.04, 0.04 (already monotone).
    rejected, adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.005], 0.05)
    assert adjusted == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert rejected.tolist() == [True, True, True, True]
    rejected, _ = benjamini_hochberg([0.01, 0.04, 0.03, 0.005], 0.03)
    assert rejected.tolist() == [True, False, False, True]
    rejected, adjusted = benjamini_hochberg([], 0.05)
    assert rejected.size == adjusted.size == 0


def test_the_voter_weighted_correlation_matches_the_hand_computed_value():
    # Weighted means 0.4 and 0.45; cov = 0.04/4 = 0.01, var 0.08/4 and 0.11/4 → r = 0.01/√0.00055.
    r = weighted_correlation([0.2, 0.4, 0.6], [0.5, 0.3, 0.7], [1, 2, 1])
    assert r == pytest.approx(0.01 / math.sqrt(0.00055))
    assert weighted_correlation([0.5, 0.5], [0.1, 0.9], [1, 1]) is None


def _slope_stations():
    # Turnout 0.2, 0.4, 0.6; leader share 0.5, 0.3, 0.7; weights (registered) 1 : 2 : 1.
    registered = np.array([100, 200, 100])
    ballots = np.array([20, 80, 60])
    leader = np.array([10, 24, 42])
    return registered, ballots / registered, leader / ballots


def test_the_slope_minus_the_mean_share_matches_the_hand_computed_value():
    # y = turnout x share = 0.1, 0.12, 0.42; weighted: ȳ = 0.19, cov(t, y) = 0.064/4, var t = 0.02
    # → slope 0.8; mean share 0.45; difference 0.35.
    registered, turnout, share = _slope_stations()
    boot = slope_bootstrap(turnout, share, registered.astype(float), np.random.default_rng(1), 200)
    result = slope_result(boot, PARAMS)
    assert result.statistic == pytest.approx(0.35)
    assert result.details["slope"] == pytest.approx(0.8)
    assert result.details["mean_share"] == pytest.approx(0.45)
    low, high = result.details["interval_95"]
    assert low <= 0.35 <= high


def test_the_slope_does_not_run_where_turnout_does_not_vary():
    boot = slope_bootstrap(
        np.full(5, 0.5), np.linspace(0.1, 0.9, 5), np.ones(5), np.random.default_rng(1), 100
    )
    result = slope_result(boot, PARAMS)
    assert not result.ran and result.reason == "no_variation" and not result.flagged


def test_the_corner_counts_stations_at_95_percent_turnout_and_share_and_tests_them_exactly():
    turnout = np.array([0.95, 0.99, 0.94, 1.02] + [0.6] * 196)
    share = np.array([0.95, 1.0, 0.99, 0.97] + [0.5] * 196)
    result = corner_result(turnout, share, PARAMS)
    assert result.details["corner_stations"] == 3
    assert result.statistic == pytest.approx(3 / 200)
    assert result.p == pytest.approx(binom_sf(3, 200, 0.005))
    assert result.raw_flag == (result.p < 0.05)


def test_the_last_digit_chi_square_on_a_tiny_table():
    # Digits 0 x19 and 1..9 x9 each among 100 counts of at least 100: χ² = (81 + 9)/10 = 9.
    counts = [100] * 19 + [100 + d for d in range(1, 10) for _ in range(9)]
    result = last_digit_result([*counts, 15, 37, 99], PARAMS)  # counts below 100 are left out
    assert result.n == 100
    assert result.details["digits"] == [19] + [9] * 9
    assert result.statistic == pytest.approx(9.0)
    assert result.p == pytest.approx(chi2_sf(9.0, 9))
    assert result.p == pytest.approx(0.4373, abs=1e-4)
    assert not result.raw_flag


def test_the_second_digit_mean_is_benfords_and_the_test_counts_from_ten():
    assert pytest.approx(4.18739, abs=1e-5) == SECOND_DIGIT_MEAN
    assert pytest.approx(2.87294, abs=1e-5) == SECOND_DIGIT_SD
    assert second_digits([10, 99, 100, 109, 1234, 98765]).tolist() == [0, 9, 0, 0, 2, 8]
    params = ForensicParams(digit_min_counts=10)
    result = second_digit_result([12, 25, 37, 150, 1234] * 2 + [7, 3], params)  # 7 and 3 left out
    assert result.n == 10
    assert result.statistic == pytest.approx(4.2)
    z = (4.2 - SECOND_DIGIT_MEAN) / (SECOND_DIGIT_SD / math.sqrt(10))
    assert result.z == pytest.approx(z)
    assert result.p == pytest.approx(2 * normal_sf(abs(z)))


def test_digit_tests_need_enough_counts():
    result = last_digit_result([150] * 49, PARAMS)
    assert not result.ran and result.reason == "few_counts" and not result.flagged


def test_whole_percent_means_within_five_hundredths_of_a_point():
    hits = within_whole_percent([500, 5005, 5006, 4995, 4994, 1], [1000, 10000, 10000, 10000, 10000, 0], 0.05)
    assert hits.tolist() == [True, True, False, True, False, False]


def test_the_integer_test_judges_only_stations_it_can():
    # ballots 0; registered 99; turnout 99.5 %; leader share 100 %; a station it can judge.
    eligible = integer_eligible(
        np.array([0, 50, 199, 100, 100]),
        np.array([200, 99, 200, 200, 200]),
        np.array([0, 20, 50, 100, 40]),
        np.array([0, 45, 190, 100, 95]),
        PARAMS,
    )
    assert eligible.tolist() == [False, False, False, False, True]


def test_stations_of_exactly_100_voters_always_hit_so_the_integer_test_does_not_run():
    registered = np.full(150, 100)
    ballots = np.full(150, 61)
    simulation = integer_simulate(
        ballots, registered, np.full(150, 30), np.full(150, 60), np.random.default_rng(3), PARAMS
    )
    assert simulation.observed == 150 and (simulation.null == 150).all()
    result = integer_result(simulation, PARAMS)
    assert not result.ran and result.reason == "no_variation"


def honest_country(seed: int, stations: int = 1200, districts: int = 4, small: int = 0) -> dict:
    """An honest count: binomial ballots and votes around district turnouts and shares, plus a
    district of `small` stations."""
    rng = np.random.default_rng(seed)
    labels = np.concatenate(
        [np.repeat(np.arange(1, districts + 1), stations // districts), np.full(small, 99)]
    )
    n = labels.size
    registered = rng.integers(150, 2500, n)
    ballots = rng.binomial(registered, rng.uniform(0.4, 0.7, n))
    valid = rng.binomial(ballots, 0.97)
    votes = rng.multinomial(valid, [0.5, 0.3, 0.2])
    return {
        "registered": registered,
        "ballots_issued": ballots,
        "ballots_in_boxes": ballots,
        "valid": valid,
        "votes": votes,
        "choices": ["a", "b", "c"],
        "districts": labels,
    }


def test_the_same_seed_gives_the_same_output_and_another_seed_another_null():
    data = honest_country(1)
    first = analyse_election(**data, seed=7).as_dict()
    assert analyse_election(**data, seed=7).as_dict() == first
    other = analyse_election(**data, seed=8).as_dict()
    assert other["national"]["integer"]["expected"] != first["national"]["integer"]["expected"]
    assert other["national"]["integer"]["observed"] == first["national"]["integer"]["observed"]


def test_a_district_with_fewer_than_100_stations_is_not_run_and_never_flagged():
    data = honest_country(2, small=99)
    # Make the small district blatantly stuffed: it still must not be flagged.
    small = data["districts"] == 99
    data["ballots_in_boxes"][small] = data["registered"][small]
    data["valid"][small] = data["registered"][small]
    data["votes"][small] = np.column_stack([data["registered"][small], np.zeros((99, 2), dtype=int)])
    result = analyse_election(**data, seed=1)
    district = result.district(99)
    assert district.stations == 99 and district.flags == 0
    for test in district.tests.values():
        assert not test.ran and not test.flagged and test.reason == "few_stations"
        assert "99 stations with numbers" in test.note
    # The national summary counts every station, the small district's too.
    assert result.national.stations == 1299
    assert result.national.tests["corner"].details["corner_stations"] == 99
    assert result.national.tests["corner"].flagged


def test_an_honest_count_raises_no_flag_and_the_json_has_what_the_command_prints():
    # Seeded data; in 400 simulated honest districts of 300 stations the integer test's z had
    # mean 0.02 and sd 1.05, and 2 of 400 exceeded 3 before the false-discovery control.
    result = analyse_election(**honest_country(5), seed=1)
    assert result.leader == "a"
    assert [d.flags for d in result.districts] == [0.0] * 4
    text = json.dumps(result.as_dict(), allow_nan=False)
    district = json.loads(text)["districts"][0]
    assert (district["district"], district["name"], district["stations"]) == (1, "1", 300)
    for test in ("integer", "corner", "slope", "last_digit", "second_digit"):
        assert {"statistic", "p", "z", "flagged", "p_adjusted"} <= set(district[test])
    assert -3 < district["integer"]["z"] < 3


def test_the_second_digit_test_flags_honest_counts_of_a_narrow_range_which_is_why_it_weighs_half():
    # Counts spread evenly over 100..999 have a uniform second digit (mean 4.5), not Benford's 4.187.
    counts = np.random.default_rng(1).integers(100, 1000, 2000)
    result = second_digit_result(counts, PARAMS)
    assert result.statistic == pytest.approx(4.5, abs=0.15)
    assert result.raw_flag and result.p < 1e-4
    assert PARAMS.weights["second_digit"] == 0.5


def test_a_district_whose_stations_have_no_numbers_is_listed_with_no_test_run():
    data = honest_country(6)
    silent = data["districts"] == 4
    data["ballots_in_boxes"][silent] = 0
    result = analyse_election(**data, seed=1)
    district = result.district(4)
    assert (district.stations, district.flags, district.correlation) == (0, 0.0, None)
    assert {t.reason for t in district.tests.values()} == {"few_stations"}
    assert result.national.stations == 900
    assert [d.district for d in result.districts] == [1, 2, 3, 4]


def test_the_leader_is_the_choice_with_most_votes_unless_one_is_named():
    data = honest_country(4)
    assert analyse_election(**data).leader == "a"
    named = analyse_election(**data, leader="c")
    assert named.leader == "c"
    assert named.national.tests["slope"].details["mean_share"] == pytest.approx(0.2, abs=0.01)
    with pytest.raises(ValueError, match="not one of the choices"):
        analyse_election(**data, leader="z")


def test_inconsistent_or_impossible_numbers_are_refused_with_a_message():
    data = honest_country(5)
    with pytest.raises(ValueError, match="valid has 5 stations"):
        analyse_election(**{**data, "valid": data["valid"][:5]})
    with pytest.raises(ValueError, match="cannot be negative"):
        analyse_election(**{**data, "registered": -data["registered"]})
    with pytest.raises(ValueError, match="3 columns for 2 choices"):
        analyse_election(**{**data, "choices": ["a", "b"]})
    with pytest.raises(ValueError, match="whole numbers"):
        analyse_election(**{**data, "valid": data["valid"] + 0.5})


def test_the_parameters_refuse_nonsense_and_read_back_what_they_write():
    params = ForensicParams(
        weights={"integer": 2, "corner": 1, "slope": 1, "last_digit": 0, "second_digit": 0}
    )
    assert ForensicParams.from_dict(params.as_dict()) == params
    for bad in (
        {"integer_draws": 100},
        {"turnout_basis": "guess"},
        {"weights": {"integer": 1}},
        {"fdr_q": 0},
    ):
        with pytest.raises(ValueError):
            ForensicParams(**bad)


def test_the_fingerprint_picture_weighs_stations_by_voters():
    picture = fingerprint_histogram(
        [1000, 500, 200, 300], [600, 300, 210, 0], [300, 290, 200, 0], [600, 300, 210, 0]
    )
    assert picture.voters.shape == (100, 100)
    assert picture.voters.sum() == 1700  # the station without ballots is left out
    assert picture.voters[60, 50] == 1000  # 60 % turnout, 50 % for the leader
    assert picture.voters[99, 95] == 200  # 105 % turnout is drawn at 100 %


def test_the_percent_distributions_use_tenth_of_a_point_bins_with_whole_percents_marked():
    shapes = percent_distributions(
        [1000, 1000, 10000, 100], [500, 503, 5004, 105], [250, 300, 5004, 50], [500, 500, 5004, 105]
    )
    assert shapes.centres[500] == 50.0 and shapes.centres.size == 1001
    assert shapes.whole_percent.sum() == 101 and shapes.whole_percent[500] and not shapes.whole_percent[503]
    assert shapes.turnout[500] == 2 and shapes.turnout[503] == 1  # 50.0, 50.04 and 50.3 %
    assert shapes.turnout.sum() == 3 and shapes.left_out == 1  # 105 % turnout
    assert shapes.share[500] == 1 and shapes.share[600] == 1 and shapes.share[1000] == 1
