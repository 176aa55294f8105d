"""The request limits and observer rates are read strictly at start-up, like every other setting."""

import pytest

from tests.test_config import boot


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BAQYLAU_OBSERVER_BURST_RATE": "lots"}, "BAQYLAU_OBSERVER_BURST_RATE must be requests per period"),
        (
            {"BAQYLAU_OBSERVER_SUSTAINED_RATE": "0/hour"},
            "BAQYLAU_OBSERVER_SUSTAINED_RATE must be requests per",
        ),
        ({"BAQYLAU_UPLOAD_MAX_MB": "big"}, "BAQYLAU_UPLOAD_MAX_MB must be a whole number"),
        (
            {"BAQYLAU_UPLOAD_MAX_MB": "60", "BAQYLAU_STATION_IMPORT_MAX_MB": "80"},
            "BAQYLAU_UPLOAD_MAX_MB (60) must be at least the largest file accepted (80 MB",
        ),
    ],
)
def test_a_bad_limit_stops_start_up_with_a_message_naming_the_variable(env, expected):
    result = boot(env)

    assert result.returncode != 0
    assert expected in result.stderr


def test_the_limits_come_from_the_environment():
    env = {
        "BAQYLAU_OBSERVER_BURST_RATE": "30/min",
        "BAQYLAU_OBSERVER_SUSTAINED_RATE": "500/hour",
        "BAQYLAU_UPLOAD_MAX_MB": "64",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.OBSERVER_BURST_RATE, s.OBSERVER_SUSTAINED_RATE, s.UPLOAD_MAX_BYTES, s.UPLOAD_MAX_FILE_BYTES)"
    )

    result = boot(env, code)

    assert result.stdout.split() == ["30/min", "500/hour", str(64 * 2**20), str(50 * 2**20)]
