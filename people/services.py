"""The only writers of who may do what: observers' tokens, and assignments to polling stations in
bulk from a CSV file (username, station_number).

As with the station importer, every row of an assignment file is checked and every problem gathered
with its line number before anything is written: a bad file changes nothing.
"""

import csv
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from core import rows
from core.errors import NotFound
from people.models import Assignment, Membership, ObserverToken, Organization, Role
from stations.importers import CsvImportError, RowError, open_csv
from stations.models import Election, PollingStation

ASSIGNMENT_COLUMNS = ("username", "station_number")


@dataclass(frozen=True)
class AssignmentRow:
    line: int
    username: str
    station_number: str


@dataclass(frozen=True)
class AssignmentImport:
    rows: int
    created: int
    existing: int


def read_assignment_csv(data: bytes) -> tuple[list[AssignmentRow], list[RowError]]:
    """The rows with both values, and the problems of the others (empty values, extra fields)."""
    reader = open_csv(data, ASSIGNMENT_COLUMNS)
    rows: list[AssignmentRow] = []
    errors: list[RowError] = []
    end = 1  # the header
    try:
        for raw in reader:
            start, end = end + 1, reader.line_num
            if not any((value or "").strip() for key, value in raw.items() if key is not None):
                continue  # blank lines, often at the end of a spreadsheet export
            if None in raw:
                errors.append(RowError(start, "this row has more fields than the header."))
                continue
            values = {column: (raw.get(column) or "").strip() for column in ASSIGNMENT_COLUMNS}
            empty = [f"{column} is empty." for column in ASSIGNMENT_COLUMNS if not values[column]]
            errors += [RowError(start, problem) for problem in empty]
            if not empty:
                rows.append(AssignmentRow(start, values["username"], values["station_number"]))
    except csv.Error as exc:
        errors.append(RowError(end + 1, f"the CSV cannot be read: {exc}."))
    return rows, errors


def _row_errors(
    rows: list[AssignmentRow],
    memberships: dict[str, Membership],
    stations: dict[str, PollingStation],
    organization: Organization,
    election: Election,
) -> list[RowError]:
    # A user outside the organization reads as unknown: the file says nothing about other organizations.
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        membership = memberships.get(row.username)
        if membership is None:
            errors.append(RowError(row.line, f"no user named {row.username!r} in {organization.name}."))
        elif membership.role != Role.OBSERVER:
            errors.append(
                RowError(
                    row.line,
                    f"{row.username} is a {membership.get_role_display().lower()} of "
                    f"{organization.name}, not an observer.",
                )
            )
        if row.station_number not in stations:
            errors.append(
                RowError(row.line, f"no station numbered {row.station_number!r} in {election.name}.")
            )
        first = seen.setdefault((row.username, row.station_number), row.line)
        if first != row.line:
            errors.append(RowError(row.line, f"this assignment is already on line {first}."))
    return errors


def _may_coordinate(user: AbstractBaseUser, organization: Organization) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, organization=organization, role=Role.COORDINATOR).exists()


def assignments_import(
    *, organization: Organization, election: Election, data: bytes, by: AbstractBaseUser
) -> AssignmentImport:
    """Assign the organization's observers to the election's stations listed in the file.

    All rows or, on any bad row, nothing (CsvImportError). Assignments that exist already are kept.
    """
    if not _may_coordinate(by, organization):
        raise NotFound()
    rows, errors = read_assignment_csv(data)
    memberships = {
        membership.user.get_username(): membership
        for membership in Membership.objects.filter(
            organization=organization, user__username__in={row.username for row in rows}
        ).select_related("user")
    }
    stations = {
        station.number: station
        for station in PollingStation.objects.filter(
            election=election, number__in={row.station_number for row in rows}
        )
    }
    errors += _row_errors(rows, memberships, stations, organization, election)
    if not rows and not errors:
        errors.append(RowError(0, "the file has a header but no assignments."))
    if errors:
        raise CsvImportError(sorted(errors, key=lambda error: error.line))
    wanted = {(memberships[row.username].pk, stations[row.station_number].pk) for row in rows}
    with transaction.atomic():
        existing = set(
            Assignment.objects.filter(
                membership_id__in={membership_id for membership_id, _ in wanted},
                station_id__in={station_id for _, station_id in wanted},
            ).values_list("membership_id", "station_id")
        )
        missing = sorted(wanted - existing)
        # A concurrent import may have created one of them meanwhile: the constraint keeps one row.
        Assignment.objects.bulk_create(
            [
                Assignment(membership_id=membership_id, station_id=station_id)
                for membership_id, station_id in missing
            ],
            ignore_conflicts=True,
        )
    return AssignmentImport(rows=len(rows), created=len(missing), existing=len(wanted & existing))


def token_issue(*, user: AbstractBaseUser) -> tuple[ObserverToken, str]:
    """A new bearer token for the user's phone. The key is returned once and stored only hashed."""
    if not user.is_active:
        raise NotFound()
    key = secrets.token_urlsafe(32)
    token = ObserverToken.objects.create(
        user=user,
        key_hash=ObserverToken.hash_key(key),
        prefix=key[:8],
        expires_at=timezone.now() + timedelta(days=settings.OBSERVER_TOKEN_DAYS),
    )
    return token, key


def token_revoke(*, token: ObserverToken) -> ObserverToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# Written by hand (core/rows.py): the first call of a phone in each minute runs it.
MARK_USED_SQL = """UPDATE {table} SET {last_used} = %(now)s
WHERE {pk} = %(token)s AND ({last_used} IS NULL OR {last_used} <= %(stale)s)
"""


def token_mark_used(*, token: ObserverToken, now, resolution: timedelta) -> None:
    """Write when the phone last used its token, if the stored time is `resolution` old or more:
    the condition is in SQL too, so of a phone's requests arriving together only one writes."""
    field = ObserverToken._meta.get_field("last_used_at")
    quote = connection.ops.quote_name
    sql = MARK_USED_SQL.format(
        table=rows.table(ObserverToken),
        last_used=quote(field.column),
        pk=quote(ObserverToken._meta.pk.column),
    )
    params = {
        "now": field.get_db_prep_value(now, connection),
        "stale": field.get_db_prep_value(now - resolution, connection),
        "token": token.pk,
    }
    with rows.cursor() as cursor:
        cursor.execute(sql, params)
    token.last_used_at = now
