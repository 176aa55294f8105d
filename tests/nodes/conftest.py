"""The fault tests' fixtures that the tests of several nodes use too."""

from tests.faults.conftest import election_today, own_redis  # noqa: F401 - fixtures
