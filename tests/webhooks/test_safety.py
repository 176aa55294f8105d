"""Webhooks go to public http(s) addresses only, checked at registration and again at every send."""

import pytest
from django.utils import timezone

from reports.services.review import report_verify
from tests.test_config import boot
from webhooks.models import WebhookDelivery
from webhooks.services import endpoint_create
from webhooks.transport import is_public, url_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://240.0.0.1/hook",
        "http://224.0.0.1/hook",
    ],
)
def test_a_host_on_a_private_or_reserved_address_is_refused_by_default(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    assert "private or reserved" in url_problem(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.org/hook", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "http:// or https://"),
        ("https:///no-host", "http:// or https://"),
        ("example.org/hook", "http:// or https://"),
        ("https://user:pass@example.org/hook", "user name or password"),
        ("https://example.org:99999/hook", "not a valid URL"),
        ("http://127.0.0.1/a b", "not a valid URL"),
        ("http://127.0.0.1/\r\nX-Injected: 1", "not a valid URL"),
    ],
)
def test_a_url_that_is_not_plain_http_or_https_is_refused(url, words):
    assert words in url_problem(url)


def test_public_addresses_are_allowed():
    assert is_public("93.184.216.34")
    assert is_public("2606:2800:220:1:248:1893:25c8:1946")
    assert not is_public("127.0.0.1")


def test_loopback_is_allowed_only_when_the_setting_says_so(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    assert url_problem("http://127.0.0.1:8000/hook") is None
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    assert url_problem("http://127.0.0.1:8000/hook") is not None


def test_an_endpoint_that_became_private_is_refused_at_send_time_without_a_request(
    settings, endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False  # e.g. its name now resolves to an internal address
    with django_capture_on_commit_callbacks(execute=True):
        report_verify(report=make_report(station), by=reviewer)

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.last_status_code is None
    assert "private or reserved" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()


def test_registering_a_private_address_is_refused_with_the_reason(settings, partner_key):
    from core.errors import ApplicationError

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(ApplicationError) as refused:
        endpoint_create(key=partner_key[0], url="http://169.254.169.254/", events=["incident.verified"])
    assert refused.value.field == "url"
    assert "private or reserved" in refused.value.message


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "BAQYLAU_WEBHOOK_ALLOW_PRIVATE_HOSTS",
            "sometimes",
            "BAQYLAU_WEBHOOK_ALLOW_PRIVATE_HOSTS must be true or false",
        ),
        ("BAQYLAU_WEBHOOK_TIMEOUT_SECONDS", "0", "BAQYLAU_WEBHOOK_TIMEOUT_SECONDS must be at least 1"),
        (
            "BAQYLAU_WEBHOOK_RETRY_MAX_SECONDS",
            "7200",
            "BAQYLAU_WEBHOOK_RETRY_MAX_SECONDS must be at most 3600",
        ),
    ],
)
def test_a_bad_webhook_setting_stops_start_up_naming_the_variable(variable, value, expected):
    result = boot({variable: value})
    assert result.returncode != 0
    assert expected in result.stderr


def test_private_hosts_are_refused_unless_the_environment_allows_them():
    code = "from django.conf import settings; print(settings.WEBHOOK_ALLOW_PRIVATE_HOSTS)"
    assert boot({}, code).stdout.strip() == "False"
    assert boot({"BAQYLAU_WEBHOOK_ALLOW_PRIVATE_HOSTS": "true"}, code).stdout.strip() == "True"
