from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from complaints.models import Addressee, ComplaintAction, Language, Status
from complaints.services import complaint_draft, complaint_edit_text
from core.errors import ApplicationError
from reports.models import ReportPhoto
from tests.complaints.conftest import KAZAKH_LETTERS

pytestmark = pytest.mark.django_db


def local(moment, election) -> str:
    return moment.astimezone(ZoneInfo(election.timezone)).strftime("%Y-%m-%d %H:%M")


def test_the_text_carries_every_fact_of_the_reports(station_reports, templates, reviewer, station, election):
    complaint = complaint_draft(
        reports=station_reports, addressee_kind=Addressee.PRECINCT, language=Language.ENGLISH, by=reviewer
    )
    text = complaint.text
    first, second = station_reports
    assert "polling station No. 101 (School 5, Abai St. 1)" in text
    assert "district 1. District 1, Test election 2023" in text
    assert "2 independent observers of Honest Count saw" in text
    assert (
        f"1. {local(first.occurred_at, election)}, Ballot stuffing: Extra ballots dropped into box 2" in text
    )
    assert (
        f"2. {local(second.occurred_at, election)}, Multiple voting (carousel, double voting): Same voters"
        in text
    )
    assert KAZAKH_LETTERS in text
    assert "Articles 20 and 49 of the Constitutional Law on Elections" in text
    assert "Annul the results of the station and recount the ballots." in text
    assert "To the precinct election commission of polling station No. 101" in text
    for photo in ReportPhoto.objects.filter(report=first):
        assert f"Photo, SHA-256 {photo.sha256}, taken {local(photo.captured_at, election)}" in text
    assert (complaint.station, complaint.district, complaint.status) == (
        station,
        station.district,
        Status.DRAFT,
    )
    assert set(complaint.reports.all()) == set(station_reports)
    event = complaint.events.get()
    assert (event.action, event.actor, event.data["text"]) == (ComplaintAction.DRAFT, reviewer, text)


def test_without_consent_no_observer_identity_is_in_the_text(
    station_reports, templates, reviewer, organization, observer, second_observer
):
    organization.representative_name = "Gulnara Akhmetova, chair of Honest Count"
    organization.save()
    complaint = complaint_draft(
        reports=station_reports, addressee_kind=Addressee.PRECINCT, language=Language.ENGLISH, by=reviewer
    )
    assert "From: Gulnara Akhmetova, chair of Honest Count" in complaint.text
    assert complaint.complainant is None
    for user in (observer, second_observer):
        for identity in (user.username, user.first_name, user.last_name):
            assert identity not in complaint.text


def test_the_redacted_description_is_stated_rather_than_the_original(
    submit, observer, station, templates, reviewer, coordinator
):
    from reports.services import report_redact

    report = submit(observer, station, description="Dana Seitkali saw the chair stuff ballots")
    report_redact(report=report, by=coordinator, text="[observer] saw the chair stuff ballots")
    complaint = complaint_draft(reports=[report], addressee_kind="precinct", language="en", by=reviewer)
    assert "[observer] saw the chair stuff ballots" in complaint.text
    assert "Seitkali" not in complaint.text


def test_with_recorded_consent_the_observer_signs_in_their_name(
    station_reports, templates, reviewer, observer, consent
):
    consent(observer)
    complaint = complaint_draft(
        reports=station_reports, addressee_kind="precinct", language="en", by=reviewer, complainant=observer
    )
    assert "From: Dana Seitkali" in complaint.text
    assert (complaint.complainant, complaint.complainant_name) == (observer, "Dana Seitkali")


def test_an_observer_who_did_not_consent_cannot_be_the_complainant(
    station_reports, templates, reviewer, observer
):
    with pytest.raises(ApplicationError, match="consented"):
        complaint_draft(
            reports=station_reports,
            addressee_kind="precinct",
            language="en",
            by=reviewer,
            complainant=observer,
        )


def test_an_observer_of_none_of_the_reports_cannot_be_the_complainant(
    station_reports, templates, reviewer, make_member, organization, consent
):
    stranger = make_member("observer-z", organization)
    consent(stranger)
    with pytest.raises(ApplicationError, match="consented"):
        complaint_draft(
            reports=station_reports,
            addressee_kind="precinct",
            language="en",
            by=reviewer,
            complainant=stranger,
        )


