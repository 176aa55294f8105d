"""The observer's pages as plain HTML forms, through the Django test client and the real database."""

import gzip
import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import ObserverToken
from reports.models import CheckIn, IncidentReport, ReportPhoto, ReportStatus
from reports.services import checkin_create, report_submit
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

STATIC_DIR = Path(__file__).resolve().parents[2] / "api" / "static" / "observe"
STATIC_BUDGET = 100 * 1024
DOWNLOAD_BUDGET = 36 * 1024


def station_time(station, delta=timedelta(minutes=-2)) -> str:
    """A time as the report form's datetime-local input sends it, in the station's zone."""
    local = timezone.localtime(timezone.now() + delta, ZoneInfo(station.election.timezone))
    return local.strftime("%Y-%m-%dT%H:%M")


def report_post(station, **overrides) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "category": "ballot_stuffing",
        "phase": "voting",
        "occurred_at": station_time(station),
        "description": "A man put a stack of ballots into box 2.",
        **overrides,
    }


def photo(name="box.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(size=(640, 480)), content_type="image/jpeg")


@pytest.fixture
def owner(client, observer):
    client.force_login(observer)
    return client


def urls(station) -> dict[str, str]:
    return {
        "stations": reverse("observe:stations"),
        "report": reverse("observe:report", args=[station.pk]),
        "reports": reverse("observe:reports"),
    }


def test_the_owner_sees_each_page(owner, station):
    pages = urls(station)
    stations = owner.get(pages["stations"])
    assert stations.status_code == 200
    assert "Station 101" in stations.text and "School 5" in stations.text
    for label in ("Arrived", "Opening", "Voting", "Counting", "Left", "All clear"):
        assert label in stations.text
    form = owner.get(pages["report"])
    assert form.status_code == 200
    assert 'accept="image/*" capture="environment" multiple' in form.text
    assert form.context["form"]["id"].value() is not None
    assert "Ballot stuffing" in form.text and 'type="datetime-local"' in form.text
    assert owner.get(pages["reports"]).status_code == 200


def test_anonymous_visitors_are_sent_to_the_observer_login(client, station):
    for url in urls(station).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('observe:login')}?next={url}"
    checkin = client.post(reverse("observe:checkin", args=[station.pk]), {"id": str(uuid.uuid4())})
    assert checkin.status_code == 302 and CheckIn.objects.count() == 0


