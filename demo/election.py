"""The demo election, "Majilis 2023 (demo)", built from the real facts in demo/data/kz2023.

Regions and single-mandate districts are real. Kazakhstan published almost no per-station figures,
so the number of stations in most regions, every station's registered voters, name, address and
coordinates are synthetic: generated from a fixed seed, so every machine builds the same election.
"""

import csv
import random
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from stations.importers import StationRow

DATA_DIR = Path(__file__).resolve().parent / "data" / "kz2023"
DEMO_SLUG = "majilis-2023-demo"
DEMO_NAME = "Majilis 2023 (demo)"
DEMO_DATE = date(2023, 3, 19)
DEMO_TIMEZONE = "Asia/Almaty"
DEMO_SEED = 2023
DOMESTIC_STATIONS = 10_146
REGISTERED_VOTERS = 12_032_550
CITIES = {"Astana", "Almaty (city)", "Shymkent"}

# Approximate population on 1 January 2023, in thousands, and the regional centre's coordinates.
# Used only to spread synthetic stations and voters where no official figure was published.
REGION_FACTS = {
    "Abai Region": (610, "Semey", 50.411, 80.227),
    "Akmola Region": (787, "Kokshetau", 53.284, 69.397),
    "Aktobe Region": (917, "Aktobe", 50.283, 57.167),
    "Almaty Region": (1508, "Qonaev", 43.867, 77.067),
    "Atyrau Region": (694, "Atyrau", 47.094, 51.924),
    "West Kazakhstan Region": (689, "Oral", 51.233, 51.367),
    "Jambyl Region": (1212, "Taraz", 42.900, 71.367),
    "Jetisu Region": (697, "Taldykorgan", 45.017, 78.373),
    "Karaganda Region": (1134, "Karaganda", 49.806, 73.085),
    "Kostanay Region": (831, "Kostanay", 53.214, 63.632),
    "Kyzylorda Region": (829, "Kyzylorda", 44.853, 65.509),
    "Mangystau Region": (771, "Aktau", 43.652, 51.158),
    "Pavlodar Region": (752, "Pavlodar", 52.287, 76.967),
    "North Kazakhstan Region": (536, "Petropavl", 54.865, 69.135),
    "Turkistan Region": (2100, "Turkistan", 43.297, 68.252),
    "Ulytau Region": (221, "Zhezkazgan", 47.783, 67.714),
    "East Kazakhstan Region": (727, "Oskemen", 49.948, 82.628),
    "Astana": (1354, "Astana", 51.169, 71.449),
    "Almaty (city)": (2229, "Almaty", 43.238, 76.889),
    "Shymkent": (1222, "Shymkent", 42.317, 69.587),
}
# Kazakhstan's bounding box: generated coordinates stay inside it.
LATITUDES, LONGITUDES = (40.6, 55.4), (46.5, 87.3)
STREETS = (
    "Abai",
    "Dostyk",
    "Tauelsizdik",
    "Kabanbai Batyr",
    "Zheltoksan",
    "Satpayev",
    "Nazarbayev",
    "Bukhar Zhyrau",
)


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _published_int(value: str) -> int | None:
    match = re.match(r"\s*(\d+)", value or "")
    return int(match.group(1)) if match else None


def _allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` in proportion to `weights`, largest remainders first, summing exactly."""
    scale = total / sum(weights.values())
    shares = {key: weight * scale for key, weight in weights.items()}
    result = {key: int(share) for key, share in shares.items()}
    by_remainder = sorted(shares, key=lambda key: shares[key] - result[key], reverse=True)
    for key in by_remainder[: total - sum(result.values())]:
        result[key] += 1
    return result


def _coordinate(value: float, bounds: tuple[float, float]) -> Decimal:
    return Decimal(f"{min(max(value, bounds[0]), bounds[1]):.6f}")


def region_plan() -> dict[str, tuple[int, int]]:
    """Per region: (stations, registered voters), the published figures where there are any."""
    regions = [row for row in _read("region_turnout_2023.csv") if row["region_en"] != "NATIONAL"]
    stations = {row["region_en"]: _published_int(row["polling_stations_2023"]) for row in regions}
    voters = {row["region_en"]: _published_int(row["registered_2023"]) for row in regions}
    # Cities have fewer, larger stations than the countryside.
    weight = {name: REGION_FACTS[name][0] * (0.5 if name in CITIES else 1.0) for name in stations}
    unknown_stations = {name: weight[name] for name, count in stations.items() if count is None}
    stations.update(_allocate(DOMESTIC_STATIONS - sum(c for c in stations.values() if c), unknown_stations))
    unknown_voters = {name: REGION_FACTS[name][0] for name, count in voters.items() if count is None}
    voters.update(_allocate(REGISTERED_VOTERS - sum(c for c in voters.values() if c), unknown_voters))
    return {name: (stations[name], voters[name]) for name in stations}


def district_plan() -> dict[str, list[tuple[int, str]]]:
    """Per region: its single-mandate districts as (number, name), in number order."""
    plan: dict[str, list[tuple[int, str]]] = {}
    for row in _read("smd_districts_2023.csv"):
        area = re.sub(r"\s*\(.*\)\s*$", "", row["area_or_seat"]).replace(";", ",").strip()
        name = f"{row['region']}: {area}" if area else row["region"]
        plan.setdefault(row["region"], []).append((int(row["smd_no"]), name))
    for districts in plan.values():
        districts.sort()
    return plan


def demo_station_rows(seed: int = DEMO_SEED) -> list[StationRow]:
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    districts = district_plan()
    rows: list[StationRow] = []
    for region, (count, voters) in region_plan().items():
        _, centre, lat, lon = REGION_FACTS[region]
        spread = 0.08 if region in CITIES else 1.2
        # Station sizes vary around the regional mean and add up to the region's registered voters.
        draws = {index: rng.gammavariate(8.0, 1.0) for index in range(count)}
        sizes = _allocate(voters, draws)
        for index in range(count):
            number, district_name = districts[region][index * len(districts[region]) // count]
            station_number = len(rows) + 1
            rows.append(
                StationRow(
                    line=station_number,
                    region=region,
                    district_number=number,
                    district_name=district_name,
                    station_number=str(station_number),
                    name=f"Polling station No. {station_number}",
                    address=f"{centre}, {rng.choice(STREETS)} St. {rng.randint(1, 240)}, "
                    f"school No. {index % 90 + 1}",
                    latitude=_coordinate(lat + rng.uniform(-spread, spread), LATITUDES),
                    longitude=_coordinate(lon + rng.uniform(-spread, spread) * 1.5, LONGITUDES),
                    registered_voters=sizes[index],
                )
            )
    return rows
