"""schemathesis against the live API: every operation of the published schema, called over HTTP on
a live server with a seeded election, must never answer 5xx and must answer what its schema says.

The examples are bounded and derandomized (a fixed seed per operation), so a run is repeatable and
a failure reproduces; the schema is read from the server itself, so a view that drifts from its
description fails here. Slugs and ids are drawn mostly from the seeded rows, so the fuzzed query
parameters reach the real lists, and sometimes made up, so the 404s are exercised too.
"""

import uuid
from collections import Counter
from datetime import datetime, timedelta

import pytest
import schemathesis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.engine import events

from integrity.services import scores_recompute
from partners.keys import key_create
from partners.models import Partner, Scope
from partners.photos import photo_token
from people.models import Role
from people.services import token_issue
from reports.models import ReportPhoto
from reports.services import checkin_create, report_ask, report_reject, report_submit, report_verify
from tests.images import jpeg_bytes
from webhooks.models import WebhookEndpoint

MORNING = datetime.fromisoformat("2023-03-19T09:30:00+06:00")
MAX_EXAMPLES = 15
EXPECTED = {
    "POST /api/v1/auth/token/",
    "GET /api/v1/me/",
    "POST /api/v1/checkins/",
    "GET /api/v1/reports/",
    "POST /api/v1/reports/",
    "POST /api/v1/reports/{report_id}/photos/",
    "POST /api/v1/reports/{report_id}/answer/",
    "GET /api/v1/elections/",
    "GET /api/v1/elections/{slug}/districts/",
    "GET /api/v1/elections/{slug}/districts/{number}/",
    "GET /api/v1/elections/{slug}/stations/",
    "GET /api/v1/elections/{slug}/stations.geojson",
    "GET /api/v1/incidents/",
    "GET /api/v1/partner-photos/{token}/",
    "GET /api/v1/webhooks/",
    "POST /api/v1/webhooks/",
    "DELETE /api/v1/webhooks/{endpoint_id}/",
}
CHECKS = ["not_a_server_error", "response_schema_conformance", "status_code_conformance"]


