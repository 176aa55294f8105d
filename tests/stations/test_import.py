"""Loading a station list: the CSV checks, the upsert, the command, the admin page, the constraints."""

import hashlib
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from stations.importers import CsvImportError
from stations.models import District, Election, PollingStation, Region, StationImport
from stations.services import stations_import

HEADER = (
    "region,district_number,district_name,station_number,name,address,latitude,longitude,registered_voters"
)
GOOD_ROWS = (
    "Astana,1,Esil,001,School No. 1,1 Abai Avenue,51.128207,71.430411,2150",
    "Astana,1,Esil,002,School No. 2,2 Kenesary Street,51.1,71.4,1800",
    'Almaty (city),3,Alatau,101,Gymnasium No. 5,"12 Tole Bi, Almaty",43.238949,76.889709,3020',
    "Almaty (city),3,Alatau,102,,,,,0",
)
# Bad-file cases start with a row that would update station 001 and one that would create
# a region, a district and a station, so a refusal that wrote anything shows up.
UPSERT_ROW = "Astana,1,Esil,001,School No. 1 (renamed),1 Abai Avenue,51.128207,71.430411,2222"
NEW_ROW = "Almaty (city),3,Alatau,101,Gymnasium No. 5,,43.238949,76.889709,3020"
STATION_VALUES = (
    "name",
    "address",
    "latitude",
    "longitude",
    "registered_voters",
    "district__number",
    "region__name",
)
# Session, user, the election/region/district list filters, the count, the page.
STATION_CHANGELIST_QUERIES = 7
# Session, user, the election/region list filters, two counts (paginator and total), the page.
DISTRICT_CHANGELIST_QUERIES = 6
NOTHING = {"Region": 0, "District": 0, "PollingStation": 0, "StationImport": 0}


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def write_csv(tmp_path, data: bytes, name: str = "stations.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def import_file(election, path) -> str:
    out = io.StringIO()
    call_command("import_stations", "--election", election.slug, str(path), stdout=out)
    return out.getvalue()


def refusal(election, data: bytes) -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        stations_import(election=election, data=data, filename="stations.csv")
    return [str(error) for error in caught.value.errors]


def station_values(election, number: str) -> tuple:
    return PollingStation.objects.filter(election=election, number=number).values_list(*STATION_VALUES).get()


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (Region, District, PollingStation, StationImport)
    }


def updated_at_by_number(election) -> dict:
    return dict(PollingStation.objects.filter(election=election).values_list("number", "updated_at"))


def test_the_command_creates_regions_districts_and_stations_from_a_file(election, tmp_path):
    output = import_file(election, write_csv(tmp_path, csv_bytes(*GOOD_ROWS)))

    assert "4 stations read: 4 created, 0 updated, 0 unchanged." in output
    assert sorted(Region.objects.filter(election=election).values_list("name", flat=True)) == [
        "Almaty (city)",
        "Astana",
    ]
    assert list(District.objects.filter(election=election).values_list("number", "name", "region__name")) == [
        (1, "Esil", "Astana"),
        (3, "Alatau", "Almaty (city)"),
    ]
    assert station_values(election, "001") == (
        "School No. 1",
        "1 Abai Avenue",
        Decimal("51.128207"),
        Decimal("71.430411"),
        2150,
        1,
        "Astana",
    )
    assert station_values(election, "002")[2:5] == (Decimal("51.1"), Decimal("71.4"), 1800)
    assert station_values(election, "101")[:2] == ("Gymnasium No. 5", "12 Tole Bi, Almaty")
    assert station_values(election, "102") == ("", "", None, None, 0, 3, "Almaty (city)")
    batch = StationImport.objects.get()
    assert (batch.election, batch.filename, batch.rows, batch.created, batch.updated, batch.imported_by) == (
        election,
        "stations.csv",
        4,
        4,
        0,
        None,
    )


def test_importing_the_same_file_again_changes_nothing(election, tmp_path):
    path = write_csv(tmp_path, csv_bytes(*GOOD_ROWS))
    import_file(election, path)
    before = updated_at_by_number(election)

    output = import_file(election, path)

    assert "4 stations read: 0 created, 0 updated, 4 unchanged." in output
    assert updated_at_by_number(election) == before
    assert list(StationImport.objects.order_by("pk").values_list("created", "updated")) == [(4, 0), (0, 0)]