def test_category_labels_and_the_addressee_are_in_the_complaints_language(
    station_reports, make_template, reviewer
):
    make_template(language=Language.RUSSIAN)
    complaint = complaint_draft(
        reports=station_reports, addressee_kind="precinct", language="ru", by=reviewer
    )
    with translation.override("ru"):
        label = str(station_reports[0].get_category_display())
        commission = str(Addressee.PRECINCT.label)
    assert label != "Ballot stuffing"
    assert f", {label}: " in complaint.text
    assert commission in complaint.addressee_name
    assert translation.get_language() == "en"


def test_only_verified_reports_make_a_complaint(submit, observer, station, templates, reviewer):
    unverified = submit(observer, station, verify=False)
    with pytest.raises(ApplicationError, match="verified"):
        complaint_draft(reports=[unverified], addressee_kind="precinct", language="en", by=reviewer)


def test_a_precinct_complaint_concerns_one_station(
    submit, observer, station, make_station, templates, reviewer, make_member, organization
):
    neighbour = make_station("102", district=1)
    roaming = make_member("observer-r", organization, stations=[neighbour])
    reports = [submit(observer, station), submit(roaming, neighbour, minutes=5)]
    with pytest.raises(ApplicationError, match="one station"):
        complaint_draft(reports=reports, addressee_kind="precinct", language="en", by=reviewer)
    complaint = complaint_draft(reports=reports, addressee_kind="district", language="en", by=reviewer)
    assert complaint.station is None
    assert complaint.district == station.district
    assert "station No. 101, Ballot stuffing" in complaint.text
    assert "station No. 102, Ballot stuffing" in complaint.text
    assert "polling station No. 101, 102" in complaint.text


def test_a_district_complaint_concerns_one_district(
    submit, observer, station, make_station, templates, reviewer, make_member, organization
):
    far = make_station("301", district=3)
    elsewhere = make_member("observer-far", organization, stations=[far])
    reports = [submit(observer, station), submit(elsewhere, far)]
    with pytest.raises(ApplicationError, match="one district"):
        complaint_draft(reports=reports, addressee_kind="district", language="en", by=reviewer)


def test_reports_of_two_organizations_make_no_complaint(
    submit, observer, station, templates, reviewer, other_observer, other_coordinator
):
    import uuid

    from reports.services import report_submit, report_verify
    from stations.models import PollingStation
    from tests.complaints.conftest import MORNING

    theirs, _ = report_submit(
        observer=other_observer,
        id=uuid.uuid4(),
        station_id=PollingStation.objects.get(number="999").pk,
        category="ballot_stuffing",
        phase="voting",
        occurred_at=MORNING,
    )
    report_verify(report=theirs, by=other_coordinator)
    theirs.refresh_from_db()
    with pytest.raises(ApplicationError, match="one organization"):
        complaint_draft(
            reports=[submit(observer, station), theirs], addressee_kind="district", language="en", by=reviewer
        )


def test_without_a_template_for_the_language_nothing_is_drafted(station_reports, templates, reviewer):
    with pytest.raises(ApplicationError, match="no complaint template"):
        complaint_draft(reports=station_reports, addressee_kind="precinct", language="kk", by=reviewer)


def test_every_edit_of_the_text_is_in_the_audit_trail_with_both_texts(
    station_reports, templates, reviewer, coordinator
):
    complaint = complaint_draft(
        reports=station_reports, addressee_kind="precinct", language="en", by=reviewer
    )
    drafted = complaint.text
    complaint_edit_text(complaint=complaint, text=drafted + "\nSigned.", by=reviewer)
    complaint_edit_text(complaint=complaint, text=drafted + "\nSigned twice.", by=coordinator)
    edits = list(complaint.events.filter(action=ComplaintAction.EDIT))
    assert [(e.actor, e.data["old"], e.data["new"]) for e in edits] == [
        (reviewer, drafted, drafted + "\nSigned."),
        (coordinator, drafted + "\nSigned.", drafted + "\nSigned twice."),
    ]
    complaint.refresh_from_db()
    assert complaint.text == drafted + "\nSigned twice."
    with pytest.raises(TypeError, match="append-only"):
        edits[0].delete()
    with pytest.raises(TypeError, match="append-only"):
        complaint.events.update(data={})


def test_the_text_of_a_filed_complaint_cannot_change(station_reports, templates, reviewer, coordinator):
    from django.utils import timezone

    from complaints.services import complaint_file

    complaint = complaint_draft(
        reports=station_reports, addressee_kind="precinct", language="en", by=reviewer
    )
    complaint_file(
        complaint=complaint,
        by=coordinator,
        filed_at=timezone.now(),
        filed_how="in_person",
        filed_to="PEC 101",
    )
    with pytest.raises(ApplicationError, match="filed"):
        complaint_edit_text(complaint=complaint, text="Something else", by=reviewer)
