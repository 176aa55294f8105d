"""Recomputing and publishing the integrity scores: the only writer of ScoreRun, DistrictScore,
DistrictScoreHistory and StationIndicator.

A recompute reads and computes outside any transaction, then publishes in one short transaction
that holds a lock on the election's row (PostgreSQL; SQLite's IMMEDIATE transactions already let
one writer in at a time). Two recomputes of one election therefore never interleave their
writes, and a run publishes only if no later run (a higher id: the row is written before the run
reads anything) has published already; otherwise it is kept as "superseded". Running it twice,
or concurrently, leaves the current scores of exactly one finished run.

Seeds: without one, a run's seed is derived from the digest of its inputs and parameters, so
that recomputing unchanged inputs publishes the same numbers to the last digit; a changed input
changes the seed too (every published number still re-runs exactly from its run).

A run killed on its way (a worker lost mid-recompute) leaves its row "running" and nothing else:
the next run that finishes, and the beat's sweep, mark such rows abandoned once they are older
than any recompute could take.
"""

from collections.abc import Hashable, Mapping, Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError, NotFound
from integrity.count_inputs import CountInputs
from integrity.gather import Gathered, gather
from integrity.models import (
    Coverage,
    DistrictScore,
    DistrictScoreHistory,
    ScoreRun,
    ScoreRunStatus,
    StationIndicator,
)
from integrity.scoring import (
    INSUFFICIENT,
    METHOD_VERSION,
    METHODS,
    BetaPrior,
    DistrictInput,
    DistrictScoreResult,
    ScoreParams,
    fit_priors,
    inputs_digest,
    score_districts,
)
from integrity.scoring import StationIndicator as Indicator
from integrity.signals import BandChange, district_bands_changed
from stations.models import Election

# 13 hexadecimal digits: 52 bits, so a seed stays exact as a JSON number read by JavaScript.
SEED_HEX_DIGITS = 13
# A recompute takes seconds; a run still "running" after this long will never finish.
ABANDON_AFTER = timedelta(minutes=15)


def derived_seed(inputs: Sequence[DistrictInput], params: ScoreParams) -> int:
    """The seed of a run given none: a function of its inputs and parameters only."""
    return int(inputs_digest(inputs, params, 0)[:SEED_HEX_DIGITS], 16)


def scores_recompute(*, election_id: int, seed: int | None = None) -> ScoreRun:
    """Recompute every district score of the election and publish them, unless a later run did."""
    if seed is not None and seed < 0:
        raise ApplicationError("A seed must be a whole number of at least 0.", field="seed")
    election = Election.objects.get(pk=election_id)
    params = ScoreParams.from_settings()
    run = run_start(election.pk, params, seed)
    try:
        gathered = gather(election.pk, params)
        seed = derived_seed(gathered.inputs, params) if seed is None else seed
        priors = fit_priors(gathered.inputs, params)
        results = score_districts(gathered.inputs, params, seed, priors=priors)
        return run_publish(run, gathered, results, params, seed, priors=priors)
    except Exception:
        # The publishing transaction, if it began, was rolled back: nothing of this run is visible.
        ScoreRun.objects.filter(pk=run.pk).update(status=ScoreRunStatus.FAILED, finished_at=timezone.now())
        raise


def run_start(election_id: int, params: ScoreParams, seed: int | None) -> ScoreRun:
    """The run's row, committed before anything is read: its id orders the runs of an election."""
    return ScoreRun.objects.create(
        election_id=election_id,
        started_at=timezone.now(),
        seed=seed,
        method=METHOD_VERSION,
        params=params.as_dict(),
    )


@transaction.atomic
def run_publish(
    run: ScoreRun,
    gathered: Gathered,
    results: list[DistrictScoreResult],
    params: ScoreParams,
    seed: int,
    *,
    priors: Mapping[int, BetaPrior],
) -> ScoreRun:
    """Replace the current scores and indicators and append the history, all or nothing."""
    # Recomputes of one election queue here; on SQLite the IMMEDIATE transaction did it already.
    list(Election.objects.select_for_update().filter(pk=run.election_id).values_list("pk", flat=True))
    later = ScoreRun.objects.filter(
        election_id=run.election_id, status=ScoreRunStatus.FINISHED, pk__gt=run.pk
    ).exists()
    run.seed = seed
    run.inputs = [item.as_dict() for item in gathered.inputs]
    run.inputs_digest = inputs_digest(gathered.inputs, params, seed)
    run.priors = {str(severity): prior.as_dict() for severity, prior in priors.items()}
    run.finished_at = timezone.now()
    run.status = ScoreRunStatus.SUPERSEDED if later else ScoreRunStatus.FINISHED
    run.save(update_fields=["seed", "inputs", "inputs_digest", "priors", "finished_at", "status"])
    runs_abandon(election_id=run.election_id)
    if later:
        return run
    items = {item.district_id: item for item in gathered.inputs}
    fields = [district_fields(run, items[result.district_id], result, gathered) for result in results]
    current = {
        row["district_id"]: row
        for row in DistrictScore.objects.filter(election_id=run.election_id).values(
            "district_id", *HEADLINE_FIELDS
        )
    }
    bands_before = {
        district_id: band_code(row["band"], row["band_high"], row["band_low"])
        for district_id, row in current.items()
    }
    announce_band_changes(run, bands_before, fields)
    DistrictScore.objects.filter(election_id=run.election_id).delete()
    DistrictScore.objects.bulk_create(DistrictScore(**values) for values in fields)
    # History keeps what a district's published score was, not every recompute: beat recomputes
    # every 5 minutes, and a row per unchanged score would bury the changes.
    DistrictScoreHistory.objects.bulk_create(
        DistrictScoreHistory(**values)
        for values in fields
        if headline_changed(current.get(values["district_id"]), values)
    )
    replace_indicators(run, gathered.indicators)
    return run


