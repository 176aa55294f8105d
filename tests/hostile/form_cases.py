"""Hostile requests to the observer pages and the admin's imports."""

import uuid

from django.test.client import MULTIPART_CONTENT

from tests.hostile.requests import (
    HUGE,
    REPORT_PAGE,
    RESULTS_IMPORT,
    STATION_IMPORT,
    TURNOUT,
    Case,
    assignments,
    csv,
    cut_off,
    photo,
    post,
    raw,
    report_fields,
    results_csv,
    stations_csv,
)

OBSERVER_PAGES = [
    Case(
        "a_report_cut_off_in_the_middle_of_its_photo",
        raw(
            REPORT_PAGE,
            cut_off({**report_fields(occurred_at="2023-03-19T09:30"), "photos": photo()}),
            MULTIPART_CONTENT,
            "pages",
        ),
        "cut off on the way",
    ),
    Case(
        "a_report_without_a_multipart_boundary",
        raw(REPORT_PAGE, b"--x\r\n", "multipart/form-data", "pages"),
        "could not be read",
    ),
    Case(
        "a_report_in_the_year_99999",
        post(REPORT_PAGE, report_fields(occurred_at="99999-03-19T09:30"), "pages"),
        "Give the date and the time",
    ),
    Case(
        "a_report_latitude_beyond_any_float",
        post(REPORT_PAGE, report_fields(occurred_at="2023-03-19T09:30", latitude="1e999"), "pages"),
        "no more than 20 digits",
    ),
    Case(
        "a_report_accuracy_too_large_for_any_field",
        post(REPORT_PAGE, report_fields(occurred_at="2023-03-19T09:30", accuracy_m=str(HUGE)), "pages"),
        "no more than 20 digits",
    ),
    Case(
        "a_report_photo_that_is_php",
        post(
            REPORT_PAGE,
            {**report_fields(occurred_at="2023-03-19T09:30"), "photos": photo(b"<?php system($_GET[0]);")},
            "pages",
        ),
        "not a photo",
    ),
    Case(
        "a_check_in_of_a_kind_that_does_not_exist",
        post("/observe/stations/{station}/checkin/", {"id": str(uuid.uuid4()), "kind": "teleport"}, "pages"),
        "is not a valid choice",
    ),
    Case(
        "a_turnout_too_large_for_any_field",
        post(
            "/observe/stations/{station}/turnout/",
            {**TURNOUT, "counted_at": "2023-03-19T12:00", "voters": str(HUGE)},
            "pages",
        ),
        "more than 100,000 voters",
    ),
    Case(
        "a_protocol_with_votes_too_large_for_any_field",
        post(
            "/observe/stations/{station}/protocol/party_list/",
            {"id": str(uuid.uuid4()), "received": str(HUGE), "vote_amanat": str(HUGE)},
            "pages",
        ),
        "Give a whole number",
    ),
    Case(
        "a_protocol_cut_off_in_the_middle_of_its_photo",
        raw(
            "/observe/stations/{station}/protocol/party_list/",
            cut_off({"id": str(uuid.uuid4()), "photo": photo()}),
            MULTIPART_CONTENT,
            "pages",
        ),
        "cut off on the way",
    ),
]

ADMIN_IMPORTS = [
    Case(
        "a_station_list_that_is_not_utf8",
        post(STATION_IMPORT, {"file": csv(stations_csv("Astana,1,Esil,101,,,,,5") + b"\xff\xfe")}, "admin"),
        "UTF-8",
    ),
    Case(
        "a_station_list_with_voters_too_large_for_any_field",
        post(STATION_IMPORT, {"file": csv(stations_csv(f"Astana,1,Esil,101,,,,,{HUGE}"))}, "admin"),
        "registered_voters",
    ),
    Case(
        "a_station_list_with_a_district_too_large_for_any_field",
        post(STATION_IMPORT, {"file": csv(stations_csv(f"Astana,{HUGE},Esil,101,,,,,5"))}, "admin"),
        "district_number",
    ),
    Case(
        "a_station_list_with_a_field_past_the_csv_limit",
        post(
            STATION_IMPORT,
            {"file": csv(stations_csv("Astana,1,Esil,101," + "n" * 200_000 + ",,,,5"))},
            "admin",
        ),
        "line",
    ),
    Case(
        "a_station_list_with_a_null_byte",
        post(STATION_IMPORT, {"file": csv(stations_csv("Astana,1,Esil,1\x0001,,,,,5"))}, "admin"),
        "binary data",
    ),
    Case(
        "a_station_list_with_a_latitude_beyond_any_float",
        post(STATION_IMPORT, {"file": csv(stations_csv("Astana,1,Esil,101,,,1e999,1e999,5"))}, "admin"),
        "latitude",
    ),
    Case(
        "a_station_list_cut_off_half_way",
        raw(
            STATION_IMPORT,
            cut_off({"file": csv(stations_csv("Astana,1,Esil,101,,,,,5") * 50)}),
            MULTIPART_CONTENT,
            "admin",
        ),
        "cut off on the way",
    ),
    Case(
        "a_results_file_with_votes_too_large_for_any_field",
        post(RESULTS_IMPORT, {"file": csv(results_csv(f"101,1000,10,10,0,{HUGE},0,0"))}, "admin"),
        "amanat",
    ),
    Case(
        "a_results_file_that_is_not_utf8",
        post(RESULTS_IMPORT, {"file": csv(b"\xff\xfe" + results_csv("101,1000,10,10,0,10,0,0"))}, "admin"),
        "UTF-8",
    ),
    Case(
        "a_results_file_with_a_quote_that_never_closes",
        post(RESULTS_IMPORT, {"file": csv(results_csv('101,"1000,10,10,0,10,0,0'))}, "admin"),
        "line",
    ),
    Case(
        "an_assignments_file_that_is_not_utf8",
        assignments(b"username,station_number\n\xff\xfe,101\n"),
        "UTF-8",
    ),
    Case(
        "an_assignments_file_with_a_username_of_a_megabyte",
        assignments(b"username,station_number\n" + b"a" * 2**20 + b",101\n"),
        "line 2",
    ),
]
