"""The Monte Carlo draws: each district its own random stream (method 2), so that a district scored
alone against the election's priors gives its published numbers; and method 1 kept, so that the
scores published with it still re-run to the last digit."""

import json

import pytest

from integrity.scoring import (
    METHOD_VERSION,
    SEVERITIES,
    BetaPrior,
    CountRisk,
    DistrictInput,
    ScoreParams,
    fit_priors,
    inputs_digest,
    score_districts,
)

PARAMS = ScoreParams()


def district(district_id, n, events=None, **fields):
    return DistrictInput(
        district_id=district_id,
        stations=100,
        observed=n,
        sample_observed=n,
        sample_used=True,
        n=n,
        events=events or {},
        **fields,
    )


INPUTS = [
    district("a", 40, {5: 2, 3: 1.3}),
    district(7, 25, {1: 3}, count_risk=CountRisk(0.1, sd=0.02)),
    district("c", 60, {5: 6}),
]


def test_the_current_method_draws_each_district_from_its_own_stream():
    assert METHOD_VERSION == "3"


def test_a_district_scored_alone_against_the_election_s_priors_gives_its_numbers_exactly():
    together = score_districts(INPUTS, PARAMS, seed=3)
    priors = fit_priors(INPUTS, PARAMS)
    assert {s: together[0].severities[s].prior for s in SEVERITIES} == priors
    for item, expected in zip(INPUTS, together, strict=True):
        assert score_districts([item], PARAMS, seed=3, priors=priors) == [expected]


def test_adding_a_district_changes_another_s_draws_only_through_the_priors():
    priors = fit_priors(INPUTS, PARAMS)
    more = [*INPUTS, district("d", 30, {3: 2})]
    first = score_districts(INPUTS, PARAMS, seed=3, priors=priors)[0]
    assert score_districts(more, PARAMS, seed=3, priors=priors)[0] == first
    assert score_districts(more, PARAMS, seed=3)[0] != first  # refitted priors


def test_scores_published_with_method_1_re_run_to_the_last_digit():
    """Numbers that method 1 (one stream for all districts, in their order) gave for these inputs:
    a published run of method 1 must keep giving them. A numpy release that changed its Beta
    sampler would break this, and should be caught here."""
    published = [
        (93.41761752988653, (90.10311186310794, 96.09775562789582), (88.10978223606011, 97.1388990380309)),
        (84.62025509426017, (80.98412313083945, 88.08911741957397), (78.55272275725835, 89.50823640976867)),
        (91.60856034751191, (88.31537202549255, 94.62643178585978), (86.22943657218443, 95.84593660045084)),
    ]
    results = score_districts(INPUTS, PARAMS, seed=3, method="1")
    assert [(r.score, r.interval_80, r.interval_95) for r in results] == published
    digest = "376b1ed99e980b16ab7bf972f4b37b317a9e22d21dfe9ab1de54024782624869"
    assert inputs_digest(INPUTS, PARAMS, 3, method="1") == digest
    assert inputs_digest(INPUTS, PARAMS, 3) != digest


def test_the_methods_share_the_point_scores_and_differ_in_the_draws():
    one, two = (score_districts(INPUTS, PARAMS, seed=3, method=m) for m in ("1", "2"))
    assert [r.score for r in one] == pytest.approx([r.score for r in two], abs=1e-12)
    assert [r.interval_80 for r in one] != [r.interval_80 for r in two]


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="Unknown scoring method"):
        score_districts(INPUTS, PARAMS, seed=3, method="0")


def test_priors_survive_a_json_round_trip_exactly():
    priors = fit_priors(INPUTS, PARAMS)
    stored = json.loads(json.dumps({str(s): p.as_dict() for s, p in priors.items()}))
    assert {int(s): BetaPrior.from_dict(p) for s, p in stored.items()} == priors
