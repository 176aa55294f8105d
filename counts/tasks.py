"""Count-integrity work done in the background: the forensic tests after a results import."""

import logging

from celery import shared_task

from core.errors import ApplicationError
from counts.forensic_runs import forensics_run
from counts.models import Contest

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def forensics_task(contest_id: int) -> None:
    """Test the contest's current results; safe to run twice (each run is kept, the latest counts)."""
    contest = Contest.objects.filter(pk=contest_id).select_related("election").first()
    if contest is None:
        logger.info("Contest %s no longer exists; no forensics run.", contest_id)
        return
    try:
        forensics_run(contest=contest)
    except ApplicationError as exc:
        logger.info("No forensics run for contest %s: %s", contest_id, exc.message)
