"""Recomputing the scores in the background, coalesced: a burst of reviews costs a few recomputes.

`request_recompute` is called after every committed change of a report's status or severity. The
first call marks the election "pending" in the cache (`cache.add` succeeds for one caller only)
and enqueues a recompute due `SCORE_COALESCE_SECONDS` later; the calls that follow while it is
pending enqueue nothing, because the recompute has not read anything yet and will see their
changes. The task clears the mark before it reads, so a change made during a run is followed by
one more run. 500 verifications in a minute thus cause about one recompute per window, not 500.

Lost messages cost latency, never data: `scores_recompute_all`, every 5 minutes from beat,
recomputes every election with recent activity or without scores, and marks abandoned the runs
that a killed worker left "running". The pending mark expires on its own, so a lost message
cannot hold back later requests for long.

Without a broker (`make run`) tasks run in-process at once, so a review shows in the scores
immediately.
"""

import logging
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


def pending_key(election_id: int) -> str:
    return f"scores:pending:{election_id}"


@shared_task(acks_late=True)
def scores_recompute_task(election_id: int) -> None:
    # Cleared before reading: a change committed from now on asks for, and gets, another run.
    cache.delete(pending_key(election_id))
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


def request_recompute(election_id: int) -> None:
    """Ask for the election's scores to be recomputed once the current transaction commits."""

    # Robust: by then the change that asked is committed, and a broker that is down must not turn
    # the reviewer's success into an error page; the beat task catches up. A named function, not a
    # functools.partial: Django names the hook in the error it logs, and a partial has no name.
    def enqueue_recompute() -> None:
        _enqueue(election_id)

    transaction.on_commit(enqueue_recompute, robust=True)


def _enqueue(election_id: int) -> None:
    key = pending_key(election_id)
    if not cache.add(key, True, timeout=settings.SCORE_COALESCE_SECONDS + PENDING_SECONDS):
        return
    eager = scores_recompute_task.app.conf.task_always_eager
    try:
        scores_recompute_task.apply_async(
            (election_id,), countdown=0 if eager else settings.SCORE_COALESCE_SECONDS
        )
    except Exception:
        # Not enqueued: let the next change ask again rather than wait for the mark to expire.
        cache.delete(key)
        raise
