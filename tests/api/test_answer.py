"""POST /api/v1/reports/{id}/answer/: the observer answers a reviewer's question."""

import pytest

from reports.models import IncidentReport
from reports.services import report_ask
from tests.api.conftest import OUTSIDERS, error

pytestmark = pytest.mark.django_db


def url(report) -> str:
    return f"/api/v1/reports/{report.pk}/answer/"


@pytest.fixture
def asked(make_report, reviewer):
    report = make_report()
    return report_ask(report=report, by=reviewer, question="Which ballot box?")


def test_the_owner_answers_and_the_report_returns_to_the_queue(bearer, observer, asked):
    response = bearer(observer).post(url(asked), {"answer": "Box 2, by the window."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["question"]) == (str(asked.pk), "submitted", "")
    assert asked.events.order_by("-id").first().note == "Box 2, by the window."


def test_an_empty_answer_is_refused_per_field(bearer, observer, asked):
    response = bearer(observer).post(url(asked), {"answer": "   "}, format="json")
    assert response.status_code == 400
    assert error(response)["fields"] == {"answer": ["Write your answer."]}
    assert IncidentReport.objects.get(pk=asked.pk).status == "needs_info"


def test_a_report_without_a_question_cannot_be_answered(bearer, observer, make_report):
    response = bearer(observer).post(url(make_report()), {"answer": "Hello"}, format="json")
    assert response.status_code == 400
    assert "no open question" in error(response)["message"]


@pytest.mark.parametrize("who", [*OUTSIDERS, None])
def test_nobody_but_the_owner_may_answer(signed_in, asked, who):
    response = signed_in(who).post(url(asked), {"answer": "It was box 1."}, format="json")
    assert response.status_code == (401 if who is None else 404)
    assert IncidentReport.objects.get(pk=asked.pk).status == "needs_info"
