"""The demo's opening and closing checklists: published in three languages, answered at the random
sample's stations, with Almaty city showing a carousel and unsealed boxes, critical answers turned
into incident reports, and a second seed adding nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from checklists.models import Checklist, CriticalAnswer, PaperReturn, Submission
from checklists.validation import questions_of, validate
from demo.checklists import CAROUSEL_REGION
from reports.models import IncidentReport

pytestmark = pytest.mark.django_db

CODES = {"opening-2023": "opening", "closing-2023": "closing"}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--allow-demo-in-production", stdout=out)
    return out.getvalue()


def share(rows, test) -> float:
    rows = list(rows)
    return sum(1 for row in rows if test(row)) / len(rows)


def test_the_demo_checklists_are_published_answered_at_the_sample_and_show_almaty():
    output = seed()

    checklists = {c.code: c for c in Checklist.objects.filter(code__in=CODES)}
    assert {code: c.phase for code, c in checklists.items()} == CODES
    submissions = Submission.objects.filter(version__checklist__code__in=CODES).select_related(
        "version__checklist", "station__region"
    )
    for checklist in checklists.values():
        version = checklist.versions.get()
        assert all(text for text in version.definition["name"].values())
        for question in questions_of(version.definition):
            assert all(question["label"][language] for language in ("kk", "ru", "en")), question["code"]
        answered = [s for s in submissions if s.version_id == version.pk]
        assert len(answered) >= 300
        assert len({s.station_id for s in answered}) == len(answered)
    assert all(s.station.in_sample for s in submissions)
    # Every demo answer is one the phone's validator accepts as it stands.
    assert all(validate(s.version.definition, s.answers).answers == s.answers for s in submissions)
    assert "answered at" in output

    closing = [s for s in submissions if s.version.checklist.code == "closing-2023"]
    opening = [s for s in submissions if s.version.checklist.code == "opening-2023"]
    almaty = lambda s: s.station.region.name == CAROUSEL_REGION  # noqa: E731
    carousel = lambda s: s.answers["absentee_many"] and s.answers["buses"]  # noqa: E731
    unsealed = lambda s: not s.answers["box_shown_empty"] or not s.answers["box_sealed"]  # noqa: E731
    assert share(filter(almaty, closing), carousel) >= 0.2
    assert share((s for s in closing if not almaty(s)), carousel) < 0.02
    assert any(
        s.answers.get("same_people") and len(s.answers["carousel_signs"]) >= 3 for s in closing if almaty(s)
    )
    assert share(filter(almaty, opening), unsealed) >= 0.05
    assert share((s for s in opening if not almaty(s)), unsealed) < 0.02

    critical = CriticalAnswer.objects.filter(submission__in=[s.pk for s in submissions]).select_related(
        "report__station__region"
    )
    in_almaty = [c.report for c in critical if c.report.station.region.name == CAROUSEL_REGION]
    assert {r.category for r in in_almaty} >= {"unsealed_or_unattended_box", "multiple_voting"}
    assert all(c.report.organization_id == c.submission.organization_id for c in critical)


def test_seeding_again_adds_nothing():
    seed()
    before = (
        Checklist.objects.count(),
        Submission.objects.count(),
        IncidentReport.objects.count(),
        CriticalAnswer.objects.count(),
        PaperReturn.objects.count(),
    )

    output = seed()

    after = (
        Checklist.objects.count(),
        Submission.objects.count(),
        IncidentReport.objects.count(),
        CriticalAnswer.objects.count(),
        PaperReturn.objects.count(),
    )
    assert after == before
    assert "already answered" in output
