"""Integrity scores in the database: gathered in SQL, published with their history, recomputed
after reviews, and coalesced when reviews come in bursts. Re-running, one district alone,
abandoned runs and the command are in test_scoring_runs.py."""

import json
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
import redis as redis_client
from django.core.cache import cache
from django.utils import timezone

from config.celery import app as celery_app
from counts.services import turnout_count_create
from integrity import gather as gathering
from integrity import services, tasks
from integrity.models import DistrictScore, DistrictScoreHistory, ScoreRun, StationIndicator
from integrity.scoring import METHOD_VERSION, ScoreParams, fit_priors
from integrity.services import run_inputs, scores_recompute
from integrity.tasks import (
    elections_due,
    pending_key,
    request_recompute,
    scores_recompute_all,
    scores_recompute_task,
)
from reports.models import CheckIn, IncidentReport, ReportPhoto
from reports.services import checkin_create, report_submit, report_verify
from reports.taxonomy import DEFAULT_SEVERITY
from stations.models import Election

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=6)


@pytest.fixture
def second_observer(make_member, organization):
    return make_member("observer-e", organization)


@pytest.fixture
def add_report(election, organization, observer):
    """An incident report as the database holds it after submission (and review)."""

    def add(station, category, *, status="submitted", by=None, minutes=0, severity=None, photo=False):
        report = IncidentReport.objects.create(
            observer=by or observer,
            organization=organization,
            election=election,
            station=station,
            category=category,
            severity=severity or DEFAULT_SEVERITY[category],
            phase="voting",
            occurred_at=T0 + timedelta(minutes=minutes),
            status=status,
        )
        if photo:
            ReportPhoto.objects.create(
                report=report,
                image="p.jpg",
                thumbnail="t.jpg",
                width=1,
                height=1,
                size_bytes=1,
                sha256="a" * 64,
            )
        return report

    return add


@pytest.fixture
def check_in(election, organization, observer):
    def check(*stations):
        for station in stations:
            CheckIn.objects.create(
                observer=observer,
                organization=organization,
                election=election,
                station=station,
                kind="arrival",
                at=T0,
            )

    return check


@pytest.fixture
def case(make_station, check_in, add_report, second_observer):
    """Three districts worked out by hand (weights: unverified 0.3, verified 0.5, corroborated 0.7,
    documented 1.0):

    1. four stations (the observer's own 101 among them, not observed), two observed. s11: a
       documented S5 and an unverified S1, so S5 with Y 1.0; s12: a verified S3 and, 30 minutes
       later, an unverified one by the same observer, one incident with Y 0.5; s13 unobserved
       with an S5 report. x = {5: 1.0, 3: 0.5}, n = 2.
    2. two observed stations. s21: a rejected S5 (weighs nothing, raises nothing) and an S3
       verified and corroborated by a second observer 20 minutes later, Y 0.7. x = {3: 0.7}, n = 2.
    3. five observed sample stations and one observed outside the sample: the sample is used.
       s31: an unverified S3, Y 0.3; s36 (outside the sample): a verified S5, left out.
    """
    s = {}
    for district, names in ((1, ("11", "12", "13")), (2, ("21", "22")), (3, ("31", "32", "33", "34", "35"))):
        for name in names:
            s[name] = make_station(name, district=district, in_sample=district == 3)
    s["36"] = make_station("36", district=3)
    check_in(*(station for name, station in s.items() if name != "13"))
    reports = {
        "s11_s5": add_report(s["11"], "ballot_stuffing", status="verified", photo=True),
        "s11_s1": add_report(s["11"], "procedural"),
        "s12_verified": add_report(s["12"], "intimidation", status="verified"),
        "s12_later": add_report(s["12"], "intimidation", minutes=30),
        "s13": add_report(s["13"], "ballot_stuffing"),
        "s21_rejected": add_report(s["21"], "multiple_voting", status="rejected"),
        "s21_verified": add_report(s["21"], "vote_buying", status="verified"),
        "s21_second": add_report(s["21"], "vote_buying", by=second_observer, minutes=20),
        "s31": add_report(s["31"], "secrecy_violation"),
        "s36": add_report(s["36"], "ballot_stuffing", status="verified"),
    }
    return s, reports


