"""The robust prior (method "3"): extreme districts move nobody else, a district with little
evidence still leans on the typical one, the turnout gap counts only beyond sampling error, and
protocol copies count in the count risk only where they differ materially."""

import numpy as np
import pytest

from counts.comparison import Difference, StationComparison
from counts.districts import CountEvidence
from integrity.count_risk import count_risks, inflated_weights
from integrity.scoring import DistrictInput, ScoreParams, score_districts
from integrity.scoring.shrinkage import fit_prior, fit_robust_prior, posterior

# 26 ordinary districts: 0 to 2 material differences in 7 to 21 copies (about 4 %).
X = [2, 0, 0, 0, 1, 0, 1, 0, 2, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1]
N = [15, 7, 11, 11, 11, 14, 19, 15, 12, 12, 10, 10, 8, 17, 10, 7, 13, 11, 15, 14, 18, 10, 11, 11, 10, 21]


def means(prior, x, n) -> np.ndarray:
    alpha, beta = posterior(prior, x, n)
    return alpha / (alpha + beta)


def test_three_districts_whose_every_copy_differs_do_not_lift_the_others():
    alone = means(fit_robust_prior(X, N), X, N)
    x, n = [*X, 19, 22, 20], [*N, 19, 22, 20]
    prior = fit_robust_prior(x, n)
    together = means(prior, x, n)
    assert prior.outlying == 3 and prior.contamination > 0.05
    # ε rises with three extreme districts, so a district with 2 of 12 copies differing moves by
    # under two points; the typical one does not move at all.
    assert np.abs(together[:26] - alone).max() < 0.02
    assert np.median(np.abs(together[:26] - alone)) < 0.001
    # The extreme districts keep their own evidence: nearly every copy differs.
    assert (together[26:] > 0.9).all()
    # Method "2"'s prior is pulled: the same ordinary districts read 2 to 17 %.
    plain = means(fit_prior(x, n), x, n)
    assert plain[:26].max() > 0.15


def test_a_district_with_little_evidence_still_shrinks_towards_the_typical_district():
    prior = fit_robust_prior([*X, 19], [*N, 19])
    few = means(prior, [1], [2])[0]  # one of two copies differs: a raw 50 %
    assert prior.mean < few < 0.15
    assert means(prior, [0], [0])[0] == pytest.approx(
        (1 - prior.contamination) * prior.mean + prior.contamination / 2
    )


def test_the_robust_prior_of_districts_that_look_alike_is_the_pooled_rate_and_strong():
    prior = fit_robust_prior(X, N)
    assert prior.mean == pytest.approx(sum(X) / sum(N), rel=0.05)
    assert prior.strength == 1000 and prior.rule == "no extra variation"
    assert prior.contamination == 0.05 and prior.outlying == 0


def test_one_district_whose_every_copy_differs_moves_no_other_count_risk_by_a_point():
    def evidence(extra: bool) -> dict:
        items = {
            d: CountEvidence(n, x, x, 0.55 + d / 1000, 0.55 + d / 1000 + (0.004 if d % 2 else -0.004), 0.01)
            for d, (x, n) in enumerate(zip(X, N, strict=True))
        }
        if extra:
            items[99] = CountEvidence(20, 20, 20, 0.26, 0.11, 0.004)
        return items

    before, after = count_risks(evidence(False)), count_risks(evidence(True))
    moved = max(abs(after[d].mean - before[d].mean) for d in before)
    assert moved < 0.01
    assert after[99].mean > 0.9


def test_the_turnout_gap_counts_only_beyond_sampling_error():
    def item(observed: float) -> CountEvidence:
        return CountEvidence(0, 0, 0, 0.60, observed, 0.01)

    ordinary = {d: item(0.60 + (d % 3 - 1) * 0.005) for d in range(20)}
    weights = inflated_weights({**ordinary, "one se": item(0.59), "five se": item(0.55), "above": item(0.62)})
    assert weights["one se"] < 0.05
    assert weights["five se"] > 0.99
    assert weights["above"] < 0.01
    risks = count_risks({**ordinary, "one se": item(0.59), "ten points": item(0.50)})
    assert risks["one se"].mean < 0.005
    assert risks["ten points"].mean == pytest.approx(0.10 / 0.60, abs=0.01)


def test_a_copy_differs_materially_beyond_five_votes_or_one_percent_of_the_ballots():
    def comparison(*differences: Difference, ballots: int = 400) -> StationComparison:
        return StationComparison(1, 1, 1, "p", "submitted", differences, ballots)

    assert comparison(Difference("amanat", 300, 305), Difference("auyl", 100, 95)).differs
    assert not comparison(Difference("amanat", 300, 305)).material
    assert comparison(Difference("amanat", 300, 306)).material
    assert not comparison(Difference("amanat", 2000, 2020), ballots=2500).material  # 1 % is 25
    assert comparison(Difference("in_boxes", 2000, 2030), ballots=2500).material


def district(district_id, n, x5, risk=0.0):
    from integrity.scoring import CountRisk

    return DistrictInput(
        district_id=district_id,
        stations=100,
        observed=n,
        sample_observed=0,
        sample_used=False,
        n=n,
        events={5: x5},
        count_risk=CountRisk(mean=risk),
    )


def test_the_count_weight_makes_a_tenth_of_the_count_falsified_cost_thirty_points():
    params = ScoreParams(count_weight=3.0)
    quiet, falsified = score_districts([district("a", 40, 0), district("b", 40, 0, risk=0.1)], params, seed=1)
    assert quiet.score - falsified.score == pytest.approx(0.3 * quiet.score, rel=1e-9)
    # A weight of 1 (the runs made before it existed) leaves it out of the stored parameters.
    assert "count_weight" not in ScoreParams().as_dict()
    assert ScoreParams.from_dict(params.as_dict()) == params
