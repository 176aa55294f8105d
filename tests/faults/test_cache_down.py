"""The cache backend with Redis stopped: it answers as an empty cache would, and fast."""

import time

import pytest
from django.core.cache import caches


@pytest.fixture
def cache(own_redis, settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": own_redis.url}}
    return caches["default"]


def test_with_redis_up_it_is_django_s_redis_cache(cache):
    cache.set("a", 1)
    assert (cache.get("a"), cache.add("a", 2), cache.incr("a"), cache.get_many(["a", "b"])) == (
        1,
        False,
        2,
        {"a": 2},
    )
    assert cache.delete("a") is True


def test_with_redis_stopped_reads_miss_writes_are_dropped_and_add_goes_ahead(cache, own_redis):
    cache.set("kept", "value")
    own_redis.stop()
    started = time.monotonic()
    assert cache.get("kept") is None
    assert cache.get("kept", "default") == "default"
    assert cache.get_many(["kept"]) == {}
    assert cache.has_key("kept") is False
    cache.set("new", 1)
    assert cache.set_many({"x": 1, "y": 2}) == ["x", "y"]
    assert cache.add("pending", True) is True
    assert cache.touch("kept") is False
    assert cache.delete("kept") is False
    cache.delete_many(["x", "y"])
    assert cache.get_or_set("computed", lambda: 42) == 42
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    assert time.monotonic() - started < 5

    own_redis.start()
    assert cache.get("kept") is None  # a Redis without persistence comes back empty
    cache.set("again", 3)
    assert cache.get("again") == 3