def by_district(inputs):
    return {item.district_id: item for item in inputs}


def test_gathering_gives_the_hand_worked_district_inputs_and_station_indicators(case, election):
    s, _ = case
    gathered = gathering.gather(election.pk, ScoreParams.from_settings())
    inputs = by_district(gathered.inputs)
    first, second, third = (inputs[s[name].district_id] for name in ("11", "21", "31"))
    assert (first.stations, first.observed, first.n, first.sample_used, first.reported_unobserved) == (
        4, 2, 2, False, 1,
    )  # fmt: skip
    assert first.events == pytest.approx({1: 0.0, 3: 0.5, 5: 1.0})
    assert (second.n, second.events) == (2, pytest.approx({1: 0.0, 3: 0.7, 5: 0.0}))
    assert (third.stations, third.observed, third.sample_observed, third.sample_used, third.n) == (
        6,
        6,
        5,
        True,
        5,
    )
    assert third.events == pytest.approx({1: 0.0, 3: 0.3, 5: 0.0})

    indicators = {
        station_id: (i.severity, i.y, i.incidents, i.reports) for station_id, i in gathered.indicators.items()
    }
    assert indicators == {
        s["11"].pk: (5, pytest.approx(1.0), 2, 2),
        s["12"].pk: (3, pytest.approx(0.5), 1, 2),
        s["13"].pk: (5, pytest.approx(0.3), 1, 1),
        s["21"].pk: (3, pytest.approx(0.7), 2, 3),
        s["31"].pk: (3, pytest.approx(0.3), 1, 1),
        s["36"].pk: (5, pytest.approx(0.5), 1, 1),
    }
    assert gathered.indicators[s["11"].pk].y_by_severity == pytest.approx({1: 0.3, 3: 0.0, 5: 1.0})


def test_one_district_is_gathered_by_the_same_path(case, election):
    s, _ = case
    params = ScoreParams.from_settings()
    whole = by_district(gathering.gather(election.pk, params).inputs)
    alone = gathering.gather(election.pk, params, district_id=s["21"].district_id)
    assert alone.inputs == [whole[s["21"].district_id]]
    assert set(alone.indicators) == {s["21"].pk}


@pytest.mark.parametrize("count", [10, 200])
def test_gathering_takes_four_queries_whatever_the_number_of_reports(
    count, make_station, check_in, election, organization, observer, django_assert_num_queries
):
    stations = [make_station(str(n), district=n % 3 + 1) for n in range(10)]
    check_in(*stations)
    IncidentReport.objects.bulk_create(
        IncidentReport(
            observer=observer,
            organization=organization,
            election=election,
            station=stations[n % 10],
            category="vote_buying",
            severity=3,
            phase="voting",
            occurred_at=T0 + timedelta(minutes=n),
            status=("submitted", "verified", "rejected")[n % 3],
        )
        for n in range(count)
    )
    params = ScoreParams.from_settings()
    # The reports, the stations, the check-ins, and whether the election has a count to read.
    with django_assert_num_queries(4):
        gathered = gathering.gather(election.pk, params)
    assert sum(i.reports for i in gathered.indicators.values()) == count


def published(district_score) -> tuple:
    return (
        district_score.score,
        district_score.interval_80_low,
        district_score.interval_80_high,
        district_score.interval_95_low,
        district_score.interval_95_high,
        district_score.band,
        district_score.band_low,
        district_score.band_high,
        district_score.coverage,
        district_score.n,
        district_score.process_risk,
        district_score.components,
    )


def expected(result) -> tuple:
    interval_80, interval_95 = result.interval_80 or (None, None), result.interval_95 or (None, None)
    band_high, band_low = result.band_range or ("", "")
    coverage = "insufficient" if result.coverage == "insufficient data" else result.coverage
    return (
        result.score,
        *interval_80,
        *interval_95,
        result.band or "",
        band_low,
        band_high,
        coverage,
        result.n,
        result.process_risk,
    )


