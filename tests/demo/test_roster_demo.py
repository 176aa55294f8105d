"""The demo's roster: trained and accredited observers (some with a photo of the document), sampled
stations whose observers never arrived on the missing list, and calls already marked; a second
seed changes none of it."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo import roster as roster_demo
from people.models import Membership
from roster.missing import missing_entries
from roster.models import RecontactCall
from stations.models import Election

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--allow-demo-in-production", stdout=out)
    return out.getvalue()


def test_the_demo_has_a_roster_and_a_missing_list_with_calls():
    output = seed()
    election = Election.objects.get()
    citizen_watch = Membership.objects.filter(organization__slug="citizen-watch", role="observer")
    assert citizen_watch.filter(trained_on=roster_demo.TRAINED_ON).count() == roster_demo.TRAINED
    assert citizen_watch.exclude(accreditation_number="").count() == roster_demo.ACCREDITED
    assert citizen_watch.exclude(accreditation_photo="").count() == roster_demo.WITH_PHOTO
    entries = missing_entries(organization_id=citizen_watch.first().organization_id, election=election)
    arrival = [entry for entry in entries if entry.stage == "arrival"]
    never_came = [entry for entry in arrival if entry.observers[0].username.startswith("silent")]
    assert len(never_came) == roster_demo.SILENT  # and the onboarded observers, not yet there
    assert all(entry.observers[0].phone for entry in arrival)
    assert sorted(entry.calls for entry in arrival)[-3:] == [0, 1, 1]
    assert "2 calls marked on the missing list" in output

    seed()
    assert RecontactCall.objects.count() == 2
    assert citizen_watch.exclude(accreditation_photo="").count() == roster_demo.WITH_PHOTO
