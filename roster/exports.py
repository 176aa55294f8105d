"""The roster and the missing list as CSV, in the shape every export of Baqylau follows (formula-like
cells made inert), with times in the zone the page shows them in."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from people.models import Membership
from reports.exports import neutralise
from roster.missing import MissingEntry
from roster.selectors import seen, stations_of

ROSTER_COLUMNS = [
    "username",
    "name",
    "phone",
    "stations",
    "code_issued",
    "signed_in",
    "trained_on",
    "accreditation_number",
    "accreditation_photo",
    "checked_in_today",
    "last_seen",
    "open_alerts",
]
MISSING_COLUMNS = [
    "station",
    "district",
    "stage",
    "observers",
    "calls",
    "last_outcome",
    "last_call_at",
    "called_by",
    "note",
]
CHUNK = 500


class Echo:
    """csv.writer writes into this and gets the line back, so each row streams as it is made."""

    def write(self, value: str) -> str:
        return value


def when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def roster_line(member: Membership, stations: list[str]) -> list:
    return [
        member.user.get_username(),
        member.user.get_full_name(),
        member.phone,
        " ".join(stations),
        when(member.code_issued_at),
        when(member.signed_in_at),
        when(member.trained_on),
        member.accreditation_number,
        "yes" if member.accreditation_photo else "",
        "yes" if member.checked_in_today else "",
        when(seen(member.last_seen_at)),
        member.open_alerts,
    ]


def roster_lines(rows: QuerySet[Membership], election) -> Iterator[list]:
    batch = []
    for member in rows.iterator(chunk_size=CHUNK):
        batch.append(member)
        if len(batch) == CHUNK:
            yield from lines_of(batch, election)
            batch = []
    yield from lines_of(batch, election)


def lines_of(batch: list[Membership], election) -> Iterator[list]:
    stations = stations_of(batch, election) if batch else {}
    for member in batch:
        yield roster_line(member, stations.get(member.pk, []))


def missing_line(entry: MissingEntry) -> list:
    call = entry.last_call
    return [
        entry.station.number,
        entry.station.district.number,
        entry.stage,
        "; ".join(f"{observer.name} {observer.phone}".strip() for observer in entry.observers),
        entry.calls,
        call.outcome if call else "",
        when(call.at) if call else "",
        call.by.get_username() if call and call.by else "",
        call.note if call else "",
    ]


def csv_response(header: list[str], lines: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(Echo())
    # The rows are made after the view returned: in the zone the request had, not the server's.
    zone = timezone.get_current_timezone()

    def stream() -> Iterator[str]:
        with timezone.override(zone):
            yield writer.writerow(header)
            for line in lines:
                yield writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in line])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def roster_response(rows: QuerySet[Membership], where: dict) -> StreamingHttpResponse:
    name = f"roster-{where['organization'].slug}-{where['election'].slug}.csv"
    return csv_response(ROSTER_COLUMNS, roster_lines(rows, where["election"]), name)


def missing_response(entries: list[MissingEntry], where: dict) -> StreamingHttpResponse:
    name = f"missing-{where['organization'].slug}-{where['election'].slug}.csv"
    return csv_response(MISSING_COLUMNS, map(missing_line, entries), name)
