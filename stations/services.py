"""The only writers of elections, districts and polling stations."""

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from stations.importers import StationRow, read_station_csv
from stations.models import District, Election, PollingStation, Region, StationImport

STATION_FIELDS = ("name", "address", "region_id", "district_id", "latitude", "longitude", "registered_voters")
BATCH_SIZE = 2000


def _regions_by_name(election: Election, names: set[str]) -> dict[str, Region]:
    existing = {region.name: region for region in Region.objects.filter(election=election)}
    missing = [Region(election=election, name=name) for name in sorted(names - existing.keys())]
    Region.objects.bulk_create(missing)
    if missing:
        existing = {region.name: region for region in Region.objects.filter(election=election)}
    return existing


def _districts_by_number(election: Election, rows: list[StationRow], regions: dict[str, Region]):
    """Create or update the file's districts; a district that moved region takes its stations along."""
    wanted = {row.district_number: (row.district_name, regions[row.region]) for row in rows}
    existing = {district.number: district for district in District.objects.filter(election=election)}
    new = [
        District(election=election, number=number, name=name, region=region)
        for number, (name, region) in sorted(wanted.items())
        if number not in existing
    ]
    District.objects.bulk_create(new)
    for number, (name, region) in wanted.items():
        district = existing.get(number)
        if district and (district.name, district.region_id) != (name, region.id):
            district.name, district.region = name, region
            district.save(update_fields=["name", "region"])
            PollingStation.objects.filter(district=district).exclude(region=region).update(
                region=region, updated_at=timezone.now()
            )
    return {district.number: district for district in District.objects.filter(election=election)}


def _station_values(station) -> tuple:
    return tuple(getattr(station, field) for field in STATION_FIELDS)


@transaction.atomic
def stations_upsert(*, election: Election, rows: list[StationRow]) -> tuple[int, int]:
    """Create or update the given stations, keyed on (election, number). Returns (created, updated).

    Stations missing from `rows` are left as they are. Unchanged stations are not written, so
    loading the same list twice changes nothing.
    """
    regions = _regions_by_name(election, {row.region for row in rows})
    districts = _districts_by_number(election, rows, regions)
    current = {
        values[0]: values[1:]
        for values in PollingStation.objects.filter(election=election).values_list("number", *STATION_FIELDS)
    }
    now = timezone.now()
    changed = []
    for row in rows:
        district = districts[row.district_number]
        station = PollingStation(
            election=election,
            number=row.station_number,
            name=row.name,
            address=row.address,
            region_id=district.region_id,
            district=district,
            latitude=row.latitude,
            longitude=row.longitude,
            registered_voters=row.registered_voters,
            updated_at=now,
        )
        if current.get(row.station_number) != _station_values(station):
            changed.append(station)
    PollingStation.objects.bulk_create(
        changed,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["election", "number"],
        update_fields=[field.removesuffix("_id") for field in STATION_FIELDS] + ["updated_at"],
    )
    created = sum(1 for station in changed if station.number not in current)
    return created, len(changed) - created


@transaction.atomic
def stations_import(
    *, election: Election, data: bytes, filename: str, by: AbstractBaseUser | None = None
) -> StationImport:
    """Load a station list from CSV: all of it or, on any bad row, nothing (CsvImportError)."""
    rows = read_station_csv(data)
    created, updated = stations_upsert(election=election, rows=rows)
    return StationImport.objects.create(
        election=election,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        rows=len(rows),
        created=created,
        updated=updated,
        imported_by=by if by is not None and by.is_authenticated else None,
    )
