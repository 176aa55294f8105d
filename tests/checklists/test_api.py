"""The observer API's checklists: the definitions of a station's published checklists, and the
answers, as JSON or multipart with photos; retries, refusals naming each question, and scoping."""

import hashlib
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from checklists.models import CriticalAnswer, Submission, SubmissionPhoto
from checklists.services import checklist_publish
from partners.keys import key_create
from partners.models import Partner
from reports.models import IncidentReport
from tests.api.test_photos import phone_photo_with_gps
from tests.checklists.conftest import ALL_FINE, MORNING, build_checklist
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

LIST = "/api/v1/checklists/"
ANSWERS = "/api/v1/checklist-answers/"


@pytest.fixture(autouse=True)
def published(version):
    return version


@pytest.fixture
def api():
    return APIClient()


def body(at_station, answers=None, **overrides) -> dict:
    data = {
        "id": str(uuid.uuid4()),
        "checklist": "opening",
        "version": 1,
        "station": at_station.pk,
        "answered_at": MORNING.isoformat(),
        "answers": dict(ALL_FINE) if answers is None else answers,
    }
    return {**data, **overrides}


def multipart(sent: dict, **photos: bytes) -> dict:
    parts = {"data": json.dumps(sent)}
    for code, content in photos.items():
        parts[f"photo.{code}"] = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    return parts


def error(response) -> dict:
    return response.json()["error"]


def test_an_observer_gets_the_current_version_of_each_published_checklist(
    observer_api, station, version, checklist
):
    build_checklist(checklist.election, checklist.organization, code="unpublished")

    response = observer_api.get(LIST, {"station": station.pk})

    assert response.status_code == 200
    (only,) = response.json()
    assert (only["code"], only["version"], only["name"], only["phase"]) == (
        "opening",
        1,
        "Opening",
        "opening",
    )
    first = only["sections"][0]
    assert first["title"] == "Before voting"
    assert first["questions"][0]["label"] == "Was the box sealed?"
    assert first["questions"][4]["choices"][0] == {"code": "all", "label": "All"}
    assert only["rules"][0]["message"] == "More voted than registered."


def test_texts_come_in_the_requests_language_or_else_in_english(observer_api, station, version):
    response = observer_api.get(LIST, {"station": station.pk}, HTTP_ACCEPT_LANGUAGE="ru")

    (only,) = response.json()
    assert only["name"] == "Открытие"
    assert only["sections"][0]["title"] == "До голосования"
    assert only["sections"][0]["questions"][0]["label"] == "Урна опечатана?"
    # No Russian written for the second section: its English title stands in.
    assert only["sections"][1]["title"] == "Numbers"


def test_after_republishing_only_the_new_version_is_given(
    observer_api, station, checklist, version, superuser
):
    checklist.questions.filter(code="voted").update(label_en="Voters so far")
    checklist_publish(checklist=checklist, by=superuser)

    (only,) = observer_api.get(LIST, {"station": station.pk}).json()

    assert only["version"] == 2
    assert only["sections"][1]["questions"][1]["label"] == "Voters so far"


def test_checklists_of_a_station_that_is_not_the_observers_are_404(observer_api, make_station, version):
    elsewhere = make_station("777", district=3)

    response = observer_api.get(LIST, {"station": elsewhere.pk})

    assert response.status_code == 404
    assert observer_api.get(LIST, {"station": 10**9}).status_code == 404
    assert observer_api.get(LIST).status_code == 400


def test_each_organization_sees_only_its_own_checklists(
    bearer, make_member, station, other_organization, version, election, superuser
):
    theirs = build_checklist(election, other_organization, code="their-opening")
    checklist_publish(checklist=theirs, by=superuser)
    other = make_member("observer-other-org", other_organization, stations=[station])

    listed = bearer(other).get(LIST, {"station": station.pk}).json()

    assert [item["code"] for item in listed] == ["their-opening"]
    # Nor may they answer ours at the very same station.
    response = bearer(other).post(ANSWERS, body(station), format="json")
    assert response.status_code == 400
    assert error(response)["fields"] == {
        "checklist": ["No such published checklist version for this station."]
    }


def test_anonymous_callers_and_partner_keys_get_nothing(api, station, version, organization):
    _row, key = key_create(
        partner=Partner.objects.create(name="Press", organization=organization),
        scopes=["incidents:read"],
        days=3,
    )
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(LIST, {"station": station.pk}).status_code == 401
    assert api.post(ANSWERS, body(station), format="json").status_code == 401
    api.credentials()
    assert api.get(LIST, {"station": station.pk}).status_code == 401
    assert Submission.objects.count() == 0


