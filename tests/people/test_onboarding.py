"""Bulk onboarding of observers from a CSV or Excel file: all or nothing with every bad line named,
a second import updating the same people, no passwords, and the admin page for coordinators only."""

import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from core.errors import NotFound
from people.models import Assignment, Membership, Role
from people.onboarding import normalize_phone, observers_import
from stations.importers import CsvImportError
from stations.models import Election
from tests.reports.test_review_admin import in_group

pytestmark = pytest.mark.django_db

HEADER = "full_name,phone,email,language,stations,roaming\n"
User = get_user_model()


@pytest.fixture
def stations(make_station):
    return {number: make_station(number, district=1) for number in ("101", "102", "103")}


@pytest.fixture
def other_election_station(db):
    from stations.models import District, PollingStation, Region

    other = Election.objects.create(slug="local-2021", name="Local 2021", date="2021-01-10")
    region = Region.objects.create(election=other, name="Astana")
    district = District.objects.create(election=other, number=1, name="District 1", region=region)
    return PollingStation.objects.create(
        election=other, number="555", region=region, district=district, registered_voters=900
    )


def load(organization, election, text: str, *, by=None):
    return observers_import(organization=organization, election=election, data=text.encode(), by=by)


def observers(organization) -> dict[str, Membership]:
    rows = Membership.objects.filter(organization=organization, role=Role.OBSERVER).select_related("user")
    return {membership.user.username: membership for membership in rows}


def stations_of(membership) -> set[str]:
    return set(membership.assignments.values_list("station__number", flat=True))


def refusal(organization, election, text: str) -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        load(organization, election, text)
    return [str(error) for error in caught.value.errors]


GOOD = (
    HEADER
    + "Айгерим Нұрланова,8 701 123 45 67,Aigerim@Example.org,kk,101 102,no\n"
    + "Иван Петров,+7 (702) 000-11-22,,ru,103,yes\n"
)


def test_it_creates_observers_with_their_stations_and_no_password(organization, election, stations):
    result = load(organization, election, GOOD)

    assert (result.rows, result.created, result.updated, result.assigned) == (2, 2, 0, 3)
    found = observers(organization)
    assert set(found) == {"honest-count-0001", "honest-count-0002"}
    aigerim, ivan = found["honest-count-0001"], found["honest-count-0002"]
    assert aigerim.user.get_full_name() == "Айгерим Нұрланова"
    assert (aigerim.phone, aigerim.user.email, aigerim.language, aigerim.roaming) == (
        "+77011234567",
        "aigerim@example.org",
        "kk",
        False,
    )
    assert (ivan.phone, ivan.language, ivan.roaming) == ("+77020001122", "ru", True)
    assert stations_of(aigerim) == {"101", "102"} and stations_of(ivan) == {"103"}
    assert not aigerim.user.has_usable_password() and not ivan.user.has_usable_password()


