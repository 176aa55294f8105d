"""Checklist results against figures worked out by hand: the stratified, finite-population-corrected
share of each answer on the random sample with its 95 % interval, the count over every observed
station beside it, the latest submission per station across versions, and conditional questions
counted only where they were shown. The election is described in tests/checklists/results_case.py."""

import math
from statistics import variance

import numpy as np
import pytest

from checklists.models import Checklist
from checklists.results import Sums, checklist_results, each_district, stratified
from counts.estimators import Z_95, Stratum, ratio_estimate
from stations.models import PollingStation
from tests.checklists.results_case import SECRET_TEXT, build_case

pytestmark = pytest.mark.django_db


# --- The estimator alone -------------------------------------------------------------------------


def test_a_share_is_stratified_by_district_and_finite_population_corrected():
    # District 1: 4 of 10 stations sampled, 2 said yes (p = 0.5); district 2: 5 of 20, 4 yes (0.8);
    # district 3: 2 of 30, none (0). p = (10·0.5 + 20·0.8 + 30·0) / 60 = 21/60 = 0.35.
    # Var = (10/60)²·(1 - 4/10)·0.5·0.5/3 + (20/60)²·(1 - 5/20)·0.8·0.2/4 + 0
    #     = 1/36·0.6·0.25/3 + 1/9·0.75·0.16/4 = 0.0013889 + 0.0033333 = 0.0047222.
    sums = Sums.of_strata(
        [
            Stratum(np.array([1, 1, 0, 0]), np.ones(4), 10),
            Stratum(np.array([1, 1, 1, 1, 0]), np.ones(5), 20),
            Stratum(np.array([0, 0]), np.ones(2), 30),
        ]
    )
    estimate = stratified(sums, np.array([10.0, 20.0, 30.0]))
    se = math.sqrt(1 / 36 * 0.6 * 0.25 / 3 + 1 / 9 * 0.75 * 0.16 / 4)
    assert estimate.estimate == pytest.approx(0.35)
    assert estimate.standard_error == pytest.approx(se)
    assert se == pytest.approx(0.068718, abs=1e-6)
    assert (estimate.low, estimate.high) == pytest.approx((0.35 - Z_95 * se, 0.35 + Z_95 * se))
    assert (estimate.low, estimate.high) == pytest.approx((0.2153, 0.4847), abs=1e-4)
    assert (estimate.stations, estimate.population) == (11, 60)


def test_each_district_alone_has_its_own_share_and_error():
    # District 1: Var = (1 - 0.4)·0.25/3 = 0.05; district 2: (1 - 0.25)·0.16/4 = 0.03, and its interval
    # 0.8 ± 0.339 is cut at 1; district 3's answers are all alike: no spread, no margin.
    sums = Sums.of_strata(
        [
            Stratum(np.array([1, 1, 0, 0]), np.ones(4), 10),
            Stratum(np.array([1, 1, 1, 1, 0]), np.ones(5), 20),
            Stratum(np.array([0, 0]), np.ones(2), 30),
        ]
    )
    first, second, third = each_district(sums, np.array([10.0, 20.0, 30.0]))
    assert (first.estimate, first.standard_error) == pytest.approx((0.5, math.sqrt(0.05)))
    assert (second.estimate, second.standard_error) == pytest.approx((0.8, math.sqrt(0.03)))
    assert second.high == 1.0
    assert second.low == pytest.approx(0.8 - Z_95 * math.sqrt(0.03))
    assert (third.estimate, third.standard_error, third.low, third.high) == (0.0, 0.0, 0.0, 0.0)


def test_with_one_district_it_is_the_pvt_ratio_estimate_itself():
    a, m = np.array([3.0, 5.0, 0.0, 7.0]), np.array([1.0, 1.0, 0.0, 1.0])
    ours = stratified(Sums.of_strata([Stratum(a, m, 12)]), np.array([12.0]), share=False)
    pvt = ratio_estimate(a, m, population=12)
    assert ours.estimate == pytest.approx(pvt.estimate) == pytest.approx(5.0)
    assert ours.standard_error == pytest.approx(pvt.standard_error)


def test_a_district_with_one_station_is_left_out_rather_than_given_no_variance():
    pair = Stratum(np.array([1.0, 0.0]), np.ones(2), 5)
    alone = Stratum(np.array([1.0]), np.ones(1), 50)
    both = stratified(Sums.of_strata([pair, alone]), np.array([5.0, 50.0]))
    only_pair = stratified(Sums.of_strata([pair]), np.array([5.0]))
    assert both == only_pair
    assert each_district(Sums.of_strata([pair, alone]), np.array([5.0, 50.0]))[1] is None


