"""Hostile requests to the observer API and the partner API."""

import uuid

from django.test.client import MULTIPART_CONTENT

from tests.hostile.requests import (
    BOMB,
    HUGE,
    JSON,
    LAST_TIME,
    MORNING,
    TURNOUT,
    V1,
    Case,
    checkin,
    cut_off,
    get,
    nested,
    photo,
    post,
    raw,
    report_fields,
)

OBSERVER_API = [
    Case(
        "json_arrays_nested_past_the_recursion_limit",
        raw(f"{V1}checkins/", nested("[", "]")),
        "nested too deeply",
    ),
    Case(
        "json_objects_nested_past_the_recursion_limit",
        raw(f"{V1}reports/", nested('{"a":', "}", "1")),
        "nested too deeply",
    ),
    Case(
        "json_that_is_not_utf8", raw(f"{V1}turnout-counts/", b'{"note": "\xff\xfe\xfd"}'), "not valid UTF-8"
    ),
    Case("json_that_stops_half_way", raw(f"{V1}checkins/", '{"station": 1, "kind": "arr'), "not valid JSON"),
    Case(
        "json_with_a_number_of_5000_digits",
        raw(f"{V1}checkins/", '{"station": ' + "9" * 5000 + "}"),
        "number that cannot be read",
    ),
    Case("json_with_nan", raw(f"{V1}checkins/", '{"station": NaN}'), "number that cannot be read"),
    Case(
        "json_declaring_a_charset_that_does_not_exist",
        raw(f"{V1}checkins/", b"{}", f"{JSON}; charset=klingon"),
        "This field is required",
    ),
    Case("a_list_where_an_object_belongs", raw(f"{V1}checkins/", "[1, 2, 3]"), "Expected a dictionary"),
    Case(
        "a_station_too_large_for_any_field",
        post(f"{V1}checkins/", checkin(station=HUGE), format="json"),
        "less than or equal to",
    ),
    Case(
        "a_turnout_too_large_for_any_field",
        post(f"{V1}turnout-counts/", {**TURNOUT, "voters": HUGE}, format="json"),
        "less than or equal to",
    ),
    Case(
        "votes_too_large_for_any_field",
        post(f"{V1}protocols/", {"votes": {"amanat": HUGE}}, format="json"),
        "whole number",
    ),
    Case(
        "an_accuracy_too_large_for_any_field",
        post(f"{V1}reports/", {"accuracy_m": HUGE}, format="json"),
        "less than or equal to",
    ),
    Case("a_latitude_beyond_any_float", raw(f"{V1}reports/", '{"latitude": 1e999}'), "valid number"),
    Case(
        "a_time_past_the_last_date_in_utc",
        post(f"{V1}checkins/", checkin(at=LAST_TIME), format="json"),
        "out of range",
    ),
    Case(
        "a_null_character_in_a_note",
        post(f"{V1}checkins/", checkin(note="clear\x00"), format="json"),
        "Null characters",
    ),
    Case("a_lone_surrogate_in_a_note", raw(f"{V1}checkins/", '{"note": "\\ud800"}'), "Surrogate characters"),
    Case(
        "an_operator_object_as_an_answer",
        post(f"{V1}reports/{{report}}/answer/", {"answer": {"$gt": ""}}, format="json"),
        "Not a valid string",
    ),
    Case(
        "a_password_of_a_megabyte",
        post(
            f"{V1}auth/token/",
            {"username": "observer-a", "password": "x" * 2**20},
            "anonymous",
            format="json",
        ),
        "no more than 4096",
    ),
    Case("xml_instead_of_json", raw(f"{V1}checkins/", "<checkin/>", "text/xml"), "Unsupported media type"),
    Case(
        "a_page_beyond_any_integer",
        get(f"{V1}reports/", {"mine": "true", "page": str(HUGE)}, "observer_api"),
        "Invalid page",
    ),
    Case(
        "a_station_query_beyond_any_integer",
        get(f"{V1}contests/", {"station": str(HUGE)}, "observer_api"),
        "less than or equal to",
    ),
    Case(
        "a_token_of_garbage_bytes",
        get(f"{V1}me/", None, "anonymous", HTTP_AUTHORIZATION="Bearer \xff\xfe\x00"),
        "not valid",
    ),
    Case(
        "multipart_without_a_boundary",
        raw(f"{V1}reports/", b"--x\r\n\r\n", "multipart/form-data"),
        "boundary",
    ),
    Case(
        "multipart_with_a_boundary_of_forbidden_characters",
        raw(f"{V1}reports/", b"--\xe9\r\n", "multipart/form-data; boundary=\xe9"),
        "boundary",
    ),
    Case(
        "a_report_cut_off_in_the_middle_of_its_photo",
        raw(
            f"{V1}reports/",
            cut_off(
                {**report_fields(station="{station}", occurred_at=MORNING.isoformat()), "photos": photo()}
            ),
            MULTIPART_CONTENT,
        ),
        "cut off",
    ),
    Case(
        "a_photo_cut_off_in_the_middle",
        raw(
            f"{V1}reports/{{report}}/photos/",
            cut_off({"id": str(uuid.uuid4()), "photo": photo()}),
            MULTIPART_CONTENT,
        ),
        "cut off",
    ),
    Case(
        "a_photo_that_is_a_shell_script",
        post(
            f"{V1}reports/{{report}}/photos/",
            {"id": str(uuid.uuid4()), "photo": photo(b"#!/bin/sh\nrm -rf /\n")},
        ),
        "not a photo",
    ),
    Case(
        "a_photo_that_is_a_decompression_bomb",
        post(f"{V1}reports/{{report}}/photos/", {"id": str(uuid.uuid4()), "photo": photo(BOMB, "bomb.png")}),
        "photo",
    ),
    Case(
        "a_report_with_two_hundred_files", post(f"{V1}reports/", {"photos": [photo(b"x")] * 200}), "too many"
    ),
    Case(
        "protocol_votes_that_are_not_json",
        post(f"{V1}protocols/", {"station": "{station}", "contest": "party_list", "votes": "{amanat: 1"}),
        "JSON object",
    ),
]

