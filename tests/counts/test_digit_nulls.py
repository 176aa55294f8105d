"""The digit tests against each district's own honest recounts (the "simulated" null): counts in
a narrow range no longer flag, digit preferences still do, the national test adds up the
districts' recounts, and runs stored before read back with the digit laws as their null."""

import numpy as np
import pytest

from counts.forensics import ForensicParams, analyse_election
from counts.forensics.digits import (
    digit_simulate,
    last_digit_result,
    last_digit_simulated,
    second_digit_result,
    second_digit_simulated,
)

PARAMS = ForensicParams()


def narrow(seed: int, stations: int = 300):
    """Honest leader counts of stations of 600 to 700 valid votes: all between about 300 and 450."""
    rng = np.random.default_rng(seed)
    valid = rng.integers(600, 700, stations)
    leader = rng.binomial(valid, np.clip(rng.normal(0.55, 0.03, stations), 0.3, 0.9))
    return leader, valid


def test_honest_counts_of_a_narrow_range_flag_at_the_nominal_rate_not_always():
    law = simulated = 0
    for seed in range(60):
        leader, valid = narrow(seed)
        simulation = digit_simulate(leader, valid, np.random.default_rng(seed), PARAMS)
        law += second_digit_result(leader, PARAMS).raw_flag
        simulated += second_digit_simulated(simulation, PARAMS).raw_flag
        simulated += last_digit_simulated(simulation, PARAMS).raw_flag
    assert law >= 50  # Benford's law flags nearly every one of them
    assert simulated <= 9  # both tests at 5 % over 60 districts: about 6 expected


def test_a_planted_preference_for_round_counts_flags():
    for seed in range(10):
        leader, valid = narrow(seed)
        rng = np.random.default_rng(seed)
        rounded = rng.random(leader.size) < 0.3
        leader[rounded] = leader[rounded] // 10 * 10
        simulation = digit_simulate(leader, valid, np.random.default_rng(seed), PARAMS)
        result = last_digit_simulated(simulation, PARAMS)
        assert result.raw_flag and result.p < 1e-6
        assert result.details["null"] == "simulated" and result.details["digits"][0] > 90


def test_the_recounts_expect_a_uniform_last_digit_for_large_counts():
    leader, valid = narrow(3)
    result = last_digit_simulated(digit_simulate(leader, valid, np.random.default_rng(1), PARAMS), PARAMS)
    assert result.ran and result.n == 300
    assert np.allclose(result.details["expected"], 30, atol=1.0)
    # The scaled χ² has about the multinomial's 9 degrees of freedom.
    assert 6 < result.details["df"] * result.details["scale"] < 12


def test_digit_tests_on_too_few_counts_do_not_run():
    leader, valid = narrow(1, stations=40)
    simulation = digit_simulate(leader, valid, np.random.default_rng(1), PARAMS)
    assert last_digit_simulated(simulation, PARAMS).reason == "few_counts"
    assert second_digit_simulated(simulation, PARAMS).reason == "few_counts"


def test_the_national_digit_test_adds_up_the_districts_recounts_and_the_law_is_still_there():
    rng = np.random.default_rng(4)
    n = 800
    registered = rng.integers(800, 1200, n)
    ballots = rng.binomial(registered, 0.6)
    valid = rng.binomial(ballots, 0.98)
    votes = rng.multinomial(valid, [0.55, 0.3, 0.15])
    data = {
        "registered": registered,
        "ballots_issued": ballots,
        "ballots_in_boxes": ballots,
        "valid": valid,
        "votes": votes,
        "choices": ["a", "b", "c"],
        "districts": np.repeat([1, 2, 3, 4], n // 4),
    }
    simulated = analyse_election(**data, seed=3)
    assert simulated.national.tests["last_digit"].details["null"] == "simulated"
    assert simulated.national.tests["second_digit"].n == n
    assert all(d.tests["second_digit"].flagged is False for d in simulated.districts)
    law = analyse_election(**data, seed=3, params=ForensicParams(digit_null="law"))
    assert "null" not in law.national.tests["second_digit"].details
    assert law.national.tests["last_digit"].statistic == last_digit_result(votes[:, 0], PARAMS).statistic


def test_parameters_stored_before_the_simulated_null_read_back_with_the_law():
    stored = ForensicParams().as_dict()
    del stored["digit_null"], stored["digit_draws"]
    assert ForensicParams.from_dict(stored).digit_null == "law"
    assert ForensicParams.from_dict(ForensicParams().as_dict()) == ForensicParams()
    with pytest.raises(ValueError, match="digit null"):
        ForensicParams(digit_null="benford")