def test_there_is_no_estimate_without_two_stations_or_an_answer():
    assert stratified(Sums.of_strata([Stratum(np.array([1.0]), np.ones(1), 5)]), np.array([5.0])) is None
    nobody = Stratum(np.zeros(3), np.zeros(3), 5)
    assert stratified(Sums.of_strata([nobody]), np.array([5.0])) is None


# --- From the database ---------------------------------------------------------------------------


@pytest.fixture
def results(election, organization, make_station, make_member, superuser):
    checklist = build_case(election, organization, "observer-results", make_station, make_member, superuser)
    found = checklist_results(election=election, checklists=Checklist.objects.filter(pk=checklist.pk))
    return found


def line_of(lines, code):
    return next(line for line in lines if line.code == code)


def answer_of(line, code):
    return next(answer for answer in line.answers if answer.answer == code)


def test_the_share_of_yes_over_the_sample_matches_the_hand_computed_one(results):
    # District 1: N = 4, k = 3 (s1, s2 yes; s3 no): p = 2/3. District 2: N = 5, k = 2 (both no): p = 0.
    # District 3 has one sampled station and is left out. p = (4·2/3 + 5·0)/9 = 8/27.
    # Var = (4/9)²·(1 - 3/4)·(2/3·1/3)/2 + (5/9)²·(1 - 2/5)·0 = 16/81·1/4·1/9 = (2/27)².
    sealed = line_of(results.national(), "sealed")
    yes, no = answer_of(sealed, "yes"), answer_of(sealed, "no")
    assert yes.sample.estimate == pytest.approx(8 / 27)
    assert yes.sample.standard_error == pytest.approx(2 / 27)
    assert (yes.sample.low, yes.sample.high) == pytest.approx(
        (8 / 27 - Z_95 * 2 / 27, 8 / 27 + Z_95 * 2 / 27)
    )
    assert (yes.sample.low, yes.sample.high) == pytest.approx((0.1511, 0.4415), abs=1e-4)
    assert no.sample.estimate == pytest.approx(19 / 27)
    assert no.sample.standard_error == pytest.approx(2 / 27)
    assert (yes.sample.stations, yes.sample.population) == (5, 9)
    # Counted: s1, s2 and s10 of the sample said yes; s3, s5 and s6 no.
    assert (sealed.sample_answered, yes.sample_count, no.sample_count) == (6, 3, 3)


def test_every_observed_station_is_counted_beside_the_sample_as_it_is(results):
    # s1, s2, s10 and s7 (outside the sample) said yes; s3, s5, s6 and s4 no: 4 of 8.
    sealed = line_of(results.national(), "sealed")
    yes = answer_of(sealed, "yes")
    assert (yes.observed, yes.observed_count, sealed.observed_answered) == (0.5, 4, 8)


def test_only_the_latest_submission_of_a_station_counts(results):
    # s1 first said "not sealed", then "sealed": district 1 counts it once, as sealed.
    sealed = line_of(results.district(0), "sealed")
    assert (answer_of(sealed, "yes").sample_count, sealed.sample_answered) == (2, 3)


def test_a_district_alone_has_its_own_interval(results):
    # District 1: p = 2/3, Var = (1 - 3/4)·(2/3·1/3)/(3 - 1) = 1/36.
    yes = answer_of(line_of(results.district(0), "sealed"), "yes")
    assert (yes.sample.estimate, yes.sample.standard_error) == pytest.approx((2 / 3, 1 / 6))
    assert (yes.sample.stations, yes.sample.population) == (3, 4)
    # District 3: one sampled station, no estimate; the observed count stays.
    lonely = answer_of(line_of(results.district(2), "sealed"), "yes")
    assert lonely.sample is None
    assert (lonely.sample_count, lonely.observed, lonely.observed_count) == (1, 1.0, 1)


def test_a_hidden_conditional_question_is_not_counted_as_no(results):
    # "resealed" was shown at s3 (yes), s5 (no) and s6 (yes) of the sample, and at s4 outside it.
    # As a ratio over the stations that sent the checklist (m = 1 where shown and answered):
    # w1 = 4/3, w2 = 5/2; Σw·a = 4/3·1 + 5/2·1 = 23/6; Σw·m = 4/3·1 + 5/2·2 = 19/3; p = 23/38.
    resealed = line_of(results.national(), "resealed")
    yes = answer_of(resealed, "yes")
    p, total_m = 23 / 38, 19 / 3
    first = variance([0, 0, 1 - p])  # s1 and s2 were not asked: a = m = 0
    second = variance([-p, 1 - p])
    var = (16 * (1 - 3 / 4) / 3 * first + 25 * (1 - 2 / 5) / 2 * second) / total_m**2
    assert yes.sample.estimate == pytest.approx(p)
    assert yes.sample.standard_error == pytest.approx(math.sqrt(var))
    assert yes.sample.standard_error == pytest.approx(0.30857, abs=1e-5)
    assert (resealed.sample_answered, yes.sample_count, answer_of(resealed, "no").sample_count) == (3, 2, 1)
    assert (yes.observed, resealed.observed_answered) == (0.5, 4)