PARTNER_API = [
    Case("a_district_that_is_not_a_number", get(f"{V1}incidents/", {"district": "1 OR 1=1"}), "district"),
    Case("a_district_of_infinity", get(f"{V1}incidents/", {"district": "Infinity"}), "district"),
    Case("a_since_in_the_year_zero", get(f"{V1}incidents/", {"since": "0000-01-01T00:00:00+00:00"}), "since"),
    Case(
        "a_since_that_is_sql",
        get(f"{V1}incidents/", {"since": "1'; DROP TABLE reports_incidentreport;--"}),
        "since",
    ),
    Case("a_severity_that_does_not_exist", get(f"{V1}incidents/", {"severity": "99"}), "severity"),
    Case(
        "a_category_of_markup", get(f"{V1}incidents/", {"category": "<script>alert(1)</script>"}), "category"
    ),
    Case(
        "an_in_sample_that_is_neither_true_nor_false",
        get(f"{V1}elections/test-2023/stations/", {"in_sample": "maybe"}),
        "in_sample",
    ),
    Case("a_negative_district", get(f"{V1}elections/test-2023/stations/", {"district": "-5"}), "district"),
    Case(
        "a_district_path_beyond_any_integer",
        get(f"{V1}elections/test-2023/districts/{HUGE}/"),
        "No such district",
    ),
    Case(
        "a_key_of_a_hundred_kilobytes",
        get(f"{V1}incidents/", None, "anonymous", HTTP_AUTHORIZATION="Bearer bqp_abcd_" + "y" * 100_000),
        "not valid",
    ),
    Case(
        "a_deep_body_posted_to_a_read_only_list",
        raw(f"{V1}incidents/", nested("[", "]"), client="partners"),
        "not allowed",
    ),
    Case("a_forged_photo_link", get(f"{V1}partner-photos/{'A' * 300}/", None, "anonymous"), "No such photo"),
]
