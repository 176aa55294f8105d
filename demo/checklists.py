"""The demo's opening and closing checklists (demo/data/checklists_kz2023.json, written for the
procedures of the 2023 Majilis election), published, and answered at the random sample's stations
by the observers of the first organization.

Most stations are quiet. The Almaty city districts show what the two classic frauds look like in
the answers: a carousel (many voters with absentee certificates, buses, the same people coming
back) and an unsealed box (the boxes not shown empty or not sealed at opening). Their critical
answers become incident reports.

Answers that are all fine are checked by checklists.validation and written in one bulk insert, as
the demo's field team is (demo.count): the seed must stay fast. Answers with a critical value go
through the phone's own service, so that each becomes its incident report.
"""

import json
import random
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Min

from checklists.models import (
    Checklist,
    ChecklistVersion,
    Choice,
    ConsistencyRule,
    Question,
    Section,
    Submission,
)
from checklists.services import checklist_publish, submission_create
from checklists.validation import critical_answers, validate
from demo.observations import demo_id
from people.models import Assignment, Organization, Role
from stations.models import Election

DATA = Path(__file__).resolve().parent / "data" / "checklists_kz2023.json"
CAROUSEL_REGION = "Almaty (city)"
# Shares of the Almaty city stations showing each fraud, and of the others with a stray problem.
ALMATY_CAROUSEL = 0.35
ALMATY_UNSEALED = 0.15
ELSEWHERE_PROBLEM = 0.006
MAX_NUMBER = 5000
OPENING_AT = time(7, 40)
CLOSING_AT = time(20, 40)


def seed_checklists(*, election: Election, organization: Organization, by, seed: int) -> str:
    """Build, publish and answer the demo checklists; nothing when they are answered already."""
    definitions = json.loads(DATA.read_text(encoding="utf-8"))["checklists"]
    versions = [
        ensure_published(data, election=election, organization=organization, by=by) for data in definitions
    ]
    if Submission.objects.filter(version__in=versions).exists():
        return "The demo's checklists are already answered."
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    stations = sampled_stations(election, organization)
    plain, critical = 0, 0
    for version in versions:
        made = answer(version, stations, organization=organization, rng=rng)
        plain, critical = plain + made[0], critical + made[1]
    return (
        f"Checklists {', '.join(v.checklist.code for v in versions)} answered at {len(stations)} sampled "
        f"stations: {plain + critical} submissions, {critical} of them with critical answers."
    )


def ensure_published(data: dict, *, election: Election, organization: Organization, by) -> ChecklistVersion:
    checklist, created = Checklist.objects.get_or_create(
        organization=organization,
        election=election,
        code=data["code"],
        defaults={"phase": data["phase"], **_texts("name", data["name"])},
    )
    if created:
        _build(checklist, data)
    return checklist.versions.order_by("-number").first() or checklist_publish(checklist=checklist, by=by)


def _texts(name: str, texts: dict) -> dict:
    return {f"{name}_{language}": text for language, text in texts.items()}


def _build(checklist: Checklist, data: dict) -> None:
    for section_order, section_data in enumerate(data["sections"], 1):
        section = Section.objects.create(
            checklist=checklist, order=section_order, **_texts("title", section_data["title"])
        )
        for order, item in enumerate(section_data["questions"], 1):
            condition = item.get("show_if") or ["", ""]
            question = Question.objects.create(
                checklist=checklist,
                section=section,
                order=order,
                code=item["code"],
                kind=item["kind"],
                required=item.get("required", False),
                min_value=item.get("min"),
                max_value=item.get("max"),
                show_if_question=condition[0],
                show_if_equals=condition[1],
                critical_values=",".join(item.get("critical", [])),
                critical_severity=item.get("severity"),
                critical_category=item.get("category", ""),
                **_texts("label", item["label"]),
            )
            Choice.objects.bulk_create(
                Choice(question=question, order=index, code=code, label_kk=kk, label_ru=ru, label_en=en)
                for index, (code, kk, ru, en) in enumerate(item.get("choices", []))
            )
    for order, rule in enumerate(data["rules"], 1):
        ConsistencyRule.objects.create(
            checklist=checklist,
            order=order,
            left=rule["left"],
            operator=rule["operator"],
            right=rule["right"],
            constant=rule["constant"],
            **_texts("message", rule["message"]),
        )


def sampled_stations(election: Election, organization: Organization) -> list[dict]:
    """The sample's stations with an observer of the organization: the observer assigned first."""
    rows = (
        Assignment.objects.filter(
            station__election=election,
            station__in_sample=True,
            membership__organization=organization,
            membership__role=Role.OBSERVER,
        )
        .values("station_id", "station__registered_voters", "station__region__name")
        .annotate(observer_id=Min("membership__user_id"))
        .order_by("station_id")
    )
    return list(rows)