def test_a_recompute_publishes_every_district_its_history_and_the_station_indicators(case, election):
    s, _ = case
    run = scores_recompute(election_id=election.pk)
    assert (run.status, run.method, len(run.inputs)) == ("finished", METHOD_VERSION, 3)
    assert run.priors == {
        str(s): p.as_dict() for s, p in fit_priors(run_inputs(run)[0], run_inputs(run)[1]).items()
    }
    assert run.finished_at >= run.started_at
    scores = {score.district_id: score for score in DistrictScore.objects.filter(election=election)}
    assert set(scores) == {s[name].district_id for name in ("11", "21", "31")}
    assert {score.run_id for score in scores.values()} == {run.pk}
    # Two observed stations are too few for a score; five of the random sample make grade C.
    assert (scores[s["11"].district_id].coverage, scores[s["11"].district_id].score) == ("insufficient", None)
    third = scores[s["31"].district_id]
    assert (third.coverage, third.n, third.sample_used) == ("C", 5, True)
    assert 0 < third.interval_80_low <= third.score <= third.interval_80_high < 100
    assert third.components["severities"]["3"]["events"] == pytest.approx(0.3)
    assert set(third.components["explanation"]) == {"coverage", "process", "count", "forensic", "headline"}

    history = {h.district_id: published(h) for h in DistrictScoreHistory.objects.filter(run=run)}
    assert history == {district_id: published(score) for district_id, score in scores.items()}
    indicators = {i.station_id: (i.severity, i.y, i.run_id) for i in StationIndicator.objects.all()}
    assert indicators[s["21"].pk] == (3, pytest.approx(0.7), run.pk)
    assert len(indicators) == 6


def test_recomputing_unchanged_inputs_publishes_the_same_numbers_and_no_new_history_row(case, election):
    first = scores_recompute(election_id=election.pk)
    before = {d.district_id: published(d) for d in DistrictScore.objects.all()}
    second = scores_recompute(election_id=election.pk)
    after = {d.district_id: published(d) for d in DistrictScore.objects.all()}
    assert second.pk > first.pk
    assert (second.seed, second.inputs_digest) == (first.seed, first.inputs_digest)
    assert after == before
    assert DistrictScoreHistory.objects.filter(run=first).count() == 3
    # The history keeps a score when it reads differently; the current scores point to the new run.
    assert DistrictScoreHistory.objects.filter(run=second).count() == 0
    assert set(DistrictScore.objects.values_list("run_id", flat=True)) == {second.pk}


def test_a_changed_input_changes_the_derived_seed_and_the_score(case, election):
    _, reports = case
    first = scores_recompute(election_id=election.pk)
    IncidentReport.objects.filter(pk=reports["s31"].pk).update(status="verified")
    second = scores_recompute(election_id=election.pk)
    assert second.seed != first.seed
    history = DistrictScoreHistory.objects.filter(district=reports["s31"].station.district)
    assert history.get(run=second).score < history.get(run=first).score


def test_a_run_rewrites_only_the_station_indicators_that_changed(case, election):
    s, reports = case
    first = scores_recompute(election_id=election.pk)
    IncidentReport.objects.filter(pk=reports["s31"].pk).update(status="verified")
    IncidentReport.objects.filter(pk=reports["s13"].pk).delete()
    second = scores_recompute(election_id=election.pk)
    indicators = {i.station_id: (i.run_id, i.y) for i in StationIndicator.objects.all()}
    assert indicators.pop(s["31"].pk) == (second.pk, pytest.approx(0.5))
    assert s["13"].pk not in indicators
    assert sorted(run for run, _ in indicators.values()) == [first.pk] * 4