def test_a_changed_file_updates_only_the_changed_stations_and_leaves_missing_ones_alone(election, tmp_path):
    import_file(election, write_csv(tmp_path, csv_bytes(*GOOD_ROWS)))
    before = updated_at_by_number(election)
    changed = csv_bytes(
        "Astana,1,Esil,001,School No. 1,1 Abai Avenue,51.128207,71.430411,2200",
        "Almaty (city),3,Alatau,002,School No. 2,2 Kenesary Street,51.1,71.4,1800",
        GOOD_ROWS[2],
        "Almaty (city),3,Alatau,103,Lyceum No. 8,,,,640",
    )

    output = import_file(election, write_csv(tmp_path, changed, "changed.csv"))

    assert "4 stations read: 1 created, 2 updated, 1 unchanged." in output
    after = updated_at_by_number(election)
    assert {number for number in before if after[number] != before[number]} == {"001", "002"}
    assert station_values(election, "001")[4] == 2200
    assert station_values(election, "002")[5:] == (3, "Almaty (city)")
    assert station_values(election, "102") == ("", "", None, None, 0, 3, "Almaty (city)")
    assert station_values(election, "103") == ("Lyceum No. 8", "", None, None, 640, 3, "Almaty (city)")


def test_a_district_moved_to_another_region_takes_its_existing_stations_along(election, tmp_path):
    import_file(election, write_csv(tmp_path, csv_bytes(*GOOD_ROWS)))
    moved = GOOD_ROWS[2].replace("Almaty (city)", "Almaty Region")

    import_file(election, write_csv(tmp_path, csv_bytes(moved), "moved.csv"))

    assert District.objects.get(election=election, number=3).region.name == "Almaty Region"
    regions = PollingStation.objects.filter(election=election).values_list("number", "region__name")
    assert dict(regions) == {"001": "Astana", "002": "Astana", "101": "Almaty Region", "102": "Almaty Region"}


BAD_ROWS = [
    pytest.param(
        "Astana,one,Esil,004,School,,,,100",
        "line 4: district_number must be a whole number, not 'one'.",
        id="district number not a number",
    ),
    pytest.param(
        "Astana,1,Esil,004,School,,,,many",
        "line 4: registered_voters must be a whole number, not 'many'.",
        id="voters not a number",
    ),
    pytest.param(
        "Astana,1,Esil,004,School,,--5,71.4,100",
        "line 4: latitude must be a number, not '--5'.",
        id="latitude not a number",
    ),
    pytest.param(
        "Astana,1,Esil,004,School,,,,--5",
        "line 4: registered_voters must be a whole number, not '--5'.",
        id="voters with two minus signs",
    ),
    pytest.param(
        "Astana,1,Esil,004,School,,,,-5",
        "line 4: registered_voters cannot be negative (-5).",
        id="negative voters",
    ),
    pytest.param(
        "Almaty (city),1,Esil,004,School,,,,100",
        "line 4: district 1 is placed in region 'Almaty (city)' here but in region 'Astana' on line 2.",
        id="district in two regions",
    ),
    pytest.param(
        "Astana,1,Yesil,004,School,,,,100",
        "line 4: district 1 is named 'Yesil' here but 'Esil' on line 2.",
        id="district with two names",
    ),
    pytest.param(
        "Almaty (city),3,Alatau,001,School,,,,100",
        "line 4: station 001 is already on line 2.",
        id="station twice",
    ),
    pytest.param(
        "Astana,1,Esil,004,School,,,,100,extra",
        "line 4: this row has more fields than the header.",
        id="more fields than the header",
    ),
    pytest.param(
        "Astana,1,Esil,004,School,,91,71.4,100",
        "line 4: latitude must lie between -90 and 90, not 91.",
        id="latitude out of range",
    ),
    pytest.param(
        "Astana,1,Esil,004,School,,51.1,-181,100",
        "line 4: longitude must lie between -180 and 180, not -181.",
        id="longitude out of range",
    ),
    pytest.param(
        "Astana,1,Esil,004,School,,51.1,,100",
        "line 4: give both latitude and longitude, or neither.",
        id="latitude without longitude",
    ),
    pytest.param(
        "Astana,1,Esil,,School,,,,100",
        "line 4: station_number is empty.",
        id="empty required value",
    ),
    pytest.param(
        "Astana,1,Esil," + "7" * 33 + ",School,,,,100",
        "line 4: station_number is longer than 32 characters.",
        id="station number too long",
    ),
]