HEADLINE_FIELDS = (
    "score",
    "interval_80_low",
    "interval_80_high",
    "interval_95_low",
    "interval_95_high",
    "band",
    "band_low",
    "band_high",
    "coverage",
    "n",
)


def headline_changed(before: Mapping | None, after: Mapping) -> bool:
    """Whether a district's published score reads differently now (or is new)."""
    return before is None or any(before[name] != after[name] for name in HEADLINE_FIELDS)


def band_code(band: str, high: str, low: str) -> str:
    """A district's band as one string: "B", or "A-B" when the interval spans two, or ""."""
    return band or (f"{high}-{low}" if high and low else "")


def announce_band_changes(run: ScoreRun, before: Mapping[int, str], fields: list[dict]) -> None:
    """Send `district_bands_changed` once the publication is committed, if any band moved."""
    changes = []
    for values in fields:
        after = band_code(values["band"], values["band_high"], values["band_low"])
        previous = before.get(values["district_id"], "")
        if after != previous:
            changes.append(BandChange(district_id=values["district_id"], before=previous, after=after))
    if changes:
        election_id, run_id = run.election_id, run.pk
        transaction.on_commit(
            lambda: district_bands_changed.send_robust(
                ScoreRun, election_id=election_id, run_id=run_id, changes=changes
            )
        )


INDICATOR_FIELDS = ("severity", "y", "y_by_severity", "incidents", "reports")
DELETE_CHUNK = 5000


def replace_indicators(run: ScoreRun, indicators: Mapping[Hashable, Indicator]) -> None:
    """Make the election's station indicators exactly `indicators`.

    Only the rows that changed are rewritten, and carry `run`; the others keep the run that last
    changed them. Between two runs on election day reviews change a few stations, and rewriting
    ten thousand rows each time would take a second for nothing."""
    current = StationIndicator.objects.filter(election_id=run.election_id)
    stored = {row[0]: row[1:] for row in current.values_list("station_id", *INDICATOR_FIELDS)}
    fresh = {
        station_id: (i.severity, i.y, {str(s): y for s, y in i.y_by_severity.items()}, i.incidents, i.reports)
        for station_id, i in indicators.items()
    }
    stale = [station_id for station_id, values in stored.items() if fresh.get(station_id) != values]
    for start in range(0, len(stale), DELETE_CHUNK):
        current.filter(station_id__in=stale[start : start + DELETE_CHUNK]).delete()
    StationIndicator.objects.bulk_create(
        (
            StationIndicator(
                election_id=run.election_id,
                station_id=station_id,
                run=run,
                **dict(zip(INDICATOR_FIELDS, values, strict=True)),
            )
            for station_id, values in fresh.items()
            if stored.get(station_id) != values
        ),
        batch_size=2000,
    )


def district_fields(
    run: ScoreRun, item: DistrictInput, result: DistrictScoreResult, gathered: Gathered
) -> dict:
    """One district's result as the fields of DistrictScore and DistrictScoreHistory."""
    interval_80, interval_95 = result.interval_80 or (None, None), result.interval_95 or (None, None)
    band_high, band_low = result.band_range or ("", "")
    return {
        "election_id": run.election_id,
        "run": run,
        "district_id": result.district_id,
        "score": result.score,
        "interval_80_low": interval_80[0],
        "interval_80_high": interval_80[1],
        "interval_95_low": interval_95[0],
        "interval_95_high": interval_95[1],
        "band": result.band or "",
        "band_low": band_low,
        "band_high": band_high,
        "coverage": Coverage.INSUFFICIENT if result.coverage == INSUFFICIENT else result.coverage,
        "n": result.n,
        "sample_used": result.sample_used,
        "process_risk": result.process_risk,
        "count_risk": result.count_risk,
        "forensic_flags": result.forensic_flags,
        "components": components(item, result, gathered),
        "computed_at": run.finished_at,
    }


