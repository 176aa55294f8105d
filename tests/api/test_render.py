"""The phones' write paths render their answers with api.serializers.render: the same body as the
output serializer's own `.data`, for every kind of row they answer with."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from api import count_serializers, serializers
from tests.api.conftest import MORNING


def reports_sent(bearer, observer, station):
    phone = bearer(observer)
    bodies = [
        {"description": "Two bundles went into box 2.", "latitude": "43.238949", "longitude": "76.889709"},
        {"description": "Карусель: бір топ үш рет дауыс берді.", "accuracy_m": 12},  # noqa: RUF001
        {},
    ]
    for number, body in enumerate(bodies):
        answer = phone.post(
            "/api/v1/reports/",
            {
                "id": str(uuid.uuid4()),
                "station": station.pk,
                "category": "ballot_stuffing",
                "phase": "voting",
                "occurred_at": (MORNING + timedelta(minutes=number)).isoformat(),
                **body,
            },
            format="json",
        )
        assert answer.status_code == 201, answer.content
    return observer.reports.all()


@pytest.mark.django_db
def test_a_new_report_renders_as_its_serializer_does(bearer, observer, station):
    reports = reports_sent(bearer, observer, station)

    assert len(reports) == 3
    for report in reports:
        expected = serializers.NewReportOutput(report).data
        assert serializers.render(serializers.NewReportOutput, report) == expected
    assert {serializers.render(serializers.NewReportOutput, r)["latitude"] for r in reports} == {
        Decimal("43.238949"),
        None,
    }


@pytest.mark.django_db
def test_check_ins_and_counts_render_as_their_serializers_do(bearer, observer, station):
    phone = bearer(observer)
    for kind, note in (("arrival", ""), ("departure", "Сәлем")):
        answer = phone.post(
            "/api/v1/checkins/",
            {
                "id": str(uuid.uuid4()),
                "station": station.pk,
                "kind": kind,
                "at": MORNING.isoformat(),
                "note": note,
            },
            format="json",
        )
        assert answer.status_code == 201, answer.content
        assert answer.json() == dict(
            serializers.CheckInOutput(observer.checkins.get(pk=answer.json()["id"])).data
        )
    answer = phone.post(
        "/api/v1/turnout-counts/",
        {
            "id": str(uuid.uuid4()),
            "station": station.pk,
            "counted_at": MORNING.isoformat(),
            "voters": 412,
            "method": "tally",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    from counts.models import TurnoutCount

    count = TurnoutCount.objects.get(pk=answer.json()["id"])
    assert (
        serializers.render(count_serializers.TurnoutCountOutput, count)
        == count_serializers.TurnoutCountOutput(count).data
    )
    assert answer.json()["station"] == {"id": station.pk, "number": station.number, "name": station.name}
