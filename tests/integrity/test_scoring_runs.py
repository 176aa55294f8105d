"""Scoring one district alone against the last published run, re-running runs of either method,
runs that never finished (a killed worker) marked abandoned by the next run or the beat, the
database's constraints on published scores, and the recompute command."""

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import NotFound
from integrity import services
from integrity.models import DistrictScore, DistrictScoreHistory, ScoreRun
from integrity.scoring import BetaPrior, ScoreParams, inputs_digest, score_districts
from integrity.services import ABANDON_AFTER, score_district, score_rerun, scores_recompute
from integrity.tasks import scores_recompute_all
from reports.models import IncidentReport
from stations.models import Election
from tests.integrity import test_scores

pytestmark = pytest.mark.django_db

# The hand-worked election of test_scores: three districts, the third with a score.
add_report, case, check_in, second_observer = (
    test_scores.add_report,
    test_scores.case,
    test_scores.check_in,
    test_scores.second_observer,
)
expected, published = test_scores.expected, test_scores.published


def test_a_district_scored_alone_gives_exactly_its_published_numbers_when_nothing_changed(case, election):
    s, _ = case
    scores_recompute(election_id=election.pk)
    for name in ("11", "21", "31"):
        current = DistrictScore.objects.get(district_id=s[name].district_id)
        alone = score_district(election_id=election.pk, district_id=s[name].district_id)
        assert expected(alone) == published(current)[:-1]
        stored = current.components["severities"]
        assert {str(k): (e.mean, e.alpha, e.beta) for k, e in alone.severities.items()} == {
            k: (v["theta"], v["alpha"], v["beta"]) for k, v in stored.items()
        }


def test_a_change_shows_in_the_district_at_once_against_the_last_run_s_priors_and_seed(case, election):
    s, reports = case
    run = scores_recompute(election_id=election.pk)
    district_id = s["31"].district_id
    before = DistrictScore.objects.get(district_id=district_id)

    IncidentReport.objects.filter(pk=reports["s31"].pk).update(status="verified")
    fresh = score_district(election_id=election.pk, district_id=district_id)
    assert fresh.severities[3].events == pytest.approx(0.5)  # was 0.3 unverified
    assert {s: e.prior.as_dict() for s, e in fresh.severities.items()} == {
        int(s): p for s, p in run.priors.items()
    }
    assert fresh.seed == run.seed
    assert fresh.score < before.score
    assert ScoreRun.objects.count() == 1  # nothing published

    # The next full recompute refits the priors over the changed inputs and derives a new seed.
    scores_recompute(election_id=election.pk)
    after = DistrictScore.objects.get(district_id=district_id)
    assert after.components["severities"]["3"]["events"] == pytest.approx(0.5)
    assert after.score < before.score


@pytest.mark.parametrize("count", [1, 60])
def test_one_district_takes_four_queries_whatever_its_number_of_reports(
    count, case, election, add_report, django_assert_num_queries
):
    s, _ = case
    scores_recompute(election_id=election.pk)
    for minutes in range(count):
        add_report(s["32"], "intimidation", minutes=minutes * 90)
    # The last run, the district's reports, its stations, its check-ins.
    with django_assert_num_queries(4):
        result = score_district(election_id=election.pk, district_id=s["32"].district_id)
    assert result.severities[3].events > 0


def test_without_a_published_run_one_district_runs_a_full_recompute_first(case, election):
    s, _ = case
    assert not ScoreRun.objects.exists()
    alone = score_district(election_id=election.pk, district_id=s["31"].district_id)
    run = ScoreRun.objects.get()
    assert run.status == "finished"
    assert expected(alone) == published(DistrictScore.objects.get(district_id=s["31"].district_id))[:-1]


def test_after_the_parameters_changed_one_district_recomputes_the_election_first(case, election, settings):
    s, _ = case
    first = scores_recompute(election_id=election.pk)
    settings.SCORE_DRAWS = 1000
    score_district(election_id=election.pk, district_id=s["31"].district_id)
    latest = ScoreRun.objects.latest("pk")
    assert latest.pk > first.pk
    assert latest.params["draws"] == 1000


def test_a_run_stored_before_priors_were_kept_makes_one_district_recompute_first(case, election):
    s, _ = case
    first = scores_recompute(election_id=election.pk)
    ScoreRun.objects.filter(pk=first.pk).update(priors={})
    score_district(election_id=election.pk, district_id=s["31"].district_id)
    assert ScoreRun.objects.latest("pk").pk > first.pk


def test_a_district_without_stations_or_an_unknown_election_is_not_found(case, election):
    scores_recompute(election_id=election.pk)
    with pytest.raises(NotFound, match="No such district"):
        score_district(election_id=election.pk, district_id=999_999)
    with pytest.raises(NotFound, match="No such election"):
        score_district(election_id=999_999, district_id=1)


def test_a_run_of_method_1_re_runs_with_method_1(case, election):
    scores_recompute(election_id=election.pk)
    run = ScoreRun.objects.get()
    inputs, params = services.run_inputs(run)
    run.method = "1"
    run.inputs_digest = inputs_digest(inputs, params, run.seed, method="1")
    run.save()
    assert score_rerun(run) == score_districts(inputs, params, run.seed, method="1")
    assert score_rerun(run) != score_districts(inputs, params, run.seed)