def test_an_excel_workbook_is_read_like_a_csv(organization, election, stations):
    book = Workbook()
    sheet = book.active
    sheet.append(["Full_Name", "phone", "email", "language", "stations", "roaming"])
    # Excel keeps numbers typed into cells as numbers: a phone and a station number among them.
    sheet.append(["Dana Ospanova", 77011112233, "dana@example.org", "en", 101, "yes"])
    sheet.append([None, None, None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)

    result = observers_import(organization=organization, election=election, data=buffer.getvalue(), by=None)

    assert (result.rows, result.created) == (1, 1)
    dana = observers(organization)["honest-count-0001"]
    assert (dana.phone, dana.language, dana.roaming) == ("+77011112233", "en", True)
    assert stations_of(dana) == {"101"}


def test_a_bad_file_is_refused_whole_and_every_bad_line_is_named(
    organization, election, stations, other_election_station
):
    text = (
        HEADER
        + "Good Person,+77010000001,good@example.org,ru,101,no\n"  # line 2: fine
        + "Unknown Station,+77010000002,,ru,101 999,no\n"  # line 3
        + "Other Election,+77010000003,,ru,555,no\n"  # line 4
        + "Same Phone,8 701 000 00 01,,kk,,no\n"  # line 5
        + "Same Email,+77010000005,GOOD@example.org,kk,,no\n"  # line 6
        + ",+77010000006,,fr,,maybe\n"  # line 7
        + "No Contact,,,ru,,no\n"  # line 8
        + "Bad Phone,12ab,not-an-address,ru,,no\n"  # line 9
        + "Too,Many,Fields,ru,101,no,extra\n"  # line 10
    )

    problems = refusal(organization, election, text)

    assert problems == [
        "line 3: no station numbered 999 in Test election 2023.",
        "line 4: station 555 is one of Local 2021, not of Test election 2023.",
        "line 5: the phone +77010000001 is already on line 2.",
        "line 6: the e-mail good@example.org is already on line 2.",
        "line 7: full_name is empty.",
        "line 7: language must be kk, ru or en, not 'fr'.",
        "line 7: roaming must be yes or no, not 'maybe'.",
        "line 8: give a phone or an e-mail address: the next import finds the observer by them.",
        "line 9: '12ab' is not a phone number (write it as +77011234567).",
        "line 9: 'not-an-address' is not an e-mail address.",
        "line 10: this row has more fields than the header.",
    ]
    assert not Membership.objects.filter(organization=organization).exists()
    assert not User.objects.exists()


def test_a_second_import_updates_the_same_people_and_creates_nobody_twice(organization, election, stations):
    load(organization, election, GOOD)
    again = (
        HEADER
        # Found by the phone, written another way; the e-mail column left empty keeps the address.
        + "Айгерим Нұрланқызы,+7 701 123 4567,,ru,103,yes\n"
        # Found by the e-mail address this time: the phone is new and replaces the stored one.
        + "Иван Петров,+77029998877,ivan@example.org,ru,103,no\n"
        + "Новый Наблюдатель,+77030000000,,kk,,no\n"
    )
    User.objects.filter(username="honest-count-0002").update(email="ivan@example.org")

    result = load(organization, election, again)

    assert (result.rows, result.created, result.updated, result.assigned, result.unassigned) == (
        3,
        1,
        2,
        1,
        2,
    )
    found = observers(organization)
    assert set(found) == {"honest-count-0001", "honest-count-0002", "honest-count-0003"}
    aigerim, ivan = found["honest-count-0001"], found["honest-count-0002"]
    assert (aigerim.user.get_full_name(), aigerim.user.email, aigerim.language, aigerim.roaming) == (
        "Айгерим Нұрланқызы",
        "aigerim@example.org",
        "ru",
        True,
    )
    assert stations_of(aigerim) == {"103"}
    assert (ivan.phone, ivan.roaming, stations_of(ivan)) == ("+77029998877", False, {"103"})
    assert User.objects.count() == 3


def test_the_same_file_twice_changes_nothing_the_second_time(organization, election, stations):
    load(organization, election, GOOD)
    before = list(Assignment.objects.order_by("pk").values_list("pk", "membership_id", "station_id"))

    result = load(organization, election, GOOD)

    assert (result.created, result.updated, result.assigned, result.unassigned) == (0, 2, 0, 0)
    assert list(Assignment.objects.order_by("pk").values_list("pk", "membership_id", "station_id")) == before


def test_a_line_whose_phone_and_email_belong_to_two_members_is_refused(organization, election, stations):
    load(
        organization,
        election,
        HEADER + "One,+77010000001,one@example.org,ru,,no\nTwo,+77010000002,two@example.org,ru,,no\n",
    )

    problems = refusal(organization, election, HEADER + "Mixed,+77010000001,two@example.org,ru,,no\n")

    assert problems == [
        "line 2: the phone is honest-count-0001's and the e-mail honest-count-0002's: which one is this?"
    ]


def test_a_member_of_staff_found_by_phone_is_not_made_an_observer(organization, election, make_member):
    coordinator = make_member("coordinator-a", organization, role=Role.COORDINATOR, is_staff=True)
    Membership.objects.filter(user=coordinator).update(phone="+77015550000")

    problems = refusal(organization, election, HEADER + "Boss,8 701 555 00 00,,ru,,no\n")

    assert problems == ["line 2: coordinator-a is a coordinator of Honest Count, not an observer."]
    assert Membership.objects.get(user=coordinator).role == Role.COORDINATOR


def test_people_of_another_organization_are_neither_found_nor_named(
    organization, other_organization, election, make_member
):
    other = make_member("observer-b", other_organization, email="same@example.org")
    Membership.objects.filter(user=other).update(phone="+77010000001")

    result = load(organization, election, HEADER + "Same Person,+77010000001,same@example.org,ru,,no\n")

    assert (result.created, result.updated) == (1, 0)
    assert other.memberships.get().organization == other_organization


def test_new_usernames_follow_the_highest_number_of_the_organization(organization, election, make_member):
    make_member("honest-count-0041", organization)
    make_member("honest-count-coordinator", organization, role=Role.COORDINATOR)

    load(organization, election, HEADER + "Next One,+77010000001,,ru,,no\n")

    assert "honest-count-0042" in observers(organization)


def test_stations_without_an_election_are_refused(organization):
    problems = refusal(organization, None, HEADER + "Someone,+77010000001,,ru,101,no\n")

    assert problems == ["line 2: stations are given but no election was chosen."]


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_with_a_clear_message(organization, election):
    with pytest.raises(CsvImportError) as caught:
        observers_import(organization=organization, election=election, data=b"PK\x03\x04garbage", by=None)
    assert [str(error) for error in caught.value.errors] == [
        "This Excel file cannot be read; save it again as .xlsx or CSV."
    ]
    with pytest.raises(CsvImportError) as caught:
        load(organization, election, "name,phone\nA,1\n")
    assert [str(error) for error in caught.value.errors] == [
        "line 1: missing column(s): full_name, email, language, stations, roaming."
    ]


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("8 701 123 45 67", "+77011234567"),
        ("+7 (701) 123-45-67", "+77011234567"),
        ("77011234567", "+77011234567"),
        ("0049 30 1234567", "+49301234567"),
        ("12345", None),
        ("+7 701 ABC", None),
    ],
)
def test_phone_numbers_are_stored_in_one_form(written, stored):
    assert normalize_phone(written) == stored


