"""The arithmetic of the score charts, checked against values worked out by hand: the funnel plot's
binomial control limits, its layout, and the sparkline's points."""

import pytest

from console.charts import (
    Z_95,
    Z_998,
    FunnelPoint,
    Scale,
    control_limits,
    funnel,
    nice_ceiling,
    outside,
    pooled_rate,
    shared_floor,
    sparkline,
    ticks,
)


def test_the_95_percent_limits_of_a_10_percent_rate_over_100_stations():
    # sqrt(0.1 * 0.9 / 100) = 0.03, and 1.96 * 0.03 = 0.0588.
    assert control_limits(0.1, 100, Z_95) == pytest.approx((0.0412, 0.1588))


def test_the_99_8_percent_limits_of_a_10_percent_rate_over_100_stations():
    # 3.09 * 0.03 = 0.0927.
    assert control_limits(0.1, 100, Z_998) == pytest.approx((0.0073, 0.1927))


def test_the_limits_narrow_by_half_when_the_stations_quadruple():
    # sqrt(0.2 * 0.8 / 400) = 0.02, so 1.96 * 0.02 = 0.0392; at 1,600 stations half of that.
    assert control_limits(0.2, 400, Z_95) == pytest.approx((0.1608, 0.2392))
    assert control_limits(0.2, 1600, Z_95) == pytest.approx((0.1804, 0.2196))


def test_limits_are_clipped_to_0_and_1():
    # sqrt(0.1 * 0.9 / 4) = 0.15, and 3.09 * 0.15 = 0.4635: 0.1 - 0.4635 is below 0.
    assert control_limits(0.1, 4, Z_998) == pytest.approx((0.0, 0.5635))
    assert control_limits(0.9, 4, Z_998) == pytest.approx((0.4365, 1.0))


def test_a_pooled_rate_of_0_or_1_has_no_spread():
    assert control_limits(0.0, 50, Z_998) == (0.0, 0.0)
    assert control_limits(1.0, 50, Z_998) == (1.0, 1.0)


@pytest.mark.parametrize(("p0", "n"), [(0.1, 0), (0.1, -3), (-0.01, 10), (1.5, 10)])
def test_limits_refuse_no_stations_or_a_rate_outside_0_to_1(p0, n):
    with pytest.raises(ValueError):
        control_limits(p0, n, Z_95)


def test_the_pooled_rate_is_all_events_over_all_stations():
    points = [FunnelPoint("a", 10, 1.0), FunnelPoint("b", 30, 2.0)]

    assert pooled_rate(points) == pytest.approx(3 / 40)
    assert pooled_rate([]) == 0.0


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (10, ("", None)),  # the pooled rate itself
        (17, ("above", Z_95)),  # above 0.1588, below 0.1927
        (20, ("above", Z_998)),
        (3, ("below", Z_95)),  # below 0.0412, above 0.0073
        (0.5, ("below", Z_998)),
        (15.88, ("", None)),  # on the limit is inside
    ],
)
def test_a_point_is_placed_against_the_widest_limit_it_crosses(events, expected):
    assert outside(FunnelPoint("d", 100, events), 0.1) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.183, 0.2), (7, 10), (40, 50), (3, 5), (2.2, 2.5), (1, 1), (0.01, 0.01), (0.0101, 0.02), (101, 200)],
)
def test_a_nice_ceiling_is_1_2_2_5_or_5_times_a_power_of_ten(value, expected):
    assert nice_ceiling(value) == expected


def test_ticks_are_round_and_whole_when_asked():
    assert ticks(0.2) == [0, 0.05, 0.1, 0.15, 0.2]
    assert ticks(50, whole=True) == [0, 10, 20, 30, 40, 50]
    assert ticks(2.5, whole=True) == [0, 1, 2]


def test_a_scale_maps_data_onto_the_drawing_upside_down_for_a_y_axis():
    y = Scale(0, 0.2, 300, 10)

    assert (y(0), y(0.1), y(0.2)) == pytest.approx((300, 155, 10))


