"""Double entry of paper returns, as Apollo does it: two members of staff type the same paper
independently; when their copies agree the answers become a submission, and where they differ a
third person (neither of the two) chooses, question by question, what the paper says.

The answers are checked by checklists.validation as the phone's are, and the submission is made
by the phone's own service (checklists.services.submission_create), so critical answers become
incident reports and coverage counts the station; it is then marked as coming from paper.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checklists.models import ChecklistVersion, PaperEntry, PaperReturn, ReturnState, Source, Submission
from checklists.services import AnswersRejected, submission_create
from checklists.texts import text_in
from checklists.validation import questions_of, validate
from core.errors import ApplicationError, NotFound
from core.intake import check_time
from people.selectors import station_get_for_observer
from stations.models import PollingStation

ENTRIES_NEEDED = 2
# Paper carries no photo through this screen: photos come with the paper, by hand.
UNTYPED_KINDS = ("photo",)


@dataclass(frozen=True)
class Difference:
    code: str
    label: str
    first: object
    second: object


def paper_answers(definition: dict, answers: dict) -> dict:
    """The answers as the phone's validator keeps them (hidden questions dropped), or AnswersRejected."""
    checked = validate(definition, answers)
    if checked.errors:
        raise AnswersRejected(checked.errors)
    return checked.answers


@transaction.atomic
def paper_entry_add(
    *,
    by: AbstractBaseUser,
    organization_ids: set[int] | None,
    version: ChecklistVersion,
    station: PollingStation,
    observer: AbstractBaseUser,
    answered_at: datetime,
    answers: dict,
) -> PaperReturn:
    """Record one clerk's typing of a paper. `organization_ids`: where `by` may enter paper (None:
    everywhere). The first entry opens the return; the second one closes it, or leaves it to settle."""
    station, organization_id = _where(observer, station, version, organization_ids)
    check_time(answered_at, station.election, "answered_at")
    typed = paper_answers(version.definition, answers)
    paper, _created = PaperReturn.objects.get_or_create(
        version=version,
        station=station,
        observer=observer,
        defaults={"organization_id": organization_id, "answered_at": answered_at},
    )
    paper = PaperReturn.objects.select_for_update().get(pk=paper.pk)
    entries = list(paper.entries.all())
    if paper.state != ReturnState.ENTERING or len(entries) >= ENTRIES_NEEDED:
        raise ApplicationError(_("This paper has been entered twice already."))
    if any(entry.entered_by_id == by.pk for entry in entries):
        raise ApplicationError(_("You entered this paper already: a second person must enter it again."))
    PaperEntry.objects.create(paper_return=paper, entered_by=by, answers=typed)
    if entries:
        if entries[0].answers == typed:
            _record(paper, typed)
        else:
            paper.state = ReturnState.DIFFERING
            paper.save(update_fields=["state"])
    return paper


def _where(observer, station, version, organization_ids) -> tuple[PollingStation, int]:
    """The station, read again with its election, and the organization the observer reports to
    there: one of the clerk's, and the one whose checklist this is; any other case is as if the
    station did not exist."""
    try:
        station, organization_id = station_get_for_observer(user=observer, station_id=station.pk)
    except NotFound:
        raise NotFound(_("This observer does not observe at this station."), field="station") from None
    if organization_ids is not None and organization_id not in organization_ids:
        raise NotFound(_("This observer does not observe at this station."), field="station")
    checklist = version.checklist
    if checklist.organization_id != organization_id or checklist.election_id != station.election_id:
        raise ApplicationError(
            _("This checklist is not the observer's organization's for this election."), field="version"
        )
    return station, organization_id


def differences(paper: PaperReturn) -> list[Difference]:
    """The questions (in the checklist's order) whose answers the two entries typed differently."""
    first, second = (entry.answers for entry in paper.entries.all()[:ENTRIES_NEEDED])
    found = []
    for question in questions_of(paper.version.definition):
        code = question["code"]
        if first.get(code) != second.get(code):
            found.append(Difference(code, text_in(question["label"]), first.get(code), second.get(code)))
    return found


@transaction.atomic
def paper_settle(*, paper: PaperReturn, by: AbstractBaseUser, chosen: dict) -> Submission:
    """A third person's answers where the entries differ; where they agree, the agreed answer.
    `chosen` maps a differing question's code to the answer chosen (None: unanswered)."""
    paper = PaperReturn.objects.select_for_update().get(pk=paper.pk)
    if paper.state != ReturnState.DIFFERING:
        raise ApplicationError(_("Only a paper whose two entries differ is settled."))
    if paper.entries.filter(entered_by=by).exists():
        raise ApplicationError(_("Someone who entered this paper cannot settle it: a third person must."))
    agreed = dict(paper.entries.all()[0].answers)
    for difference in differences(paper):
        if difference.code not in chosen:
            raise ApplicationError(_("Choose an answer for %(code)s.") % {"code": difference.code})
        # The paper says one of the two: settling picks which clerk read it right.
        if chosen[difference.code] not in (difference.first, difference.second):
            raise ApplicationError(
                _("For %(code)s choose one of the two entries' answers.") % {"code": difference.code}
            )
        agreed.pop(difference.code, None)
        if chosen[difference.code] is not None:
            agreed[difference.code] = chosen[difference.code]
    answers = paper_answers(paper.version.definition, agreed)
    paper.settled_by, paper.settled_at, paper.settled_answers = by, timezone.now(), answers
    return _record(paper, answers)


def _record(paper: PaperReturn, answers: dict) -> Submission:
    version = paper.version
    submission, _created = submission_create(
        observer=paper.observer,
        # Derived from the return: one paper is one submission, whatever happens.
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"baqylau:paper-return:{paper.pk}"),
        checklist=version.checklist.code,
        version=version.number,
        station_id=paper.station_id,
        answered_at=paper.answered_at,
        answers=answers,
    )
    Submission.objects.filter(pk=submission.pk).update(source=Source.PAPER)
    submission.source = Source.PAPER
    paper.submission, paper.state = submission, ReturnState.DONE
    paper.save()
    return submission