def test_a_run_of_method_2_re_runs_with_its_plain_prior_and_without_the_count_weight(case, election):
    """Runs published before the robust prior stored method "2" and parameters without a count
    weight; they re-run to the numbers they published, not to today's."""
    scores_recompute(election_id=election.pk)
    run = ScoreRun.objects.get()
    inputs, params = services.run_inputs(run)
    assert params.count_weight == 3.0
    before = replace(params, count_weight=1.0)
    run.method, run.params = "2", before.as_dict()
    assert "count_weight" not in run.params
    run.inputs_digest = inputs_digest(inputs, before, run.seed, method="2")
    run.save()
    rerun = score_rerun(ScoreRun.objects.get(pk=run.pk))
    assert rerun == score_districts(inputs, before, run.seed, method="2")
    assert all(s.prior.contamination == 0 for result in rerun for s in result.severities.values())
    assert rerun != score_districts(inputs, params, run.seed)


def test_a_run_whose_stored_inputs_were_altered_is_refused(case, election):
    run = scores_recompute(election_id=election.pk)
    ScoreRun.objects.filter(pk=run.pk).update(seed=run.seed + 1)
    with pytest.raises(services.ApplicationError, match="no longer match"):
        score_rerun(ScoreRun.objects.get(pk=run.pk))


def stuck_run(election, *, age: timedelta) -> ScoreRun:
    return ScoreRun.objects.create(election=election, started_at=timezone.now() - age)


def test_the_next_run_marks_runs_stuck_in_running_abandoned(case, election):
    other = Election.objects.create(slug="other", name="Other", date="2023-03-19")
    stuck = stuck_run(election, age=ABANDON_AFTER + timedelta(minutes=1))
    recent = stuck_run(election, age=timedelta(minutes=1))
    elsewhere = stuck_run(other, age=timedelta(hours=5))
    run = scores_recompute(election_id=election.pk)
    stuck.refresh_from_db()
    assert (stuck.status, stuck.finished_at is not None) == ("abandoned", True)
    assert stuck.finished_at <= run.finished_at + timedelta(seconds=1)
    assert ScoreRun.objects.get(pk=recent.pk).status == "running"  # may still be at work
    assert ScoreRun.objects.get(pk=elsewhere.pk).status == "running"  # another election's
    with pytest.raises(services.ApplicationError, match="did not finish"):
        score_rerun(stuck)


def test_the_beat_sweep_marks_stuck_runs_of_every_election_abandoned(case, election):
    quiet = Election.objects.create(slug="quiet", name="Quiet", date="2023-03-19")
    stuck = [stuck_run(e, age=timedelta(hours=2)) for e in (election, quiet)]
    scores_recompute_all.delay()
    assert [ScoreRun.objects.get(pk=r.pk).status for r in stuck] == ["abandoned", "abandoned"]


def test_a_slow_run_marked_abandoned_still_publishes_when_it_finishes(case, election, monkeypatch):
    original = services.gather

    def gather_after_being_given_up(*args, **kwargs):
        ScoreRun.objects.filter(status="running").update(status="abandoned")
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "gather", gather_after_being_given_up)
    run = scores_recompute(election_id=election.pk)
    assert ScoreRun.objects.get(pk=run.pk).status == "finished"
    assert set(DistrictScore.objects.values_list("run_id", flat=True)) == {run.pk}


def test_the_database_knows_the_abandoned_status_and_no_other_new_one(case, election):
    run = stuck_run(election, age=timedelta(hours=1))
    ScoreRun.objects.filter(pk=run.pk).update(status="abandoned")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreRun.objects.filter(pk=run.pk).update(status="lost")


def test_stored_priors_are_what_the_run_fitted(case, election):
    run = scores_recompute(election_id=election.pk)
    result = score_rerun(run)[0]
    assert {int(s): BetaPrior.from_dict(p) for s, p in run.priors.items()} == {
        s: e.prior for s, e in result.severities.items()
    }
    assert ScoreParams.from_dict(run.params) == ScoreParams.from_settings()


def test_a_stored_run_re_runs_to_exactly_the_numbers_it_published(case, election):
    run = scores_recompute(election_id=election.pk, seed=12345)
    assert run.seed == 12345
    rows = {h.district_id: h for h in DistrictScoreHistory.objects.filter(run=run)}
    results = score_rerun(ScoreRun.objects.get(pk=run.pk))
    assert len(results) == len(rows) == 3
    for result in results:
        row = rows[result.district_id]
        assert published(row)[:-1] == expected(result)
        for severity, estimate in result.severities.items():
            stored = row.components["severities"][str(severity)]
            assert (stored["theta"], stored["alpha"], stored["beta"]) == (
                estimate.mean,
                estimate.alpha,
                estimate.beta,
            )


def test_the_database_refuses_a_score_out_of_range_or_an_unknown_band(case, election):
    scores_recompute(election_id=election.pk)
    scored = DistrictScore.objects.filter(coverage="C")
    for change in ({"score": 101.0}, {"band": "E"}, {"coverage": "insufficient"}, {"coverage": "Z"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            scored.update(**change)


def test_the_command_recomputes_and_prints_each_district(case, election):
    out = io.StringIO()
    call_command("recompute_scores", "--election", election.slug, "--seed", "7", stdout=out)
    run = ScoreRun.objects.get()
    assert run.seed == 7
    text = out.getvalue()
    third = DistrictScore.objects.get(coverage="C")
    assert f"run {run.pk}" in text
    line = next(line for line in text.splitlines() if line.startswith("  3 "))
    assert "District 3" in line
    assert f"{third.score:.0f}" in line
    assert f"{third.interval_80_low:.0f}-{third.interval_80_high:.0f}" in line
    assert line.rstrip().endswith("C")
    assert "insufficient data" in next(line for line in text.splitlines() if line.startswith("  1 "))


def test_the_command_refuses_an_unknown_election(db):
    with pytest.raises(CommandError, match="No election"):
        call_command("recompute_scores", "--election", "nowhere", stdout=io.StringIO())