def test_an_observer_sends_answers_and_a_retry_returns_the_same_submission(
    observer_api, observer, station, organization
):
    sent = body(station)

    first = observer_api.post(ANSWERS, sent, format="json")
    again = observer_api.post(ANSWERS, sent, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    submission = Submission.objects.get()
    assert first.json() == {
        "id": sent["id"],
        "checklist": "opening",
        "version": 1,
        "station": station.pk,
        "answered_at": "2023-03-19T03:30:00Z",
        "answers": {key: value for key, value in ALL_FINE.items() if key != "problems"},
        "flags": [],
        "photos": [],
        "reports": [],
        "received_at": submission.received_at.isoformat().replace("+00:00", "Z"),
    }
    assert (submission.observer, submission.organization, submission.station) == (
        observer,
        organization,
        station,
    )


def test_a_retry_with_other_answers_returns_the_first_submission_unchanged(observer_api, station):
    sent = body(station)
    observer_api.post(ANSWERS, sent, format="json")

    changed = observer_api.post(
        ANSWERS, {**sent, "answers": {**ALL_FINE, "box_sealed": False}}, format="json"
    )

    assert changed.status_code == 200
    assert changed.json()["answers"]["box_sealed"] is True
    assert (Submission.objects.count(), IncidentReport.objects.count()) == (1, 0)


def test_another_observer_cannot_reuse_a_submission_id(
    observer_api, bearer, make_member, organization, station
):
    sent = body(station)
    observer_api.post(ANSWERS, sent, format="json")
    colleague = make_member("observer-d", organization, stations=[station])

    response = bearer(colleague).post(ANSWERS, sent, format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["id"]


def test_a_refusal_names_each_question_at_fault(observer_api, station):
    answers = {**ALL_FINE, "registered": 9000, "opened_at": "late", "admitted": "maybe", "ballots": 3}
    del answers["box_sealed"]

    response = observer_api.post(ANSWERS, body(station, answers), format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert error(response)["fields"] == {
        "answers.ballots": ["This checklist has no such question."],
        "answers.box_sealed": ["This question needs an answer."],
        "answers.opened_at": ["Give the time as HH:MM, for example 07:45."],
        "answers.admitted": ["Choose one of the question's choices."],
        "answers.registered": ["The answer cannot be more than 5000."],
    }
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"checklist": "closing"}, "checklist"),
        ({"version": 2}, "checklist"),
        ({"answered_at": "2023-03-19T09:30:00"}, "answered_at"),
        ({"answered_at": "2023-03-01T09:30:00+06:00"}, "answered_at"),
        ({"answers": ["box_sealed"]}, "answers"),
        ({"id": "not-a-uuid"}, "id"),
    ],
)
def test_a_malformed_or_unknown_request_is_400_naming_its_field(
    observer_api, station, version, overrides, field
):
    response = observer_api.post(ANSWERS, body(station, **overrides), format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]


def test_answers_for_a_station_that_is_not_the_observers_are_404(observer_api, make_station, version):
    response = observer_api.post(ANSWERS, body(make_station("777", district=3)), format="json")

    assert response.status_code == 404
    assert Submission.objects.count() == 0


def test_broken_consistency_rules_are_kept_and_flagged_in_the_language_of_the_request(observer_api, station):
    sent = body(station, {**ALL_FINE, "voted": 1300})

    response = observer_api.post(ANSWERS, sent, format="json")

    assert response.status_code == 201
    assert response.json()["flags"] == [
        {"rule": 0, "left": 1300, "right": 1200, "message": "More voted than registered."}
    ]
    assert Submission.objects.get().answers["voted"] == 1300


def test_a_photo_part_answers_a_photo_question_and_is_stored_without_metadata(observer_api, station):
    received = phone_photo_with_gps()
    assert b"GPS" in received and b"samsung" in received

    response = observer_api.post(ANSWERS, multipart(body(station), box_photo=received), format="multipart")

    assert response.status_code == 201
    photo = SubmissionPhoto.objects.get()
    assert response.json()["photos"] == [
        {"question": "box_photo", "sha256": hashlib.sha256(received).hexdigest(), "width": 120, "height": 90}
    ]
    assert photo.captured_at.isoformat() == "2023-03-19T03:12:00+00:00"
    with photo.image.open("rb") as stored:
        content = stored.read()
    assert b"GPS" not in content and b"samsung" not in content
    assert not Image.open(io.BytesIO(content)).getexif()


def test_a_required_photo_missing_from_the_parts_is_refused(
    observer_api, checklist, version, superuser, station
):
    checklist.questions.filter(code="box_photo").update(required=True)
    checklist_publish(checklist=checklist, by=superuser)

    response = observer_api.post(ANSWERS, multipart(body(station, version=2)), format="multipart")

    assert response.status_code == 400
    assert error(response)["fields"] == {"answers.box_photo": ["This question needs a photo."]}


