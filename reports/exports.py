"""The streamed CSV of the reports a coordinator filtered (the ZIP of their photos is in
reports/photo_exports.py), and the cell rules every export of Baqylau follows.

It reads only what `reports_for_staff` lets the user see. Observer identity and exact
positions go only to coordinators of the report's own organization (and superusers).
"""

import logging
from collections.abc import Collection, Iterator
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import CharField, Count, Func, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from people.models import Membership, Role
from people.selectors import staff_organization_ids
from reports.models import IncidentReport, ReportPhoto

logger = logging.getLogger(__name__)

EXPORT_PERMISSION = "reports.export_incidentreport"
CSV_CHUNK_ROWS = 2000
UUID_PIECES = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))

COLUMNS = [
    "id",
    "election",
    "region",
    "district",
    "station",
    "category",
    "severity",
    "phase",
    "status",
    "occurred_at",
    "received_at",
    "description",
    "photos",
    "corroborations",
    "evidence",
]
IDENTITY_COLUMNS = ["observer", "organization", "latitude", "longitude"]
FIELDS = [
    "id_text",
    "election__slug",
    "station__region__name",
    "station__district__number",
    "station__number",
    "category",
    "severity",
    "phase",
    "status",
    "occurred_iso",
    "received_iso",
    "description",
    "photos_count",
    "corroborations",
    "evidence",
]
IDENTITY_FIELDS = ["organization_id", "observer__username", "organization__name", "latitude", "longitude"]
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading single quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def utc_iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""


def can_export(user: AbstractBaseUser) -> bool:
    """Whether the user may export at all: a superuser, or staff whose role grants exports in at
    least one of their organizations (a reviewer everywhere has the group's right and nothing to export)."""
    if not (user.is_active and user.is_staff and user.has_perm(EXPORT_PERMISSION)):
        return False
    return user.is_superuser or staff_organization_ids(user, EXPORT_PERMISSION).exists()


def identity_organization_ids(user: AbstractBaseUser) -> Collection[int] | None:
    """The organizations whose observers' identity the user may export; None means all of them."""
    if user.is_superuser:
        return None
    return frozenset(
        Membership.objects.filter(user=user, role=Role.COORDINATOR).values_list("organization_id", flat=True)
    )


class UtcIso(Func):
    """A timestamp as ISO 8601 text in UTC (2023-03-19T09:15:00+00:00), written by the database:
    parsing and formatting two datetimes per row in Python is a good part of a large export's time."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # Aware datetimes are stored in UTC as text that strftime reads.
        formatted = Func(Value("%Y-%m-%dT%H:%M:%S+00:00"), *self.source_expressions, function="strftime")
        return compiler.compile(formatted)

    def as_postgresql(self, compiler, connection, **extra):
        in_utc = Func(Value("UTC"), *self.source_expressions, function="timezone")
        return compiler.compile(Func(in_utc, Value('YYYY-MM-DD"T"HH24:MI:SS"+00:00"'), function="to_char"))


class UuidText(Func):
    """A UUID as its usual text (8-4-4-4-12), written by the database rather than by a Python
    UUID object per row."""

    arity = 1
    template = "CAST(%(expressions)s AS text)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps a UUID as its 32 hex digits.
        column, params = compiler.compile(self.source_expressions[0])
        pieces = [f"substr({column}, {start}, {length})" for start, length in UUID_PIECES]
        return " || '-' || ".join(pieces), params * len(pieces)


def with_export_columns(queryset: QuerySet) -> QuerySet:
    """The computed columns of the CSV: photo count, corroborations, evidence, and the id and
    timestamps as text."""
    queryset = queryset.select_related(None).with_corroborations().with_evidence()
    return with_photo_count(queryset).annotate(
        id_text=UuidText("pk"), occurred_iso=UtcIso("occurred_at"), received_iso=UtcIso("received_at")
    )


def with_photo_count(queryset: QuerySet) -> QuerySet:
    # A correlated count rather than a JOIN with GROUP BY: rows can stream without grouping first.
    photos = (
        ReportPhoto.objects.filter(report_id=OuterRef("pk"))
        .order_by()
        .values("report_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(photos_count=Coalesce(Subquery(photos), 0))


def reports_csv_rows(
    queryset: QuerySet[IncidentReport],
    *,
    with_identity: bool,
    identity_organizations: Collection[int] | None = None,
) -> Iterator[list]:
    """The header, then one row per report of `queryset` (already scoped and filtered), read in
    chunks so memory stays flat however many reports there are.

    With identity, the observer, organization and exact position are filled in for reports of
    `identity_organizations` (every report when None) and left empty for the others.
    """
    yield COLUMNS + IDENTITY_COLUMNS if with_identity else COLUMNS
    queryset = with_export_columns(queryset)
    fields = FIELDS + IDENTITY_FIELDS if with_identity else FIELDS
    for values in queryset.values_list(*fields).iterator(chunk_size=CSV_CHUNK_ROWS):
        yield _csv_row(values, with_identity, identity_organizations)


def _csv_row(values: tuple, with_identity: bool, identity_organizations) -> list:
    pk, election, region, district, station, category, severity, phase, status = values[:9]
    occurred_at, received_at, description, photos, corroborations, evidence = values[9:15]
    row = [
        pk,
        neutralise(election),
        neutralise(region),
        district,
        neutralise(station),
        category,
        severity,
        phase,
        status,
        occurred_at,
        received_at,
        neutralise(description),
        photos,
        corroborations,
        evidence,
    ]
    if with_identity:
        organization_id, username, organization, latitude, longitude = values[15:]
        if identity_organizations is None or organization_id in identity_organizations:
            row += [neutralise(username), neutralise(organization), latitude, longitude]
        else:
            row += ["", "", "", ""]
    return row
