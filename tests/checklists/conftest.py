"""A checklist of every kind of question, published, for the observer `observer` of `organization`."""

import uuid
from datetime import datetime

import pytest
from django.contrib.auth.models import Group

from checklists.models import Checklist, Choice, ConsistencyRule, Question, Section
from checklists.services import checklist_publish, submission_create
from people.roles import ensure_groups

# Election day of the test election, in Astana's offset that year.
MORNING = datetime.fromisoformat("2023-03-19T09:30:00+06:00")


def in_group(user, group: str):
    ensure_groups()
    user.groups.add(Group.objects.get(name=group))
    return user


def question(checklist, section, code, kind, order, **fields) -> Question:
    fields.setdefault("label_en", f"Question {code}")
    return Question.objects.create(
        checklist=checklist, section=section, code=code, kind=kind, order=order, **fields
    )


def choices(question: Question, *codes: str) -> None:
    for order, code in enumerate(codes):
        Choice.objects.create(
            question=question, order=order, code=code, label_en=code.title(), label_ru=f"{code} (ru)"
        )


def build_checklist(election, organization, code: str = "opening") -> Checklist:
    """Opening: a sealed box (critical when false), a photo of it, the opening time, problems seen
    (several choices; "materials" asks why), who was let in (critical when nobody), and two
    numbers with a rule between them and a rule on the time."""
    checklist = Checklist.objects.create(
        organization=organization,
        election=election,
        code=code,
        phase="opening",
        name_en="Opening",
        name_ru="Открытие",
        name_kk="Ашылу",
    )
    first = Section.objects.create(
        checklist=checklist, order=1, title_en="Before voting", title_ru="До голосования"
    )
    second = Section.objects.create(checklist=checklist, order=2, title_en="Numbers")
    question(
        checklist,
        first,
        "box_sealed",
        "yes_no",
        1,
        label_ru="Урна опечатана?",
        label_en="Was the box sealed?",
        required=True,
        critical_values="false",
        critical_severity=3,
        critical_category="unsealed_or_unattended_box",
    )
    question(checklist, first, "box_photo", "photo", 2)
    question(checklist, first, "opened_at", "time", 3, required=True)
    problems = question(checklist, first, "problems", "choices", 4)
    choices(problems, "late", "materials", "crowd")
    admitted = question(
        checklist,
        first,
        "admitted",
        "choice",
        5,
        critical_values="nobody",
        critical_severity=5,
        critical_category="observer_obstruction",
    )
    choices(admitted, "all", "some", "nobody")
    question(
        checklist,
        first,
        "missing",
        "text",
        6,
        required=True,
        show_if_question="problems",
        show_if_equals="materials",
    )
    question(checklist, second, "registered", "number", 1, required=True, min_value=0, max_value=5000)
    question(checklist, second, "voted", "number", 2, min_value=0)
    ConsistencyRule.objects.create(
        checklist=checklist,
        order=1,
        left="voted",
        operator="<=",
        right="registered",
        message_en="More voted than registered.",
    )
    ConsistencyRule.objects.create(
        checklist=checklist,
        order=2,
        left="opened_at",
        operator="<=",
        constant="08:00",
        message_en="Opened late.",
    )
    return checklist


ALL_FINE = {
    "box_sealed": True,
    "opened_at": "07:58",
    "problems": [],
    "admitted": "all",
    "registered": 1200,
    "voted": 0,
}


@pytest.fixture
def checklist(election, organization):
    return build_checklist(election, organization)


@pytest.fixture
def version(checklist, superuser):
    return checklist_publish(checklist=checklist, by=superuser)


@pytest.fixture
def answer(observer, station, version):
    """Answers sent through the service, as the API would."""

    def send(answers=None, *, user=None, at_station=None, photos=None, **fields):
        return submission_create(
            observer=user or observer,
            id=fields.pop("id", uuid.uuid4()),
            checklist=fields.pop("checklist", "opening"),
            version=fields.pop("version", version.number),
            station_id=(at_station or station).pk,
            answered_at=fields.pop("answered_at", MORNING),
            answers=dict(ALL_FINE if answers is None else answers),
            photos=photos,
        )

    return send
