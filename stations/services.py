"""The only writers of elections, districts and polling stations."""

import hashlib
import random
import secrets
from fractions import Fraction
from itertools import groupby

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from stations.importers import StationRow, read_station_csv
from stations.models import District, Election, PollingStation, Region, SampleDraw, StationImport

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


MAX_SEED = 2**63 - 1  # the largest value a BigIntegerField holds
# Stations per `pk IN (...)` UPDATE: below SQLite's oldest limit of 999 bound parameters.
SAMPLE_CHUNK = 900


class SampleError(ValueError):
    """A sample that cannot be drawn as asked; the message says why, and nothing was changed."""


def _feasible_minimum(counts: dict[int, int], size: int, min_per_district: int) -> int:
    """The largest floor, at most `min_per_district`, that `size` stations can give every district."""
    floor = min(min_per_district, max(counts.values()))
    while floor > 0 and sum(min(floor, count) for count in counts.values()) > size:
        floor -= 1
    return floor


def sample_allocation(counts: dict[int, int], size: int, min_per_district: int = 2) -> dict[int, int]:
    """Split `size` over districts in proportion to their station `counts` (largest remainder).

    Each district gets at least `min_per_district` (or all its stations, if it has fewer); when
    `size` is too small for that, the floor drops until it fits. Districts whose proportional
    share falls below their floor are set to it and the rest is shared among the others again.
    Exact fractions and ties broken by district number keep the result reproducible.
    """
    floor = _feasible_minimum(counts, size, min_per_district)
    fixed: dict[int, int] = {}
    while True:
        free = {number: count for number, count in counts.items() if number not in fixed}
        left, population = size - sum(fixed.values()), sum(free.values())
        quotas = {number: Fraction(left * count, population) for number, count in free.items()}
        below = {number for number, quota in quotas.items() if quota < min(floor, counts[number])}
        if not below:
            break
        fixed.update({number: min(floor, counts[number]) for number in below})
    shares = {number: int(quota) for number, quota in quotas.items()}
    by_remainder = sorted(quotas, key=lambda number: (shares[number] - quotas[number], number))
    for number in by_remainder[: left - sum(shares.values())]:
        shares[number] += 1
    return dict(sorted({**fixed, **shares}.items()))


def _check_sample_request(election: Election, stations: int, size: int, seed: int, minimum: int) -> None:
    if not stations:
        raise SampleError(f"{election.name} has no polling stations to draw a sample from.")
    if size < 1:
        raise SampleError(f"The sample size must be at least 1, not {size}.")
    if size > stations:
        raise SampleError(f"The sample size cannot exceed the {stations} stations of {election.name}.")
    if not 0 <= seed <= MAX_SEED:
        raise SampleError(f"The seed must be a whole number from 0 to {MAX_SEED}.")
    if minimum < 0:
        raise SampleError(f"The minimum per district cannot be negative ({minimum}).")


def _set_in_sample(pks: list[int], value: bool, now) -> None:
    for start in range(0, len(pks), SAMPLE_CHUNK):
        PollingStation.objects.filter(pk__in=pks[start : start + SAMPLE_CHUNK]).update(
            in_sample=value, updated_at=now
        )


@transaction.atomic
def sample_draw(
    *,
    election: Election,
    size: int,
    seed: int | None = None,
    min_per_district: int = 2,
    by: AbstractBaseUser | None = None,
) -> SampleDraw:
    """Draw a stratified random sample of `size` stations and make it the election's `in_sample`.

    Districts are the strata (see `sample_allocation`); within each, stations are drawn by
    `random.Random(seed)` from a list in (district number, station number) order, sorted here
    rather than in SQL so collations cannot change it. The same seed and station list always
    give the same sample. Without a seed a fresh one is drawn; either way it is recorded.
    """
    seed = secrets.randbits(63) if seed is None else seed
    # Serialise draws for one election: two at once would leave a mix of both samples.
    list(Election.objects.select_for_update().filter(pk=election.pk).values_list("pk"))
    rows = sorted(
        PollingStation.objects.filter(election=election).values_list(
            "district__number", "number", "pk", "in_sample"
        )
    )
    _check_sample_request(election, len(rows), size, seed, min_per_district)
    strata = {number: list(group) for number, group in groupby(rows, key=lambda row: row[0])}
    allocation = sample_allocation(
        {number: len(group) for number, group in strata.items()}, size, min_per_district
    )
    rng = random.Random(seed)  # noqa: S311 - a seeded, re-runnable draw is the point, not secrecy
    chosen = {row[2] for number, group in strata.items() for row in rng.sample(group, allocation[number])}
    current = {row[2] for row in rows if row[3]}
    now = timezone.now()
    _set_in_sample(sorted(current - chosen), False, now)
    _set_in_sample(sorted(chosen - current), True, now)
    return SampleDraw.objects.create(
        election=election,
        size=size,
        drawn=len(chosen),
        seed=seed,
        min_per_district=min_per_district,
        allocation={str(number): count for number, count in allocation.items()},
        drawn_by=by if by is not None and by.is_authenticated else None,
    )
