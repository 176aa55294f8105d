"""The floor bench/ingest.py measures the observer writes against: the least a Django view can do
for the same request. Bench-only, never part of the product.

    .venv/bin/gunicorn ingest_floor:application --pythonpath bench …   (bench/ingest.py starts it)

The same settings as the product (config.settings: the same database, connection reuse and health
checks, read from the same environment), but no middleware and one route, POST /floor/, whose view
parses the JSON an incident report carries and inserts it into the same table, with its indexes and
constraints, in one INSERT: no token, no station check, no audit event, no serializer. The
observer, organization and election of every row come from INGEST_FLOOR_ROW ("observer id,
organization id, election id"), set by bench/ingest.py.
"""

import json
import os
import sys
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import path
from django.utils import timezone

INSERT = (
    "INSERT INTO reports_incidentreport (id, observer_id, organization_id, election_id, station_id, "
    "category, severity, phase, occurred_at, description, status, question, received_at, updated_at, "
    "version) VALUES (%s, %s, %s, %s, %s, %s, 5, %s, %s, %s, 'submitted', '', %s, %s, 1)"
)


def floor(request):
    try:
        body = json.loads(request.body)
        values = (
            uuid.UUID(body["id"]),
            int(body["station"]),
            str(body["category"]),
            str(body["phase"]),
            datetime.fromisoformat(body["occurred_at"]),
            str(body.get("description", "")),
        )
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    report_id, station_id, category, phase, occurred_at, description = values
    observer_id, organization_id, election_id = (int(n) for n in os.environ["INGEST_FLOOR_ROW"].split(","))
    now = timezone.now()
    row = (report_id, observer_id, organization_id, election_id, station_id, category, phase, occurred_at)
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [*row, description, now, now])
    return JsonResponse({"id": str(report_id), "received_at": now.isoformat()}, status=201)


urlpatterns = [path("floor/", floor)]

django.setup()
# The bare view: nothing between the server and it (no middleware), and only its route.
settings.ROOT_URLCONF = __name__
settings.MIDDLEWARE = []
application = WSGIHandler()
