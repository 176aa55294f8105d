"""A small election whose checklist results are worked out by hand in tests/checklists/test_results.py
and read again by the console's and the partners' tests.

Three districts: 1 has 4 stations (3 in the random sample), 2 has 5 (2 in the sample), 3 has 2 (1
in the sample, too few for an estimate). The sampled stations' answers:

    station  district  version  sealed  resealed  problems           admitted  voters
    s1       1         2        yes     -         late               all       100
    s2       1         1        yes     -         late, crowd        all       200
    s3       1         2        no      yes       (none)             some      300
    s5       2         2        no      no        crowd              nobody     50
    s6       2         2        no      yes       (not answered)     all       150
    s10      3         2        yes     -         -                  all       400

and outside the sample s4 (district 1): sealed no, resealed no; s7 (district 2): sealed yes.
s1 first sent "sealed: no", which its later submission replaces. "resealed" is shown only when
the box was not sealed; "extra" only exists in version 2.
"""

import uuid
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from checklists.models import Checklist, Section
from checklists.services import checklist_publish, submission_create
from tests.checklists.conftest import MORNING, choices, question
from tests.images import jpeg_bytes

SECRET_TEXT = "zq-the-chairman-said-something-unrepeatable"


def build_definition(election, organization, code="opening") -> Checklist:
    checklist = Checklist.objects.create(
        organization=organization, election=election, code=code, phase="opening", name_en="Opening"
    )
    section = Section.objects.create(checklist=checklist, order=1, title_en="Opening")
    question(checklist, section, "sealed", "yes_no", 1, label_en="Was the box sealed?", required=True)
    question(
        checklist,
        section,
        "resealed",
        "yes_no",
        2,
        label_en="Was it sealed before voting began?",
        show_if_question="sealed",
        show_if_equals="false",
    )
    choices(
        question(checklist, section, "problems", "choices", 3, label_en="Problems seen"),
        "late",
        "materials",
        "crowd",
    )
    choices(
        question(checklist, section, "admitted", "choice", 4, label_en="Observers let in"),
        "all",
        "some",
        "nobody",
    )
    question(checklist, section, "voters", "number", 5, label_en="Voters in the first hour", min_value=0)
    question(checklist, section, "note", "text", 6, label_en="Anything else")
    question(checklist, section, "opened", "time", 7, label_en="Opened at")
    question(checklist, section, "box_photo", "photo", 8, label_en="Photo of the box")
    return checklist


def add_extra_question(checklist: Checklist) -> None:
    question(checklist, checklist.sections.get(), "extra", "yes_no", 9, label_en="Was the list posted?")


SAMPLED = {
    # number: (district, version, answers)
    "s1": (1, 2, {"sealed": True, "problems": ["late"], "admitted": "all", "voters": 100, "extra": True}),
    "s2": (1, 1, {"sealed": True, "problems": ["late", "crowd"], "admitted": "all", "voters": 200}),
    "s3": (1, 2, {"sealed": False, "resealed": True, "admitted": "some", "voters": 300, "extra": False}),
    "s5": (
        2,
        2,
        {"sealed": False, "resealed": False, "problems": ["crowd"], "admitted": "nobody", "voters": 50},
    ),
    "s6": (2, 2, {"sealed": False, "resealed": True, "admitted": "all", "voters": 150, "note": SECRET_TEXT}),
    "s10": (3, 2, {"sealed": True, "admitted": "all", "voters": 400, "opened": "07:55"}),
}
UNSAMPLED = {
    "s4": (1, 2, {"sealed": False, "resealed": False}),
    "s7": (2, 2, {"sealed": True}),
}
EMPTY = {"s8": 2, "s9": 2, "s11": 3}  # stations nobody observed


def build_case(election, organization, observer_name, make_station, make_member, by) -> Checklist:
    """The election above for `organization`'s checklist "opening"; returns the checklist."""
    stations = {}
    for number, (district, _version, _answers) in SAMPLED.items():
        stations[number] = make_station(number, district=district, in_sample=True)
    for number, (district, _version, _answers) in UNSAMPLED.items():
        stations[number] = make_station(number, district=district)
    for number, district in EMPTY.items():
        make_station(number, district=district)
    observer = make_member(observer_name, organization, stations=list(stations.values()))
    checklist = build_definition(election, organization)
    checklist_publish(checklist=checklist, by=by)
    send(observer, stations["s1"], 1, {"sealed": False, "resealed": False}, minutes=-60)
    send(observer, stations["s2"], 1, SAMPLED["s2"][2])
    add_extra_question(checklist)
    checklist_publish(checklist=checklist, by=by)
    for number, (_district, version, answers) in {**SAMPLED, **UNSAMPLED}.items():
        if number != "s2":
            photos = {"box_photo": photo()} if number == "s3" else None
            send(observer, stations[number], version, answers, photos=photos)
    return checklist


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("box.jpg", jpeg_bytes(), content_type="image/jpeg")


def send(observer, station, version, answers, *, minutes=0, photos=None):
    submission, _created = submission_create(
        observer=observer,
        id=uuid.uuid4(),
        checklist="opening",
        version=version,
        station_id=station.pk,
        answered_at=MORNING + timedelta(minutes=minutes),
        answers=answers,
        photos=photos,
    )
    return submission
