"""Each observer token has a burst and a sustained request budget; over either, 429 with Retry-After."""

import uuid

import pytest
import redis

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


REDIS_DOWN = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_cache(settings, redis_url):
    """The budgets counted in a real Redis, as in production (the other tests count them in memory)."""
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_url}}
    return redis_url


def test_in_redis_a_token_over_its_burst_gets_429_and_other_tokens_keep_theirs(
    redis_cache, rates, bearer, observer, other_observer
):
    rates(burst="2/min")
    phone, other_phone = bearer(observer), bearer(other_observer)

    answers = [phone.get(ME) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
    assert error(answers[2])["code"] == "throttled"
    assert other_phone.get(ME).status_code == 200


def test_in_redis_the_sustained_budget_waits_for_its_period_and_a_refused_request_counts_against_the_other(
    redis_cache, rates, bearer, observer
):
    rates(burst="3/min", sustained="2/hour")
    phone = bearer(observer)

    answers = [phone.get(ME) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 60 < int(answers[2]["Retry-After"]) <= 3600
    client = redis.Redis.from_url(redis_cache)
    logs = sorted(client.zcard(key) for key in client.scan_iter("*throttle_observer_*:log"))
    client.close()
    # The burst let the third request through and counted it; the sustained budget refused it.
    assert logs == [2, 3]
    assert phone.get(ME).status_code == 429


def test_in_redis_times_that_left_the_period_free_their_places(
    redis_cache, rates, bearer, observer, monkeypatch
):
    from api.throttling import ObserverThrottle

    rates(burst="2/min")
    phone = bearer(observer)
    clock = [1_000_000.0]
    monkeypatch.setattr(ObserverThrottle, "timer", staticmethod(lambda: clock[0]))

    assert [phone.get(ME).status_code for _ in range(3)] == [200, 200, 429]
    clock[0] += 61
    assert [phone.get(ME).status_code for _ in range(3)] == [200, 200, 429]


def test_with_redis_down_requests_go_through_uncounted(settings, rates, bearer, observer):
    # A port nothing listens on: the budgets cannot be counted, and the phone is not refused for it.
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": REDIS_DOWN}}
    rates(burst="1/min")
    phone = bearer(observer)

    assert [phone.get(ME).status_code for _ in range(3)] == [200, 200, 200]
