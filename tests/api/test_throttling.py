"""Each observer token has a burst and a sustained request budget; over either, 429 with Retry-After."""

import uuid

import pytest

from tests.api.conftest import MORNING, error

ME = "/api/v1/me/"


@pytest.fixture
def rates(settings):
    def set_rates(burst: str = "100/min", sustained: str = "1000/hour") -> None:
        settings.OBSERVER_BURST_RATE = burst
        settings.OBSERVER_SUSTAINED_RATE = sustained

    return set_rates


def test_a_token_over_its_burst_gets_429_with_retry_after_in_the_error_shape(rates, bearer, observer):
    rates(burst="2/min")
    phone = bearer(observer)

    answers = [phone.get(ME) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
    assert error(answers[2]) == {
        "code": "throttled",
        "message": (
            f"Too many requests from this phone; it will send again in {answers[2]['Retry-After']} seconds. "
            "Nothing waiting to be sent is lost."
        ),
    }


def test_a_token_over_its_sustained_rate_waits_for_the_period_to_pass(rates, bearer, observer):
    rates(sustained="2/hour")
    phone = bearer(observer)

    answers = [phone.get(ME) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 60 < int(answers[2]["Retry-After"]) <= 3600


def test_each_token_has_a_budget_of_its_own(rates, bearer, observer, other_observer):
    rates(burst="1/min")
    first_phone, second_phone, other_phone = bearer(observer), bearer(observer), bearer(other_observer)

    assert first_phone.get(ME).status_code == 200
    assert first_phone.get(ME).status_code == 429
    assert second_phone.get(ME).status_code == 200
    assert other_phone.get(ME).status_code == 200


def test_writes_count_against_the_same_budget(rates, bearer, observer, station):
    rates(burst="1/min")
    phone = bearer(observer)
    assert phone.get(ME).status_code == 200

    response = phone.post(
        "/api/v1/checkins/",
        {"id": str(uuid.uuid4()), "station": station.pk, "kind": "arrival", "at": MORNING.isoformat()},
        format="json",
    )

    assert response.status_code == 429
    assert observer.checkins.count() == 0


def test_a_browser_session_is_throttled_per_user(rates, observer_api):
    rates(burst="1/min")

    assert [observer_api.get(ME).status_code for _ in range(2)] == [200, 429]


def test_signing_in_for_a_token_is_not_throttled_per_token(rates, api, observer):
    rates(burst="1/min")

    answers = [
        api.post("/api/v1/auth/token/", {"username": observer.username, "password": "wrong"}, format="json")
        for _ in range(2)
    ]

    assert [answer.status_code for answer in answers] == [400, 400]


def test_an_anonymous_request_is_refused_as_unauthenticated_not_throttled(rates, api):
    rates(burst="1/min")

    assert [api.get(ME).status_code for _ in range(2)] == [401, 401]
