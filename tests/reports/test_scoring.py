"""The integrity score's maths, checked against values worked out by hand."""

import csv
import json
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from reports.models import Evidence
from reports.scoring import (
    INSUFFICIENT,
    SEVERITIES,
    CountRisk,
    DistrictInput,
    ReportColumns,
    ReportInput,
    ScoreParams,
    StationInput,
    coverage_grade,
    district_inputs,
    fit_prior,
    headline,
    inputs_digest,
    posterior,
    score_districts,
    station_indicators,
)
from reports.scoring.params import EVIDENCE_LEVELS
from reports.taxonomy import Severity

ALBANIA = Path(__file__).resolve().parent.parent / "data" / "albania2017" / "opening.csv"
T0 = datetime(2024, 3, 17, 8, 0, tzinfo=UTC)
PARAMS = ScoreParams()


def report(station=1, category="ballot_stuffing", severity=5, minutes=0.0, evidence="unverified"):
    return ReportInput(station, category, severity, T0 + timedelta(minutes=minutes), evidence)


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


def test_the_package_uses_the_taxonomy_s_severities_and_evidence_levels():
    assert tuple(sorted(Severity.values)) == SEVERITIES
    assert set(Evidence.values) == set(EVIDENCE_LEVELS)


def test_params_from_settings_are_the_design_defaults():
    params = ScoreParams.from_settings()
    assert params == ScoreParams()
    assert params.evidence_weights["verified"] == 0.5
    assert params.as_dict()["severity_weights"] == {"1": 0.1, "3": 0.4, "5": 1.0}


def test_five_unverified_reports_of_one_ballot_stuffing_within_an_hour_give_0_3():
    reports = [report(minutes=m) for m in (0, 10, 20, 35, 55)]
    indicator = station_indicators(reports, PARAMS)[1]
    assert indicator.incidents == 1
    assert indicator.reports == 5
    assert indicator.severity == 5
    assert indicator.y == pytest.approx(0.3)


def test_one_documented_report_gives_1():
    indicator = station_indicators([report(evidence="documented")], PARAMS)[1]
    assert indicator.y == pytest.approx(1.0)


def test_an_incident_weighs_its_strongest_report():
    reports = [report(minutes=0), report(minutes=30, evidence="corroborated")]
    assert station_indicators(reports, PARAMS)[1].y == pytest.approx(0.7)


def test_two_unverified_reports_61_minutes_apart_give_0_51():
    indicator = station_indicators([report(minutes=0), report(minutes=61)], PARAMS)[1]
    assert indicator.incidents == 2
    assert indicator.y == pytest.approx(1 - 0.7**2)


def test_reports_exactly_60_minutes_apart_are_one_incident():
    assert station_indicators([report(minutes=0), report(minutes=60)], PARAMS)[1].incidents == 1


def test_reports_chain_into_one_incident_while_each_follows_the_last_within_the_window():
    reports = [report(minutes=m) for m in (0, 50, 100, 150)]
    indicator = station_indicators(reports, PARAMS)[1]
    assert indicator.incidents == 1
    assert indicator.y == pytest.approx(0.3)


def test_other_categories_and_other_stations_are_other_incidents():
    reports = [report(), report(category="multiple_voting"), report(station=2)]
    indicators = station_indicators(reports, PARAMS)
    assert indicators[1].y == pytest.approx(0.51)
    assert indicators[2].y == pytest.approx(0.3)


def test_a_station_with_an_s5_and_an_s3_incident_counts_only_at_s5():
    reports = [
        report(evidence="corroborated"),
        report(category="intimidation", severity=3, evidence="documented"),
    ]
    indicator = station_indicators(reports, PARAMS)[1]
    assert indicator.severity == 5
    assert indicator.y == pytest.approx(0.7)
    assert indicator.y_by_severity == pytest.approx({1: 0.0, 3: 1.0, 5: 0.7})

    stations = [StationInput(1, "d", observed=True)]
    item = district_inputs(stations, {1: indicator}, PARAMS)[0]
    assert item.events == pytest.approx({1: 0.0, 3: 0.0, 5: 0.7})


def test_a_rejected_report_neither_weighs_nor_raises_the_severity():
    reports = [
        report(evidence="rejected"),
        report(category="intimidation", severity=3),
        report(station=2, evidence="rejected"),
    ]
    indicators = station_indicators(reports, PARAMS)
    assert (indicators[1].severity, indicators[1].y) == (3, pytest.approx(0.3))
    assert (indicators[2].severity, indicators[2].y) == (None, 0.0)


def test_an_unknown_evidence_level_or_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="Unknown evidence level"):
        station_indicators([report(evidence="rumour")], PARAMS)
    with pytest.raises(ValueError, match="aware datetimes"):
        station_indicators([ReportInput(1, "other", 1, datetime(2024, 3, 17, 8, 0), "unverified")], PARAMS)