@pytest.mark.parametrize(("bad_row", "message"), BAD_ROWS)
def test_it_refuses_a_file_with_a_bad_row_and_writes_nothing(election, make_station, bad_row, message):
    make_station("001", name="School No. 1", registered_voters=1000)
    before, existing = row_counts(), station_values(election, "001")

    assert refusal(election, csv_bytes(UPSERT_ROW, NEW_ROW, bad_row)) == [message]

    assert row_counts() == before
    assert station_values(election, "001") == existing
    assert District.objects.get(election=election, number=1).name == "District 1"


def cp1251_on_line_3() -> bytes:
    return csv_bytes(UPSERT_ROW) + "Алматы,3,Alatau,101,Школа,,,,100\n".encode("cp1251")


BAD_FILES = [
    pytest.param(
        csv_bytes(UPSERT_ROW, header=HEADER.removesuffix(",registered_voters")),
        "line 1: missing column(s): registered_voters.",
        id="missing column",
    ),
    pytest.param(
        cp1251_on_line_3(),
        "line 3: the file is not UTF-8 text (byte 0xc0); save it as \u201cCSV UTF-8\u201d and try again.",
        id="not utf-8",
    ),
    pytest.param(
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)),
        "This is not a CSV text file (it contains binary data).",
        id="binary data",
    ),
    pytest.param(b"", "line 1: the file is empty; the first line must name the columns.", id="empty file"),
    pytest.param(csv_bytes(), "the file has a header but no stations.", id="header only"),
]


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_it_refuses_a_file_it_cannot_read_and_writes_nothing(election, make_station, data, message):
    make_station("001", name="School No. 1", registered_voters=1000)
    before, existing = row_counts(), station_values(election, "001")

    assert refusal(election, data) == [message]

    assert row_counts() == before
    assert station_values(election, "001") == existing


def test_it_reports_every_bad_row_in_line_order(election):
    data = csv_bytes(
        UPSERT_ROW,
        "Astana,1,Esil,004,School,,,,-5",
        "Astana,1,Esil,001,School again,,,,100",
        "Astana,x,Esil,005,School,,95,71.4,100",
        "Astana,1,Esil,006,School,,,,100",
        "Astana,1,Esil,,School,,,,100",
    )

    assert refusal(election, data) == [
        "line 3: registered_voters cannot be negative (-5).",
        "line 4: station 001 is already on line 2.",
        "line 5: district_number must be a whole number, not 'x'.",
        "line 5: latitude must lie between -90 and 90, not 95.",
        "line 7: station_number is empty.",
    ]
    assert row_counts() == NOTHING


def test_a_quoted_value_over_two_lines_is_kept_and_later_line_numbers_stay_right(election):
    two_lines = 'Astana,1,Esil,001,School No. 1,"1 Abai Avenue\nsecond floor",51.1,71.4,2150'

    assert refusal(election, csv_bytes(two_lines, "Astana,1,Esil,002,,,,,-5", "Astana,1,Esil,,,,,,5")) == [
        "line 4: registered_voters cannot be negative (-5).",
        "line 5: station_number is empty.",
    ]
    stations_import(election=election, data=csv_bytes(two_lines, GOOD_ROWS[1]), filename="stations.csv")
    assert station_values(election, "001")[1] == "1 Abai Avenue\nsecond floor"
    assert station_values(election, "002")[4] == 1800


def test_it_accepts_the_byte_order_mark_excel_writes(election):
    batch = stations_import(
        election=election, data=b"\xef\xbb\xbf" + csv_bytes(GOOD_ROWS[0]), filename="excel.csv"
    )

    assert (batch.rows, batch.created) == (1, 1)
    assert station_values(election, "001")[4:] == (2150, 1, "Astana")


def test_it_accepts_semicolons_and_decimal_commas_from_a_russian_spreadsheet(election):
    data = csv_bytes(
        "Astana;1;Esil;001;School No. 1;1 Abai Avenue, 2nd floor;51,128207;71,430411;2 150",
        header=HEADER.replace(",", ";"),
    ).replace(b"\n", b"\r\n")

    stations_import(election=election, data=data, filename="excel.csv")

    assert station_values(election, "001") == (
        "School No. 1",
        "1 Abai Avenue, 2nd floor",
        Decimal("51.128207"),
        Decimal("71.430411"),
        2150,
        1,
        "Astana",
    )


