"""The complaints filed in an observer's name: listed for that observer only, each with its PDF to
print, fetched with the phone's token or the browser's session; drafts, complaints signed by the
organization's representative and anyone else's complaints are 404 or absent."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from complaints import packs
from complaints.models import ComplaintPack, PackStatus, Status
from complaints.services import complaint_appeal, complaint_edit_text, complaint_file
from people.models import Organization
from tests.complaints.builders import (
    answered,
    appealed,
    consent,
    draft,
    file,
    filed,
    overdue,
    verified_report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(observer, organization, station, reviewer):
    """A complaint filed in the name of `observer`, who consented."""
    Organization.objects.filter(pk=organization.pk).update(representative_name="Aliya Representative")
    consent(observer, organization)
    report = verified_report(observer, station, reviewer)
    return filed([report], reviewer, complainant=observer)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def listed(client) -> list[int]:
    response = client.get(reverse("api:complaints"))
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_the_observer_in_whose_name_it_was_filed_sees_it_with_its_facts(bearer, observer, named, station):
    response = bearer(observer).get(reverse("api:complaints"))

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == named.pk
    assert row["station"] == {"number": "101", "name": "School 5", "address": "Abai St. 1"}
    assert row["district"] == {"number": 1, "name": "District 1"}
    assert row["addressee"] == "precinct election commission of polling station No. 101"
    assert (row["status"], row["outcome"], row["overdue"], row["incoming_number"]) == (
        "filed",
        None,
        False,
        "17",
    )
    assert row["deadline_at"] is not None and row["filed_at"] is not None
    assert row["pdf_url"].endswith(reverse("api:complaint_pdf", args=[named.pk]))


def test_the_pdf_comes_with_the_observers_token_and_carries_the_station(bearer, observer, named):
    response = bearer(observer).get(reverse("api:complaint_pdf", args=[named.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Authorization" in response["Vary"]
    text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert "Station No. 101" in text
    assert "observer-a" in text  # the complainant, who consented


def test_the_pdf_comes_with_a_browser_session_too(signed_in, named):
    response = signed_in("observer").get(reverse("api:complaint_pdf", args=[named.pk]))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")


def test_a_pdf_the_organization_built_after_filing_is_the_one_served(
    bearer, observer, named, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        packs.complaint_pack_request(complaint=named, by=reviewer)
    pack = ComplaintPack.objects.get(complaint=named)
    assert pack.status == PackStatus.DONE
    stored = pack.pdf.read()

    response = bearer(observer).get(reverse("api:complaint_pdf", args=[named.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored


def test_a_pdf_built_while_it_was_a_draft_is_not_served_for_the_text_filed(
    bearer, observer, organization, station, reviewer, django_capture_on_commit_callbacks
):
    consent(observer, organization)
    complaint = draft([verified_report(observer, station, reviewer)], reviewer, complainant=observer)
    with django_capture_on_commit_callbacks(execute=True):
        packs.complaint_pack_request(complaint=complaint, by=reviewer)
    amended = complaint_edit_text(
        complaint=complaint, text=f"{complaint.text}\nAmended before filing.", by=reviewer
    )
    # Recorded after the PDF was built, though handed in an hour before.
    file(amended, reviewer, at=timezone.now() - timedelta(hours=1))

    response = bearer(observer).get(reverse("api:complaint_pdf", args=[complaint.pk]))

    assert response.status_code == 200
    assert "Amended before filing." in pdf_text(response.content)


def test_a_pdf_asked_for_as_pdf_comes_and_a_refusal_stays_json(bearer, observer, named, other_observer):
    client = bearer(observer)
    assert (
        client.get(reverse("api:complaint_pdf", args=[named.pk]), HTTP_ACCEPT="application/pdf").status_code
        == 200
    )
    refused = bearer(other_observer).get(
        reverse("api:complaint_pdf", args=[named.pk]), HTTP_ACCEPT="application/pdf"
    )
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who", ["other_observer", "unassigned_observer", "reviewer", "coordinator"])
def test_nobody_else_sees_it_nor_its_pdf(who, request, bearer, named):
    client = bearer(request.getfixturevalue(who))
    assert listed(client) == []
    assert client.get(reverse("api:complaint_pdf", args=[named.pk])).status_code == 404


def test_an_observer_of_another_organization_gets_404(bearer, other_observer, named):
    response = bearer(other_observer).get(reverse("api:complaint_pdf", args=[named.pk]))
    assert response.status_code == 404


def test_anonymous_callers_are_refused(api, named):
    assert api.get(reverse("api:complaints")).status_code == 401
    assert api.get(reverse("api:complaint_pdf", args=[named.pk])).status_code == 401


def test_drafts_are_not_listed_and_their_pdf_is_404(bearer, observer, organization, station, reviewer):
    consent(observer, organization)
    report = verified_report(observer, station, reviewer)
    complaint = draft([report], reviewer, complainant=observer)
    client = bearer(observer)

    assert complaint.status == Status.DRAFT
    assert listed(client) == []
    assert client.get(reverse("api:complaint_pdf", args=[complaint.pk])).status_code == 404


def test_without_consent_the_complaint_is_the_representatives_and_the_observers_name_is_nowhere(
    bearer, make_member, organization, station, reviewer
):
    Organization.objects.filter(pk=organization.pk).update(representative_name="Aliya Representative")
    shy = make_member(
        "zq-shy-observer", organization, stations=[station], first_name="Zqshy", last_name="Hidden"
    )
    complaint = filed([verified_report(shy, station, reviewer)], reviewer)

    assert listed(bearer(shy)) == []
    assert bearer(shy).get(reverse("api:complaint_pdf", args=[complaint.pk])).status_code == 404
    complaint.refresh_from_db()
    assert complaint.complainant_name == "Aliya Representative"
    for word in ("zq-shy-observer", "Zqshy", "Hidden"):
        assert word not in complaint.text


def test_each_stage_shows_as_the_commission_left_it(bearer, observer, organization, station, reviewer):
    consent(observer, organization)
    report = verified_report(observer, station, reviewer)
    late = overdue([report], reviewer, complainant=observer)
    rejected = answered(filed([report], reviewer, complainant=observer), reviewer)
    # Drafted without a complainant: the representative signs them, so they are not the observer's.
    first, appeal = appealed([report], reviewer)

    rows = {row["id"]: row for row in bearer(observer).get(reverse("api:complaints")).json()["results"]}

    assert set(rows) == {late.pk, rejected.pk}
    assert (rows[late.pk]["status"], rows[late.pk]["overdue"]) == ("filed", True)
    assert (rows[rejected.pk]["status"], rows[rejected.pk]["outcome"]) == ("answered", "rejected")
    assert first.pk not in rows and appeal.pk not in rows


def test_an_appeal_signed_by_the_observer_links_to_the_complaint_appealed(
    bearer, observer, organization, station, reviewer
):
    consent(observer, organization)
    report = verified_report(observer, station, reviewer)
    original = answered(
        filed([report], reviewer, complainant=observer, at=timezone.now() - timedelta(days=3)), reviewer
    )
    appeal = complaint_appeal(complaint=original, by=reviewer)
    complaint_file(complaint=appeal, by=reviewer, filed_at=timezone.now(), filed_how="post", filed_to="DEC 1")

    rows = {row["id"]: row for row in bearer(observer).get(reverse("api:complaints")).json()["results"]}

    assert rows[appeal.pk]["appeal_of"] == original.pk
    assert rows[appeal.pk]["addressee_kind"] == "district"
    assert rows[original.pk]["status"] == "appealed"
    assert list(rows) == [appeal.pk, original.pk]  # newest filing first


def test_a_complaint_id_no_column_can_hold_is_404_not_an_error(bearer, observer):
    response = bearer(observer).get(f"/api/v1/complaints/{10**30}/pdf/")
    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_takes_the_same_queries_for_1_and_20_complaints(
    count, bearer, observer, organization, station, reviewer, django_assert_num_queries
):
    consent(observer, organization)
    report = verified_report(observer, station, reviewer)
    for _ in range(count):
        filed([report], reviewer, complainant=observer)
    client = bearer(observer)
    client.get(reverse("api:complaints"))  # the token's first use is recorded once

    # The token with its user, the count, and the page with station, district and election.
    with django_assert_num_queries(3):
        response = client.get(reverse("api:complaints"))
    assert response.json()["count"] == count


def test_my_reports_page_lists_the_complaints_filed_in_my_name_each_with_its_pdf(signed_in, named):
    page = signed_in("observer").get(reverse("observe:reports")).content.decode()

    assert "Complaints filed in my name" in page
    assert f'href="{reverse("api:complaint_pdf", args=[named.pk])}"' in page
    assert "precinct election commission of polling station No. 101" in page


def test_another_observers_page_shows_none_of_them(signed_in, named):
    page = signed_in("unassigned_observer").get(reverse("observe:reports")).content.decode()

    assert "Complaints filed in my name" not in page
    assert reverse("api:complaint_pdf", args=[named.pk]) not in page


def test_my_reports_page_takes_as_many_queries_for_20_complaints_as_for_1(
    signed_in, observer, organization, station, reviewer
):
    consent(observer, organization)
    report = verified_report(observer, station, reviewer)
    client = signed_in("observer")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("observe:reports")).status_code == 200
        return len(captured)

    filed([report], reviewer, complainant=observer)
    one = queries()
    for _ in range(19):
        filed([report], reviewer, complainant=observer)
    assert queries() == one
