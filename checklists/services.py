"""The only writers of checklists: publishing and cloning a draft, and an observer's answers, whose
critical answers become incident reports through reports' own service."""

import uuid
from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from checklists.builder import Draft
from checklists.models import (
    REPORT_PHASE,
    Checklist,
    ChecklistVersion,
    CriticalAnswer,
    Submission,
    SubmissionPhoto,
)
from checklists.selectors import version_for_answers
from checklists.texts import text_in
from checklists.validation import critical_answers, validate
from core.errors import ApplicationError
from core.intake import check_time, read_photo
from core.photos import ProcessedPhoto
from core.signals import evidence_changed
from people.selectors import station_for_new_row
from reports.models.observations import MAX_DESCRIPTION
from reports.services import report_submit
from stations.models import Election


class AnswersRejected(ApplicationError):
    """Answers that break the definition: `errors` names each question code at fault."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Some answers need correcting."), field="answers")
        self.errors = errors


@transaction.atomic
def checklist_publish(*, checklist: Checklist, by: AbstractBaseUser | None) -> ChecklistVersion:
    """Freeze the draft as the next version. A draft that breaks a builder rule, or that is the same
    as the last version, is refused."""
    Checklist.objects.select_for_update().get(pk=checklist.pk)
    draft = Draft.read(checklist)
    if problems := draft.problems():
        raise ApplicationError(" ".join(problems))
    last = checklist.versions.aggregate(last=Max("number"))["last"] or 0
    definition = draft.definition(last + 1)
    previous = checklist.versions.filter(number=last).values_list("definition", flat=True).first()
    if previous is not None and previous == {**definition, "version": last}:
        raise ApplicationError(_("Nothing changed since version %(number)d.") % {"number": last})
    return ChecklistVersion.objects.create(
        checklist=checklist, number=last + 1, definition=definition, published_by=by
    )


@transaction.atomic
def checklist_clone(*, checklist: Checklist, election: Election) -> Checklist:
    """A copy of the draft (not of its versions) in another election, for the same organization."""
    if Checklist.objects.filter(
        organization_id=checklist.organization_id, election=election, code=checklist.code
    ).exists():
        raise ApplicationError(
            _("%(election)s already has a checklist %(code)s.")
            % {"election": election, "code": checklist.code}
        )
    draft = Draft.read(checklist)
    copy = _copy(checklist, election=election)
    sections = {section.pk: _copy(section, checklist=copy) for section in draft.sections}
    for question in draft.questions:
        choices = draft.choices.get(question.pk, [])
        new = _copy(question, checklist=copy, section=sections[question.section_id])
        for choice in choices:
            _copy(choice, question=new)
    for rule in draft.rules:
        _copy(rule, checklist=copy)
    return copy


def _copy(row, **changes):
    fields = {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if not f.primary_key and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    }
    for name, value in changes.items():
        fields.pop(f"{name}_id", None)
        fields[name] = value
    return type(row).objects.create(**fields)


def submission_create(
    *,
    observer: AbstractBaseUser,
    id,
    checklist: str,
    version: int,
    station_id,
    answered_at: datetime,
    answers,
    photos: Mapping[str, UploadedFile] | None = None,
) -> tuple[Submission, bool]:
    """Record an observer's answers, with a report for each critical answer, all or nothing.
    Returns (submission, created); a retry returns the submission the first try made."""
    photos = photos or {}
    station, organization_id, existing = station_for_new_row(
        Submission, pk=id, observer=observer, station_id=station_id
    )
    if existing:
        return existing, False
    check_time(answered_at, station.election, "answered_at")
    answered = version_for_answers(
        election_id=station.election_id, organization_id=organization_id, code=checklist, number=version
    )
    checked = validate(answered.definition, answers, photos.keys())
    if checked.errors:
        raise AnswersRejected(checked.errors)
    # Decoding is the slow part: do it before the transaction.
    processed = {
        code: read_photo(photos[code], election=station.election, field=f"photo.{code}")
        for code in checked.photos
    }
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                id=id,
                version=answered,
                observer=observer,
                organization_id=organization_id,
                election=station.election,
                station=station,
                answered_at=answered_at,
                answers=checked.answers,
                flags=checked.flags,
            )
            for code, photo in processed.items():
                _store_photo(submission, code, photo)
            _report_critical_answers(submission, answered.definition)
    except IntegrityError:
        # The same request arrived twice at once; the other one won.
        return Submission.objects.get(pk=id, observer=observer), False
    evidence_changed.send(sender=Submission, election_id=station.election_id, arrived=True)
    return submission, True


def _store_photo(submission: Submission, code: str, processed: ProcessedPhoto) -> SubmissionPhoto:
    photo = SubmissionPhoto(
        submission=submission,
        question=code,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.image),
        sha256=processed.sha256_received,
        captured_at=processed.captured_at,
    )
    photo.image.save(f"{photo.id}.jpg", ContentFile(processed.image), save=False)
    photo.thumbnail.save(f"{photo.id}-thumb.jpg", ContentFile(processed.thumbnail), save=False)
    photo.save()
    return photo


def _report_critical_answers(submission: Submission, definition: dict) -> None:
    for question, answer in critical_answers(definition, submission.answers):
        report, _created = report_submit(
            observer=submission.observer,
            # Derived from the submission: whatever happens, one answer is one report.
            id=uuid.uuid5(submission.id, question["code"]),
            station_id=submission.station_id,
            category=question["category"],
            severity=question["severity"],
            phase=REPORT_PHASE[definition["phase"]],
            occurred_at=submission.answered_at,
            description=describe(definition, question, answer),
        )
        CriticalAnswer.objects.create(submission=submission, question=question["code"], report=report)


def describe(definition: dict, question: dict, answer) -> str:
    """The report's words: the checklist, the question and the answer, in the observer's language."""
    choices = {choice["code"]: text_in(choice["label"]) for choice in question["choices"]}
    if isinstance(answer, bool):
        said = _("yes") if answer else _("no")
    elif isinstance(answer, list):
        said = ", ".join(choices.get(code, code) for code in answer)
    else:
        said = choices.get(answer, str(answer))
    text = _("Checklist “%(checklist)s” (version %(version)d), question %(code)s “%(label)s”: %(answer)s") % {
        "checklist": text_in(definition["name"]),
        "version": definition["version"],
        "code": question["code"],
        "label": text_in(question["label"]),
        "answer": said,
    }
    return text[:MAX_DESCRIPTION]