def photo(shade: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", jpeg_bytes(color=(shade, 40, 40)), content_type="image/jpeg")


@pytest.fixture
def world(transactional_db, election, make_station, make_member, organization):
    """Three districts of four stations; an observer's check-ins and reports, some verified with
    photos, one rejected, one with a reviewer's question; scores computed; the observer's token, a
    partner key with every scope and a webhook endpoint of that partner."""
    stations = [
        make_station(
            f"{district}0{n}", district=district, in_sample=n < 2, latitude=43.2 + n / 100, longitude=76.9
        )
        for district in (1, 2, 3)
        for n in range(4)
    ]
    observer = make_member("observer-s", organization, stations=stations)
    reviewer = make_member("reviewer-s", organization, role=Role.REVIEWER, is_staff=True)
    for index, station in enumerate(stations):
        checkin_create(observer=observer, id=uuid.uuid4(), station_id=station.pk, kind="arrival", at=MORNING)
        report, _created = report_submit(
            observer=observer,
            id=uuid.uuid4(),
            station_id=station.pk,
            category=["ballot_stuffing", "intimidation", "procedural"][index % 3],
            phase="voting",
            occurred_at=MORNING + timedelta(minutes=index),
            description=f"Seen at station {station.number}.",
            photos=[photo(index * 20)] if index % 2 == 0 else [],
        )
        if index % 4 == 3:
            report_reject(report=report, by=reviewer, reason="Not what happened.")
        elif index != 5:
            report_verify(report=report, by=reviewer)
        else:
            report_ask(report=report, by=reviewer, question="Which box?")
            questioned = report
    scores_recompute(election_id=election.pk)
    partner = Partner.objects.create(name="Steppe Daily", organization=organization)
    _row, partner_key = key_create(partner=partner, scopes=Scope.values, days=30)
    # Made directly: registering through the API resolves the URL's host, and tests have no DNS.
    endpoint = WebhookEndpoint.objects.create(
        partner=partner,
        url="https://newsroom.example.org/hook",
        events=["incident.verified"],
        secret="whsec_t",
    )
    _token, observer_token = token_issue(user=observer)
    photo_id = ReportPhoto.objects.filter(report__status="verified").values_list("pk", flat=True).first()
    return {
        "election": election.slug,
        "districts": [1, 2, 3],
        "photo_tokens": [photo_token(photo_id, "image"), photo_token(photo_id, "thumbnail")],
        "endpoints": [endpoint.pk],
        "questioned": str(questioned.pk),
        "observer": f"Bearer {observer_token}",
        "partner": f"Bearer {partner_key}",
    }


def headers(authorization: str) -> dict:
    # No keep-alive: a connection still open when the test ends would outlive the live server's
    # shared database connection in its request thread.
    return {"Authorization": authorization, "Connection": "close"}


def run(world: dict, url: str) -> tuple[list[str], dict[str, Counter]]:
    """One schemathesis run over every operation; the failures found and the answers per operation."""
    config = schemathesis.Config.from_dict(
        {
            "seed": 2023,
            "workers": 1,
            # No .schemathesis/ folder of remembered cases in the checkout: each run starts the same.
            "cache": {"enabled": False},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "phases": {"stateful": {"enabled": False}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "dictionaries": {
                "elections": {"values": [world["election"]]},
                "districts": {"values": world["districts"]},
                "photos": {"values": world["photo_tokens"]},
                "endpoints": {"values": world["endpoints"]},
                "reports": {"values": [world["questioned"]]},
            },
            "parameters": {
                "path.slug": {"dictionary": "elections", "probability": 0.9},
                "path.number": {"dictionary": "districts", "probability": 0.7},
                "path.token": {"dictionary": "photos", "probability": 0.7},
                "path.endpoint_id": {"dictionary": "endpoints", "probability": 0.5},
                "path.report_id": {"dictionary": "reports", "probability": 0.9},
            },
            "operations": [
                {"include-tag": "observers", "headers": headers(world["observer"])},
                {"include-tag": "partners", "headers": headers(world["partner"])},
                {"include-tag": "webhooks", "headers": headers(world["partner"])},
            ],
        }
    )
    schema = schemathesis.openapi.from_url(f"{url}/api/schema/?format=json", config=config)
    schema.config.base_url = url
    failures, cases = [], {}
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"{getattr(event, 'label', '')}: {getattr(event, 'value', event)!r}")
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            statuses = cases.setdefault(recorder.label, Counter())
            statuses.update(i.response.status_code for i in recorder.interactions.values() if i.response)
            failures.extend(
                f"{recorder.label}: {check.name}: {check.failure_info.failure.title}\n"
                f"{check.failure_info.failure.message}\n{check.failure_info.code_sample}"
                for nodes in recorder.checks.values()
                for check in nodes
                if check.failure_info is not None
            )
    return failures, cases


@pytest.fixture
def hypothesis_home(tmp_path):
    """Hypothesis keeps caches in .hypothesis/ of the working directory: here, not in the checkout."""
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    set_hypothesis_home_dir(None)


def test_the_api_answers_as_its_schema_says(world, live_server, settings, hypothesis_home):
    # The per-key and per-token budgets are tested on their own (tests/partners, tests/api); here they
    # would only turn fuzzing into 429s.
    settings.PARTNER_RATE = "100000/min"
    settings.OBSERVER_BURST_RATE = settings.OBSERVER_SUSTAINED_RATE = "100000/min"
    cache.clear()

    failures, cases = run(world, live_server.url)

    print("\n".join(f"{label}: {dict(sorted(answers.items()))}" for label, answers in sorted(cases.items())))
    assert not failures, "\n\n".join(failures)
    # Not a pass by default: every observer and partner operation was called, and the seeded
    # rows were found, so the fuzzed parameters reached the real lists and not only their 404s.
    assert set(cases) >= EXPECTED, EXPECTED - set(cases)
    assert all(cases[name][200] > 0 for name in EXPECTED if name.startswith("GET")), cases
