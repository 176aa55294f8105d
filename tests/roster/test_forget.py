"""forget_observers: after it, no name, phone number or e-mail address of the organization's observers
is left in any column of any table, their accreditation photos are gone from the store, their
positions are cleared, while their reports, check-ins and counts stay and the scores re-run to the
same numbers; the run is in the audit trail, and another organization's observers are untouched."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from complaints.models import ComplaintPack
from complaints.services import complaint_edit_text
from integrity.models import DistrictScore
from integrity.services import scores_recompute
from outreach.models import Alert
from people.models import Membership
from people.services import token_issue
from reports.models import CheckIn, IncidentReport
from roster.forgetting import PSEUDONYM_PREFIX
from roster.models import Forgetting, RecontactCall
from tests.complaints.builders import consent, draft, file
from tests.images import jpeg_bytes
from tests.roster.conftest import check_in, local

pytestmark = pytest.mark.django_db

SECRETS = {
    "aigerim": ["Aigerim", "Nurlanova", "aigerim@example.kz", "+7 701 111 2233", "aigerim"],
    "bolat": ["Bolat", "Sadykov", "bolat.s@example.kz", "+7 701 444 5566", "bolat"],
}
SCORE_FIELDS = ["score", "interval_80_low", "interval_80_high", "band", "n", "process_risk", "count_risk"]


def observed(team):
    """Names, addresses and a photo on the observers; reports with positions, check-ins, an alert
    with a position and a note, a call whose note names one of them, and the admin's log of it all."""
    for username, (first, last, email, phone, _name) in SECRETS.items():
        user = getattr(team, username)
        user.first_name, user.last_name, user.email = first, last, email
        user.save()
        member = user.memberships.get()
        member.phone, member.accreditation_number = phone, f"ЦИК-{username}"
        member.accreditation_photo.save("doc.jpg", ContentFile(jpeg_bytes()), save=False)
        member.save()
        LogEntry.objects.log_actions(
            user_id=team.coordinator_a.pk,
            queryset=[member],
            action_flag=CHANGE,
            change_message=f"Changed phone to {phone}.",
            single_object=True,
        )
        AccessAttempt.objects.create(
            username=username, ip_address="127.0.0.1", user_agent="x", failures_since_start=1
        )
        token_issue(user=user)
    for index, (user, station) in enumerate(((team.aigerim, team.sampled[0]), (team.bolat, team.sampled[1]))):
        check_in(user, station, at=local("2023-03-19T07:30"))
        IncidentReport.objects.create(
            observer=user,
            organization=team.a,
            election=team.election,
            station=station,
            category="ballot_stuffing",
            severity=5,
            phase="voting",
            occurred_at=local("2023-03-19T12:20") + timedelta(minutes=index),
            description="A man put a stack of ballots into box 2.",
            latitude=Decimal("49.806000"),
            longitude=Decimal("73.085000"),
            status="verified",
        )
    member = team.aigerim.memberships.get()
    Alert.objects.create(
        membership=member,
        organization=team.a,
        kind="threatened",
        at=timezone.now(),
        note="Aigerim is outside school 5",
        latitude=Decimal("49.8"),
        longitude=Decimal("73.1"),
    )
    RecontactCall.objects.create(
        election=team.election,
        organization=team.a,
        station=team.sampled[0],
        stage="arrival",
        outcome="reached",
        note="Spoke to Nurlanova at +7 701 111 2233",
        by=team.reviewer_a,
    )