def test_the_funnel_places_dots_the_pooled_rate_and_the_limits_in_the_box():
    points = [FunnelPoint("a", 40, 2.0), FunnelPoint("b", 10, 3.0), FunnelPoint("empty", 0, 0.0)]

    plot = funnel(points, box=(0, 0, 500, 100))

    # p0 = 5 / 50 = 0.1. The highest dot is b at 0.3; times 1.1 is 0.33, rounded up to 0.5.
    # The stations axis runs to 50, the nice ceiling of 40.
    assert plot.pooled == pytest.approx(0.1)
    assert (plot.x.high, plot.y.high) == (50, 0.5)
    assert [(p.point.label, p.x, p.y) for p in plot.points] == [
        ("a", pytest.approx(400), pytest.approx(90)),
        ("b", pytest.approx(100), pytest.approx(40)),
    ]
    # b: 0.3 against 0.1 + 3.09 * sqrt(0.09 / 10) = 0.1 + 0.2931 = 0.3931: inside the 99.8 % limit,
    # above the 95 % one (0.1 + 1.96 * 0.0949 = 0.2859).
    assert (plot.points[1].side, plot.points[1].z) == ("above", Z_95)
    lower, upper = plot.limits[Z_95]
    # Each curve runs from n = 1 to n = 50; at 50, sqrt(0.09 / 50) = 0.04243, times 1.96 = 0.08316.
    assert lower[0][0] == pytest.approx(10) and upper[-1][0] == pytest.approx(500)
    assert upper[-1][1] == pytest.approx(100 - 100 * (0.1 + 0.08316) / 0.5, abs=0.01)
    assert lower[-1][1] == pytest.approx(100 - 100 * (0.1 - 0.08316) / 0.5, abs=0.01)
    assert plot.x_ticks == [0, 10, 20, 30, 40, 50]
    assert plot.y_ticks == [0, 0.1, 0.2, 0.3, 0.4, 0.5]


def test_the_rate_axis_reaches_the_upper_limit_at_the_largest_n_when_every_dot_is_lower():
    plot = funnel([FunnelPoint("a", 100, 0.0), FunnelPoint("b", 100, 2.0)], box=(0, 0, 100, 100))

    # p0 = 0.01; at n = 100 the 99.8 % upper limit is 0.01 + 3.09 * sqrt(0.0099 / 100) = 0.04074;
    # times 1.1 is 0.04482, rounded up to 0.05.
    assert plot.y.high == pytest.approx(0.05)


def test_there_is_no_funnel_without_a_district_with_stations():
    assert funnel([], box=(0, 0, 10, 10)) is None
    assert funnel([FunnelPoint("a", 0, 0.0)], box=(0, 0, 10, 10)) is None


def test_a_funnel_of_rates_of_zero_still_has_a_rate_axis():
    plot = funnel([FunnelPoint("a", 5, 0.0)], box=(0, 0, 10, 10))

    assert (plot.pooled, plot.y.high) == (0.0, 0.01)
    assert plot.limits[Z_998][1][-1][1] == pytest.approx(10)  # the upper limit lies on the axis


def test_a_sparkline_needs_two_values():
    assert sparkline([], width=100, height=20) == []
    assert sparkline([55.0], width=100, height=20) == []


def test_a_sparkline_runs_oldest_to_newest_on_a_fixed_0_to_100_scale():
    points = sparkline([0, 50, 100, 120], width=100, height=20, pad=0)

    assert points == [
        (pytest.approx(0), pytest.approx(20)),
        (pytest.approx(100 / 3), pytest.approx(10)),
        (pytest.approx(200 / 3), pytest.approx(0)),
        (pytest.approx(100), pytest.approx(0)),  # above the scale: drawn at its top
    ]


def test_a_sparkline_on_a_scale_starting_higher_shows_small_changes():
    points = sparkline([90, 95, 100], width=10, height=20, low=90, pad=0)

    assert [y for _x, y in points] == [pytest.approx(20), pytest.approx(10), pytest.approx(0)]


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        ([[95, 98.5], [88.2]], 80),  # the lowest score, 88.2, rounded down to a multiple of 10
        ([[90, 99]], 90),
        ([[100, 100]], 90),  # a scale needs some height: at least one step below 100
        ([[3.5, 40]], 0),
        ([], 0),
    ],
)
def test_sparklines_share_a_scale_from_the_lowest_score_rounded_down(series, expected):
    assert shared_floor(series) == expected
