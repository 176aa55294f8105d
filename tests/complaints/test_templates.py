import pytest
from django.core.exceptions import ValidationError

from complaints.placeholders import fill, validate_template_text
from complaints.services import complaint_draft
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db

ATTEMPTS = [
    "{station.election.__class__}",
    "{0.__dict__}",
    "{0}",
    "{station_number.__class__.__mro__}",
    "{facts[0]}",
    "{date:%Y}",
    "{station_number!r}",
    "{settings.SECRET_KEY}",
    "{{ station.election }}",
    "{% load static %}{station_name}",
    "{ station_number }",
]


@pytest.mark.parametrize("body", ATTEMPTS)
def test_a_template_reaching_beyond_its_placeholders_is_refused_naming_the_placeholder(body, make_template):
    template = make_template(body=f"Complaint about {body}")
    with pytest.raises(ValidationError) as refusal:
        template.full_clean()
    message = " ".join(refusal.value.message_dict["body"])
    assert "Unknown placeholder" in message
    bad = body.split("{")[-1].split("}")[0] if body.count("{") else body
    assert "{" + bad + "}" in message


@pytest.mark.parametrize("body", ATTEMPTS)
def test_a_template_saved_around_the_form_still_drafts_nothing(
    body, make_template, station_reports, reviewer
):
    make_template(body=f"Complaint about {body}")
    with pytest.raises(ValidationError, match="Unknown placeholder"):
        complaint_draft(reports=station_reports, addressee_kind="precinct", language="en", by=reviewer)


def test_values_are_never_substituted_again():
    assert fill("{facts} / {date}", {"facts": "saw {date} and {0.__dict__}", "date": "2023-03-19"}) == (
        "saw {date} and {0.__dict__} / 2023-03-19"
    )


def test_the_listed_placeholders_are_accepted():
    validate_template_text(
        "{addressee} {station_number} {facts} {evidence_list} {observer_count} {previous_complaint}"
    )


def test_a_template_in_the_admin_form_is_refused_with_the_placeholder_named(
    client, coordinator, organization, election
):
    client.force_login(coordinator)
    response = client.post(
        "/admin/complaints/complainttemplate/add/",
        {
            "organization": organization.pk,
            "election": election.pk,
            "language": "kk",
            "addressee_kind": "precinct",
            "title": "Шағым",
            "body": "Учаске {station.election.__class__}",
            "deadline_rule": "days",
            "deadline_amount": 5,
            "deadline_from": "filing",
        },
    )
    assert response.status_code == 200
    assert "Unknown placeholder {station.election.__class__}" in response.content.decode()
    from complaints.models import ComplaintTemplate

    assert not ComplaintTemplate.objects.exists()


def test_a_draft_needs_the_reports_it_rests_on(make_template, reviewer):
    make_template()
    with pytest.raises(ApplicationError, match="at least one report"):
        complaint_draft(reports=[], addressee_kind="precinct", language="en", by=reviewer)
