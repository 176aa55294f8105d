"""Open-data exports for partners: CSV of incidents, districts and stations, and GeoJSON of stations.

They are streamed: rows are read from the database in chunks and written out as they come, so
memory stays flat however large the election. They are built from the same selectors, filters
and presenters as the JSON lists, so they redact exactly as much, and every text cell that a
spreadsheet would run as a formula is made inert.
"""

import csv
import json
from collections.abc import Iterable, Iterator, Mapping

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from partners.indicators import indicators_for_partners
from partners.presenters import district_data, station_data
from reports.exports import neutralise, utc_iso

CHUNK_ROWS = 2000

INCIDENT_COLUMNS = [
    "id",
    "election",
    "station",
    "district",
    "region",
    "category",
    "severity",
    "phase",
    "occurred_at",
    "description",
    "corroborations",
    "updated_at",
]
INCIDENT_FIELDS = [
    "id",
    "election__slug",
    "station__number",
    "station__district__number",
    "station__region__name",
    "category",
    "severity",
    "phase",
    "occurred_at",
    "shown_description",
    "corroborations",
    "updated_at",
]
DISTRICT_COLUMNS = [
    "number",
    "name",
    "region",
    "score",
    "interval_80_low",
    "interval_80_high",
    "interval_95_low",
    "interval_95_high",
    "band",
    "band_upper",
    "band_lower",
    "coverage_grade",
    "observed_stations",
    "sample_stations",
    "total_stations",
    "process_risk",
    "count_risk",
    "forensic_flags",
    "forensic_penalty",
    "computed_at",
]
STATION_COLUMNS = [
    "number",
    "name",
    "address",
    "district",
    "region",
    "in_sample",
    "registered_voters",
    "latitude",
    "longitude",
    "indicator_y",
    "indicator_severity",
    "incidents",
]


class Echo:
    """A file-like object whose write hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _text(value) -> str:
    return neutralise(value) if isinstance(value, str) else value


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_text(cell) for cell in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def incident_rows(incidents: QuerySet) -> Iterator[list]:
    yield INCIDENT_COLUMNS
    for values in incidents.values_list(*INCIDENT_FIELDS).iterator(chunk_size=CHUNK_ROWS):
        row = list(values)
        row[0] = str(row[0])
        row[8], row[11] = utc_iso(row[8]), utc_iso(row[11])
        yield row


def _ends(pair) -> list:
    return list(pair) if pair else ["", ""]


def district_rows(districts: QuerySet) -> Iterator[list]:
    yield DISTRICT_COLUMNS
    for district in districts.iterator(chunk_size=CHUNK_ROWS):
        data = district_data(district)
        parts = data["components"] or {}
        yield [
            data["number"],
            data["name"],
            data["region"],
            data["score"],
            *_ends(data["interval_80"]),
            *_ends(data["interval_95"]),
            data["band"],
            *_ends(data["band_range"]),
            data["coverage_grade"],
            data["observed_stations"],
            data["sample_stations"],
            data["total_stations"],
            parts.get("process", {}).get("risk"),
            parts.get("count", {}).get("risk"),
            parts.get("forensic", {}).get("flags"),
            parts.get("forensic", {}).get("penalty"),
            utc_iso(data["computed_at"]),
        ]


def _indicators(stations: QuerySet, election_id: int) -> Mapping:
    """The indicators of these stations, from shared reports, read once before the first row."""
    return indicators_for_partners(election_id=election_id, station_ids=stations.order_by().values("pk"))


def station_rows(stations: QuerySet, election_id: int) -> Iterator[list]:
    yield STATION_COLUMNS
    indicators = _indicators(stations, election_id)
    for station in stations.iterator(chunk_size=CHUNK_ROWS):
        data = station_data(station, indicators.get(station.pk))
        indicator = data.pop("indicator") or {}
        yield [*data.values(), indicator.get("y"), indicator.get("severity"), indicator.get("incidents")]


def geojson_response(stations: QuerySet, election_id: int, filename: str) -> StreamingHttpResponse:
    """A FeatureCollection of the stations; a station without a published position keeps its
    place with a null geometry, as GeoJSON allows, so the file lists every station."""
    response = StreamingHttpResponse(_geojson(stations, election_id), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _geojson(stations: QuerySet, election_id: int) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    separator = ""
    indicators = _indicators(stations, election_id)
    for station in stations.iterator(chunk_size=CHUNK_ROWS):
        properties = station_data(station, indicators.get(station.pk))
        latitude, longitude = properties.pop("latitude"), properties.pop("longitude")
        geometry = (
            None
            if latitude is None or longitude is None
            else {"type": "Point", "coordinates": [longitude, latitude]}
        )
        feature = {"type": "Feature", "id": station.number, "geometry": geometry, "properties": properties}
        yield separator + json.dumps(feature, ensure_ascii=False)
        separator = ","
    yield "]}"
