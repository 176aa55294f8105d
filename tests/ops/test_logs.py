"""Logs: one JSON object a line, with the id of the request or task on every line."""

import io
import json
import logging
import sys

import pytest
from django.test import Client

from config.logs import TEXT_FORMAT, JsonFormatter, RequestIdFilter, logging_config
from tests.test_config import boot

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the root handler of production writes, as parsed JSON objects."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_line_is_one_json_object_with_the_exception_s_traceback():
    record = logging.LogRecord("reports.tasks", logging.ERROR, __file__, 1, "export %s failed", ("42",), None)
    try:
        raise ValueError("the disk is full")
    except ValueError:
        record.exc_info = sys.exc_info()
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry.keys() == {"timestamp", "level", "logger", "message", "request_id", "exception"}
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "ERROR",
        "reports.tasks",
        "export 42 failed",
    )
    assert entry["request_id"] == "-"
    assert entry["exception"].startswith("Traceback") and "ValueError: the disk is full" in entry["exception"]
    assert entry["timestamp"].endswith("+00:00")


def test_every_line_logged_during_a_request_carries_its_id_even_django_s_own_after_the_answer(log_lines):
    response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-id-0123456789")
    assert response.status_code == 404
    lines = [line for line in log_lines() if line["logger"] == "django.request"]
    assert lines and all(line["request_id"] == "proxy-id-0123456789" for line in lines)
    assert "Not Found: /no-such-page/" in lines[0]["message"]
    logging.getLogger("reports").warning("after the request")
    assert log_lines()[-1]["request_id"] == "-"


def test_a_generated_id_is_the_one_in_the_answer_and_on_the_lines(log_lines):
    response = Client().get("/no-such-page/")
    lines = [line for line in log_lines() if line["logger"] == "django.request"]
    assert lines[0]["request_id"] == response["X-Request-ID"]


def test_the_text_format_for_developers_shows_the_id_too():
    config = logging_config(log_format="text", level="DEBUG")
    assert config["formatters"]["main"] == {"format": TEXT_FORMAT}
    assert "%(request_id)s" in TEXT_FORMAT
    assert config["root"]["level"] == "DEBUG"
    assert logging_config(log_format="json", level="INFO")["formatters"]["main"] == {"()": JsonFormatter}


def test_production_logs_json_and_debug_logs_text_unless_told():
    show = "from django.conf import settings; print(list(settings.LOGGING['formatters']['main']))"
    assert boot({"DJANGO_DEBUG": "false"}, show).stdout.strip() == "['()']"
    assert boot({"DJANGO_DEBUG": "true"}, show).stdout.strip() == "['format']"
    assert boot({"DJANGO_DEBUG": "true", "BAQYLAU_LOG_FORMAT": "json"}, show).stdout.strip() == "['()']"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BAQYLAU_LOG_FORMAT", "xml", "BAQYLAU_LOG_FORMAT must be one of json, text"),
        ("BAQYLAU_METRICS_NETWORKS", "10.0.0.1/8", "BAQYLAU_METRICS_NETWORKS must list networks"),
        ("BAQYLAU_METRICS_NETWORKS", "intranet", "BAQYLAU_METRICS_NETWORKS must list networks"),
        ("BAQYLAU_METRICS_TOKEN", "short", "BAQYLAU_METRICS_TOKEN must be at least 32 characters"),
        ("BAQYLAU_WORKER_METRICS_PORT", "70000", "BAQYLAU_WORKER_METRICS_PORT must be at most 65535"),
        (
            "BAQYLAU_WORKER_METRICS_ADDRESS",
            "localhost",
            "BAQYLAU_WORKER_METRICS_ADDRESS must be an IP address",
        ),
        (
            "PROMETHEUS_MULTIPROC_DIR",
            "/no/such/folder",
            "PROMETHEUS_MULTIPROC_DIR must be an existing directory",
        ),
        ("SENTRY_DSN", "sentry.example.org/1", "SENTRY_DSN must be a URL starting with one of"),
    ],
)
def test_a_bad_operations_setting_stops_start_up_naming_the_variable(variable, value, expected):
    result = boot({variable: value})
    assert result.returncode != 0
    assert expected in result.stderr
