"""The integrity score's maths from reports to district inputs (station indicators, the random
sample, unobserved stations), checked against values worked out by hand; the district maths is in
test_scoring_districts.py."""

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from integrity.scoring import (
    SEVERITIES,
    ReportColumns,
    ReportInput,
    ScoreParams,
    StationInput,
    district_inputs,
    station_indicators,
)
from integrity.scoring.params import EVIDENCE_LEVELS
from reports.models import Evidence
from reports.taxonomy import Severity

T0 = datetime(2024, 3, 17, 8, 0, tzinfo=UTC)
PARAMS = ScoreParams()


def report(station=1, category="ballot_stuffing", severity=5, minutes=0.0, evidence="unverified"):
    return ReportInput(station, category, severity, T0 + timedelta(minutes=minutes), evidence)


def test_the_package_uses_the_taxonomy_s_severities_and_evidence_levels():
    assert tuple(sorted(Severity.values)) == SEVERITIES
    assert set(Evidence.values) == set(EVIDENCE_LEVELS)


def test_params_from_settings_are_the_design_defaults():
    params = ScoreParams.from_settings()
    # DESIGN.md's defaults, but for the count weight the calibration chose (docs/methodology.md).
    assert params == ScoreParams(count_weight=3.0)
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