def test_the_command_fails_on_a_bad_file_and_prints_every_problem_with_its_line(election, tmp_path):
    path = write_csv(
        tmp_path, csv_bytes(UPSERT_ROW, "Astana,1,Esil,004,,,,,-5", "Astana,1,Esil,005,,,91,71.4,9")
    )
    stderr = io.StringIO()

    with pytest.raises(CommandError, match=r"^2 problem\(s\) found; nothing was imported\.$"):
        call_command("import_stations", "--election", election.slug, str(path), stderr=stderr)

    assert stderr.getvalue().splitlines() == [
        "stations.csv: line 3: registered_voters cannot be negative (-5).",
        "stations.csv: line 4: latitude must lie between -90 and 90, not 91.",
    ]
    assert row_counts() == NOTHING


def test_the_command_names_an_unknown_election(db, tmp_path):
    path = write_csv(tmp_path, csv_bytes(*GOOD_ROWS))

    with pytest.raises(CommandError, match=r"^No election with the slug 'no-such-election'\.$"):
        call_command("import_stations", "--election", "no-such-election", str(path))
    assert row_counts() == NOTHING


def test_the_command_says_when_it_cannot_read_the_file(election, tmp_path):
    with pytest.raises(CommandError, match=r"^Cannot read .*missing\.csv: No such file or directory\.$"):
        call_command("import_stations", "--election", election.slug, str(tmp_path / "missing.csv"))


def import_url(election_id: int) -> str:
    return reverse("admin:stations_election_import_stations", args=[election_id])


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("stations.csv", data, content_type="text/csv")


def test_the_admin_import_page_shows_the_upload_form(client, superuser, election):
    client.force_login(superuser)

    response = client.get(import_url(election.pk))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Import polling stations into Test election 2023" in content
    assert 'enctype="multipart/form-data"' in content
    assert 'type="file" name="file"' in content


def test_the_admin_import_loads_a_good_file_and_records_who_loaded_it(client, superuser, election):
    client.force_login(superuser)
    data = csv_bytes(*GOOD_ROWS)

    response = client.post(import_url(election.pk), {"file": upload(data)})

    change_url = reverse("admin:stations_election_change", args=[election.pk])
    assert (response.status_code, response["Location"]) == (302, change_url)
    assert station_values(election, "101")[4:] == (3020, 3, "Almaty (city)")
    assert PollingStation.objects.filter(election=election).count() == 4
    batch = StationImport.objects.get()
    assert (batch.sha256, batch.imported_by, batch.filename, batch.rows, batch.created) == (
        hashlib.sha256(data).hexdigest(),
        superuser,
        "stations.csv",
        4,
        4,
    )
    assert "4 stations read: 4 created, 0 updated." in client.get(change_url).content.decode()


def test_the_admin_import_shows_the_same_problems_as_the_command_and_writes_nothing(
    client, superuser, election, tmp_path
):
    data = csv_bytes(UPSERT_ROW, "Astana,x,Esil,004,,,,,5", "Astana,1,Yesil,005,,,,,5")
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_stations", "--election", election.slug, str(write_csv(tmp_path, data)), stderr=stderr
        )
    problems = [line.removeprefix("stations.csv: ") for line in stderr.getvalue().splitlines()]
    assert problems == [
        "line 3: district_number must be a whole number, not 'x'.",
        "line 4: district 1 is named 'Yesil' here but 'Esil' on line 2.",
    ]
    client.force_login(superuser)

    response = client.post(import_url(election.pk), {"file": upload(data)})

    content = response.content.decode()
    assert response.status_code == 400
    assert "2 problems were found. Nothing was changed." in content
    assert all(f"<li>{escape(problem)}</li>" in content for problem in problems)
    assert row_counts() == NOTHING


@pytest.mark.parametrize(
    ("codenames", "shown", "posted", "stations"),
    [
        ([], 403, 403, 0),
        (["change_election"], 403, 403, 0),
        (["add_pollingstation"], 403, 403, 0),
        (["change_election", "add_pollingstation"], 200, 302, 1),
    ],
)
def test_the_admin_import_needs_both_permissions(client, election, codenames, shown, posted, stations):
    staff = get_user_model().objects.create_user("clerk", password="pw-for-tests-only", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="stations", codename__in=codenames)
    )
    client.force_login(staff)

    assert client.get(import_url(election.pk)).status_code == shown
    assert (
        client.post(import_url(election.pk), {"file": upload(csv_bytes(GOOD_ROWS[0]))}).status_code == posted
    )
    assert PollingStation.objects.count() == stations


