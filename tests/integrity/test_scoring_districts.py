"""The district maths: empirical-Bayes shrinkage, the headline, intervals, bands, coverage and the
digest, checked against values worked out by hand and against real data (Albania 2017)."""

import csv
import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from integrity.scoring import (
    INSUFFICIENT,
    CountRisk,
    DistrictInput,
    ScoreParams,
    coverage_grade,
    fit_prior,
    headline,
    inputs_digest,
    posterior,
    score_districts,
)

ALBANIA = Path(__file__).resolve().parent.parent / "data" / "albania2017" / "opening.csv"
PARAMS = ScoreParams()


def district(district_id="d", n=30, events=None, *, stations=100, sample=True, **fields):
    return DistrictInput(
        district_id=district_id,
        stations=stations,
        observed=n,
        sample_observed=n if sample else 0,
        sample_used=sample,
        n=n,
        events=events or {},
        **fields,
    )


def test_the_method_of_moments_gives_the_hand_computed_prior_and_posterior():
    # μ = 15/300 = 0.05; S = 100·(0.05² + 0.05²) = 0.5; τ² = (0.5 - 2·0.0475)/(300 - 100 - 2)
    # = 0.405/198; m = 0.0475/τ² - 1 = 200/9, so alpha = 10/9 and the second district's
    # posterior mean is (10/9 + 10)/(200/9 + 100) = 1/11.
    prior = fit_prior([0, 10, 5], [100, 100, 100])
    assert prior.mean == pytest.approx(0.05)
    assert prior.between_variance == pytest.approx(0.405 / 198)
    assert prior.strength == pytest.approx(200 / 9)
    assert (prior.alpha, prior.beta) == (pytest.approx(10 / 9), pytest.approx(190 / 9))
    alpha, beta = posterior(prior, 10, 100)
    assert alpha / (alpha + beta) == pytest.approx(1 / 11)


def test_the_posterior_mean_lies_between_the_raw_rate_and_the_pooled_rate():
    x, n = np.array([0, 10, 5, 2]), np.array([100, 100, 100, 10])
    prior = fit_prior(x, n)
    alpha, beta = posterior(prior, x, n)
    means, raw = alpha / (alpha + beta), x / n
    low, high = np.minimum(raw, prior.mean), np.maximum(raw, prior.mean)
    assert ((low <= means) & (means <= high)).all()
    assert (means != raw).all()


def test_rates_that_vary_no_more_than_chance_get_the_strongest_prior():
    prior = fit_prior([5, 5, 6], [100, 100, 100])
    assert (prior.strength, prior.rule) == (1000, "no extra variation")


def test_rates_that_vary_wildly_get_the_weakest_prior():
    prior = fit_prior([0, 100], [100, 100])
    assert (prior.strength, prior.rule) == (2, "clipped")


def test_a_lone_district_gets_the_weakest_prior():
    assert fit_prior([3], [40]).strength == 2


def test_no_events_anywhere_give_a_proper_prior_near_zero():
    prior = fit_prior([0, 0], [50, 60])
    assert prior.mean == 0
    assert 0 < prior.alpha < 1e-5
    assert prior.beta == 1000


def test_n_zero_returns_the_prior():
    prior = fit_prior([0, 10, 5], [100, 100, 100])
    assert posterior(prior, 0, 0) == (prior.alpha, prior.beta)

    inputs = [district("a", 100, {5: 10}), district("b", 100, {5: 0}), district("empty", 0)]
    empty = score_districts(inputs, PARAMS, seed=1, method="2")[2].severities[5]
    assert (empty.alpha, empty.beta) == (empty.prior.alpha, empty.prior.beta)


def test_n_zero_returns_the_whole_robust_prior():
    """Under the contaminated prior a district with nothing observed has the prior's mean: the
    typical part's with weight 1 - ε, the wide part's (½) with weight ε."""
    inputs = [district("a", 100, {5: 10}), district("b", 100, {5: 0}), district("empty", 0)]
    empty = score_districts(inputs, PARAMS, seed=1)[2].severities[5]
    prior = empty.prior
    assert prior.contamination > 0
    expected = (1 - prior.contamination) * prior.mean + prior.contamination * 0.5
    assert empty.mean == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("method", ["2", "3"])