def test_only_a_coordinator_of_the_organization_may_import(
    organization, other_organization, election, make_member, superuser
):
    reviewer = make_member("reviewer-a", organization, role=Role.REVIEWER, is_staff=True)
    elsewhere = make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)
    for user in (reviewer, elsewhere):
        with pytest.raises(NotFound):
            load(organization, election, GOOD, by=user)
    assert not observers(organization)

    assert load(organization, None, HEADER + "A,+77010000001,,ru,,no\n", by=superuser).created == 1


# --- The management command ------------------------------------------------------------------


def test_the_command_imports_a_file(organization, election, stations, tmp_path):
    path = tmp_path / "observers.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()

    call_command(
        "import_observers", "--organization", "honest-count", "--election", "test-2023", str(path), stdout=out
    )

    assert "2 observers read for Honest Count in Test election 2023: 2 created, 0 updated" in out.getvalue()
    assert len(observers(organization)) == 2


def test_the_command_names_each_bad_line_and_writes_nothing(organization, election, stations, tmp_path):
    path = tmp_path / "observers.csv"
    lines = ["A,+77010000001,,ru,999,no", "B,8 701 000 00 01,,kk,,no", "C,+77010000009,,xx,,no"]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="3 problem"):
        call_command("import_observers", "--organization", "honest-count", str(path), stderr=err)

    assert err.getvalue().splitlines() == [
        "observers.csv: line 2: no station numbered 999 in Test election 2023.",
        "observers.csv: line 3: the phone +77010000001 is already on line 2.",
        "observers.csv: line 4: language must be kk, ru or en, not 'xx'.",
    ]
    assert not observers(organization)


