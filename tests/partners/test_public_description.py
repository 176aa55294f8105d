"""A reviewer's redaction of a report's description is what every partner reads: the incidents
list and its CSV export; the observer's original stays for staff."""

import csv
import io

import pytest

from reports.models import IncidentReport
from reports.services import report_redact

pytestmark = pytest.mark.django_db

ORIGINAL = "Akim's driver Serik Bekov, +77015550000, carried ballots in."
REDACTED = "The akim's driver carried ballots in."


def test_it_shows_partners_the_redacted_description_in_the_list_and_the_export(
    partner_api, make_incident, reviewer
):
    report = make_incident(description=ORIGINAL)
    report_redact(report=report, by=reviewer, text=REDACTED)
    client = partner_api()

    (item,) = client.get("/api/v1/incidents/").json()["results"]
    text = b"".join(client.get("/api/v1/incidents/", {"format": "csv"}).streaming_content).decode()

    assert item["description"] == REDACTED
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["description"] == REDACTED
    for answer in (str(item), text):
        assert "Bekov" not in answer and "+77015550000" not in answer
    assert IncidentReport.objects.get(pk=report.pk).description == ORIGINAL


def test_it_shows_the_original_when_nothing_was_redacted(partner_api, make_incident):
    make_incident(description=ORIGINAL)

    (item,) = partner_api().get("/api/v1/incidents/").json()["results"]

    assert item["description"] == ORIGINAL