def test_each_choice_of_several_is_a_share_of_the_stations_that_answered(results):
    # Answered at s1 (late), s2 (late, crowd) in district 1 and s5 (crowd) in district 2.
    # late: (4/3·2 + 5/2·0) / (4/3·2 + 5/2·1) = 16/31; crowd: (4/3·1 + 5/2·1) / 31/6 = 23/31.
    problems = line_of(results.national(), "problems")
    assert answer_of(problems, "late").sample.estimate == pytest.approx(16 / 31)
    assert answer_of(problems, "crowd").sample.estimate == pytest.approx(23 / 31)
    assert answer_of(problems, "materials").sample.estimate == 0
    assert problems.sample_answered == 3


def test_the_shares_of_one_choice_add_up_to_one(results):
    admitted = line_of(results.national(), "admitted")
    assert sum(answer.sample.estimate for answer in admitted.answers) == pytest.approx(1)
    assert [answer.answer for answer in admitted.answers] == ["all", "some", "nobody"]


def test_a_number_has_a_mean_with_its_interval(results):
    # District 1: 100, 200, 300 (mean 200, s² = 10,000); district 2: 50, 150 (mean 100, s² = 5,000).
    # Mean = (4·200 + 5·100)/9 = 1,300/9; Var = [16·(1/4)/3·10,000 + 25·(3/5)/2·5,000] / 9².
    mean = answer_of(line_of(results.national(), "voters"), "mean")
    se = math.sqrt((16 * 0.25 / 3 * 10_000 + 25 * 0.6 / 2 * 5_000) / 81)
    assert mean.sample.estimate == pytest.approx(1300 / 9)
    assert mean.sample.standard_error == pytest.approx(se) == pytest.approx(25.0514, abs=1e-4)
    assert mean.sample.low == pytest.approx(1300 / 9 - Z_95 * se)
    # Every observed station that gave a number: (100 + 200 + 300 + 50 + 150 + 400) / 6.
    assert mean.observed == pytest.approx(200)


def test_a_question_of_the_newer_version_counts_where_that_version_was_answered(results):
    # "extra" came with version 2: s1 (yes) and s3 (no) answered it, s2 answered version 1.
    extra = line_of(results.national(), "extra")
    yes = answer_of(extra, "yes")
    assert (extra.sample_answered, yes.sample.estimate) == (2, pytest.approx(0.5))
    # District 1: d = 0.5, 0, -0.5 around 0; s² = 0.25; Var = 16·(1/4)/3·0.25 / (4/3·2)².
    assert yes.sample.standard_error == pytest.approx(math.sqrt(16 * 0.25 / 3 * 0.25 / (8 / 3) ** 2))


def test_text_time_and_photo_questions_are_only_counted_and_no_text_is_read(results):
    lines = {line.code: line for line in results.national()}
    assert {code: lines[code].sample_answered for code in ("note", "opened", "box_photo")} == {
        "note": 1,
        "opened": 1,
        "box_photo": 1,
    }
    assert all(lines[code].answers == [] for code in ("note", "opened", "box_photo"))
    every_scope = [results.national(), *(results.district(h) for h in range(3))]
    assert SECRET_TEXT not in repr(every_scope)


def test_without_a_random_sample_only_the_observed_count_remains(election, results):
    PollingStation.objects.filter(election=election).update(in_sample=False)
    again = checklist_results(election=election, checklists=Checklist.objects.filter(code="opening"))
    yes = answer_of(line_of(again.national(), "sealed"), "yes")
    assert again.sample_used is False
    assert (yes.sample, yes.sample_count, yes.observed) == (None, 0, 0.5)


def test_a_checklist_never_published_has_no_results(election, organization):
    draft = Checklist.objects.create(
        organization=organization, election=election, code="draft", phase="closing", name_en="Draft"
    )
    assert checklist_results(election=election, checklists=Checklist.objects.filter(pk=draft.pk)) is None


def test_the_results_take_the_same_few_queries_however_many_stations(
    results, election, django_assert_num_queries
):
    # The versions, the districts with their station counts, the submissions, their photos.
    with django_assert_num_queries(4):
        again = checklist_results(election=election, checklists=Checklist.objects.filter(code="opening"))
        again.national()
        again.district(0)