def test_a_run_that_finishes_after_a_later_run_published_leaves_the_later_numbers(
    case, election, monkeypatch
):
    """A slow run reads, a second run starts after it and publishes first: the slow one must not
    write over it (the later run read the newer data)."""
    original, later = gathering.gather, []

    def gather_while_another_run_publishes(*args, **kwargs):
        gathered = original(*args, **kwargs)
        if not later:
            monkeypatch.setattr(services, "gather", original)
            later.append(scores_recompute(election_id=election.pk))
        return gathered

    monkeypatch.setattr(services, "gather", gather_while_another_run_publishes)
    slow = scores_recompute(election_id=election.pk)
    assert slow.pk < later[0].pk
    assert (slow.status, later[0].status) == ("superseded", "finished")
    assert set(DistrictScore.objects.values_list("run_id", flat=True)) == {later[0].pk}
    assert not DistrictScoreHistory.objects.filter(run=slow).exists()
    assert set(StationIndicator.objects.values_list("run_id", flat=True)) == {later[0].pk}


def test_verifying_a_report_recomputes_its_district_score_in_eager_mode(
    case, election, reviewer, django_capture_on_commit_callbacks
):
    s, reports = case
    cache.clear()  # a pending mark left behind would hold the request back
    scores_recompute(election_id=election.pk)
    before = DistrictScore.objects.get(district_id=s["31"].district_id)
    with django_capture_on_commit_callbacks(execute=True):
        report_verify(report=reports["s31"], by=reviewer)
    after = DistrictScore.objects.get(district_id=s["31"].district_id)
    assert after.run_id > before.run_id
    assert after.components["severities"]["3"]["events"] == pytest.approx(0.5)
    assert after.score < before.score


def test_the_safety_net_recomputes_elections_with_recent_activity_or_without_scores(case, election):
    Election.objects.create(slug="quiet", name="Quiet", date="2023-03-19")
    assert elections_due() == [election.pk]  # the quiet one has no activity and no stations to score
    scores_recompute_all.delay()
    assert DistrictScore.objects.filter(election=election).count() == 3
    old = timezone.now() - timedelta(days=3)
    IncidentReport.objects.update(updated_at=old)
    CheckIn.objects.update(received_at=old)
    assert elections_due() == []


@contextmanager
def tasks_sent_to(broker_url: str):
    """Tasks go to a real broker instead of running in-process."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url

    def forget_connections():
        # The app keeps its connection pool and producers once made: drop them to change broker.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    forget_connections()
    conf.task_always_eager, conf.broker_url = False, broker_url
    try:
        yield
    finally:
        forget_connections()
        conf.task_always_eager, conf.broker_url = saved


@pytest.fixture
def broker(redis_url, settings):
    # The app reads the settings when first asked: it must have read them before they change.
    with tasks_sent_to(redis_url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
        }
        yield redis_client.Redis.from_url(redis_url)


def test_a_burst_of_review_changes_enqueues_one_recompute_per_window(
    case, election, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(500):
            request_recompute(election.pk)
    assert broker.llen("celery") == 1
    # The task clears the mark before it reads: a change made during the run gets one more run.
    scores_recompute_task.run(election.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(500):
            request_recompute(election.pk)
    assert broker.llen("celery") == 2
    assert ScoreRun.objects.count() == 1


@pytest.fixture
def arrivals(broker, settings):
    """Evidence arriving from the field as the phones send it, with a broker: the process has not
    yet heard of any recompute due."""
    tasks._arrivals_due.clear()
    yield broker
    tasks._arrivals_due.clear()


def queued_due(broker) -> list[float]:
    """When each queued recompute is due, as seconds from now."""
    dues = []
    for raw in broker.lrange("celery", 0, -1):
        eta = json.loads(raw)["headers"]["eta"]
        dues.append((datetime.fromisoformat(eta) - timezone.now()).total_seconds() if eta else 0.0)
    return dues


def arrive(observer, station, committing) -> None:
    """One check-in from the observer's phone, committed."""
    with committing(execute=True):
        checkin_create(observer=observer, id=uuid.uuid4(), station_id=station.pk, kind="arrival", at=T0)


