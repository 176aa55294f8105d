"""Checklists in the integrity scores: an answered checklist makes its station observed (an "all
fine" one is a clean observation), and a critical answer's report counts as any report does."""

import pytest

from checklists.models import CriticalAnswer
from integrity import gather as gathering
from integrity.models import DistrictScore, StationIndicator
from integrity.scoring import ScoreParams
from integrity.services import scores_recompute
from integrity.tasks import elections_due
from reports.models import IncidentReport
from reports.services import report_verify
from tests.checklists.conftest import ALL_FINE

pytestmark = pytest.mark.django_db


def district_of(election, station):
    inputs = gathering.gather(election.pk, ScoreParams.from_settings()).inputs
    return next(item for item in inputs if item.district_id == station.district_id)


def test_an_all_fine_checklist_counts_as_a_clean_observation(answer, election, station, make_station):
    make_station("102", district=station.district.number)
    before = district_of(election, station)
    assert (before.stations, before.observed, before.n) == (2, 0, 0)

    submission, _created = answer()

    after = district_of(election, station)
    assert (after.stations, after.observed, after.n, after.reported_unobserved) == (2, 1, 1, 0)
    assert after.events == pytest.approx({1: 0.0, 3: 0.0, 5: 0.0})
    assert IncidentReport.objects.count() == 0
    assert submission.critical_answers.count() == 0


def test_the_random_sample_counts_a_checklist_like_a_check_in(
    answer, election, make_station, make_member, organization
):
    sampled = [make_station(str(n), district=4, in_sample=True) for n in range(5)]
    observer = make_member("observer-sample", organization, stations=sampled)
    for station in sampled:
        answer(user=observer, at_station=station)

    district = district_of(election, sampled[0])
    assert (district.sample_observed, district.sample_used, district.n) == (5, True, 5)


def test_a_critical_answer_is_counted_by_the_process_risk_and_more_once_verified(
    answer, election, station, reviewer
):
    submission, _created = answer({**ALL_FINE, "box_sealed": False})
    report = CriticalAnswer.objects.get(submission=submission).report
    assert report.status == "submitted"

    unverified = district_of(election, station)
    assert (unverified.observed, unverified.n, unverified.reported_unobserved) == (1, 1, 0)
    assert unverified.events == pytest.approx({1: 0.0, 3: 0.3, 5: 0.0})

    report_verify(report=report, by=reviewer)
    scores_recompute(election_id=election.pk)

    indicator = StationIndicator.objects.get(station=station)
    assert (indicator.severity, indicator.y, indicator.reports) == (3, pytest.approx(0.5), 1)
    score = DistrictScore.objects.get(district=station.district)
    assert score.components["severities"]["3"]["events"] == pytest.approx(0.5)


def test_an_election_with_a_checklist_answered_lately_is_due_for_a_recompute(answer, election):
    scores_recompute(election_id=election.pk)
    assert election.pk not in elections_due()

    answer()

    assert election.pk in elections_due()