def columns_holding(words: list[str]) -> list[str]:
    """Every column of every table whose text (whatever its type) contains one of `words`."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
            for name, *_rest in cursor.description:
                where = " OR ".join([f"CAST({quote(name)} AS TEXT) LIKE %s"] * len(words))
                sql = f"SELECT COUNT(*) FROM {quote(table)} WHERE {where}"
                cursor.execute(sql, [f"%{word}%" for word in words])
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{name}")
    return found


def scores(team) -> list[tuple]:
    scores_recompute(election_id=team.election.pk, seed=7)
    rows = DistrictScore.objects.filter(election=team.election).order_by("district__number")
    return [(*[getattr(row, name) for name in SCORE_FIELDS], row.components) for row in rows]


def forget(team, **options) -> str:
    out = StringIO()
    call_command(
        "forget_observers", organization=team.a.slug, election=team.election.slug, stdout=out, **options
    )
    return out.getvalue()


def test_nothing_of_who_they_were_is_left_anywhere_in_the_database(team, django_capture_on_commit_callbacks):
    observed(team)
    words = [word for secrets in SECRETS.values() for word in secrets]
    assert len(columns_holding(words)) >= 6  # the scan finds them while they are there
    with django_capture_on_commit_callbacks(execute=True):
        forget(team)
    assert columns_holding(words) == []


def test_their_evidence_stays_and_the_scores_re_run_to_the_same_numbers(
    team, django_capture_on_commit_callbacks
):
    observed(team)
    before = scores(team)
    reports = set(IncidentReport.objects.values_list("pk", "observer_id"))
    checkins = set(CheckIn.objects.values_list("pk", "observer_id"))
    with django_capture_on_commit_callbacks(execute=True):
        forget(team)
    assert set(IncidentReport.objects.values_list("pk", "observer_id")) == reports
    assert set(CheckIn.objects.values_list("pk", "observer_id")) == checkins
    assert not IncidentReport.objects.filter(latitude__isnull=False).exists()
    assert scores(team) == before


def test_accounts_stay_under_a_pseudonym_closed_and_their_files_are_gone(
    team, django_capture_on_commit_callbacks
):
    observed(team)
    photo = team.aigerim.memberships.get().accreditation_photo
    storage, name = photo.storage, photo.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        forget(team)
    team.aigerim.refresh_from_db()
    assert team.aigerim.username.startswith(PSEUDONYM_PREFIX)
    assert not team.aigerim.is_active and not team.aigerim.has_usable_password()
    assert not team.aigerim.observer_tokens.filter(revoked_at__isnull=True).exists()
    assert not storage.exists(name)
    member = team.aigerim.memberships.get()
    assert (member.phone, member.accreditation_number, member.accreditation_photo.name) == ("", "", "")
    alert = Alert.objects.get()
    assert (alert.note, alert.latitude, alert.longitude) == ("", None, None)


def test_the_run_is_in_the_audit_trail(team):
    observed(team)
    output = forget(team)
    record = Forgetting.objects.get()
    assert (record.organization, record.election, record.observers) == (team.a, team.election, 2)
    assert (record.photos, record.positions) == (2, 3)
    assert sorted(record.pseudonyms) == sorted(
        Membership.objects.filter(organization=team.a, role="observer").values_list(
            "user__username", flat=True
        )
    )
    assert "2 observers of Honest Count" in output
    with pytest.raises(TypeError):
        record.delete()


def test_staff_and_another_organizations_observers_are_untouched(team):
    observed(team)
    team.dana.email = "dana@example.kz"
    team.dana.save()
    forget(team)
    team.dana.refresh_from_db()
    team.reviewer_a.refresh_from_db()
    assert (team.dana.username, team.dana.email, team.dana.is_active) == ("dana", "dana@example.kz", True)
    assert (team.reviewer_a.username, team.reviewer_a.is_active) == ("reviewer_a", True)


def test_a_second_run_finds_nobody_left_to_forget(team):
    observed(team)
    forget(team)
    assert "0 observers" in forget(team, dry_run=True)
    forget(team)
    assert Forgetting.objects.order_by("at").last().observers == 0


def test_a_dry_run_changes_nothing(team):
    observed(team)
    assert "2 observers of Honest Count" in forget(team, dry_run=True)
    team.aigerim.refresh_from_db()
    assert team.aigerim.first_name == "Aigerim" and not Forgetting.objects.exists()


@pytest.mark.parametrize("option", ["organization", "election"])
def test_an_unknown_slug_stops_the_command_with_nothing_changed(team, option):
    observed(team)
    arguments = {"organization": team.a.slug, "election": team.election.slug, option: "nowhere"}
    with pytest.raises(CommandError, match="nowhere"):
        call_command("forget_observers", **arguments)
    assert not Forgetting.objects.exists()


def test_the_audit_trail_is_listed_to_the_organizations_staff_only(team, as_who):
    observed(team)
    forget(team)
    record = Forgetting.objects.get()
    url = reverse("admin:roster_forgetting_changelist")
    assert "1 forgetting" in as_who("coordinator_a").get(url).content.decode()
    assert "0 forgettings" in as_who("coordinator_b").get(url).content.decode()
    change = reverse("admin:roster_forgetting_change", args=[record.pk])
    assert as_who("reviewer_a").get(change).status_code == 200
    assert as_who("reviewer_b").get(change).status_code == 404


def test_complaints_filed_in_their_name_keep_no_name_and_lose_their_built_documents(
    team, django_capture_on_commit_callbacks
):
    """A complaint signed by an observer who consented, its text edited to name her again, its PDF
    and evidence pack built: after forgetting, no trace of her in any table, and no built file."""
    observed(team)
    report = IncidentReport.objects.get(observer=team.aigerim)
    consent(team.aigerim, team.a)
    complaint = draft([report], team.coordinator_a, complainant=team.aigerim)
    complaint_edit_text(
        complaint=complaint,
        text=f"{complaint.text}\nWitness: Aigerim Nurlanova, +7 701 111 2233, aigerim@example.kz.",
        by=team.coordinator_a,
    )
    complaint = file(complaint, team.coordinator_a)
    pack = ComplaintPack.objects.create(complaint=complaint, requested_by=team.coordinator_a)
    pack.pdf.save("complaint.pdf", ContentFile(b"%PDF Aigerim Nurlanova"), save=False)
    pack.archive.save("pack.zip", ContentFile(b"PK Aigerim"), save=True)
    files = [pack.pdf.name, pack.archive.name]
    words = [word for secrets in SECRETS.values() for word in secrets]
    assert {"complaints_complaint.complainant_name", "complaints_complaint.text"} <= set(
        columns_holding(words)
    )
    assert "complaints_complaintevent.data" in columns_holding(words)

    with django_capture_on_commit_callbacks(execute=True):
        forget(team)

    assert columns_holding(words) == []
    complaint.refresh_from_db()
    assert "[removed]" in complaint.complainant_name and "Witness: [removed]" in complaint.text
    pack.refresh_from_db()
    assert (pack.pdf.name, pack.archive.name) == ("", "")
    assert not [name for name in files if pack.pdf.storage.exists(name)]