def test_every_kind_of_arrival_asks_for_one_recompute_within_the_intake_window(
    case, election, observer, station, arrivals, settings, django_capture_on_commit_callbacks
):
    settings.SCORE_INTAKE_SECONDS = 60
    sent = [
        lambda: checkin_create(
            observer=observer, id=uuid.uuid4(), station_id=station.pk, kind="arrival", at=T0
        ),
        lambda: report_submit(
            observer=observer,
            id=uuid.uuid4(),
            station_id=station.pk,
            category="ballot_stuffing",
            phase="voting",
            occurred_at=T0,
        ),
        lambda: turnout_count_create(
            observer=observer,
            id=uuid.uuid4(),
            station_id=station.pk,
            counted_at=T0,
            voters=412,
            method="tally",
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for send in sent * 100:
            assert send()[1]
    (due,) = queued_due(arrivals)
    assert 55 < due <= 60
    assert cache.get(pending_key(election.pk, arrived=True)) is not None
    # A review still asks for its own recompute, soon.
    with django_capture_on_commit_callbacks(execute=True):
        request_recompute(election.pk)
    assert sorted(queued_due(arrivals))[0] <= settings.SCORE_COALESCE_SECONDS


def test_arrivals_before_the_run_is_due_do_not_ask_again_even_the_cache(
    case, election, observer, station, arrivals, settings, django_capture_on_commit_callbacks
):
    settings.SCORE_INTAKE_SECONDS = 60
    arrive(observer, station, django_capture_on_commit_callbacks)
    # Even with the mark gone from the cache, this process knows a run is due later and will read them.
    cache.delete(pending_key(election.pk, arrived=True))
    for _ in range(50):
        arrive(observer, station, django_capture_on_commit_callbacks)
    assert len(queued_due(arrivals)) == 1
    assert cache.get(pending_key(election.pk, arrived=True)) is None


def test_an_arrival_after_the_run_started_gets_another_run(
    case, election, observer, station, arrivals, settings, django_capture_on_commit_callbacks
):
    settings.SCORE_INTAKE_SECONDS = 0
    arrive(observer, station, django_capture_on_commit_callbacks)
    arrive(observer, station, django_capture_on_commit_callbacks)
    assert len(queued_due(arrivals)) == 1
    scores_recompute_task.run(election.pk)
    tasks._arrivals_due.clear()  # a second later
    assert cache.get(pending_key(election.pk, arrived=True)) is None
    arrive(observer, station, django_capture_on_commit_callbacks)
    assert len(queued_due(arrivals)) == 2


def test_a_request_made_inside_a_transaction_waits_for_the_commit(
    case, election, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_recompute(election.pk)
    assert broker.llen("celery") == 0
    callbacks[0]()
    assert broker.llen("celery") == 1


def test_a_seed_below_zero_is_refused(election):
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="at least 0"):
        scores_recompute(election_id=election.pk, seed=-1)


def test_an_election_that_no_longer_exists_is_skipped_by_the_task(db):
    scores_recompute_task.delay(999_999)
    assert not ScoreRun.objects.exists()


def test_an_election_without_reports_or_stations_publishes_nothing(election):
    assert len(gathering.report_columns(election.pk)) == 0
    run = scores_recompute(election_id=election.pk)
    assert (run.status, run.inputs) == ("finished", [])
    assert not DistrictScore.objects.exists()


def test_while_the_run_is_late_arrivals_ask_the_cache_once_a_second_not_each_time(
    case, election, observer, station, arrivals, settings, django_capture_on_commit_callbacks
):
    settings.SCORE_INTAKE_SECONDS = 60
    arrive(observer, station, django_capture_on_commit_callbacks)
    # The workers are behind: the run was due a while ago and has not started.
    cache.set(pending_key(election.pk, arrived=True), time.time() - 30, 300)
    tasks._arrivals_due.clear()
    arrive(observer, station, django_capture_on_commit_callbacks)
    assert (
        tasks._arrivals_due[election.pk] - time.time()
        <= tasks.LATE_RECHECK_SECONDS + tasks.DUE_MARGIN_SECONDS
    )
    # Once the late run starts it clears the mark: an arrival a second later asks, and gets, a new run.
    scores_recompute_task.run(election.pk)
    tasks._arrivals_due.clear()  # a second later
    arrive(observer, station, django_capture_on_commit_callbacks)
    assert len(queued_due(arrivals)) == 2