def test_the_interval_narrows_as_n_grows(method):
    inputs = [
        district("small", 20, {5: 5}),
        district("medium", 80, {5: 20}),
        district("large", 320, {5: 80}),
        district("calm", 50, {5: 0}),
        district("troubled", 50, {5: 25}),
    ]
    results = score_districts(inputs, PARAMS, seed=3, method=method)
    if method == "2":
        assert results[0].severities[5].prior.rule == "estimated"
    theta_widths = [np.ptp(r.severities[5].interval_80) for r in results[:3]]
    score_widths = [np.ptp(r.interval_80) for r in results[:3]]
    assert theta_widths[0] > theta_widths[1] > theta_widths[2]
    assert score_widths[0] > score_widths[1] > score_widths[2]


def albania_districts():
    """Observed opening: problematic when the overall assessment is meprob or shumprob."""
    counts = defaultdict(lambda: [0, 0])
    with ALBANIA.open(newline="") as handle:
        for row in csv.DictReader(handle):
            assessment = row["overallOpen"].strip()
            if assessment in ("", "n/a"):
                continue
            counts[row["qarku"]][0] += assessment in ("meprob", "shumprob")
            counts[row["qarku"]][1] += 1
    return [district(name, n, {5: x}, stations=n) for name, (x, n) in counts.items()]


def test_pooling_albania_2017_pulls_every_district_into_a_narrow_band_around_1_6_percent():
    inputs = albania_districts()
    assert len(inputs) == 12
    estimates = [r.severities[5] for r in score_districts(inputs, PARAMS, seed=2017)]
    raw = np.array([item.events[5] / item.n for item in inputs])
    means = np.array([e.mean for e in estimates])
    assert estimates[0].prior.mean == pytest.approx(0.016, abs=0.003)
    assert ((means >= 0.010) & (means <= 0.025)).all()
    assert raw.max() > 0.04 and raw.min() == 0
    assert np.ptp(means) < np.ptp(raw) / 10


def test_a_district_with_fewer_than_5_observed_stations_is_insufficient_data_with_no_score():
    inputs = [district("few", 4, {5: 1}), district("enough", 5), district("more", 40)]
    few, enough, _ = score_districts(inputs, PARAMS, seed=5)
    assert few.coverage == INSUFFICIENT
    assert (few.score, few.interval_80, few.interval_95, few.band, few.band_range) == (None,) * 5
    assert few.explanation["headline"] == "No score: too few stations observed."
    assert enough.coverage == "C"
    assert enough.score is not None


@pytest.mark.parametrize(
    ("n", "stations", "sample", "grade"),
    [
        (30, 300, True, "A"),
        (30, 301, True, "B"),
        (29, 100, True, "B"),
        (40, 100, False, "B"),
        (15, 100, True, "B"),
        (14, 100, True, "C"),
        (5, 100, False, "C"),
        (4, 10, True, INSUFFICIENT),
    ],
)
def test_the_coverage_grade_follows_the_sample_share_and_the_number_of_stations(n, stations, sample, grade):
    assert coverage_grade(district(n=n, stations=stations, sample=sample), PARAMS) == grade


def test_the_same_seed_gives_identical_intervals_and_a_different_seed_different_ones():
    inputs = [district("a", 40, {5: 2, 3: 1}), district("b", 25, {1: 3}), district("c", 60, {5: 6})]
    first, again, other = (score_districts(inputs, PARAMS, seed=s) for s in (11, 11, 12))
    assert [(r.interval_80, r.interval_95) for r in first] == [(r.interval_80, r.interval_95) for r in again]
    assert [r.interval_80 for r in first] != [r.interval_80 for r in other]
    assert [r.score for r in first] == [r.score for r in other]
    assert {r.seed for r in first} == {11}


def test_the_headline_takes_both_risks_as_shares_and_5_points_a_flag():
    assert headline(0.2, 0.1, 1, PARAMS) == pytest.approx(100 * 0.8 * 0.9 - 5) == pytest.approx(67)


