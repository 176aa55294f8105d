"""Observers forgotten after a mission (roster's forget_observers, through
core.signals.observers_forgotten) are not left named in the organization's complaints: the
complainant's name, the texts, the answers and the audit trail's copies of edited texts lose their
names, addresses and numbers, and the PDFs and evidence packs built with them are deleted (a new
one is built on demand from the text as it now stands)."""

import json

from django.db import models, transaction
from django.db.models import Q

from complaints.models import Complaint, ComplaintEvent, ComplaintPack
from core.redaction import whole_words


def forget_in_complaints(
    sender, *, organization_id: int, user_ids: list[int], replacements: dict, **kwargs
) -> None:
    scrub = whole_words(replacements)
    complaints = list(Complaint.objects.filter(organization_id=organization_id))
    changed = []
    for complaint in complaints:
        before = (complaint.complainant_name, complaint.text, complaint.answer_text)
        complaint.complainant_name, complaint.text, complaint.answer_text = map(scrub, before)
        if (complaint.complainant_name, complaint.text, complaint.answer_text) != before:
            changed.append(complaint)
    Complaint.objects.bulk_update(changed, ["complainant_name", "text", "answer_text"], batch_size=500)
    touched = {complaint.pk for complaint in changed}
    touched |= set(
        Complaint.objects.filter(organization_id=organization_id, complainant_id__in=user_ids).values_list(
            "pk", flat=True
        )
    )
    forget_in_events(organization_id, scrub)
    forget_documents(touched)


def forget_in_events(organization_id: int, scrub) -> None:
    """The audit trail is append-only for everyone but this: the law's right to be forgotten. Its
    rows are rewritten through the plain queryset, past the trail's own guard."""
    events = models.QuerySet(ComplaintEvent).filter(complaint__organization_id=organization_id)
    for event in events.only("pk", "data").iterator(chunk_size=500):
        text = json.dumps(event.data, ensure_ascii=False)
        scrubbed = scrub(text)
        if scrubbed != text:
            models.QuerySet(ComplaintEvent).filter(pk=event.pk).update(data=json.loads(scrubbed))


def forget_documents(complaint_ids: set[int]) -> None:
    """The built PDFs and packs of these complaints carry the names: their files go once the rows
    no longer point at them."""
    packs = ComplaintPack.objects.filter(complaint_id__in=complaint_ids).filter(~Q(pdf="") | ~Q(archive=""))
    files = [
        (pack.pdf.storage, name) for pack in packs for name in (pack.pdf.name, pack.archive.name) if name
    ]
    packs.update(pdf="", archive="", manifest_sha256="")
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