def test_the_command_refuses_an_unknown_organization(tmp_path):
    with pytest.raises(CommandError, match="No organization with the slug 'nobody'"):
        call_command("import_observers", "--organization", "nobody", str(tmp_path / "x.csv"))


# --- The admin page ----------------------------------------------------------------------------

IMPORT_URL = "admin:people_membership_import_observers"


def upload(text: str, name: str = "observers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def staff(organization, other_organization, make_member):
    """Observers, reviewers and coordinators of two organizations, a superuser, and anonymous (None)."""
    people = {
        "observer": make_member("observer-a", organization),
        "reviewer": in_group(
            make_member("reviewer-a", organization, role=Role.REVIEWER, is_staff=True), "Reviewer"
        ),
        "coordinator": in_group(
            make_member("coordinator-a", organization, role=Role.COORDINATOR, is_staff=True), "Coordinator"
        ),
        "other coordinator": in_group(
            make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True),
            "Coordinator",
        ),
        "other reviewer": in_group(
            make_member("reviewer-b", other_organization, role=Role.REVIEWER, is_staff=True), "Reviewer"
        ),
        "superuser": User.objects.create_superuser("root", "root@example.org", "pw-for-tests-only"),
        "anonymous": None,
    }
    return people


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("observer", 302),
        ("reviewer", 403),
        ("other reviewer", 403),
        ("coordinator", 200),
        ("other coordinator", 200),
        ("superuser", 200),
    ],
)
def test_the_import_page_opens_for_coordinators_only(client, staff, who, status):
    if staff[who] is not None:
        client.force_login(staff[who])

    response = client.get(reverse(IMPORT_URL))

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_coordinator_imports_into_their_organization_and_is_told_the_summary(
    client, staff, organization, election, stations
):
    client.force_login(staff["coordinator"])

    response = client.post(
        reverse(IMPORT_URL),
        {"organization": organization.pk, "election": election.pk, "file": upload(GOOD)},
        follow=True,
    )

    assert response.status_code == 200
    assert "2 observers read: 2 created, 0 updated; 3 station assignments added, 0 removed." in response.text
    assert {"honest-count-0001", "honest-count-0002"} <= set(observers(organization))


def test_the_admin_page_lists_each_bad_line_and_writes_nothing(
    client, staff, organization, election, stations
):
    client.force_login(staff["coordinator"])
    text = HEADER + "A,+77010000001,,ru,999,no\nB,,,ru,,no\n"

    response = client.post(
        reverse(IMPORT_URL), {"organization": organization.pk, "election": election.pk, "file": upload(text)}
    )

    assert response.status_code == 400
    assert [str(error) for error in response.context["errors"]] == [
        "line 2: no station numbered 999 in Test election 2023.",
        "line 3: give a phone or an e-mail address: the next import finds the observer by them.",
    ]
    assert "2 problems were found. Nothing was changed." in response.text
    assert set(observers(organization)) == {"observer-a"}


def test_a_coordinator_cannot_import_into_another_organization(
    client, staff, organization, other_organization, election
):
    client.force_login(staff["other coordinator"])

    response = client.post(
        reverse(IMPORT_URL), {"organization": organization.pk, "election": election.pk, "file": upload(GOOD)}
    )

    assert response.status_code == 400
    assert "organization" in response.context["form"].errors
    assert set(observers(organization)) == {"observer-a"}
    assert not observers(other_organization)


@pytest.mark.parametrize(("who", "shown"), [("coordinator", True), ("reviewer", False)])
def test_the_memberships_list_links_to_the_import_for_coordinators(client, staff, who, shown):
    client.force_login(staff[who])

    response = client.get(reverse("admin:people_membership_changelist"))

    assert response.status_code == 200
    assert (reverse(IMPORT_URL) in response.text) is shown
