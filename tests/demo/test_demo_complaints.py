"""The demo's complaints: Kazakh and Russian templates, and complaints on the Almaty reports at each
stage of their life, built without their PDFs; seeding again adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from complaints.models import (
    Addressee,
    Complaint,
    ComplaintEvent,
    ComplaintPack,
    ComplaintTemplate,
    Language,
    Outcome,
    Status,
)
from demo.complaints import ALMATY_CITY
from people.models import Membership

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--allow-demo-in-production", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "templates": ComplaintTemplate.objects.count(),
        "complaints": list(Complaint.objects.order_by("pk").values_list("pk", "status", "outcome", "text")),
        "events": ComplaintEvent.objects.count(),
    }


def test_the_demo_has_complaints_on_almaty_reports_at_each_stage_and_seeding_again_adds_nothing():
    output = seed()
    complaints = Complaint.objects.select_related("district__region")

    assert "Complaints:" in output
    assert {c.district.region.name for c in complaints} == {ALMATY_CITY}
    assert complaints.filter(status=Status.DRAFT).exists()
    assert (
        complaints.filter(status=Status.FILED, deadline_at__isnull=False)
        .exclude(pk__in=complaints.overdue())
        .exists()
    )
    assert complaints.filter(status=Status.ANSWERED, outcome=Outcome.REJECTED).exists()
    assert complaints.overdue().exists()
    original = complaints.get(status=Status.APPEALED)
    assert (original.appeal.addressee_kind, original.appeal.filed_at is not None) == (
        Addressee.DISTRICT,
        True,
    )
    signed = complaints.filter(complainant__isnull=False)
    assert signed.exists()
    assert not Membership.objects.filter(
        user__in=signed.values("complainant"), complaint_consent_at__isnull=True
    ).exists()
    # The documents are made when asked for, not in the seed.
    assert not ComplaintPack.objects.exists()

    before = snapshot()
    seed()
    assert snapshot() == before


def test_the_demo_templates_are_kazakh_and_russian_for_every_commission():
    seed()
    templates = set(ComplaintTemplate.objects.values_list("language", "addressee_kind"))

    assert templates == {
        (language, kind) for language in (Language.KAZAKH, Language.RUSSIAN) for kind in Addressee
    }
    kazakh = Complaint.objects.filter(language=Language.KAZAKH).first()
    assert "ШАҒЫМ" in kazakh.text and "тәуелсіз байқаушысы" in kazakh.text
    russian = Complaint.objects.filter(language=Language.RUSSIAN).first()
    assert "ЖАЛОБА" in russian.text and "{" not in russian.text