def naive_indicators(reports, params):
    """The rule written out report by report, to check the vectorised version against."""
    groups = defaultdict(list)
    for r in reports:
        groups[r.station_id, r.category].append(r)
    products = defaultdict(lambda: dict.fromkeys(SEVERITIES, 1.0))
    for (station, _), group in groups.items():
        group.sort(key=lambda r: r.occurred_at)
        incidents, last = [], None
        for r in group:
            if last is None or r.occurred_at - last > params.dedup_minutes * 60:
                incidents.append([])
            incidents[-1].append(r)
            last = r.occurred_at
        for incident in incidents:
            weight = max(params.evidence_weights[r.evidence] for r in incident)
            severity = max(
                (r.severity for r in incident if params.evidence_weights[r.evidence] > 0), default=1
            )
            products[station][severity] *= 1 - weight
    result = {}
    for station, product in products.items():
        y = {s: 1 - p for s, p in product.items()}
        worst = max((s for s in SEVERITIES if y[s] > 0), default=None)
        result[station] = (worst, y[worst] if worst else 0.0)
    return result


def test_the_vectorised_indicators_agree_with_the_rule_applied_report_by_report():
    rng = np.random.default_rng(7)
    size = 3000
    categories = ["ballot_stuffing", "intimidation", "procedural", "vote_buying"]
    severity_of = {"ballot_stuffing": 5, "intimidation": 3, "procedural": 1, "vote_buying": 3}
    reports = [
        ReportInput(int(s), categories[c], severity_of[categories[c]], float(t), EVIDENCE_LEVELS[e])
        for s, c, t, e in zip(
            rng.integers(0, 80, size),
            rng.integers(0, 4, size),
            rng.integers(0, 12 * 3600, size),
            rng.integers(0, 5, size),
            strict=True,
        )
    ]
    expected = naive_indicators(reports, PARAMS)
    columns = ReportColumns(
        station_id=np.array([r.station_id for r in reports]),
        category=np.array([categories.index(r.category) for r in reports]),
        severity=np.array([r.severity for r in reports]),
        occurred_at=np.array([r.occurred_at for r in reports]),
        evidence=np.array([r.evidence for r in reports]),
    )
    for indicators in (station_indicators(reports, PARAMS), station_indicators(columns, PARAMS)):
        assert {k: (v.severity, pytest.approx(v.y)) for k, v in indicators.items()} == expected


def test_columns_take_plain_lists_aware_datetimes_and_evidence_codes():
    columns = ReportColumns(
        station_id=["uuid-a", "uuid-a", "uuid-b"],
        category=["ballot_stuffing"] * 3,
        severity=[5, 5, 3],
        occurred_at=[T0, T0 + timedelta(minutes=61), T0],
        evidence=[EVIDENCE_LEVELS.index("unverified")] * 2 + [EVIDENCE_LEVELS.index("documented")],
    )
    indicators = station_indicators(columns, PARAMS)
    assert indicators["uuid-a"].y == pytest.approx(0.51)
    assert (indicators["uuid-b"].severity, indicators["uuid-b"].y) == (3, pytest.approx(1.0))


def test_times_too_far_apart_to_pack_into_one_sort_key_give_the_same_indicators():
    far = 1e15  # about 30 million years: the milliseconds need 60 bits, so the packed key cannot fit
    reports = [report(station=s, minutes=m) for s in range(1, 60) for m in (0, 61)]
    reports.append(ReportInput(99, "other", 1, far, "documented"))
    indicators = station_indicators(reports, PARAMS)
    assert {k: round(v.y, 12) for k, v in indicators.items() if k != 99} == dict.fromkeys(range(1, 60), 0.51)
    assert indicators[99].y == 1.0


def test_a_district_counts_its_random_sample_alone_once_it_has_enough_observed_sample_stations():
    indicators = station_indicators([report(station=1), report(station=7, evidence="documented")], PARAMS)
    stations = [StationInput(i, "d", observed=i <= 8, in_sample=i <= 5) for i in range(1, 11)]
    item = district_inputs(stations, indicators, PARAMS)[0]
    assert (item.sample_used, item.n, item.observed, item.stations) == (True, 5, 8, 10)
    assert item.events[5] == pytest.approx(0.3)

    fewer = [replace(s, in_sample=s.station_id <= 4) for s in stations]
    item = district_inputs(fewer, indicators, PARAMS)[0]
    assert (item.sample_used, item.n) == (False, 8)
    assert item.events[5] == pytest.approx(1.3)


def test_incidents_at_a_station_without_a_check_in_are_left_out_and_counted_apart():
    indicators = station_indicators([report(station=2)], PARAMS)
    stations = [StationInput(1, "d", observed=True), StationInput(2, "d", observed=False)]
    item = district_inputs(stations, indicators, PARAMS)[0]
    assert (item.n, item.events[5], item.reported_unobserved) == (1, 0.0, 1)


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
    empty = score_districts(inputs, PARAMS, seed=1)[2].severities[5]
    assert (empty.alpha, empty.beta) == (empty.prior.alpha, empty.prior.beta)


def test_the_interval_narrows_as_n_grows():
    inputs = [
        district("small", 20, {5: 5}),
        district("medium", 80, {5: 20}),
        district("large", 320, {5: 80}),
        district("calm", 50, {5: 0}),
        district("troubled", 50, {5: 25}),
    ]
    results = score_districts(inputs, PARAMS, seed=3)
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
