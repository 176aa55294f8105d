"""Recomputing the scores in the background, coalesced: a burst of reviews costs a few recomputes.

`request_recompute` is called after every committed change of a report's status or severity, and
after every new piece of evidence from the field. The first call marks the election "pending" in
the cache (`cache.add` succeeds for one caller only) and enqueues a recompute due
`SCORE_COALESCE_SECONDS` later (after a review) or `SCORE_INTAKE_SECONDS` later (after an
arrival: on election night thousands arrive a minute, and one recompute of a national election
takes seconds); the calls that follow while it is pending enqueue nothing, because the recompute
has not read anything yet and will see their changes. The arrivals' mark holds the time its run is
due, and each process remembers it, so that until then the stream of arrivals does not even ask the
cache.
The task clears the marks before it reads, so a change made during a run is followed by one more
run. 500 verifications in a minute thus cause about one recompute per window, not 500.

Lost messages cost latency, never data: `scores_recompute_all`, every 5 minutes from beat,
recomputes every election with recent activity or without scores, and marks abandoned the runs
that a killed worker left "running". The pending mark expires on its own, so a lost message
cannot hold back later requests for long.

Without a broker (`make run`) tasks run in-process at once, so a review shows in the scores
immediately.
"""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from checklists.models import Submission
from integrity.models import DistrictScore
from integrity.services import runs_abandon, scores_recompute
from reports.models import CheckIn, IncidentReport
from stations.models import Election, PollingStation

logger = logging.getLogger(__name__)

# How long the pending mark outlives the delay: past it, a lost message no longer holds back requests.
PENDING_SECONDS = 300
RECENT = timedelta(days=2)


# A recompute due this close to now may already have read the evidence: ask again rather than rely on it.
DUE_MARGIN_SECONDS = 1.0
# While the run asked for is late, how long arrivals go without asking the cache again.
LATE_RECHECK_SECONDS = 1.0
# In this process: election -> when the recompute asked for by arrivals is due (time.time()).
_arrivals_due: dict[int, float] = {}


def pending_key(election_id: int, *, arrived: bool = False) -> str:
    return f"scores:pending:{'arrived:' if arrived else ''}{election_id}"


@shared_task(acks_late=True)
def scores_recompute_task(election_id: int) -> None:
    # Cleared before reading: a change committed from now on asks for, and gets, another run.
    cache.delete_many([pending_key(election_id), pending_key(election_id, arrived=True)])
    try:
        scores_recompute(election_id=election_id)
    except Election.DoesNotExist:
        logger.info("Election %s no longer exists; its scores are not recomputed.", election_id)


@shared_task(acks_late=True)
def scores_recompute_all() -> None:
    """The safety net: recompute each election that changed lately or was never scored."""
    abandoned = runs_abandon()
    if abandoned:
        logger.warning("%s score run(s) never finished and are marked abandoned.", abandoned)
    for election_id in elections_due():
        scores_recompute_task.delay(election_id)


def elections_due() -> list[int]:
    """Elections with a report changed or a check-in or checklist received in the last two days, and elections
    with stations but no score yet."""
    since = timezone.now() - RECENT
    recent_reports = IncidentReport.objects.filter(election=OuterRef("pk"), updated_at__gte=since)
    recent_checkins = CheckIn.objects.filter(election=OuterRef("pk"), received_at__gte=since)
    recent_checklists = Submission.objects.filter(election=OuterRef("pk"), received_at__gte=since)
    unscored = Exists(PollingStation.objects.filter(election=OuterRef("pk"))) & ~Exists(
        DistrictScore.objects.filter(election=OuterRef("pk"))
    )
    due = Q(Exists(recent_reports)) | Q(Exists(recent_checkins)) | Q(Exists(recent_checklists)) | unscored
    return list(Election.objects.filter(due).order_by("pk").values_list("pk", flat=True))


def request_recompute(election_id: int, *, arrived: bool = False) -> None:
    """Ask for the election's scores to be recomputed once the current transaction commits: soon
    after a review, within SCORE_INTAKE_SECONDS when new evidence `arrived` from the field."""

    # Robust: by then the change that asked is committed, and a broker that is down must not turn
    # the reviewer's success into an error page; the beat task catches up. A named function, not a
    # functools.partial: Django names the hook in the error it logs, and a partial has no name.
    def enqueue_recompute() -> None:
        _enqueue(election_id, arrived)

    transaction.on_commit(enqueue_recompute, robust=True)


def _enqueue(election_id: int, arrived: bool) -> None:
    now = time.time()
    if arrived and _arrivals_due.get(election_id, 0.0) > now + DUE_MARGIN_SECONDS:
        # A recompute this process knows of is due later and will read this arrival.
        return
    eager = scores_recompute_task.app.conf.task_always_eager
    delay = 0 if eager else settings.SCORE_INTAKE_SECONDS if arrived else settings.SCORE_COALESCE_SECONDS
    key = pending_key(election_id, arrived=arrived)
    if not cache.add(key, now + delay, timeout=delay + PENDING_SECONDS):
        if arrived:
            due = cache.get(key)
            # Due later: that run will read this arrival. Due already but not started (the workers
            # are behind, or down): ask again a second later rather than on every arrival; what
            # that second could leave unasked for, the next arrival or the beat's safety net asks.
            late = not isinstance(due, float) or due <= now
            _arrivals_due[election_id] = now + LATE_RECHECK_SECONDS + DUE_MARGIN_SECONDS if late else due
        return
    try:
        scores_recompute_task.apply_async((election_id,), countdown=delay)
    except Exception:
        # Not enqueued: let the next change ask again rather than wait for the mark to expire.
        cache.delete(key)
        raise
    if arrived:
        _arrivals_due[election_id] = now + delay