def test_the_district_headline_combines_its_three_parts():
    inputs = [district("a", 40, {5: 2}, count_risk=CountRisk(0.1), forensic_flags=1), district("b", 40)]
    result = score_districts(inputs, PARAMS, seed=4)[0]
    assert result.score == pytest.approx(100 * (1 - result.process_risk) * 0.9 - 5)
    assert result.count_risk == 0.1
    assert result.count_risk_interval_80 is None
    assert result.forensic_penalty == 5


def test_forensic_flags_are_capped_so_statistics_remove_at_most_20_points():
    assert headline(0, 0, 3, PARAMS) == 85
    assert headline(0, 0, 4, PARAMS) == 80
    assert headline(0, 0, 9, PARAMS) == 80
    assert headline(0.9, 0.5, 4, PARAMS) == 0


def test_a_band_is_named_only_when_the_80_percent_interval_sits_inside_one_band():
    inputs = [
        district("fixed", 30, count_risk=CountRisk(0.05)),
        district("straddling", 30, count_risk=CountRisk(0.15, sd=0.05)),
        district("narrow", 30, count_risk=CountRisk(0.4, sd=0.01)),
    ]
    fixed, straddling, narrow = score_districts(inputs, PARAMS, seed=8)
    assert fixed.interval_80 == pytest.approx((95, 95), abs=0.01)
    assert (fixed.band, fixed.band_range) == ("A", ("A", "A"))
    assert straddling.interval_80[0] < 85 < straddling.interval_80[1]
    assert (straddling.band, straddling.band_range) == (None, ("A", "B"))
    assert (
        "between A (no serious problems found) and B (some problems found)"
        in (straddling.explanation["headline"])
    )
    assert (narrow.band, narrow.band_range) == ("C", ("C", "C"))
    assert narrow.count_risk_interval_80[0] < 0.4 < narrow.count_risk_interval_80[1]


def test_count_risk_draws_are_used_as_given():
    draws = tuple(np.linspace(0.2, 0.4, PARAMS.draws))
    inputs = [district("a", 30, count_risk=CountRisk.from_draws(draws)), district("b", 30)]
    result = score_districts(inputs, PARAMS, seed=9)[0]
    assert result.count_risk == pytest.approx(0.3)
    assert result.count_risk_interval_80 == pytest.approx((0.22, 0.38), abs=0.001)


def test_the_digest_changes_when_any_input_changes_and_not_otherwise():
    def inputs(**changes):
        base = {"district_id": "a", "n": 40, "events": {5: 2}}
        return [district(**(base | changes)), district("b", 30)]

    digest = inputs_digest(inputs(), PARAMS, 1)
    assert inputs_digest(inputs(), ScoreParams(), 1) == digest
    assert len(digest) == 64
    changed = [
        inputs_digest(inputs(n=41), PARAMS, 1),
        inputs_digest(inputs(events={5: 2.5}), PARAMS, 1),
        inputs_digest(inputs(events={3: 2}), PARAMS, 1),
        inputs_digest(inputs(district_id="z"), PARAMS, 1),
        inputs_digest(inputs(count_risk=CountRisk(0.01)), PARAMS, 1),
        inputs_digest(inputs(forensic_flags=0.5), PARAMS, 1),
        inputs_digest(inputs(), replace(PARAMS, draws=2001), 1),
        inputs_digest(
            inputs(), replace(PARAMS, evidence_weights={**PARAMS.evidence_weights, "verified": 0.6}), 1
        ),
        inputs_digest(inputs(), PARAMS, 2),
    ]
    assert len({digest, *changed}) == len(changed) + 1


def test_a_stored_run_re_runs_to_the_same_numbers():
    inputs = [district("a", 40, {5: 2, 3: 1.3}), district(7, 25, {1: 3}, count_risk=CountRisk(0.1, sd=0.02))]
    stored = json.loads(json.dumps({"inputs": [i.as_dict() for i in inputs], "params": PARAMS.as_dict()}))
    reloaded = [DistrictInput.from_dict(i) for i in stored["inputs"]]
    params = ScoreParams.from_dict(stored["params"])
    assert inputs_digest(reloaded, params, 3) == inputs_digest(inputs, PARAMS, 3)
    assert score_districts(reloaded, params, 3) == score_districts(inputs, PARAMS, 3)
