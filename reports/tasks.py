"""Background work of the reports app. Each task takes ids, reloads what it needs, calls a
service, and may run twice: messages are acknowledged late and can be delivered again."""

from celery import shared_task

from reports import photo_exports


@shared_task(acks_late=True)
def export_photos_build(job_id: str) -> None:
    photo_exports.export_photos_build(job_id=job_id)


@shared_task(acks_late=True)
def export_jobs_sweep() -> None:
    photo_exports.export_jobs_sweep()
