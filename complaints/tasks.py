"""Background work of the complaints app. Each task takes ids, reloads what it needs, calls a
service, and may run twice: messages are acknowledged late and can be delivered again."""

from celery import shared_task

from complaints import packs


@shared_task(acks_late=True)
def complaint_pack_build(pack_id: str) -> None:
    packs.complaint_pack_build(pack_id=pack_id)


@shared_task(acks_late=True)
def complaint_packs_sweep() -> None:
    packs.complaint_packs_sweep()