def test_the_root_address_leads_to_the_observer_pages(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("observe:stations")


def test_the_login_page_signs_in_and_goes_to_my_stations(client, observer):
    page = client.get(reverse("observe:login"))
    assert page.status_code == 200 and "Қазақша" in page.text and "Русский" in page.text
    response = client.post(
        reverse("observe:login"), {"username": "observer-a", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("observe:stations")


def test_a_wrong_password_shows_the_login_page_again(client, observer):
    response = client.post(reverse("observe:login"), {"username": "observer-a", "password": "wrong"})
    assert response.status_code == 200
    assert "observer-a" in response.text and response.context["form"].errors


def test_logging_out_takes_a_post_and_revokes_the_phones_tokens(owner):
    assert owner.post(reverse("observe:token")).status_code == 201
    assert owner.get(reverse("observe:logout")).status_code == 405
    response = owner.post(reverse("observe:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("observe:login")
    assert ObserverToken.objects.usable().count() == 0
    assert owner.get(reverse("observe:stations")).status_code == 302


def test_an_observer_of_another_organization_gets_404_for_a_station_not_theirs(
    client, other_observer, station
):
    client.force_login(other_observer)
    assert client.get(reverse("observe:report", args=[station.pk])).status_code == 404
    assert client.post(reverse("observe:report", args=[station.pk]), report_post(station)).status_code == 404
    checkin = client.post(
        reverse("observe:checkin", args=[station.pk]), {"id": str(uuid.uuid4()), "kind": "arrival"}
    )
    assert checkin.status_code == 404
    assert CheckIn.objects.count() == 0 and IncidentReport.objects.count() == 0


def test_another_observers_reports_do_not_appear_on_my_reports(client, observer, other_observer, station):
    report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="vote_buying",
        phase="voting",
        occurred_at=timezone.now(),
        description="Secret text of observer A",
    )
    client.force_login(other_observer)
    response = client.get(reverse("observe:reports"))
    assert response.status_code == 200 and "Secret text of observer A" not in response.text


def test_staff_without_an_observer_role_are_told_to_use_the_admin(client, reviewer, station):
    client.force_login(reviewer)
    response = client.get(reverse("observe:stations"))
    assert response.status_code == 403
    assert reverse("admin:index") in response.text
    assert client.get(reverse("observe:report", args=[station.pk])).status_code == 403


def test_a_check_in_without_javascript_creates_one_row_even_when_posted_twice(owner, observer, station):
    form_id = str(uuid.uuid4())
    post = {"id": form_id, "kind": "arrival", "all_clear": "1"}
    first = owner.post(reverse("observe:checkin", args=[station.pk]), post, follow=True)
    assert first.status_code == 200
    assert "Check-in received at" in first.text
    again = owner.post(reverse("observe:checkin", args=[station.pk]), post, follow=True)
    assert "already arrived" in again.text
    row = CheckIn.objects.get()
    assert (str(row.id), row.observer, row.station, row.kind, row.all_clear) == (
        form_id,
        observer,
        station,
        "arrival",
        True,
    )


def test_a_check_in_of_an_unknown_kind_shows_the_message_beside_the_station(owner, station):
    response = owner.post(
        reverse("observe:checkin", args=[station.pk]), {"id": str(uuid.uuid4()), "kind": "party"}
    )
    assert response.status_code == 400
    assert "party is not a valid choice." in response.text
    assert CheckIn.objects.count() == 0


def test_a_report_without_javascript_is_filed_with_its_photo_once(owner, observer, station):
    post = report_post(station)
    response = owner.post(reverse("observe:report", args=[station.pk]), {**post, "photos": [photo()]})
    assert response.status_code == 302 and response["Location"] == reverse("observe:reports")
    report = IncidentReport.objects.get()
    assert (str(report.id), report.observer, report.category, report.severity) == (
        post["id"],
        observer,
        "ballot_stuffing",
        5,
    )
    assert ReportPhoto.objects.get().report == report
    again = owner.post(reverse("observe:report", args=[station.pk]), {**post, "photos": [photo("again.jpg")]})
    assert again.status_code == 302
    assert IncidentReport.objects.count() == 1 and ReportPhoto.objects.count() == 1
    page = owner.get(reverse("observe:reports"))
    assert "already arrived" in page.text
    assert str(report.id)[:8] in page.text
    assert reverse("observe:photo_thumbnail", args=[ReportPhoto.objects.get().pk]) in page.text


def test_the_report_time_is_read_in_the_stations_time_zone(owner, station):
    post = report_post(station)
    owner.post(reverse("observe:report", args=[station.pk]), post)
    stored = IncidentReport.objects.get().occurred_at
    local = timezone.localtime(stored, ZoneInfo(station.election.timezone))
    assert local.strftime("%Y-%m-%dT%H:%M") == post["occurred_at"]


def test_a_too_long_description_is_refused_beside_the_field_and_kept(owner, station):
    text = "x" * 5001
    response = owner.post(
        reverse("observe:report", args=[station.pk]), report_post(station, description=text)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["description"] == [
        "The description is longer than 5000 characters."
    ]
    assert text in response.text
    assert IncidentReport.objects.count() == 0


def test_a_time_in_the_future_is_refused_and_what_was_typed_is_kept(owner, station):
    post = report_post(station, occurred_at=station_time(station, timedelta(days=1)), category="vote_buying")
    response = owner.post(reverse("observe:report", args=[station.pk]), post)
    assert response.status_code == 400
    assert response.context["form"].errors["occurred_at"] == [
        "This time is in the future; check the phone's clock."
    ]
    assert post["description"] in response.text and post["occurred_at"] in response.text
    assert 'value="vote_buying" required checked' in response.text
    assert post["id"] in response.text
    assert IncidentReport.objects.count() == 0


def test_a_report_without_a_category_asks_for_one(owner, station):
    response = owner.post(reverse("observe:report", args=[station.pk]), report_post(station, category=""))
    assert response.status_code == 400
    assert response.context["form"].errors["category"] == ["Choose what happened."]
    assert IncidentReport.objects.count() == 0


def test_my_reports_show_status_question_and_receipt(owner, observer, station):
    report, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="intimidation",
        phase="voting",
        occurred_at=timezone.now(),
        photos=[photo()],
    )
    IncidentReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.NEEDS_INFO, question="Which box was it, number 1 or 2?"
    )
    page = owner.get(reverse("observe:reports")).text
    assert "Intimidation" in page and "Question from a reviewer" in page
    assert "Which box was it, number 1 or 2?" in page
    assert f"reference {str(report.id)[:8]}" in page


def test_the_token_endpoint_gives_the_signed_in_observer_a_token(owner, observer):
    response = owner.post(reverse("observe:token"))
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "observer-a"
    token = ObserverToken.objects.get()
    assert token.user == observer and token.key_hash == ObserverToken.hash_key(body["token"])
    assert response["Cache-Control"] == "no-store"


def test_the_token_endpoint_needs_a_session_and_its_csrf_token(client, observer, reviewer):
    assert client.post(reverse("observe:token")).status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(observer)
    assert strict.post(reverse("observe:token")).status_code == 403
    client.force_login(reviewer)
    assert client.post(reverse("observe:token")).status_code == 403
    assert ObserverToken.objects.count() == 0


def test_the_service_worker_is_served_for_the_observer_pages(client):
    response = client.get(reverse("observe:sw"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    script = response.content.decode()
    assert "__VERSION__" not in script and "/static/observe/outbox.js" in script


def test_my_stations_takes_the_same_queries_for_1_and_5_stations(
    client, make_member, organization, make_station, django_assert_num_queries
):
    few = make_member("few", organization, stations=[make_station("201")])
    many_stations = [make_station(f"30{n}", district=n) for n in range(5)]
    many = make_member("many", organization, stations=many_stations)
    for station in many_stations:
        checkin_create(
            observer=many, id=uuid.uuid4(), station_id=station.pk, kind="arrival", at=timezone.now()
        )
    for user, count in ((few, 1), (many, 5)):
        client.force_login(user)
        with django_assert_num_queries(4):
            response = client.get(reverse("observe:stations"))
        assert len(response.context["stations"]) == count
    assert "Last check-in: Arrived" in response.text


def test_my_reports_takes_the_same_queries_for_1_and_20_reports(
    client, observer, make_member, organization, station, django_assert_num_queries
):
    other = make_member("busy", organization, stations=[station])
    for user, count in ((observer, 1), (other, 20)):
        for n in range(count):
            report_submit(
                observer=user,
                id=uuid.uuid4(),
                station_id=station.pk,
                category="procedural",
                phase="voting",
                occurred_at=timezone.now() - timedelta(minutes=n),
                photos=[photo()] if n < 3 else [],
            )
        client.force_login(user)
        # One more than the reports take: the complaints filed in the observer's name (none here).
        with django_assert_num_queries(7):
            response = client.get(reverse("observe:reports"))
        assert len(response.context["page_obj"]) == count


def test_the_observer_pages_scripts_and_styles_stay_within_100_kb_and_36_kb_downloaded():
    """A phone downloads them once, compressed as WhiteNoise serves them, and keeps them."""
    files = [path for path in STATIC_DIR.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {
        "outbox.js",
        "sw.js",
        "observe.css",
        "counts.js",
        "checklists.js",
    }
    assert sum(path.stat().st_size for path in files) <= STATIC_BUDGET
    downloaded = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files)
    assert downloaded <= DOWNLOAD_BUDGET


def test_an_observer_without_a_station_is_told_to_ask_the_coordinator(client, unassigned_observer):
    client.force_login(unassigned_observer)
    response = client.get(reverse("observe:stations"))
    assert response.status_code == 200
    assert "No station is assigned to you yet" in response.text


def test_the_language_switcher_changes_the_page_language(owner):
    response = owner.post("/i18n/setlang/", {"language": "kk", "next": reverse("observe:reports")})
    assert response.status_code == 302 and response["Location"] == reverse("observe:reports")
    assert '<html lang="kk">' in owner.get(reverse("observe:reports")).text


def test_the_observer_answers_a_reviewers_question_from_my_reports(owner, observer, station, reviewer):
    from reports.services import report_ask

    report, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="vote_buying",
        phase="voting",
        occurred_at=timezone.now() - timedelta(minutes=5),
    )
    report_ask(report=report, by=reviewer, question="How much money?")
    page = owner.get(reverse("observe:reports")).content.decode()
    assert "How much money?" in page and reverse("observe:answer", args=[report.pk]) in page
    response = owner.post(reverse("observe:answer", args=[report.pk]), {"answer": "5,000 tenge each."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.question) == ("submitted", "")
    assert "answer was sent" in owner.get(reverse("observe:reports")).content.decode()


def test_someone_elses_report_cannot_be_answered(client, other_observer, observer, station, reviewer):
    from reports.services import report_ask

    report, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="vote_buying",
        phase="voting",
        occurred_at=timezone.now() - timedelta(minutes=5),
    )
    report_ask(report=report, by=reviewer, question="How much money?")
    client.force_login(other_observer)
    assert client.post(reverse("observe:answer", args=[report.pk]), {"answer": "x"}).status_code == 404