def test_a_file_part_not_named_for_a_photo_question_is_refused(observer_api, station, version):
    parts = multipart(body(station))
    parts["picture"] = SimpleUploadedFile("photo.jpg", jpeg_bytes(), content_type="image/jpeg")

    response = observer_api.post(ANSWERS, parts, format="multipart")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["picture"]


def test_a_multipart_request_without_json_data_is_refused(observer_api, station, version):
    response = observer_api.post(ANSWERS, {"data": "{not json"}, format="multipart")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["data"]


def test_critical_answers_become_incident_reports_in_the_review_queue(
    observer_api, observer, station, organization
):
    sent = body(station, {**ALL_FINE, "box_sealed": False, "admitted": "nobody"})

    response = observer_api.post(ANSWERS, sent, format="json")
    again = observer_api.post(ANSWERS, sent, format="json")

    assert (response.status_code, again.status_code) == (201, 200)
    reports = {report.category: report for report in IncidentReport.objects.all()}
    assert set(reports) == {"unsealed_or_unattended_box", "observer_obstruction"}
    unsealed = reports["unsealed_or_unattended_box"]
    assert (unsealed.severity, unsealed.phase, unsealed.status) == (3, "opening", "submitted")
    assert (unsealed.station, unsealed.observer, unsealed.organization) == (station, observer, organization)
    assert unsealed.occurred_at == MORNING
    assert unsealed.description == (
        "Checklist “Opening” (version 1), question box_sealed “Was the box sealed?”: no"
    )
    assert reports["observer_obstruction"].severity == 5
    assert reports["observer_obstruction"].description.endswith("“Question admitted”: Nobody")
    assert unsealed.events.get().action == "submit"
    links = {answer.question: answer.report_id for answer in CriticalAnswer.objects.all()}
    assert links == {"box_sealed": unsealed.pk, "admitted": reports["observer_obstruction"].pk}
    assert sorted(response.json()["reports"], key=lambda r: r["question"]) == [
        {"question": "admitted", "id": str(reports["observer_obstruction"].pk)},
        {"question": "box_sealed", "id": str(unsealed.pk)},
    ]


def test_a_critical_answer_of_a_hidden_question_makes_no_report(
    observer_api, checklist, version, superuser, station
):
    checklist.questions.filter(code="admitted").update(show_if_question="box_sealed", show_if_equals="true")
    checklist_publish(checklist=checklist, by=superuser)

    response = observer_api.post(
        ANSWERS,
        body(station, {**ALL_FINE, "box_sealed": False, "admitted": "nobody"}, version=2),
        format="json",
    )

    assert response.status_code == 201
    assert list(IncidentReport.objects.values_list("category", flat=True)) == ["unsealed_or_unattended_box"]


@pytest.mark.parametrize("extra", [0, 4])
def test_the_checklist_list_takes_the_same_queries_whatever_the_number_of_checklists(
    bearer, observer, station, checklist, superuser, extra, django_assert_num_queries
):
    for n in range(extra):
        checklist_publish(
            checklist=build_checklist(checklist.election, checklist.organization, code=f"c{n}"), by=superuser
        )
    client = bearer(observer)
    # The token with its user, the token's last use, the station with the observer's organization,
    # the versions.
    with django_assert_num_queries(4):
        response = client.get(LIST, {"station": station.pk})
    assert len(response.json()) == extra + 1


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**ALL_FINE, "problems": ["materials"], "missing": "ink\x00"}, "answers.missing"),
        ({**ALL_FINE, "admitted": {"nested": ["all"]}}, "answers.admitted"),
        ({**ALL_FINE, "problems": [["late"]]}, "answers.problems"),
        ({**ALL_FINE, "registered": 10**40}, "answers.registered"),
        ({**ALL_FINE, "box_sealed": None, "opened_at": None}, "answers.box_sealed"),
    ],
)
def test_hostile_answers_are_refused_with_400(observer_api, station, answers, field):
    response = observer_api.post(ANSWERS, body(station, answers), format="json")

    assert response.status_code == 400
    assert field in error(response)["fields"]
    assert Submission.objects.count() == 0


def test_a_huge_number_within_an_open_range_is_kept_and_flagged(observer_api, station):
    response = observer_api.post(ANSWERS, body(station, {**ALL_FINE, "voted": 10**40}), format="json")

    assert response.status_code == 201
    assert Submission.objects.get().answers["voted"] == 10**40
    assert [flag["rule"] for flag in response.json()["flags"]] == [0]
