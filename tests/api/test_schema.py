"""The OpenAPI description: generated without a warning, complete, public, and readable offline."""

import json
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

TAGS = {"observers", "partners", "webhooks"}
PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_the_schema_generates_without_a_warning_and_validates(tmp_path, capsys):
    # The same command CI could run by hand: a view or serializer the generator cannot describe
    # (a drift between code and schema) is a warning, and the run fails.
    GENERATOR_STATS.reset()
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    except Exception as exc:
        pytest.fail(f"{exc}\n{capsys.readouterr().err}")
    written = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    assert written["openapi"].startswith("3.")
    assert written["info"]["title"] == "Baqylau API"


def test_the_published_schema_is_the_one_the_code_generates(tmp_path):
    # docs/openapi.yaml is what partners and observers' app developers read without a server; a
    # change of the API shows here first. Refresh it with
    # `python manage.py spectacular --file docs/openapi.yaml` when the change is meant.
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"))
    assert yaml.safe_load((tmp_path / "schema.yaml").read_text()) == yaml.safe_load(PUBLISHED.read_text())


def test_every_operation_has_a_summary_a_tag_and_an_example_of_its_answer(schema):
    missing = []
    for name, operation in operations(schema):
        if not operation.get("summary"):
            missing.append(f"{name}: summary")
        if not operation.get("tags") or not set(operation["tags"]) <= TAGS:
            missing.append(f"{name}: tags {operation.get('tags')}")
        # Every JSON success has an example; a photo or an empty 204 has nothing to show.
        successes = [r for status, r in operation["responses"].items() if status.startswith("2")]
        json = [
            r["content"]["application/json"] for r in successes if "application/json" in r.get("content", {})
        ]
        if json and not any(media.get("examples") for media in json):
            missing.append(f"{name}: example of a success")
    assert missing == []


def test_every_error_response_uses_the_one_error_shape(schema):
    errors = {}
    for name, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                errors[f"{name} {status}"] = response["content"]["application/json"]["schema"]["$ref"]
    assert errors, "no operation documents an error"
    assert set(errors.values()) == {"#/components/schemas/Error"}
    error = schema["components"]["schemas"]["Error"]
    body = schema["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]
    assert set(body["properties"]) == {"code", "message", "fields"}
    assert body["required"] == ["code", "message"]


def test_every_operation_with_credentials_documents_the_answer_without_them(schema):
    for name, operation in operations(schema):
        if operation.get("security") and {} not in operation["security"]:
            assert "401" in operation["responses"], name


def test_every_parameter_is_described(schema):
    undescribed = [
        f"{name} {parameter['name']}"
        for name, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert undescribed == []


def test_observers_and_partners_each_have_their_bearer_scheme(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["observerToken"]["scheme"] == schemes["partnerKey"]["scheme"] == "bearer"
    observer = dict(operations(schema))["GET /api/v1/me/"]
    assert {"observerToken": []} in observer["security"]
    assert all("partnerKey" not in requirement for requirement in observer["security"])


def test_the_observer_schema_lists_the_choices_the_services_accept(schema):
    components = schema["components"]["schemas"]
    report = components["ReportInputSchemaRequest"]["properties"]
    assert "ballot_stuffing" in components[report["category"]["$ref"].rsplit("/", 1)[1]]["enum"]
    assert components[report["phase"]["$ref"].rsplit("/", 1)[1]]["enum"] == [
        "opening",
        "voting",
        "counting",
        "tabulation",
    ]
    assert report["photos"]["items"]["format"] == "binary"


@pytest.mark.django_db
def test_anyone_reads_the_schema_in_yaml_or_json_even_with_a_stale_token(client):
    as_yaml = client.get("/api/schema/", HTTP_AUTHORIZATION="Bearer expired-or-revoked")
    as_json = client.get("/api/schema/?format=json")

    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content)["info"]["title"] == "Baqylau API"
    assert as_json.status_code == 200
    assert json.loads(as_json.content)["paths"].keys() == yaml.safe_load(as_yaml.content)["paths"].keys()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "asset"),
    [
        ("/api/docs/", "swagger-ui-dist/swagger-ui-bundle.js"),
        ("/api/redoc/", "redoc/bundles/redoc.standalone.js"),
    ],
)
def test_the_documentation_pages_load_their_scripts_from_this_server(client, page, asset):
    response = client.get(page)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"/static/drf_spectacular_sidecar/{asset}" in html
    assert finders.find(f"drf_spectacular_sidecar/{asset}") is not None, "the script ships with the app"
    assert "cdn.jsdelivr.net" not in html
    assert "/api/schema/" in html


def test_partner_operations_ask_for_a_partner_key_and_nothing_else(schema):
    partner = {
        name: operation
        for name, operation in operations(schema)
        if operation["tags"] in (["partners"], ["webhooks"]) and "partner-photos" not in name
    }
    assert "GET /api/v1/incidents/" in partner
    assert "POST /api/v1/webhooks/" in partner
    for name, operation in partner.items():
        assert operation["security"] == [{"partnerKey": []}], name
        assert "429" in operation["responses"], name


def test_a_photo_link_needs_no_key_and_answers_a_jpeg(schema):
    photo = dict(operations(schema))["GET /api/v1/partner-photos/{token}/"]

    assert photo["security"] == [{}]
    assert set(photo["responses"]["200"]["content"]) == {"image/jpeg"}
    assert {"404", "410"} <= set(photo["responses"])


def test_the_incidents_list_documents_its_filters_pages_and_csv(schema):
    incidents = dict(operations(schema))["GET /api/v1/incidents/"]
    parameters = {parameter["name"] for parameter in incidents["parameters"]}

    assert {"election", "district", "region", "category", "severity", "phase", "since"} <= parameters
    assert {"cursor", "page_size", "format"} <= parameters
    assert set(incidents["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    # Errors stay JSON even when the CSV was asked for.
    assert set(incidents["responses"]["400"]["content"]) == {"application/json"}
    page = incidents["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page == "#/components/schemas/PaginatedIncidentOutputList"


def test_the_score_lists_document_their_conditional_answers(schema):
    by_name = dict(operations(schema))
    for name in (
        "GET /api/v1/elections/{slug}/districts/",
        "GET /api/v1/elections/{slug}/districts/{number}/",
        "GET /api/v1/elections/{slug}/stations/",
        "GET /api/v1/elections/{slug}/stations.geojson",
    ):
        operation = by_name[name]
        assert "304" in operation["responses"], name
        assert "If-None-Match" in {parameter["name"] for parameter in operation["parameters"]}, name
        assert "ETag" in operation["responses"]["200"]["headers"], name