def components(item: DistrictInput, result: DistrictScoreResult, gathered: Gathered) -> dict:
    """The parts of a score, JSON-ready: what a district's page and the API show beside it.
    `count_measured` and `forensics_tested` tell a zero that was found from one nobody looked for."""
    pair = lambda values: None if values is None else list(values)  # noqa: E731
    return {
        "severities": {
            str(s): {
                "events": e.events,
                "theta": e.mean,
                "alpha": e.alpha,
                "beta": e.beta,
                "interval_80": pair(e.interval_80),
                "prior": {"mean": e.prior.mean, "strength": e.prior.strength, "rule": e.prior.rule},
            }
            for s, e in result.severities.items()
        },
        "process_risk_interval_80": pair(result.process_risk_interval_80),
        "count_risk_interval_80": pair(result.count_risk_interval_80),
        "forensic_penalty": result.forensic_penalty,
        "count_measured": item.district_id in gathered.count_measured,
        "forensics_tested": item.district_id in gathered.forensics_tested,
        "stations": item.stations,
        "observed": item.observed,
        "sample_observed": item.sample_observed,
        "reported_unobserved": item.reported_unobserved,
        "explanation": result.explanation,
    }


def runs_abandon(*, election_id: int | None = None) -> int:
    """Mark "abandoned" the runs (of one election, or of all) still "running" long after they
    started, whose worker was killed or lost; return how many. A run that was only slow and
    finishes after all still publishes: publishing sets its status again."""
    now = timezone.now()
    stale = ScoreRun.objects.filter(status=ScoreRunStatus.RUNNING, started_at__lt=now - ABANDON_AFTER)
    if election_id is not None:
        stale = stale.filter(election_id=election_id)
    return stale.update(status=ScoreRunStatus.ABANDONED, finished_at=now)


def run_inputs(run: ScoreRun) -> tuple[list[DistrictInput], ScoreParams]:
    return [DistrictInput.from_dict(data) for data in run.inputs], ScoreParams.from_dict(run.params)


def score_rerun(run: ScoreRun) -> list[DistrictScoreResult]:
    """The run's results computed again from what it stored: the same numbers to the last digit,
    with the method it was computed with."""
    if run.seed is None or run.status not in (ScoreRunStatus.FINISHED, ScoreRunStatus.SUPERSEDED):
        raise ApplicationError(f"Run {run.pk} did not finish, so it has nothing to re-run.")
    if run.method not in METHODS:
        raise ApplicationError(
            f"Run {run.pk} was computed with method {run.method!r}, which this version lacks."
        )
    inputs, params = run_inputs(run)
    if inputs_digest(inputs, params, run.seed, method=run.method) != run.inputs_digest:
        raise ApplicationError(f"Run {run.pk}'s stored inputs no longer match their digest.")
    return score_districts(inputs, params, run.seed, method=run.method)


def score_district(*, election_id: int, district_id: int, seed: int | None = None) -> DistrictScoreResult:
    """What a district's score is now, without publishing it, in a few milliseconds.

    Only the district's reports and stations are gathered. Shrinkage pools the districts, so the
    district is scored against the priors that the last published run fitted over all of them,
    with that run's seed (unless `seed` is given) and the district's own random stream: with
    unchanged inputs the result is the published one exactly. Without a published run of this
    method and these parameters, a full recompute runs (and publishes) first."""
    params = ScoreParams.from_settings()
    run = _last_published(election_id, params)
    if run is None:
        try:
            scores_recompute(election_id=election_id)
        except Election.DoesNotExist:
            raise NotFound("No such election.") from None
        run = _last_published(election_id, params)
    fresh = gather(
        election_id, params, district_id=district_id, count=published_count(run, district_id)
    ).inputs
    if run is None or not fresh:
        raise NotFound("No such district among the election's districts with stations.")
    priors = {int(severity): BetaPrior.from_dict(prior) for severity, prior in run.priors.items()}
    return score_districts(fresh, params, run.seed if seed is None else seed, priors=priors)[0]


def published_count(run: ScoreRun | None, district_id: int) -> CountInputs:
    """The district's count risk and forensic flags as the published run had them: they change
    only with the count, which asks for a full recompute."""
    stored = next((item for item in (run.inputs if run else []) if item["district_id"] == district_id), None)
    if stored is None:
        return CountInputs()
    item = DistrictInput.from_dict(stored)
    return CountInputs(
        count_risk={district_id: item.count_risk}, forensic_flags={district_id: item.forensic_flags}
    )


def _last_published(election_id: int, params: ScoreParams) -> ScoreRun | None:
    """The election's last published run, if it can score a district alone under `params`."""
    run = (
        ScoreRun.objects.filter(election_id=election_id, status=ScoreRunStatus.FINISHED)
        .only("pk", "seed", "method", "params", "priors", "inputs")
        .order_by("-pk")
        .first()
    )
    usable = run is not None and run.method == METHOD_VERSION and run.priors
    return run if usable and ScoreParams.from_dict(run.params) == params else None