def test_the_admin_import_sends_anonymous_visitors_to_the_login_page(client, election):
    url = import_url(election.pk)

    response = client.post(url, {"file": upload(csv_bytes(*GOOD_ROWS))})

    assert (response.status_code, response["Location"]) == (302, f"{reverse('admin:login')}?next={url}")
    assert row_counts() == NOTHING


def test_the_admin_import_answers_404_for_an_election_that_does_not_exist(client, superuser, election):
    client.force_login(superuser)

    assert client.get(import_url(election.pk + 1000)).status_code == 404


def test_the_admin_import_refuses_a_file_over_the_size_limit(client, superuser, election, settings):
    settings.STATION_IMPORT_MAX_BYTES = 100
    client.force_login(superuser)
    data = csv_bytes(*GOOD_ROWS)
    assert len(data) > 100

    response = client.post(import_url(election.pk), {"file": upload(data)})

    assert response.status_code == 400
    assert "the limit is" in response.context["form"].errors["file"][0]
    assert row_counts() == NOTHING


@pytest.mark.parametrize("stations", [1, 50])
def test_the_station_changelist_takes_the_same_queries_for_1_and_50_stations(
    client, superuser, make_station, django_assert_num_queries, stations
):
    for index in range(stations):
        make_station(f"{index:03d}", district=index % 5 + 1, region=f"Region {index % 5 % 2}")
    client.force_login(superuser)

    with django_assert_num_queries(STATION_CHANGELIST_QUERIES):
        response = client.get(reverse("admin:stations_pollingstation_changelist"))

    assert len(response.context["cl"].result_list) == stations


@pytest.mark.parametrize("districts", [1, 20])
def test_the_district_changelist_shows_station_counts_in_the_same_queries_for_1_and_20_districts(
    client, superuser, make_station, django_assert_num_queries, districts
):
    make_station("001", registered_voters=700, in_sample=True)
    make_station("002", registered_voters=800)
    make_station("003", registered_voters=900)
    for number in range(2, districts + 1):
        make_station(f"{number:03d}-1", district=number, region=f"Region {number % 3}")
    client.force_login(superuser)

    with django_assert_num_queries(DISTRICT_CHANGELIST_QUERIES):
        response = client.get(reverse("admin:stations_district_changelist"))

    content = response.content.decode()
    assert len(response.context["cl"].result_list) == districts
    assert '<td class="field-station_count">3</td>' in content
    assert '<td class="field-sample_count">1</td>' in content
    assert '<td class="field-registered_total">2400</td>' in content


def test_the_database_refuses_a_station_number_twice_in_one_election(make_station):
    make_station("001")
    other = make_station("002")

    with pytest.raises(IntegrityError), transaction.atomic():
        PollingStation.objects.filter(pk=other.pk).update(number="001")


def test_the_database_allows_the_same_station_number_in_another_election(make_station):
    make_station("001")
    later = Election.objects.create(slug="test-2024", name="Test election 2024", date="2024-03-19")
    region = Region.objects.create(election=later, name="Astana")
    district = District.objects.create(election=later, number=1, name="Esil", region=region)

    PollingStation.objects.create(election=later, number="001", region=region, district=district)

    assert PollingStation.objects.filter(number="001").count() == 2


def test_the_database_refuses_a_district_number_twice_in_one_election(election, make_station):
    make_station("001", district=1)
    make_station("002", district=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        District.objects.filter(election=election, number=2).update(number=1)


@pytest.mark.parametrize(
    "values",
    [{"registered_voters": -1}, {"latitude": 91}, {"longitude": -181}],
    ids=["negative voters", "latitude 91", "longitude -181"],
)
def test_the_database_refuses_impossible_station_values(election, make_station, values):
    created = make_station("001", latitude=Decimal("51.1"), longitude=Decimal("71.4"))

    with pytest.raises(IntegrityError), transaction.atomic():
        PollingStation.objects.filter(pk=created.pk).update(**values)

    assert station_values(election, "001")[2:5] == (Decimal("51.1"), Decimal("71.4"), 1000)