def answer(
    version: ChecklistVersion, stations: list[dict], *, organization, rng: random.Random
) -> tuple[int, int]:
    """(submissions written in bulk, submissions through the service with critical answers)."""
    election = version.checklist.election
    zone = ZoneInfo(election.timezone)
    opening = version.checklist.phase == "opening"
    at = datetime.combine(election.date, OPENING_AT if opening else CLOSING_AT, tzinfo=zone)
    plain, critical = [], []
    for row in stations:
        almaty = row["station__region__name"] == CAROUSEL_REGION
        answers = (opening_answers if opening else closing_answers)(row, almaty, rng)
        checked = validate(version.definition, answers)
        if checked.errors:
            raise ValueError(f"demo answers break {version}: {checked.errors}")
        target = critical if critical_answers(version.definition, checked.answers) else plain
        target.append((row, checked))
    Submission.objects.bulk_create(
        Submission(
            id=demo_id("checklist", version.checklist.code, row["station_id"]),
            version=version,
            observer_id=row["observer_id"],
            organization=organization,
            election=election,
            station_id=row["station_id"],
            answered_at=at,
            answers=checked.answers,
            flags=checked.flags,
        )
        for row, checked in plain
    )
    observers = get_user_model().objects.in_bulk({row["observer_id"] for row, _checked in critical})
    for row, checked in critical:
        submission_create(
            observer=observers[row["observer_id"]],
            id=demo_id("checklist", version.checklist.code, row["station_id"]),
            checklist=version.checklist.code,
            version=version.number,
            station_id=row["station_id"],
            answered_at=at,
            answers=checked.answers,
        )
    return len(plain), len(critical)


def opening_answers(row: dict, almaty: bool, rng: random.Random) -> dict:
    """A quiet opening; in Almaty, at some stations the boxes were not shown empty or not sealed."""
    registered = row["station__registered_voters"]
    answers = {
        "arrived_at": f"06:{rng.randint(30, 55):02d}",
        "admitted": True,
        "members_present": rng.randint(5, 11),
        "box_shown_empty": True,
        "box_sealed": True,
        "ballots_announced": True,
        "ballots_received": min(MAX_NUMBER, registered - rng.randint(0, registered // 20)),
        "camera": rng.random() < 0.7,
        "problems": [],
        "opened_at": "07:00",
    }
    if rng.random() < 0.05:
        answers["problems"], answers["opened_at"] = ["late"], f"07:{rng.randint(5, 30):02d}"
    if almaty and rng.random() < ALMATY_UNSEALED:
        answers["box_shown_empty"] = False
        answers["box_sealed"] = rng.random() < 0.4
        answers["notes"] = "The boxes were already closed when we came in; the chair did not open them."
    elif not almaty and rng.random() < ELSEWHERE_PROBLEM:
        answers["box_sealed"] = False
    return answers


def closing_answers(row: dict, almaty: bool, rng: random.Random) -> dict:
    """A quiet close; in Almaty, many stations show the signs of a carousel."""
    registered = min(MAX_NUMBER, row["station__registered_voters"])
    turnout = rng.uniform(0.45, 0.7)
    answers = {
        "absentee_many": False,
        "buses": rng.random() < 0.03,
        "same_people": False,
        "carousel_signs": [],
        "mobile_box_used": rng.random() < 0.6,
        "closed_at": "20:00",
        "seals_intact": True,
        "unused_cancelled": rng.random() > 0.002,
        "registered": registered,
        "count_view": "close" if rng.random() < 0.85 else "far",
    }
    if answers["mobile_box_used"]:
        answers["mobile_box_intact"] = True
    if almaty and rng.random() < ALMATY_CAROUSEL:
        absentee = rng.randint(120, 400)
        turnout = min(1.0, turnout + absentee / max(registered, 1))
        answers.update(
            absentee_many=True,
            absentee_count=absentee,
            buses=True,
            same_people=rng.random() < 0.5,
            carousel_signs=sorted(
                rng.sample(["lists_outside", "ballot_out", "same_faces", "absentee_groups"], 3)
            ),
        )
    elif not almaty and rng.random() < ELSEWHERE_PROBLEM:
        answers["count_view"] = "refused"
    # Absentee voters are not on the list: signatures may exceed it where a carousel ran.
    answers["signatures"] = min(MAX_NUMBER, round(registered * turnout))
    return answers
